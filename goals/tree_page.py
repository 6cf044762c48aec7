"""The goal tree page's rows as HTML, built in Python (issue 14): with every level shown the
template engine spent most of the page on some sixty nodes per goal (and an include for its
progress); one f-string per goal with every value escaped costs a fraction of that. The markup is
the one goals/index.html and goals/includes/attainment.html had."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from teams.numbers import PERCENT_PLACES, format_percent, number_formatter_by_places, places_for, places_of

from .models import Scope, Status
from .tree_selectors import TreePageRow

WEIGHT_PLACES = places_of("-3")  # as the template's weight|num:"-3"


def _attainment(
    a: Any, words: dict[str, str], texts: dict[Any, str], number: Callable[[object, int], str]
) -> str:
    """goals/includes/attainment.html for one goal's Attainment (or None); `texts` keeps what
    is worded once per page (a percent, a roll-up note)."""
    if a is not None and a.percent is not None:
        key: tuple[object, ...] = (
            "percent",
            type(a.percent),
            str(a.percent),
        )  # as written: 57.1 and 57.10 localize apart
        if (html := texts.get(key)) is None:
            shown = (
                number(a.percent, PERCENT_PLACES) + "%"
                if type(a.percent) is Decimal
                else format_percent(a.percent)
            )
            html = texts[key] = (
                f'<meter min="0" max="150" value="{a.percent}">{escape(localize(a.percent))}%</meter> '
                f'<span class="attainment-value">{escape(shown)}</span>'
            )
    else:
        html = f'<span class="muted" title="{words["no_progress"]}">—</span>'
    if a is None:
        return html
    if a.children:
        key = ("note", a.rolled_up, a.percent is None, a.reporting, a.children)
        if (note := texts.get(key)) is None:
            note = ""
            if a.rolled_up:
                note = ngettext("rolled up from %(k)s of %(n)s sub-goal reporting",
                                "rolled up from %(k)s of %(n)s sub-goals reporting", a.children) % {
                    "k": a.reporting, "n": a.children}  # fmt: skip
            elif a.percent is None:
                note = ngettext("none of its %(n)s sub-goal reports yet", "none of its %(n)s sub-goals report yet",
                                a.children) % {"n": a.children}  # fmt: skip
            texts[key] = note
        html += f'\n<small class="muted rollup-note" data-testid="rollup-note">{note}</small>'
    if a.status:
        reason = (f' <small class="status-reason" data-testid="status-reason">{escape(a.reason)}</small>'
                  if a.reason else "")  # fmt: skip
        html += (f'\n<span class="status-line"><span class="light light-{escape(a.status)}">'
                 f"{escape(a.status_label)}</span>{reason}</span>")  # fmt: skip
    return html


def tree_rows_html(
    rows: Sequence[TreePageRow], *, org_slug: str, team_id: int | None, show_closed: bool
) -> SafeString:
    """The <article>s of the goal tree (rows of goals.selectors.goal_tree_page)."""
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
    texts: dict[Any, str] = {}  # the same date, number or note worded once per page
    formatted = number_formatter_by_places()
    badge_html: dict[tuple[str, str], tuple[str, str]] = {}
    names: dict[str, str] = {}

    def day(value: Any) -> str:
        if (found := texts.get(value)) is None:
            found = texts[value] = escape(date_format(value, "SHORT_DATE_FORMAT"))
        return found

    def number(value: Any, places: int) -> str:
        if (found := texts.get((value, places))) is None:
            found = texts[(value, places)] = escape(formatted(value, places))
        return found

    def badges(scope: str, status: str) -> tuple[str, str]:
        if (found := badge_html.get((scope, status))) is None:
            found = badge_html[(scope, status)] = (
                f'<span class="badge scope-{escape(scope)}">{scopes.get(scope) or escape(scope)}</span> ',
                f'<span class="badge status-{escape(status)}">{statuses.get(status) or escape(status)}</span>',
            )
        return found

    def name(value: str) -> str:  # a team's or an owner's name, a unit: a few hundred on a page
        if (found := names.get(value)) is None:
            found = names[value] = escape(value)
        return found

    def weight_of(value: Any) -> str:
        if (found := texts.get(("weight", value))) is None:
            found = texts[("weight", value)] = " · " + _("weight %(w)s") % {"w": number(value, WEIGHT_PLACES)}
        return found

    out: list[str] = []
    for row in rows:
        goal, version, progress, scheduled = row.goal, row.targets, row.progress, row.scheduled
        places = places_for(unit=goal["unit"], aggregation=goal["aggregation"])
        pk, depth = goal["id"], row.depth
        team = f"{name(goal['team__name'])} · " if goal["team_id"] else ""
        weight = weight_of(goal["weight"]) if goal["parent_id"] else ""
        unit = f"<div><dt>{words['unit']}</dt><dd>{name(goal['unit'])}</dd></div>" if goal["unit"] else ""
        note = ""
        if scheduled:
            note = ('<p class="muted scheduled-note">' + _("Revised targets (v%(n)s) take effect on %(day)s.") % {
                "n": scheduled[0], "day": day(scheduled[1])} + "</p>")  # fmt: skip
        expand = ""
        if row.hidden:
            query = f"?root={pk}{keep}"
            text = ngettext("Show %(n)s goal below", "Show %(n)s goals below", row.hidden) % {"n": row.hidden}
            expand = (f'<a class="expand" href="{query}" hx-get="{index_url}{query}" hx-target="closest article" '
                      f'hx-swap="afterend" data-expand>{text}</a>')  # fmt: skip
        owner = goal["owner__user__display_name"] or goal["owner__user__email"]
        scope_badge, status_badge = badges(goal["scope"], goal["status"])
        out.append(
            f'<article class="goal-row depth-{depth}" data-depth="{depth}"><div class="goal-main">'
            f'{scope_badge}<a class="goal-title" href="{before}{pk}{after}">{escape(goal["title"])}</a> {status_badge}'
            f'</div><div class="goal-meta muted">{team}{name(owner)} · '
            f"{day(goal['start_date'])} – {day(goal['end_date'])}{weight}</div>"
            f'<dl class="tiers"><div><dt>{words["base"]}</dt><dd>{number(version[0], places)}</dd></div>'
            f'<div><dt>{words["challenge"]}</dt><dd>{number(version[1], places)}</dd></div>'
            f'<div><dt>{words["stretch"]}</dt><dd>{number(version[2], places)}</dd></div>{unit}'
            f'<div class="progress-cell"><dt>{words["progress"]}</dt><dd>{_attainment(progress, words, texts, formatted)}</dd></div>'
            f"</dl>{note}{expand}</article>"
        )  # fmt: skip
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
