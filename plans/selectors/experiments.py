"""Innovation experiments (容错机制): which failed experiments fall within the organisation's
allowance per person and fiscal quarter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from goals.periods import quarter_containing
from teams.models import Organization

from ..models import Initiative, Status


def tolerated_experiment_ids(*, org: Organization, start: date, end: date) -> set[int]:
    """The failed innovation experiments closed between start and end (inclusive) that fall within
    the organisation's allowance (容错机制; ``Organization.experiment_allowance`` per person per
    fiscal quarter, the earliest closed first). They count against their owner nowhere in the
    product: the incentives and tracking apps exclude these ids. One query."""
    allowance = org.experiment_allowance
    if allowance <= 0 or end < start:
        return set()
    month = org.fiscal_year_start_month
    failed = (
        Initiative.objects.filter(
            org=org,
            is_experiment=True,
            status=Status.FAILED,
            finished_at__gte=quarter_containing(start, start_month=month)[0],
            finished_at__lte=quarter_containing(end, start_month=month)[1],
        )  # fmt: skip
        .order_by("finished_at", "id")
        .values_list("pk", "owner_id", "finished_at")
    )
    used: dict[tuple[int, date], int] = defaultdict(int)
    tolerated: set[int] = set()
    for pk, owner_id, finished in failed:
        if finished is None:  # not possible given the filter; keeps the type checker honest
            continue
        key = (owner_id, quarter_containing(finished, start_month=month)[0])
        used[key] += 1
        if used[key] <= allowance and start <= finished <= end:
            tolerated.add(pk)
    return tolerated


def experiments_within_allowance(
    *, org: Organization, owner_id: int, quarter_start: date, quarter_end: date
) -> set[int]:
    """One person's tolerated failed experiments in a period (see tolerated_experiment_ids)."""
    tolerated = tolerated_experiment_ids(org=org, start=quarter_start, end=quarter_end)
    return set(
        Initiative.objects.filter(pk__in=tolerated, owner_id=owner_id).values_list("pk", flat=True)
    ) if tolerated else set()  # fmt: skip


def experiment_verdicts(*, org: Organization, initiatives: list[Initiative]) -> dict[int, bool]:
    """{failed experiment id: within the allowance?} for the initiatives shown (at most one query)."""
    return failed_experiment_verdicts(org=org, failed=[
        (i.pk, i.finished_at) for i in initiatives if i.is_experiment and i.status == Status.FAILED and i.finished_at
    ])  # fmt: skip


def failed_experiment_verdicts(*, org: Organization, failed: list[tuple[int, date]]) -> dict[int, bool]:
    """experiment_verdicts of failed experiments given as (id, day finished), e.g. read with
    ``values()``."""
    if not failed:
        return {}
    days = [day for _pk, day in failed]
    tolerated = tolerated_experiment_ids(org=org, start=min(days), end=max(days))
    return {pk: pk in tolerated for pk, _day in failed}


@dataclass(frozen=True)
class FailedExperiment:
    initiative_id: int
    title: str
    goal_id: int
    finished: date
    lesson: str
    within: bool  # within the allowance: it counts against its owner nowhere


@dataclass(frozen=True)
class PersonAllowance:
    """A person's error-tolerance allowance (容错额度) in the fiscal quarter, and the experiments
    of theirs that failed in it, the earliest first."""

    quarter_start: date
    quarter_end: date
    allowance: int
    failed: list[FailedExperiment]

    @property
    def remaining(self) -> int:
        return max(self.allowance - len(self.failed), 0)


def person_allowance(*, org: Organization, owner_id: int, day: date) -> PersonAllowance:
    """The allowance left to one person in the fiscal quarter containing `day` (the same rule as
    tolerated_experiment_ids: the earliest failures are the tolerated ones). One query."""
    start, end = quarter_containing(day, start_month=org.fiscal_year_start_month)
    rows = (
        Initiative.objects.filter(
            org=org,
            owner_id=owner_id,
            is_experiment=True,
            status=Status.FAILED,
            finished_at__gte=start,
            finished_at__lte=end,
        )  # fmt: skip
        .order_by("finished_at", "id")
        .values_list("pk", "title", "goal_id", "finished_at", "lesson")[:100]
    )
    allowance = max(org.experiment_allowance, 0)
    failed: list[FailedExperiment] = []
    for pk, title, goal_id, finished, lesson in rows:
        if finished is not None:  # always, given the filter; keeps the type checker honest
            failed.append(FailedExperiment(initiative_id=pk, title=title, goal_id=goal_id, finished=finished,
                                           lesson=lesson, within=len(failed) < allowance))  # fmt: skip
    return PersonAllowance(quarter_start=start, quarter_end=end, allowance=allowance, failed=failed)
