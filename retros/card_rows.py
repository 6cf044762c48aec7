"""The meeting board's card rows as HTML, built in Python from retros.selectors.board's CardViews:
with 200 cards the template loop (some thirty nodes a card, for every 2-second poll of everyone
in the meeting) was about a third of the page. One f-string per card with every value escaped
gives the markup the template had (detail.html keeps the form around it). Like the template, it
shows only what the CardView holds: an anonymous card's author is already "Anonymous" there."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .selectors.board import CardView


def _text(text: str) -> str:
    """`{{ text|linebreaksbr }}`: escaped, each line break a <br>."""
    return escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def card_rows(cards: Sequence[CardView], *, take_part: bool, facilitate: bool) -> SafeString:
    """The board's <li>s (or its empty line), with the vote, group and remove buttons the person
    may use; every button names its card for a screen reader."""
    if not cards:
        empty = escape(_("No cards yet."))  # outside the f-string: xgettext does not read f-strings
        return mark_safe(f'<li class="empty">{empty}</li>')  # noqa: S308 - escaped above
    t_vote, t_unvote, t_group = escape(_("Vote")), escape(_("Take my vote back")), escape(_("Group"))
    t_remove, t_evidence = escape(_("Remove")), escape(_("Evidence"))
    out: list[str] = []
    for c in cards:
        pk, short, group = c.pk, escape(c.short), escape(c.group_label)
        meta = f'<span class="badge">{escape(c.kind_label)}</span>'
        if c.category_label:
            meta += f' <span class="badge">{escape(c.category_label)}</span>'
        if c.group_label:
            meta += f' <span class="chip">{group}</span>'
        if c.evidence_label:
            meta += f' <span class="chip" data-testid="card-evidence">{t_evidence}: {escape(c.evidence_label)}</span>'
        author = escape(c.author)
        if c.votes is not None:
            votes = escape(ngettext("%(n)s vote", "%(n)s votes", c.votes) % {"n": c.votes})
            author += f' · <strong data-testid="card-votes">{votes}</strong>'
        controls = ""
        if take_part:
            pressed = "true" if c.voted else "false"
            controls = (
                f'<p class="card-controls"><button type="submit" name="vote" value="{pk}" class="btn btn-small" '
                f'aria-pressed="{pressed}">{t_unvote if c.voted else t_vote}'
                f'<span class="visually-hidden">: {short}</span></button>'
            )
            if facilitate:
                controls += (
                    f'<span class="card-group" data-testid="group-form"><label class="visually-hidden" '
                    f'for="group-{pk}">{t_group}: {short}</label><input id="group-{pk}" name="group_label_{pk}" '
                    f'value="{group}" maxlength="80" size="12" list="retro-groups" placeholder="{t_group}" '
                    f'hx-preserve="true"><button type="submit" name="group" value="{pk}" class="btn btn-small">'
                    f'{t_group}<span class="visually-hidden">: {short}</span></button></span>'
                )
            if c.mine or facilitate:
                controls += (
                    f'<button type="submit" name="delete" value="{pk}" class="btn btn-small btn-link">{t_remove}'
                    f'<span class="visually-hidden">: {short}</span></button>'
                )
            controls += "</p>"
        out.append(
            f'<li class="retro-card kind-{escape(c.kind)}" data-testid="card"><p class="card-meta">{meta}</p>'
            f'<p class="card-text">{_text(c.text)}</p><p class="muted card-author">{author}</p>{controls}</li>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value escaped above


def group_options(cards: Sequence[CardView]) -> SafeString:
    """The <option>s of the groups' datalist: each group label once, in the cards' order (sorted by group)."""
    labels = dict.fromkeys(c.group_label for c in cards if c.group_label)
    return mark_safe("".join(f'<option value="{escape(label)}">' for label in labels))  # noqa: S308 - escaped
