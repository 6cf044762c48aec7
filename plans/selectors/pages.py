"""What the plan pages show, read and arranged once: one goal's plan in the article's five
columns (rows grouped by goal dimension, with the weeks they run, the critical path, conflicts,
slips and who may report progress on each), and the Gantt's data for a goal or a team."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal
from goals.periods import day_label, span_label
from teams.models import Membership, Organization

from ..models import Initiative, Need, Status
from .analysis import plan_analysis_cached
from .budgets import budget_suggestions, team_budget_for
from .experiments import experiment_verdicts
from .initiatives import dependency_list, initiative_list
from .rights import can_plan, can_report_progress

NEED_LABELS = dict(Need.choices)


def _weeks_label(goal: Goal, item: Initiative) -> str:
    if item.ongoing or item.due_date is None:
        return _("ongoing")
    if item.start_date < goal.start_date or item.due_date > goal.end_date:
        # Weeks of the goal's period mean nothing outside it (an initiative of 2030 on a 2026 goal
        # is not "weeks 158–210"); its dates, with their years, say when it runs.
        inside = item.start_date <= goal.end_date and item.due_date >= goal.start_date
        return _("partly outside the goal's period") if inside else _("outside the goal's period")
    # Weeks counted from the first day of the goal's period, as the article's plan does (第1-4周).
    first = (item.start_date - goal.start_date).days // 7 + 1
    last = (item.due_date - goal.start_date).days // 7 + 1
    return (
        _("weeks %(first)d–%(last)d") % {"first": first, "last": last}
        if first != last
        else _("week %(n)d") % {"n": first}
    )


PLAN_WINDOW = 300  # rows the plan table shows before "show all"


def _url_maker(name: str, org: Organization) -> Any:
    """A function of an initiative's id that gives the URL `name` for it: reversed once for the
    page, not once per row."""
    marker = 987654321
    template = reverse(name, args=[org.slug, marker])
    before, after = template.split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def plan_page(*, org: Organization, member: Membership, goal: Goal, show_all: bool = False) -> dict[str, Any]:
    """One goal's plan as its page shows it to `member`: the rows grouped by goal dimension (each
    with its weeks, dates, original due date, critical path, conflicts, slip, needs, experiment
    verdict and whether `member` reports its progress — `can_report_progress`, the plan decided
    once), the conflicts that involve these rows, the dependencies, budget suggestions and the
    team's budget. Beyond PLAN_WINDOW rows the table shows the first PLAN_WINDOW unless
    ``show_all``; the analysis, conflicts and totals always cover the whole plan."""
    items = list(initiative_list(org=org, goal=goal))
    team_budget = team_budget_for(goal=goal)
    may_plan = can_plan(member=member, goal=goal)
    analysis = plan_analysis_cached(org=org, scope=f"goal:{goal.pk}", initiatives=items)
    critical = analysis.critical_ids
    verdicts = experiment_verdicts(org=org, initiatives=items)
    flagged: dict[int, list[str]] = {}
    for conflict in analysis.conflicts:
        for pk in conflict.ids:
            flagged.setdefault(pk, []).append(conflict.kind)
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    today = timezone.localdate()
    status_labels = dict(Status.choices)
    edit_url, progress_url = _url_maker("initiative_edit", org), _url_maker("initiative_progress", org)
    shown = items if show_all or len(items) <= PLAN_WINDOW else items[:PLAN_WINDOW]
    for item in shown:
        name = item.dimension.name if item.dimension else ""
        groups.setdefault(name, []).append(
            {
                "item": item,
                "weeks": _weeks_label(goal, item),
                "dates": span_label(item.start_date, item.due_date, today=today),
                "was": day_label(item.baseline_due, with_year=item.baseline_due.year != today.year)
                if item.baseline_due and item.baseline_due != item.due_date
                else "",
                "critical": item.pk in critical,
                "flags": flagged.get(item.pk, []),
                "slipped": item.pk in analysis.slipped_ids,
                "needs": [NEED_LABELS[n] for n in item.needs if n in NEED_LABELS],
                "tolerated": verdicts.get(item.pk),
                "can_report": can_report_progress(member=member, initiative=item, may_plan=bool(may_plan)),
                "status_label": status_labels.get(item.status, item.status),
                "edit_url": edit_url(item.pk),
                "progress_url": progress_url(item.pk),
            }  # fmt: skip
        )
    by_id = {i.pk: i for i in items}
    conflicts = []
    for c in analysis.conflicts:
        rows = [by_id[pk] for pk in c.ids if pk in by_id]
        if rows:  # only conflicts that involve this page's rows; others elsewhere are counted
            conflicts.append(
                {"kind": c.kind, "rows": rows, "detail": c.detail, "elsewhere": len(c.ids) - len(rows)}
            )
    return {
        "goal": goal, "groups": groups, "conflicts": conflicts, "at_risk": goal.pk in analysis.at_risk_goal_ids,
        "items": items, "dependencies": dependency_list(org=org, goal=goal),
        "suggestions": budget_suggestions(initiatives=items), "team_budget": team_budget,
        "can_plan": may_plan, "total_budget": sum((i.budget or 0) for i in items),
        "shown_count": len(shown), "total_count": len(items),
    }  # fmt: skip
