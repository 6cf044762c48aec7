"""The star-of-the-month candidates of a team and month with their evidence (attainment of personal
goals, stand-up blockers resolved for colleagues, milestones reached, nominations), computed in a
fixed number of queries and kept in the shared cache. Re-exported by recognition.selectors."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import Http404

from goals.models import Goal, Scope, Status
from goals.periods import month_end, month_start
from goals.progress_cache import progress_version
from plans.cache import plan_version
from plans.models import Initiative
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from tracking.selectors.results import blockers_resolved, goal_period_results

from ..models import Nomination

CANDIDATE_LIMIT = 10
MILESTONES_SHOWN = 5
# Goals that count for a month or a week: under way or closed with a result (not drafts, not
# cancelled ones).
COUNTED = (Status.ACTIVE, Status.ACHIEVED, Status.MISSED)


def _aware(org: Organization, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zoneinfo.ZoneInfo(org.timezone))


def team_members(*, team: Team) -> list[Membership]:
    return list(
        Membership.objects.filter(org_id=team.org_id, teams=team, is_active=True)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


@dataclass
class Candidate:
    """A person of the team with what the data says about their month."""

    member: Membership
    attainment: Decimal | None = None  # mean attainment of their personal goals (% of challenge)
    goals_counted: int = 0
    blockers_resolved: int = 0  # stand-up blockers of others they cleared in the month
    milestones: list[str] = field(default_factory=list)  # milestone initiatives reached (titles)
    milestone_count: int = 0
    nominations: int = 0
    reasons: list[str] = field(default_factory=list)  # the nominations' reasons
    leads: list[str] = field(default_factory=list)  # attainment / blockers / milestones / nominations

    @property
    def evidence(self) -> dict[str, Any]:
        """The evidence as JSON (stored with a selected star, returned by the API)."""
        return {
            "attainment": None if self.attainment is None else str(self.attainment),
            "goals_counted": self.goals_counted, "blockers_resolved": self.blockers_resolved,
            "milestones": self.milestones, "milestone_count": self.milestone_count,
            "nominations": self.nominations, "reasons": self.reasons, "leads": self.leads,
        }  # fmt: skip


LEAD_CATEGORIES = ("attainment", "blockers", "milestones", "nominations")


def _measure(candidate: Candidate, category: str) -> Decimal:
    """A candidate's figure in a category (0 when there is none)."""
    value = {
        "attainment": candidate.attainment, "blockers": candidate.blockers_resolved,
        "milestones": candidate.milestone_count, "nominations": candidate.nominations,
    }[category]  # fmt: skip
    return Decimal(value or 0)


CANDIDATES_TIMEOUT = 15 * 60  # entries of old versions go soon: every write below moves the version on
CANDIDATES_LAYOUT = 1  # of a kept entry (_kept_row): a release that changes it reads none of the old ones


def candidates_key(*, org: Organization, team: Team, month: date) -> str:
    """The cache key of a team's candidates for a month: every write they are computed from moves it.

    * the progress version (goals.progress_cache): goals, target versions, snapshots, bulk progress
      writes, and the organisation's data version, which every save of the apps' rows moves
      (stand-ups and their resolved blockers, nominations, memberships and their teams, people's
      names: a user's save moves the global one) and every tracked deletion (goals, initiatives);
    * the plans version (plans.cache): initiatives (milestones reached), deletions included;
    * the organisation's day (an open goal of this month is measured as of today).
    What is kept is language-independent: ids, numbers, titles and reasons."""
    org_id = org.pk
    parts = ":".join(str(part) for part in (
        connection.settings_dict["NAME"], org_id, team.pk, month, org_today(org),
        progress_version(org_id=org_id), plan_version(org_id=org_id),
    ))  # fmt: skip
    return f"recognition:candidates:{CANDIDATES_LAYOUT}:{hashlib.sha256(parts.encode()).hexdigest()}"


def _kept_row(candidate: Candidate) -> dict[str, Any]:
    return {"member": candidate.member.pk, **candidate.evidence}


def star_candidates(*, org: Organization, team: Team, month: date) -> list[Candidate]:
    """star_candidates_computed kept in the shared cache (Redis; never process memory) under
    candidates_key: the recognition page reads them once per change instead of five queries over
    the team's people and the attainment of their goals each time. The people shown are read
    afresh (one query; their names are never kept)."""
    if team.org_id != org.pk:
        raise Http404("No team found.")
    key = candidates_key(org=org, team=team, month=month_start(month))
    rows = cache.get(key)
    if not isinstance(rows, list):
        candidates = star_candidates_computed(org=org, team=team, month=month)
        cache.set(key, [_kept_row(c) for c in candidates], timeout=CANDIDATES_TIMEOUT)
        return candidates
    people = Membership.objects.select_related("user").in_bulk([row["member"] for row in rows])
    return [
        Candidate(
            member=people[row["member"]],
            attainment=None if row["attainment"] is None else Decimal(row["attainment"]),
            goals_counted=row["goals_counted"],
            blockers_resolved=row["blockers_resolved"],
            milestones=row["milestones"],
            milestone_count=row["milestone_count"],
            nominations=row["nominations"],
            reasons=row["reasons"],
            leads=row["leads"],
        )  # fmt: skip
        for row in rows
        if row["member"] in people
    ]


def star_candidates_computed(*, org: Organization, team: Team, month: date) -> list[Candidate]:
    """The team's people ranked by what the month shows (a fixed number of queries):
    - attainment: the mean of their personal goals active in the month, each as it stood at the
      month's end (or today) — the newest lagging snapshot on or before that day, else the goal's
      progress (its result, once closed);
    - blockers resolved: stand-up blockers of colleagues they marked resolved in the month;
    - milestones: milestone initiatives they own that were reached in the month (小胜利);
    - nominations: colleagues who nominated them for the month, with their reasons.
    Those who lead a category are marked; people without any evidence are left out."""
    if team.org_id != org.pk:
        raise Http404("No team found.")
    month = month_start(month)
    last = month_end(month)
    people = team_members(team=team)
    ids = [m.pk for m in people]
    by_id = {m.pk: Candidate(member=m) for m in people}
    if not ids:
        return []
    since, until = _aware(org, month), _aware(org, last + timedelta(days=1))

    goal_ids = Goal.objects.filter(
        org=org, scope=Scope.PERSONAL, owner_id__in=ids, status__in=COUNTED, start_date__lte=last, end_date__gte=month
    ).values_list("pk", flat=True)  # fmt: skip
    # Closed goals by their result; open ones by their attainment as of the month's end (never
    # today's figure for a past month): the newest lagging snapshot on or before that day.
    mine: dict[int, list[Decimal]] = defaultdict(list)
    for result in goal_period_results(org=org, goal_ids=goal_ids, start=month, end=last).values():
        value = (
            (result.at_end.attainment if result.at_end else None)
            if result.status == Status.ACTIVE
            else result.progress
        )
        if value is not None and result.owner_id is not None:
            mine[result.owner_id].append(value)
    for owner_id, values in mine.items():
        by_id[owner_id].attainment = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"))
        by_id[owner_id].goals_counted = len(values)

    for member_id, count in blockers_resolved(org=org, member_ids=ids, since=since, until=until).items():
        by_id[member_id].blockers_resolved = count

    reached = Initiative.objects.filter(
        org=org, owner_id__in=ids, is_milestone=True, milestone_reached_at__gte=since, milestone_reached_at__lt=until
    ).order_by("milestone_reached_at", "pk").values_list("owner_id", "title")  # fmt: skip
    for owner_id, title in reached:
        candidate = by_id[owner_id]
        candidate.milestone_count += 1
        if len(candidate.milestones) < MILESTONES_SHOWN:
            candidate.milestones.append(title)

    for nominee_id, reason in (
        Nomination.objects.filter(org=org, month=month, nominee_id__in=ids)
        .order_by("created_at", "pk")
        .values_list("nominee_id", "reason")
    ):
        by_id[nominee_id].nominations += 1
        by_id[nominee_id].reasons.append(reason)

    candidates = [
        c for c in by_id.values()
        if c.attainment is not None or c.blockers_resolved or c.milestone_count or c.nominations
    ]  # fmt: skip
    for name in LEAD_CATEGORIES:
        values = [_measure(c, name) for c in candidates if _measure(c, name)]
        if values:
            best = max(values)
            for candidate in candidates:
                if _measure(candidate, name) == best:
                    candidate.leads.append(name)
    candidates.sort(key=lambda c: (
        -len(c.leads), -c.nominations, -c.milestone_count, -c.blockers_resolved, -(c.attainment if c.attainment is not None else Decimal(-1)),
        c.member.user.display_name, c.member.pk,
    ))  # fmt: skip
    return candidates[:CANDIDATE_LIMIT]


def candidate_evidence(*, org: Organization, team: Team, month: date, member: Membership) -> dict[str, Any]:
    """One person's evidence for a month (stored with the star when selected)."""
    for candidate in star_candidates(org=org, team=team, month=month):
        if candidate.member.pk == member.pk:
            return candidate.evidence
    return Candidate(member=member).evidence
