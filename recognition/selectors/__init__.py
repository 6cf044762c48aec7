"""Every read of the recognition app, always scoped to an organisation: the star-of-the-month
candidates with their evidence, the honour board, who may see which training and promotion notes,
and whether a team met its weekly target."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal, PeriodKind, Scope
from goals.periods import month_start
from goals.periods import week_start as monday_of
from teams.access import PEOPLE_OPERATIONS
from teams.errors import Verdict, allow, refuse
from teams.hooks import Highlight
from teams.models import Membership, Organization, Role, Team
from teams.page_forms import parse_month
from teams.selectors import managed_team_ids, member_team_ids, org_today
from tracking.selectors.results import TierReached, goal_period_results

from ..models import EarnedReward, GrowthReward, InstantRewardRule, Nomination, Star

# The candidates are read through this module (explicit re-exports).
from .candidates import (
    CANDIDATE_LIMIT as CANDIDATE_LIMIT,
)
from .candidates import (
    COUNTED as COUNTED,
)
from .candidates import (
    Candidate as Candidate,
)
from .candidates import (
    candidate_evidence as candidate_evidence,
)
from .candidates import (
    candidates_key as candidates_key,
)
from .candidates import (
    star_candidates as star_candidates,
)
from .candidates import (
    star_candidates_computed as star_candidates_computed,
)
from .candidates import (
    team_members as team_members,
)

HIGHLIGHT_DAYS = 30
# Who sees and records everyone's training and promotion notes, and selects any team's star.
ALL_PEOPLE = PEOPLE_OPERATIONS  # admins and HR


# --- Months and weeks -------------------------------------------------------------------------------
def current_month(org: Organization) -> date:
    return month_start(org_today(org))


def month_asked(org: Organization, raw: Any) -> date:
    """The month a page or the API asks for (?month=YYYY-MM): this month by default, never a
    later one."""
    this_month = current_month(org)
    return min(parse_month(raw) or this_month, this_month)


def last_completed_week(org: Organization, now: datetime | None = None) -> date:
    """The Monday of the last Monday–Sunday week that has ended in the organisation's time zone."""
    return monday_of(org_today(org, now)) - timedelta(days=7)


# --- People and teams -------------------------------------------------------------------------------
def selectable_teams(*, member: Membership) -> QuerySet[Team]:
    """The teams whose star a person may select: every team for admins and HR, the teams they
    manage (and the teams below them) for a manager, none for anyone else."""
    teams = Team.objects.filter(org_id=member.org_id).order_by("name")
    if member.role in ALL_PEOPLE:
        return teams
    if member.role == Role.MANAGER:
        return teams.filter(pk__in=managed_team_ids(member=member))
    return teams.none()


def can_select_star(*, member: Membership, team: Team) -> Verdict:
    """The team's star of the month (and its candidates): admins and HR for every team, managers
    for the teams they manage (and the teams below them)."""
    allowed = member.is_active and member.org_id == team.org_id and (
        member.role in ALL_PEOPLE or (member.role == Role.MANAGER and team.pk in managed_team_ids(member=member)))  # fmt: skip
    return allow() if allowed else refuse(_("Only the team's managers, HR and admins select its star of the month."))  # fmt: skip


def rule_teams(*, actor: Membership) -> QuerySet[Team]:
    """The teams whose instant rewards a person sets: every team for admins, the teams they manage
    (and the teams below them) for a manager, none for anyone else (see can_manage_team_rules)."""
    teams = Team.objects.filter(org_id=actor.org_id).order_by("name")
    if not actor.is_active:
        return teams.none()
    if actor.role == Role.ADMIN:
        return teams
    if actor.role == Role.MANAGER:
        return teams.filter(pk__in=managed_team_ids(member=actor))
    return teams.none()


def can_manage_team_rules(*, member: Membership, team: Team) -> Verdict:
    """Instant reward rules: admins for every team, managers for the teams they manage (and the
    teams below them)."""
    allowed = member.is_active and member.org_id == team.org_id and (
        member.role == Role.ADMIN or (member.role == Role.MANAGER and team.pk in managed_team_ids(member=member)))  # fmt: skip
    return allow() if allowed else refuse(_("Only the team's managers and admins set its instant rewards."))  # fmt: skip


def can_manage_person(*, member: Membership, person: Membership) -> Verdict:
    """Training and promotion notes: admins and HR for everyone, a manager for the people of the
    teams they manage (and the teams below them)."""
    allowed = member.is_active and member.org_id == person.org_id and (member.role in ALL_PEOPLE or (
        member.role == Role.MANAGER and bool(member_team_ids(member=person) & managed_team_ids(member=member))))  # fmt: skip
    return allow() if allowed else refuse(_("Only the person's managers, HR and admins record training and promotion notes."))  # fmt: skip


# --- Nominations and stars ----------------------------------------------------------------------------
def nomination_list(
    *, org: Organization, viewer: Membership, month: date | None = None
) -> QuerySet[Nomination]:
    """Admins, HR and managers read every nomination (with its reason); others the ones they made."""
    qs = Nomination.objects.filter(org=org).select_related("nominator__user", "nominee__user")
    if viewer.role not in ALL_PEOPLE | {Role.MANAGER}:
        qs = qs.filter(nominator=viewer)
    if month is not None:
        qs = qs.filter(month=month)
    return qs.order_by("-month", "-created_at", "-id")


def star_list(*, org: Organization, team: Team | None = None, month: date | None = None) -> QuerySet[Star]:
    qs = Star.objects.filter(org=org).select_related("team", "member__user", "selected_by__user")
    if team is not None:
        qs = qs.filter(team=team)
    if month is not None:
        qs = qs.filter(month=month)
    return qs.order_by("-month", "team__name", "id")


MONTH_STARS_SHOWN = 100


def month_stars(*, org: Organization, month: date) -> list[Star]:
    """The month's stars as the recognition page lists them (team, person, citation)."""
    qs = star_list(org=org, month=month).select_related(None).select_related("team", "member__user")
    return list(qs[:MONTH_STARS_SHOWN])


def team_star(*, org: Organization, team: Team, month: date, month_stars: list[Star]) -> Star | None:
    """The team's star of the month: found among the month's stars already read (one per team and
    month), else read when that list was cut short."""
    found = next((s for s in month_stars if s.team_id == team.pk), None)
    if found is None and len(month_stars) >= MONTH_STARS_SHOWN:
        return star_list(org=org, team=team, month=month).first()
    return found


def my_nominations(*, member: Membership, month: date, limit: int = 50) -> list[Nomination]:
    """The nominations a person made for the month (whoever they are, they read their own)."""
    qs = Nomination.objects.filter(org_id=member.org_id, nominator=member, month=month).select_related(
        "nominee__user"
    )
    return list(qs.order_by("-created_at", "-id")[:limit])


def my_growth_rewards(*, member: Membership, limit: int = 20) -> list[GrowthReward]:
    """A person's own training and promotion notes (everyone reads their own: growth_reward_list)."""
    qs = GrowthReward.objects.filter(org_id=member.org_id, member=member).order_by("-created_at", "-id")
    return list(qs[:limit])


@dataclass(frozen=True)
class HonourMonth:
    month: date
    stars: list[Star]


def honour_board(*, org: Organization, months: int = 12) -> list[HonourMonth]:
    """The stars of the last `months` months that have one, newest first (one query)."""
    since = month_start(current_month(org) - timedelta(days=31 * (months - 1)))
    grouped: dict[date, list[Star]] = defaultdict(list)
    for star in star_list(org=org).filter(month__gte=since)[:1000]:
        grouped[star.month].append(star)
    return [HonourMonth(month=m, stars=grouped[m]) for m in sorted(grouped, reverse=True)]


# --- Training and promotion notes ---------------------------------------------------------------------
def growth_reward_list(
    *, org: Organization, viewer: Membership, member: Membership | None = None
) -> QuerySet[GrowthReward]:
    """The notes a viewer may see: everyone's for admins and HR; for a manager, their own and
    those of the people of the teams they manage; for anyone else, their own."""
    qs = GrowthReward.objects.filter(org=org).select_related("member__user", "created_by__user")
    if viewer.role not in ALL_PEOPLE:
        visible = Q(member=viewer)
        if viewer.role == Role.MANAGER:
            managed = Membership.objects.filter(org=org, teams__in=managed_team_ids(member=viewer)).values(
                "pk"
            )
            visible |= Q(member__in=managed)
        qs = qs.filter(visible)
    if member is not None:
        qs = qs.filter(member=member)
    return qs.order_by("-created_at", "-id")


def manageable_people(*, actor: Membership) -> QuerySet[Membership]:
    """The people a viewer may record training and promotion notes for."""
    qs = Membership.objects.filter(org_id=actor.org_id, is_active=True).select_related("user")
    if actor.role in ALL_PEOPLE:
        return qs.order_by("user__display_name")
    if actor.role == Role.MANAGER:
        return qs.filter(teams__in=managed_team_ids(member=actor)).distinct().order_by("user__display_name")
    return qs.none()


# --- Instant rewards ----------------------------------------------------------------------------------
def rule_list(*, org: Organization, team: Team | None = None) -> QuerySet[InstantRewardRule]:
    qs = InstantRewardRule.objects.filter(org=org).select_related("team")
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by("team__name", "reward", "id")


def rule_get(*, org: Organization, rule_id: int) -> InstantRewardRule:
    try:
        return InstantRewardRule.objects.select_related("team").get(org=org, pk=rule_id)
    except InstantRewardRule.DoesNotExist:
        raise Http404("No rule found.") from None


def earned_list(*, org: Organization, team: Team | None = None) -> QuerySet[EarnedReward]:
    qs = EarnedReward.objects.filter(org=org).select_related("team", "rule")
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by("-week_start", "team__name", "id")


@dataclass(frozen=True)
class GoalWeek:
    goal_id: int
    title: str
    start: date  # the week slice (clipped to the goal's period)
    end: date
    actual: Decimal | None
    base: Decimal
    challenge: Decimal
    tier: str

    @property
    def met(self) -> bool:
        return self.tier != TierReached.NONE

    def as_json(self) -> dict[str, Any]:
        return {
            "goal": self.goal_id, "title": self.title, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "actual": None if self.actual is None else str(self.actual), "base": str(self.base),
            "challenge": str(self.challenge), "tier": self.tier, "met": self.met,
        }  # fmt: skip


@dataclass(frozen=True)
class WeekResult:
    team_id: int
    week_start: date
    goals: list[GoalWeek]

    @property
    def met(self) -> bool:
        return bool(self.goals) and all(g.met for g in self.goals)

    def as_json(self) -> dict[str, Any]:
        return {
            "week_start": self.week_start.isoformat(),
            "met": self.met,
            "goals": [g.as_json() for g in self.goals],
        }


def team_week_results(*, org: Organization, team_ids: list[int], week_start: date) -> dict[int, WeekResult]:
    """Whether each team met its weekly target in the Monday–Sunday week from `week_start` (a
    fixed number of queries whatever the number of teams and goals).

    A team meets its weekly target when it has at least one team goal (active, or closed with a
    result) with a week slice in that week — in the targets version in force at the week's end —
    and every such goal reached at least the slice's base target: the goal's own metric over the
    slice's days, combined as the goal combines its values (sum, the latest day's total, or the
    mean of the daily totals), compared in the goal's direction. A goal without a value that week
    has not reached it; goals decomposed only into months or quarters do not count."""
    week_end = week_start + timedelta(days=6)
    goals = list(
        Goal.objects.filter(org=org, scope=Scope.TEAM, team_id__in=team_ids, status__in=COUNTED,
                            start_date__lte=week_end, end_date__gte=week_start)
        .order_by("title", "pk")
        .values_list("pk", "team_id")
    )  # fmt: skip
    found = goal_period_results(
        org=org,
        goal_ids=[pk for pk, _team in goals],
        start=week_start,
        end=week_end,
        slice_kind=PeriodKind.WEEK,
    )
    results = {team_id: WeekResult(team_id=team_id, week_start=week_start, goals=[]) for team_id in team_ids}
    for pk, team_id in goals:
        result = found.get(pk)
        if result is None or not result.slices:
            continue
        piece = result.slices[0]  # the week's slice, in the targets version in force at the week's end
        results[team_id].goals.append(GoalWeek(
            goal_id=pk, title=result.title, start=piece.start, end=piece.end, actual=piece.actual,
            base=piece.targets.base, challenge=piece.targets.challenge, tier=piece.tier,
        ))  # fmt: skip
    return results


def instant_reward_highlights(org: Organization, teams: list[Any]) -> dict[int, list[Highlight]]:
    """Instant rewards earned in the last 30 days, by team (one query), for the team page."""
    since = timezone.now() - timedelta(days=HIGHLIGHT_DAYS)
    url = reverse("instant_rewards_earned", kwargs={"org_slug": org.slug})
    found: dict[int, list[Highlight]] = {}
    for reward in EarnedReward.objects.filter(
        org=org, team_id__in=[t.pk for t in teams], created_at__gte=since
    ).order_by("-created_at")[:200]:
        text = _("%(reward)s earned: the team met its weekly target (week of %(week)s)") % {
            "reward": reward.reward, "week": reward.week_start.isoformat(),
        }  # fmt: skip
        found.setdefault(reward.team_id, []).append(Highlight(text=text, when=reward.created_at, url=url))
    return found
