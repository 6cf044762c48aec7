"""The meeting page's agenda, action and history rows, rendered in Python (escaped with format_html).

A year of carried-over points and open actions drew one template form each (26 + 26 forms, each
with its CSRF token and its blocktranslate): about 20 ms of the page. The rows now sit in one form
per list; each button names its item in its value (`check:<id>`, `done:<id>`…), which the view
splits back into the operation and the item. The strings are the template's own msgids."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .models import ActionItem, AgendaItem, Meeting


def _short(text: str) -> str:
    return Truncator(text).chars(40)


def agenda_rows(items: Iterable[AgendaItem], *, held: bool) -> SafeString:
    discussed, carried = _("discussed"), _("carried over")
    rows = []
    for item in items:
        if held:
            button = format_html('<span aria-hidden="true">{}</span>', "☑" if item.done else "☐")
        elif item.done:
            button = format_html(
                '<button type="submit" name="op" value="uncheck:{}" class="btn btn-small" aria-label="{}">☑</button>',
                item.pk, _("Mark “%(text)s” not discussed") % {"text": _short(item.text)},
            )  # fmt: skip
        else:
            button = format_html(
                '<button type="submit" name="op" value="check:{}" class="btn btn-small" aria-label="{}">☐</button>',
                item.pk, _("Mark “%(text)s” discussed") % {"text": _short(item.text)},
            )  # fmt: skip
        rows.append(format_html(
            '<li data-testid="agenda-item" class="agenda-item{}"><div class="inline-form">{}<span>{}</span></div>'
            '<small class="muted">{}{}{}</small></li>',
            " done" if item.done else "", button, linebreaksbr(item.text, autoescape=True),
            item.author.user.get_full_name(), format_html(" · {}", discussed) if item.done else "",
            format_html(' · <span class="badge badge-warn" data-testid="carried">{}</span>', carried)
            if item.carried_from_id else "",
        ))  # fmt: skip
    return mark_safe("".join(rows))  # noqa: S308 - every row built by format_html


def action_rows(actions: Iterable[ActionItem], *, meeting: Meeting, today: date) -> SafeString:
    due_word, done_word, overdue, carried = _("due"), _("done"), _("overdue"), _("carried over")
    rows = []
    for a in actions:
        if a.done_at:
            button = format_html(
                '<button type="submit" name="op" value="reopen:{}" class="btn btn-small" aria-label="{}">☑</button>',
                a.pk, _("Reopen “%(text)s”") % {"text": _short(a.text)},
            )  # fmt: skip
            badge = format_html(' · <span class="badge badge-ok">✓ {}</span>', done_word)
        else:
            button = format_html(
                '<button type="submit" name="op" value="done:{}" class="btn btn-small" aria-label="{}">☐</button>',
                a.pk, _("Mark “%(text)s” done") % {"text": _short(a.text)},
            )  # fmt: skip
            if a.due and a.due < today:
                badge = format_html(
                    ' · <span class="badge badge-bad" data-testid="overdue">! {}</span>', overdue
                )
            elif a.meeting_id != meeting.pk:
                badge = format_html(' · <span class="badge badge-warn">{}</span>', carried)
            else:
                badge = ""
        rows.append(format_html(
            '<li data-testid="action-item"><div class="inline-form">{}<span>{}</span></div>'
            '<small class="muted">{}{}{}</small></li>',
            button, a.text, a.owner.user.get_full_name(),
            format_html(" · {} {}", due_word, a.due.strftime("%Y-%m-%d")) if a.due else "", badge,
        ))  # fmt: skip
    return mark_safe("".join(rows))  # noqa: S308 - every row built by format_html


def history_rows(meetings: Iterable[Meeting], *, current: Meeting | None, org_slug: str) -> SafeString:
    held = _("Held")
    base = reverse("people_meeting", args=[org_slug, 0]).rsplit("0/", 1)[0]
    rows = []
    for m in meetings:
        rows.append(format_html(
            '<li><a href="{}{}/"{}>{}</a> {}{}</li>',
            base, m.pk, mark_safe(' aria-current="page"') if current is not None and m.pk == current.pk else "",
            m.day.strftime("%Y-%m-%d"),
            format_html('<span class="badge badge-ok">✓ {}</span>', held) if m.held_at else "",
            format_html(" · {}", _("Feeling: %(n)s of 5") % {"n": m.feeling}) if m.feeling else "",
        ))  # fmt: skip
    return mark_safe("".join(rows))  # noqa: S308 - every row built by format_html
