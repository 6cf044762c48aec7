"""What the plan pages show, read and arranged once: one goal's plan in the article's five
columns (rows grouped by goal dimension, with the weeks they run, the critical path, conflicts,
slips and who may report progress on each), and the Gantt's data for a goal or a team."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal
from goals.periods import day_label, span_label
from teams.models import Membership, Organization

from ..models import FINISHED, Initiative, Need, Priority, Status
from ..schedule import Task
from .analysis import plan_analysis_cached
from .budgets import budget_suggestions, team_budget_for
from .experiments import failed_experiment_verdicts
from .initiatives import dependency_list
from .rights import OWNER_ROLES, can_plan

NEED_LABELS = dict(Need.choices)


PLAN_WINDOW = 300  # rows the plan table shows before "show all"


def url_maker(name: str, org: Organization) -> Any:
    """A function of an initiative's id that gives the URL `name` for it: reversed once for the
    page, not once per row."""
    marker = 987654321
    template = reverse(name, args=[org.slug, marker])
    before, after = template.split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


# What the plan table reads of each initiative: plain rows (``values()``), no model instances.
ROW_FIELDS = (
    "pk", "title", "dimension__name", "owner_id", "owner__user__display_name", "owner__user__email", "squad__name",
    "start_date", "due_date", "baseline_due", "ongoing", "budget", "needs", "needs_note", "priority", "progress",
    "status", "is_milestone", "milestone_reached_at", "is_experiment", "finished_at", "lesson", "updated_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlanItem:
    """An initiative as a budget suggestion reads it (plans.selectors.budgets.BudgetItem)."""

    pk: int
    title: str
    priority: str
    status: str
    budget: Decimal | None
    progress: int
    start_date: date
    due_date: date | None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


def plan_rows(*, org: Organization, goal: Goal) -> list[dict[str, Any]]:
    """One goal's initiatives as plain rows in the plan's order (dimension, position). One query."""
    return list(
        Initiative.objects.filter(org=org, goal=goal)
        .order_by("dimension__position", "dimension_id", "position", "id")
        .values(*ROW_FIELDS)
    )


def _week_words() -> dict[str, str]:
    """The words of the "When" column in the active language, translated once per page."""
    return {"ongoing": _("ongoing"), "partly": _("partly outside the goal's period"),
            "outside": _("outside the goal's period"), "weeks": _("weeks %(first)d–%(last)d"),
            "week": _("week %(n)d")}  # fmt: skip


def _weeks(goal: Goal, start: date, due: date | None, ongoing: bool, words: dict[str, str]) -> str:
    if ongoing or due is None:
        return words["ongoing"]
    if start < goal.start_date or due > goal.end_date:
        # Weeks of the goal's period mean nothing outside it (an initiative of 2030 on a 2026 goal
        # is not "weeks 158–210"); its dates, with their years, say when it runs.
        inside = start <= goal.end_date and due >= goal.start_date
        return words["partly"] if inside else words["outside"]
    # Weeks counted from the first day of the goal's period, as the article's plan does (第1-4周).
    first = (start - goal.start_date).days // 7 + 1
    last = (due - goal.start_date).days // 7 + 1
    return words["weeks"] % {"first": first, "last": last} if first != last else words["week"] % {"n": first}


def plan_page(*, org: Organization, member: Membership, goal: Goal, show_all: bool = False) -> dict[str, Any]:
    """One goal's plan as its page shows it to `member`: the rows grouped by goal dimension (each
    with its weeks, dates, original due date, critical path, conflicts, slip, needs, experiment
    verdict and whether `member` reports its progress — `can_report_progress`, the plan decided
    once), the conflicts that involve these rows, the dependencies, budget suggestions and the
    team's budget. Rows are plain dictionaries (``values()``, labels from dictionaries, URLs built
    once). Beyond PLAN_WINDOW rows the table shows the first PLAN_WINDOW unless ``show_all``; the
    analysis, conflicts and totals always cover the whole plan."""
    items = plan_rows(org=org, goal=goal)
    team_budget = team_budget_for(goal=goal)
    may_plan = bool(can_plan(member=member, goal=goal))

    def tasks() -> list[Task]:  # only when the plan's analysis is not in the cache
        return [
            Task(id=i["pk"], title=i["title"], start=i["start_date"], due=i["due_date"], priority=i["priority"],
                 status=i["status"], owner_id=i["owner_id"], goal_id=goal.pk, goal_end=goal.end_date,
                 budget=i["budget"], team_id=goal.team_id)
            for i in items
        ]  # fmt: skip

    analysis = plan_analysis_cached(org=org, scope=f"goal:{goal.pk}", make_tasks=tasks,
                                    stamps=[(i["pk"], i["updated_at"]) for i in items])  # fmt: skip
    critical = analysis.critical_ids
    verdicts = failed_experiment_verdicts(org=org, failed=[
        (i["pk"], i["finished_at"]) for i in items
        if i["is_experiment"] and i["status"] == Status.FAILED and i["finished_at"]
    ])  # fmt: skip
    flagged: dict[int, list[str]] = {}
    for conflict in analysis.conflicts:
        for pk in conflict.ids:
            flagged.setdefault(pk, []).append(conflict.kind)
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    today = timezone.localdate()
    # Labels translated once for the page: a lazy label costs a translation lookup every time it is read.
    status_labels = {value: str(label) for value, label in Status.choices}
    need_labels = {value: str(label) for value, label in NEED_LABELS.items()}
    finished = set(FINISHED)
    words = _week_words()
    # can_report_progress decided once for the page: the owner (an active admin, manager or member)
    # and whoever changes the plan, if active.
    reports_own = member.is_active and member.role in OWNER_ROLES
    reports_all = member.is_active and may_plan
    edit_url, progress_url = url_maker("initiative_edit", org), url_maker("initiative_progress", org)
    shown = items if show_all or len(items) <= PLAN_WINDOW else items[:PLAN_WINDOW]
    for i in shown:
        pk, due, was = i["pk"], i["due_date"], i["baseline_due"]
        i.update(
            owner_name=i["owner__user__display_name"] or i["owner__user__email"],
            weeks=_weeks(goal, i["start_date"], due, i["ongoing"], words),
            dates=span_label(i["start_date"], due, today=today),
            was=day_label(was, with_year=was.year != today.year) if was and was != due else "",
            critical=pk in critical, flags=flagged.get(pk, []), slipped=pk in analysis.slipped_ids,
            needs_labels=[need_labels[n] for n in i["needs"] if n in need_labels],
            tolerated=verdicts.get(pk), status_label=status_labels.get(i["status"], i["status"]),
            can_report=reports_all or (reports_own and i["owner_id"] == member.pk),
            open_experiment=i["is_experiment"] and i["status"] not in finished,
            edit_url=edit_url(pk), progress_url=progress_url(pk),
        )  # fmt: skip
        groups.setdefault(i["dimension__name"] or "", []).append(i)
    by_id = {i["pk"]: i for i in items}
    conflicts = []
    for c in analysis.conflicts:
        rows = [by_id[pk] for pk in c.ids if pk in by_id]
        if rows:  # only conflicts that involve this page's rows; others elsewhere are counted
            conflicts.append(
                {"kind": c.kind, "rows": rows, "detail": c.detail, "elsewhere": len(c.ids) - len(rows)}
            )
    budget_items = [
        PlanItem(pk=i["pk"], title=i["title"], priority=i["priority"], status=i["status"], budget=i["budget"],
                 progress=i["progress"], start_date=i["start_date"], due_date=i["due_date"])
        for i in items if i["budget"] or i["priority"] in (Priority.P0, Priority.P1)
    ]  # fmt: skip
    return {
        "goal": goal, "groups": groups, "conflicts": conflicts, "at_risk": goal.pk in analysis.at_risk_goal_ids,
        "dependencies": list(
            dependency_list(org=org, goal=goal).values("pk", "predecessor__title", "successor__title")
        ),
        "suggestions": budget_suggestions(initiatives=budget_items), "team_budget": team_budget,
        "can_plan": may_plan, "total_budget": sum((i["budget"] or 0) for i in items),
        "has_budget": any(i["budget"] for i in items), "shown_count": len(shown), "total_count": len(items),
    }  # fmt: skip
