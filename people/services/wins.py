"""Small wins (小胜利), detected from the data and announced once a day.

Detection (`small_wins_detect`) looks back LOOKBACK_DAYS and finds:
- a week slice met: a team goal's week target (its base tier) reached in a completed week;
- a milestone initiative done;
- a sub-goal (a goal with a parent) reaching its base target over its period;
- a stand-up blocker resolved by a colleague.
Each has a key unique per organisation, so a rerun, a duplicated job or two beats at once add
nothing (`bulk_create(ignore_conflicts=True)` on the unique constraint).

Announcement (`small_wins_announce`): at most one message per team and day on the team's channels,
listing the wins not announced yet, with a link to the feed where each win offers to recognise its
person. Wins found after a team's batch of the day wait for the next day's."""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from goals.models import Goal, PeriodKind, Status
from goals.periods import week_start
from plans.models import Initiative
from teams.jobs import job_lock
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from tracking.selectors.results import goal_period_results, resolved_blockers
from tracking.services import team_message_deliver

from ..models import SmallWin, WinKind
from ..selectors.wins import highlight_key, win_text

logger = logging.getLogger(__name__)
LOOKBACK_DAYS = 14
ANNOUNCE_HOUR = 9  # the day's batch goes out from 09:00 in the organisation's time zone
ANNOUNCED_PER_MESSAGE = 10
COUNTED = (Status.ACTIVE, Status.ACHIEVED)


def _zone(org: Organization) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(org.timezone)


def _number(value: Any) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def _week_wins(org: Organization, today: date) -> list[SmallWin]:
    """Each team goal's week slice met in the last completed weeks."""
    wins = []
    last_monday = week_start(today) - timedelta(days=7)
    for monday in (last_monday - timedelta(days=7), last_monday):
        sunday = monday + timedelta(days=6)
        goals = dict(
            Goal.objects.filter(org=org, status__in=COUNTED, team__isnull=False, start_date__lte=sunday,
                                end_date__gte=monday).values_list("pk", "team_id")[:500]
        )  # fmt: skip
        results = goal_period_results(
            org=org, goal_ids=goals, start=monday, end=sunday, slice_kind=PeriodKind.WEEK
        )
        for pk, result in results.items():
            week = next((s for s in result.slices if s.kind == PeriodKind.WEEK and s.start == monday), None)
            if week is None or week.end != sunday or not week.met or result.owner_id is None:
                continue
            wins.append(SmallWin(
                org=org, team_id=goals[pk], kind=WinKind.WEEK_MET, key=f"week:{pk}:{monday.isoformat()}",
                title=result.title[:200], person_id=result.owner_id, goal_id_ref=pk, happened_on=sunday,
                detail={"week": monday.isoformat(), "actual": _number(week.actual), "base": _number(week.targets.base)},
            ))  # fmt: skip
    return wins


def _milestone_wins(org: Organization, since: datetime) -> list[SmallWin]:
    reached = (
        Initiative.objects.filter(org=org, is_milestone=True, milestone_reached_at__gte=since, goal__team__isnull=False)
        .values_list("pk", "title", "owner_id", "goal_id", "goal__team_id", "milestone_reached_at")
        .order_by("milestone_reached_at", "pk")[:500]
    )  # fmt: skip
    return [SmallWin(org=org, team_id=team_id, kind=WinKind.MILESTONE, key=f"milestone:{pk}", title=title[:200],
                     person_id=owner_id, goal_id_ref=goal_id, happened_on=timezone.localdate(at, _zone(org)))
            for pk, title, owner_id, goal_id, team_id, at in reached]  # fmt: skip


def _base_tier_wins(org: Organization, today: date) -> list[SmallWin]:
    """Sub-goals whose actual over their period reached the base target in force."""
    goals = dict(
        Goal.objects.filter(org=org, status__in=COUNTED, parent__isnull=False, team__isnull=False,
                            start_date__lte=today, end_date__gte=today - timedelta(days=LOOKBACK_DAYS))
        .values_list("pk", "team_id")[:500]
    )  # fmt: skip
    if not goals:
        return []
    spans = Goal.objects.filter(pk__in=list(goals)).values_list("start_date", "end_date")
    start, end = min(s for s, _e in spans), max(e for _s, e in spans)
    wins = []
    for pk, result in goal_period_results(org=org, goal_ids=goals, start=start, end=end).items():
        if not result.met or result.targets is None or result.owner_id is None:
            continue
        wins.append(SmallWin(
            org=org, team_id=goals[pk], kind=WinKind.BASE_TIER, key=f"base:{pk}:v{result.targets.version}",
            title=result.title[:200], person_id=result.owner_id, goal_id_ref=pk, happened_on=today,
            detail={"actual": _number(result.actual), "base": _number(result.targets.base)},
        ))  # fmt: skip
    return wins


def _blocker_wins(org: Organization, since: datetime) -> list[SmallWin]:
    found = resolved_blockers(org=org, since=since)
    if not found:
        return []
    people = {b.member_id for b in found} | {b.resolved_by_id for b in found}
    teams: dict[int, list[int]] = defaultdict(list)
    for member_id, team_id in (
        Membership.teams.through.objects.filter(membership_id__in=people)
        .order_by("team_id")
        .values_list("membership_id", "team_id")
    ):
        teams[member_id].append(team_id)
    wins = []
    for b in found:
        shared = [t for t in teams.get(b.member_id, []) if t in teams.get(b.resolved_by_id, [])]
        candidates = shared or teams.get(b.member_id) or teams.get(b.resolved_by_id) or []
        if not candidates:
            continue
        team_id = candidates[0]
        wins.append(SmallWin(org=org, team_id=team_id, kind=WinKind.BLOCKER, key=f"blocker:{b.standup_id}",
                             title="", person_id=b.resolved_by_id, helped_id=b.member_id,
                             happened_on=timezone.localdate(b.resolved_at, _zone(org)), detail={"day": b.day.isoformat()}))  # fmt: skip
    return wins


@transaction.atomic
def small_wins_detect(*, org: Organization, today: date | None = None) -> list[SmallWin]:
    """Record the small wins of the last LOOKBACK_DAYS not recorded yet. Returns those this run
    added (a rerun adds none)."""
    today = today or org_today(org)
    since = timezone.now() - timedelta(days=LOOKBACK_DAYS)
    found = [*_week_wins(org, today), *_milestone_wins(org, since), *_base_tier_wins(org, today),
             *_blocker_wins(org, since)]  # fmt: skip
    if not found:
        return []
    keys = [w.key for w in found]
    known = set(SmallWin.objects.filter(org=org, key__in=keys).values_list("key", flat=True))
    new = [w for w in found if w.key not in known]
    SmallWin.objects.bulk_create(new, ignore_conflicts=True)  # a second job at once: the unique key keeps one
    if new:
        key = highlight_key(org)
        transaction.on_commit(lambda: cache.delete(key))  # the team page shows them at once
    return list(SmallWin.objects.filter(org=org, key__in=[w.key for w in new]).order_by("pk"))


def announcement_text(*, team: Team, wins: list[SmallWin], language: str) -> str:
    with translation.override(language):
        link = (
            settings.SITE_URL.rstrip("/")
            + reverse("people_small_wins", args=[team.org.slug])
            + f"?team={team.pk}"
        )
        lines = [_("Small wins of %(team)s") % {"team": team.name}]
        lines += [f"🎉 {win_text(w)}" for w in wins[:ANNOUNCED_PER_MESSAGE]]
        if len(wins) > ANNOUNCED_PER_MESSAGE:
            lines.append(_("…and %(n)s more.") % {"n": len(wins) - ANNOUNCED_PER_MESSAGE})
        lines.append(_("Recognise the people behind them: %(link)s") % {"link": link})
        return "\n".join(lines)


@transaction.atomic
def small_wins_announce(*, org: Organization, today: date | None = None) -> int:
    """Post each team's wins not announced yet, in one message per team and day (the delivery key
    names the team and the day, so a rerun posts nothing twice). A team already announced today
    keeps its new wins for tomorrow. Returns the number of teams announced by this run."""
    today = today or org_today(org)
    done_today = set(SmallWin.objects.filter(org=org, announced_on=today).values_list("team_id", flat=True))
    pending = SmallWin.objects.filter(org=org, announced_on__isnull=True).exclude(team_id__in=done_today)
    claimed = set(pending.values_list("team_id", flat=True).distinct())
    SmallWin.objects.filter(org=org, announced_on__isnull=True, team_id__in=claimed).update(
        announced_on=today
    )
    batch = list(
        SmallWin.objects.filter(org=org, announced_on=today)
        .select_related("team__org", "person__user", "helped__user")
        .order_by("team_id", "happened_on", "pk")
    )
    by_team: dict[int, list[SmallWin]] = defaultdict(list)
    for win in batch:
        by_team[win.team_id].append(win)
    for wins in by_team.values():  # all of today's batches: a lost delivery is queued again, none twice
        team = wins[0].team
        event = {"event": "people.small_wins", "team": team.pk, "day": today.isoformat(), "organization": org.slug,
                 "wins": [{"kind": w.kind, "title": w.title, "person": w.person_id, "day": w.happened_on.isoformat()}
                          for w in wins]}  # fmt: skip
        team_message_deliver(team=team, key=f"small-wins:{team.pk}:{today.isoformat()}",
                             text=announcement_text(team=team, wins=wins, language=org.default_language), event=event)  # fmt: skip
    return len(claimed)


def small_wins_run(*, org: Organization, now: datetime | None = None) -> int:
    """Beat, hourly: detect; from ANNOUNCE_HOUR in the organisation's time zone, announce the day's
    batch. Under a job lock per organisation: a second worker at the same moment does nothing.
    Returns the wins recorded."""
    with job_lock("small_wins", org.pk) as sole:
        if sole is False:
            return 0
        local = timezone.localtime(now or timezone.now(), timezone=_zone(org))
        found = small_wins_detect(org=org, today=local.date())
        if local.hour >= ANNOUNCE_HOUR:
            small_wins_announce(org=org, today=local.date())
        return len(found)


def small_wins_run_all(*, now: datetime | None = None) -> int:
    """Every organisation; one's failure is logged and does not stop the others."""
    total = 0
    for org in Organization.objects.order_by("pk"):
        try:
            total += small_wins_run(org=org, now=now)
        except Exception:
            logger.exception("small wins of organisation %s failed", org.pk)
    return total
