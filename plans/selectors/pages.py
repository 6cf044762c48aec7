"""What the plan pages show, read and arranged once: one goal's plan in the article's five
columns (rows grouped by goal dimension, with the weeks they run, the critical path, conflicts,
slips and who may report progress on each), and the Gantt's data for a goal or a team."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Goal
from goals.periods import day_label, span_label
from teams.models import Membership, Organization

from ..models import Initiative, Need
from .analysis import plan_analysis_cached
from .budgets import budget_suggestions, team_budget_for
from .experiments import experiment_verdicts
from .initiatives import dependencies_of, dependency_list, initiative_list
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


def plan_page(*, org: Organization, member: Membership, goal: Goal) -> dict[str, Any]:
    """One goal's plan as its page shows it to `member`: the rows grouped by goal dimension (each
    with its weeks, dates, original due date, critical path, conflicts, slip, needs, experiment
    verdict and whether `member` reports its progress — `can_report_progress`, the plan decided
    once), the conflicts that involve these rows, the dependencies, budget suggestions and the
    team's budget."""
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
    for item in items:
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
    }  # fmt: skip


def _overdue_text(days: int) -> str:
    return ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}


def gantt_chart(
    *,
    org: Organization,
    items: list[Initiative],
    start: date,
    end: date,
    group_by_goal: bool,
    color_by: str,
    scope: str,
) -> dict[str, Any]:
    """The Gantt's data: one row per initiative under a header row for its group (its goal on a
    team's Gantt, its goal dimension on a goal's), original and current dates, dependency links,
    milestones, the critical path, and which initiatives are overdue (past due, not finished)."""
    analysis = plan_analysis_cached(org=org, scope=scope, initiatives=items)
    critical = analysis.critical_ids  # each goal's own critical path
    today = timezone.localdate()
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    rows: list[dict[str, Any]] = []
    for i in items:
        if group_by_goal:
            key, label = f"g{i.goal_id}", i.goal.title
        else:
            key, label = f"d{i.dimension_id or 0}", i.dimension.name if i.dimension else ""
        groups.setdefault(key, {"key": key, "label": label, "count": 0})["count"] += 1
        overdue = i.due_date is not None and i.due_date < today and not i.is_finished
        rows.append({
            "id": i.pk, "title": i.title, "group": key,
            "dimension": i.goal.title if group_by_goal else (i.dimension.name if i.dimension else ""),
            "goal": i.goal.title, "owner": i.owner.user.get_full_name(), "start": i.start_date.isoformat(),
            "end": ((i.due_date or i.goal.end_date) + timedelta(days=1)).isoformat(),
            "due": i.due_date.isoformat() if i.due_date else None,
            "dates": span_label(i.start_date, i.due_date, today=today) if i.due_date else
            _("%(start)s, ongoing") % {"start": span_label(i.start_date, None, today=today)},
            "baseline_start": i.baseline_start.isoformat(),
            "baseline_end": ((i.baseline_due or i.goal.end_date) + timedelta(days=1)).isoformat(),
            "status": i.status, "status_label": i.get_status_display(), "priority": i.priority,
            "progress": i.progress, "critical": i.pk in critical, "milestone": i.is_milestone,
            "milestone_reached": i.milestone_reached_at is not None, "ongoing": i.ongoing,
            "overdue": overdue, "overdue_days": (today - i.due_date).days if overdue and i.due_date else 0,
            "overdue_text": _overdue_text((today - i.due_date).days) if overdue and i.due_date else "",
        })  # fmt: skip
    # Rows of a group together, groups in order of first appearance (the items' own order inside).
    order = {key: n for n, key in enumerate(groups)}
    rows.sort(key=lambda r: order[r["group"]])
    links = [{"from": a, "to": b} for b, preds in dependencies_of(initiatives=items).items() for a in preds]
    return {
        "rows": rows, "groups": list(groups.values()), "links": links, "today": today.isoformat(),
        "goal_start": start.isoformat(), "goal_end": (end + timedelta(days=1)).isoformat(),
        "color_by": color_by,
        "labels": {"baseline": _("Original dates"), "today": _("Today"), "critical": _("Critical path"),
                   "milestone": _("Milestone"), "overdue": _("overdue"), "no_dimension": _("Other initiatives")},
    }  # fmt: skip


def gantt_table(chart: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The chart as a table (the accessible and phone view): each group with its rows."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for row in chart["rows"]:
        by_group.setdefault(row["group"], []).append(row)
    return [(group, by_group.get(group["key"], [])) for group in chart["groups"]]
