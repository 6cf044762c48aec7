"""The goal tree page's rows as HTML, built in Python (issue 14): with every level shown the
template engine spent most of the page on some sixty nodes per goal (and an include for its
progress); one f-string per goal with every value escaped costs a fraction of that. The markup is
the one goals/index.html and goals/includes/attainment.html had."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from teams.numbers import format_number, format_percent, places_of

from .models import Goal, Scope, Status


def _attainment(a: Any, words: dict[str, str]) -> str:
    """goals/includes/attainment.html for one goal's Attainment (or None)."""
    if a is not None and a.percent is not None:
        html = (f'<meter min="0" max="150" value="{a.percent}">{escape(localize(a.percent))}%</meter> '
                f'<span class="attainment-value">{escape(format_percent(a.percent))}</span>')  # fmt: skip
    else:
        html = f'<span class="muted" title="{words["no_progress"]}">—</span>'
    if a is None:
        return html
    if a.children:
        note = ""
        if a.rolled_up:
            note = ngettext("rolled up from %(k)s of %(n)s sub-goal reporting",
                            "rolled up from %(k)s of %(n)s sub-goals reporting", a.children) % {
                "k": a.reporting, "n": a.children}  # fmt: skip
        elif a.percent is None:
            note = ngettext("none of its %(n)s sub-goal reports yet", "none of its %(n)s sub-goals report yet",
                            a.children) % {"n": a.children}  # fmt: skip
        html += f'\n<small class="muted rollup-note" data-testid="rollup-note">{note}</small>'
    if a.status:
        reason = (f' <small class="status-reason" data-testid="status-reason">{escape(a.reason)}</small>'
                  if a.reason else "")  # fmt: skip
        html += (f'\n<span class="status-line"><span class="light light-{escape(a.status)}">'
                 f"{escape(a.status_label)}</span>{reason}</span>")  # fmt: skip
    return html


def tree_rows_html(
    rows: Sequence[tuple[Any, Any, Any, Any]], *, org_slug: str, team_id: int | None, show_closed: bool
) -> SafeString:
    """The <article>s of the goal tree (rows of goals.selectors.tree_rows_shown)."""
    words = {
        "base": _("Base"), "challenge": _("Challenge"), "stretch": _("Stretch"), "unit": _("Unit"),
        "progress": _("Progress"), "no_progress": escape(_("Progress appears once results are recorded.")),
    }  # fmt: skip
    scopes = {value: escape(str(label)) for value, label in Scope.choices}
    statuses = {value: escape(str(label)) for value, label in Status.choices}
    marker = 987654321
    before, after = reverse("goal_detail", args=[org_slug, marker]).split(str(marker))
    index_url = reverse("goals_index", args=[org_slug])
    keep = (f"&amp;team={team_id}" if team_id else "") + ("&amp;closed=1" if show_closed else "")
    dates: dict[Any, str] = {}

    def day(value: Any) -> str:
        if value not in dates:
            dates[value] = escape(date_format(value, "SHORT_DATE_FORMAT"))
        return dates[value]

    out: list[str] = []
    for row, version, progress, scheduled in rows:
        goal: Goal = row.goal
        places = places_of(goal)
        pk, depth = goal.pk, int(row.depth)
        team = f"{escape(goal.team.name)} · " if goal.team_id and goal.team else ""
        weight = (" · " + _("weight %(w)s") % {"w": escape(format_number(goal.weight, places_of("-3")))}
                  if goal.parent_id else "")  # fmt: skip
        unit = f"<div><dt>{words['unit']}</dt><dd>{escape(goal.unit)}</dd></div>" if goal.unit else ""
        note = ""
        if scheduled:
            note = ('<p class="muted scheduled-note">' + _("Revised targets (v%(n)s) take effect on %(day)s.") % {
                "n": scheduled.number, "day": day(scheduled.effective_from)} + "</p>")  # fmt: skip
        expand = ""
        if row.hidden:
            query = f"?root={pk}{keep}"
            text = ngettext("Show %(n)s goal below", "Show %(n)s goals below", row.hidden) % {"n": row.hidden}
            expand = (f'<a class="expand" href="{query}" hx-get="{index_url}{query}" hx-target="closest article" '
                      f'hx-swap="afterend" data-expand>{text}</a>')  # fmt: skip
        out.append(
            f'<article class="goal-row depth-{depth}" data-depth="{depth}"><div class="goal-main">'
            f'<span class="badge scope-{escape(goal.scope)}">{scopes.get(goal.scope, escape(goal.scope))}</span> '
            f'<a class="goal-title" href="{before}{pk}{after}">{escape(goal.title)}</a> '
            f'<span class="badge status-{escape(goal.status)}">{statuses.get(goal.status, escape(goal.status))}</span>'
            f'</div><div class="goal-meta muted">{team}{escape(goal.owner.user.get_full_name())} · '
            f"{day(goal.start_date)} – {day(goal.end_date)}{weight}</div>"
            f'<dl class="tiers"><div><dt>{words["base"]}</dt><dd>{escape(format_number(version.base, places))}</dd></div>'
            f'<div><dt>{words["challenge"]}</dt><dd>{escape(format_number(version.challenge, places))}</dd></div>'
            f'<div><dt>{words["stretch"]}</dt><dd>{escape(format_number(version.stretch, places))}</dd></div>{unit}'
            f'<div class="progress-cell"><dt>{words["progress"]}</dt><dd>{_attainment(progress, words)}</dd></div>'
            f"</dl>{note}{expand}</article>"
        )  # fmt: skip
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
