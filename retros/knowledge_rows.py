"""The knowledge base's result rows as HTML, built in Python: a page shows up to 100 entries, and
the template loop (two URLs, labels and a plural sentence an entry) was most of the page's CPU.
The markup is the one the template had (knowledge.html keeps the list around it); every value is
escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Lesson

_PK = 987654321  # reversed once with this id, which each row's id then replaces


def knowledge_rows(lessons: Sequence[Lesson], *, org_slug: str) -> SafeString:
    """The <li>s of the entries found (or the empty line); each lesson with its retro and team
    (select_related) and its `applied`/`reached` counts."""
    if not lessons:
        empty = escape(_("No lessons found."))
        return mark_safe(f'<li class="empty-state card">{empty}</li>')  # noqa: S308 - escaped
    entry_url = escape(reverse("knowledge_entry", args=[org_slug, _PK]))
    retro_url = escape(reverse("retro_detail", args=[org_slug, _PK]))
    directly, never = escape(_("written directly")), escape(_("Not applied to a goal yet."))
    out: list[str] = []
    for lesson in lessons:
        stage = ""
        if lesson.stage:
            stage = f' <span class="badge stage-{escape(lesson.stage)}">{escape(str(lesson.get_stage_display()))}</span>'
        where = f"{escape(lesson.metric_name)} · " if lesson.metric_name else ""
        if lesson.tags:
            where += f"{escape(lesson.tags)} · "
        team = escape(lesson.team.name) if lesson.team_id else ""
        if lesson.retro_id:
            url = retro_url.replace(str(_PK), str(lesson.retro_id))
            where += f'<a href="{url}">{team} · {escape(lesson.retro.title)}</a>'  # type: ignore[union-attr]
        else:
            where += f"{team} · {directly}"
        applied: int = getattr(lesson, "applied", 0)
        if applied:
            reached: int = getattr(lesson, "reached", 0)
            said = ngettext(
                "Applied %(n)s time; those goals reached their targets %(reached)s times.",
                "Applied %(n)s times; those goals reached their targets %(reached)s times.",
                applied,
            ) % {"n": applied, "reached": reached}
            used = escape(said)
        else:
            used = never
        out.append(
            f'\n    <li class="card" data-testid="knowledge-entry"><span class="badge">'
            f"{escape(str(lesson.get_kind_display()))}</span>{stage}\n"
            f'      <a href="{entry_url.replace(str(_PK), str(lesson.pk))}">{escape(lesson.text)}</a>\n'
            f'      <p class="muted">{where}</p>\n'
            f'      <p class="muted" data-testid="applied">{used}</p></li>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above
