"""The Gantt's data for a goal or a team, read as plain rows (``values()`` with the labels from
dictionaries: no model instances, no ``get_status_display``), with the plan's analysis from the
shared cache."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import OPEN_STATUSES, Goal
from goals.periods import span_label
from teams.models import Organization, Team

from ..models import FINISHED, Dependency, Initiative, Status
from ..schedule import Task
from .analysis import plan_analysis_cached

GANTT_LIMIT = 2000  # a team's Gantt shows at most this many initiatives
FIELDS = (
    "pk", "title", "goal_id", "goal__title", "goal__start_date", "goal__end_date", "goal__team_id", "dimension_id",
    "dimension__name", "owner_id", "owner__user__display_name", "owner__user__email", "start_date", "due_date",
    "baseline_start", "baseline_due", "status", "priority", "progress", "is_milestone", "milestone_reached_at",
    "ongoing", "budget", "updated_at",
)  # fmt: skip


def gantt_items(
    *, org: Organization, goal: Goal | None = None, team: Team | None = None, limit: int = GANTT_LIMIT
) -> list[dict[str, Any]]:
    """The initiatives of one goal's plan, or of a team's open goals, as plain rows in the plan's
    order (goal, dimension, position). One query."""
    qs = Initiative.objects.filter(org=org)
    if goal is not None:
        qs = qs.filter(goal=goal)
    if team is not None:
        qs = qs.filter(goal__team=team, goal__status__in=OPEN_STATUSES)
    qs = qs.order_by("goal_id", "dimension__position", "dimension_id", "position", "id")
    return list(qs.values(*FIELDS)[:limit])


def _task(row: dict[str, Any]) -> Task:
    return Task(
        id=row["pk"], title=row["title"], start=row["start_date"], due=row["due_date"], priority=row["priority"],
        status=row["status"], owner_id=row["owner_id"], goal_id=row["goal_id"], goal_end=row["goal__end_date"],
        budget=row["budget"], team_id=row["goal__team_id"],
    )  # fmt: skip


def _overdue_text(days: int) -> str:
    return ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}


def gantt_chart(
    *, org: Organization, items: list[dict[str, Any]], start: date, end: date, group_by_goal: bool, color_by: str,
    scope: str,
) -> dict[str, Any]:  # fmt: skip
    """The Gantt's data: one row per initiative (rows of gantt_items) under a header row for its
    group (its goal on a team's Gantt, its goal dimension on a goal's), original and current dates,
    dependency links, milestones, the critical path, and which initiatives are overdue (past due,
    not finished)."""
    analysis = plan_analysis_cached(org=org, scope=scope, stamps=[(i["pk"], i["updated_at"]) for i in items],
                                    make_tasks=lambda: [_task(i) for i in items])  # fmt: skip
    critical = analysis.critical_ids  # each goal's own critical path
    status_labels = {value: str(label) for value, label in Status.choices}  # once, not a lazy string per row
    finished = set(FINISHED)
    today = timezone.localdate()
    ongoing_text = _("%(start)s, ongoing")
    # Words and dates formatted once per value: hundreds of rows share a few hundred of them.
    overdue_texts: dict[int, str] = {}
    spans: dict[tuple[date, date | None], str] = {}

    def dates(first: date, due: date | None) -> str:
        if (first, due) not in spans:
            spans[first, due] = span_label(first, due, today=today) if due else \
                ongoing_text % {"start": span_label(first, None, today=today)}  # fmt: skip
        return spans[first, due]

    iso: dict[date, str] = {}
    day_after: dict[date, str] = {}  # a bar ends at the start of the day after its last day
    one_day = timedelta(days=1)

    def after(day: date) -> str:
        text = day_after.get(day)
        if text is None:
            text = day_after[day] = (day + one_day).isoformat()
        return text

    def on(day: date) -> str:
        text = iso.get(day)
        if text is None:
            text = iso[day] = day.isoformat()
        return text

    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    rows: list[dict[str, Any]] = []
    for i in items:
        dimension = i["dimension__name"] or ""
        if group_by_goal:
            key, label = f"g{i['goal_id']}", i["goal__title"]
        else:
            key, label = f"d{i['dimension_id'] or 0}", dimension
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"key": key, "label": label, "count": 0}
        group["count"] += 1
        due, first = i["due_date"], i["start_date"]
        overdue_days = (
            (today - due).days if due is not None and due < today and i["status"] not in finished else 0
        )
        goal_end = i["goal__end_date"]
        if overdue_days and overdue_days not in overdue_texts:
            overdue_texts[overdue_days] = _overdue_text(overdue_days)
        rows.append({
            "id": i["pk"], "title": i["title"], "group": key,
            "dimension": i["goal__title"] if group_by_goal else dimension,
            "goal": i["goal__title"], "owner": i["owner__user__display_name"] or i["owner__user__email"],
            "start": on(first), "end": after(due or goal_end), "due": on(due) if due else None,
            "dates": dates(first, due),
            "baseline_start": on(i["baseline_start"]), "baseline_end": after(i["baseline_due"] or goal_end),
            "status": i["status"], "status_label": status_labels.get(i["status"], i["status"]),
            "priority": i["priority"], "progress": i["progress"], "critical": i["pk"] in critical,
            "milestone": i["is_milestone"], "milestone_reached": i["milestone_reached_at"] is not None,
            "ongoing": i["ongoing"], "overdue": overdue_days > 0, "overdue_days": overdue_days,
            "overdue_text": overdue_texts[overdue_days] if overdue_days else "",
        })  # fmt: skip
    # Rows of a group together, groups in order of first appearance (the items' own order inside).
    order = {key: n for n, key in enumerate(groups)}
    rows.sort(key=lambda r: order[r["group"]])
    # The links into the rows shown, read by their goals (a join, not a list of 500-2,000 ids in the SQL).
    ids = {i["pk"] for i in items}
    predecessors: dict[int, list[int]] = {}
    if ids:
        links_in = Dependency.objects.filter(
            successor__org=org, successor__goal_id__in={i["goal_id"] for i in items}
        )
        for a, b in links_in.order_by("successor_id", "predecessor_id").values_list(
            "predecessor_id", "successor_id"
        ):
            if b in ids:
                predecessors.setdefault(b, []).append(a)
    links = [{"from": a, "to": b} for b, preds in predecessors.items() for a in preds]
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
