"""Starting a retro (by a manager, or by beat when a goal set's period ends), moving it through its
four phases, revealing votes, and closing it with a summary."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from goals.models import Goal, PeriodKind, Scope, Status
from teams.jobs import job_lock, pause_point
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from teams.services import audit_diff, audit_record
from tracking.services import team_message_deliver

from .. import selectors
from ..models import (
    MAX_VOTES,
    PHASES,
    TEXT_LIMIT,
    PhaseState,
    RetroGoal,
    RetroKind,
    RetroPhase,
    Retrospective,
    RetroState,
)
from ..tasks import announce_retro
from ._common import SCOPE, raise_if, text_errors

logger = logging.getLogger(__name__)
LOOKBACK_DAYS = 30  # beat prepares retros for goal sets that ended in the last 30 days
ENDED_STATUSES = (Status.ACTIVE, Status.ACHIEVED, Status.MISSED)
KIND_OF_PERIOD: dict[str, str] = {
    PeriodKind.QUARTER.value: RetroKind.QUARTER.value,
    PeriodKind.MONTH.value: RetroKind.MONTH.value,
}


def retro_key(*, kind: str, team_id: int, start: date, end: date, goal_id: int | None = None) -> str:
    """What makes a retro unique: one per team and period (goal set), per goal and period, or per
    team's failure share and period. Beat and a manager starting the same retro meet on it."""
    if kind == RetroKind.GOAL and goal_id is not None:
        return f"goal:{goal_id}:{start.isoformat()}:{end.isoformat()}"
    if kind == RetroKind.FAILURE_SHARE:
        return f"failure:{team_id}:{start.isoformat()}:{end.isoformat()}"
    return f"period:{team_id}:{start.isoformat()}:{end.isoformat()}"


def _default_title(kind: str, team: Team, start: date, end: date, goals: Sequence[Goal]) -> str:
    if kind == RetroKind.GOAL and len(goals) == 1:
        return _("Retrospective: %(goal)s") % {"goal": goals[0].title}
    if kind == RetroKind.FAILURE_SHARE:
        return _("Failure share: %(team)s, %(start)s – %(end)s") % {
            "team": team.name,
            "start": start,
            "end": end,
        }
    return _("Retrospective: %(team)s, %(start)s – %(end)s") % {"team": team.name, "start": start, "end": end}


def _create(
    *, team: Team, kind: str, start: date, end: date, goals: Sequence[Goal], key: str, title: str,
    actor: Membership | None, facilitator: Membership | None = None, anonymous_cards: bool = False,
    votes_per_person: int = 3, automatic: bool = False,
) -> Retrospective:  # fmt: skip
    retro = Retrospective(org_id=team.org_id, team=team, kind=kind, title=title[:200], period_start=start,
                          period_end=end, key=key, facilitator=facilitator, anonymous_cards=anonymous_cards,
                          votes_per_person=votes_per_person, automatic=automatic, created_by=actor)  # fmt: skip
    retro.full_clean(exclude=["key"])
    with transaction.atomic():  # a second start (double click, second beat) meets the unique key
        retro.save()
    now = timezone.now()
    RetroPhase.objects.bulk_create([
        RetroPhase(org_id=team.org_id, retro=retro, phase=phase, position=n,
                   state=PhaseState.CURRENT if n == 1 else PhaseState.PENDING, started_at=now if n == 1 else None)
        for n, phase in enumerate(PHASES, start=1)
    ])  # fmt: skip
    RetroGoal.objects.bulk_create([RetroGoal(org_id=team.org_id, retro=retro, goal=g) for g in goals])
    transaction.on_commit(partial(_queue_announcement, retro.pk))
    return retro


def _queue_announcement(retro_id: int) -> None:
    announce_retro.delay(retro_id=retro_id)


@transaction.atomic
def retro_start(
    *, team: Team, actor: Membership, kind: str, period_start: date | None = None, period_end: date | None = None,
    goal_id: int | None = None, title: str = "", facilitator: Membership | None = None,
    anonymous_cards: bool = False, votes_per_person: int = 3,
) -> Retrospective:  # fmt: skip
    """A manager of the team (or an admin) starts a retro at any time: for a goal (its period), a
    team's month or quarter (the team goals of that period), or a failure share. Refused, with a
    link to it, when the same retro exists."""
    selectors.can_start_retro(member=actor, team=team).require()
    errors: dict[str, list[str]] = {}
    goals: list[Goal] = []
    if kind not in RetroKind.values:
        errors["kind"] = [_("Choose what the retrospective is about.")]
    if kind == RetroKind.GOAL:
        goal = Goal.objects.filter(org_id=team.org_id, team=team, pk=goal_id or 0).first()
        if goal is None:
            errors["goal"] = [_("Choose a goal of this team.")]
        else:
            goals = [goal]
            period_start, period_end = goal.start_date, goal.end_date
    if period_start is None or period_end is None:
        errors.setdefault("period_start", [_("Give the period's first and last day.")])
    elif period_start > period_end:
        errors["period_end"] = [_("The period ends after it starts.")]
    elif (period_end - period_start).days > 400:
        errors["period_end"] = [_("A retrospective covers at most a year.")]
    if facilitator is not None and not selectors.in_team(member=facilitator, team_id=team.pk):
        errors["facilitator"] = [_("Choose a person of this team.")]
    if not 1 <= votes_per_person <= MAX_VOTES:
        errors["votes_per_person"] = [_("Between 1 and %(max)s votes.") % {"max": MAX_VOTES}]
    if len(title) > 200:
        errors["title"] = [
            _("At most %(limit)s characters (this one has %(count)s).") % {"limit": 200, "count": len(title)}
        ]
    raise_if(errors)
    assert period_start is not None and period_end is not None  # noqa: S101 - checked above
    if kind in (RetroKind.MONTH, RetroKind.QUARTER):
        goals = list(
            Goal.objects.filter(org_id=team.org_id, team=team, scope=Scope.TEAM, status__in=ENDED_STATUSES,
                                start_date__lte=period_end, end_date__gte=period_start).order_by("pk")
        )  # fmt: skip
    key = retro_key(kind=kind, team_id=team.pk, start=period_start, end=period_end, goal_id=goal_id)
    existing = Retrospective.objects.filter(org_id=team.org_id, key=key).first()
    if existing is not None:
        raise ValidationError(
            {"kind": [_("This retrospective already exists: “%(title)s”.") % {"title": existing.title}]}
        )
    title = title.strip() or _default_title(kind, team, period_start, period_end, goals)
    try:
        retro = _create(team=team, kind=kind, start=period_start, end=period_end, goals=goals, key=key, title=title,
                        actor=actor, facilitator=facilitator, anonymous_cards=anonymous_cards,
                        votes_per_person=votes_per_person)  # fmt: skip
    except IntegrityError:
        raise ValidationError(
            {"kind": [_("This retrospective has just been started by someone else.")]}
        ) from None
    audit_record(org=team.org, actor=actor.user, action="retro.start", target=retro,
                 changes={"kind": [None, kind], "team": [None, team.pk], "anonymous_cards": [None, anonymous_cards]},
                 scope=SCOPE)  # fmt: skip
    return retro


def retros_prepare(*, org: Organization, today: date | None = None) -> list[Retrospective]:
    """Beat: for every team whose team goals' period ended in the last 30 days, a draft retro of
    that goal set and period — once (unique key; a second beat at the same moment waits on the
    job lock and finds it). Returns the retros this run created."""
    with job_lock("retros_prepare", org.pk) as sole:
        if sole is False:
            return []  # another worker prepares this organisation right now
        return _prepare(org=org, today=today or org_today(org))


@transaction.atomic
def _prepare(*, org: Organization, today: date) -> list[Retrospective]:
    ended = list(
        Goal.objects.filter(org=org, scope=Scope.TEAM, team__isnull=False, status__in=ENDED_STATUSES,
                            end_date__lt=today, end_date__gte=today - timedelta(days=LOOKBACK_DAYS))
        .select_related("team").order_by("team_id", "start_date", "end_date", "pk")
    )  # fmt: skip
    sets: dict[tuple[int, date, date], list[Goal]] = {}
    for goal in ended:
        sets.setdefault((goal.team_id or 0, goal.start_date, goal.end_date), []).append(goal)
    keys = {retro_key(kind=RetroKind.MONTH, team_id=t, start=s, end=e): (t, s, e) for t, s, e in sets}
    done = set(Retrospective.objects.filter(org=org, key__in=list(keys)).values_list("key", flat=True))
    created = []
    with translation.override(org.default_language):
        for key, (team_id, start, end) in keys.items():
            if key in done:
                continue
            goals = sets[(team_id, start, end)]
            team = goals[0].team
            assert team is not None  # noqa: S101 - filtered above
            kind = KIND_OF_PERIOD.get(goals[0].period_kind, RetroKind.GOAL.value)
            pause_point("retros-prepare")
            try:
                with transaction.atomic():
                    retro = _create(team=team, kind=kind, start=start, end=end, goals=goals, key=key,
                                    title=_default_title(kind, team, start, end, goals), actor=None, automatic=True)  # fmt: skip
            except IntegrityError:
                continue  # prepared meanwhile (a second beat without the lock, e.g. on SQLite)
            audit_record(org=org, actor=None, action="retro.prepare", target=retro,
                         changes={"goals": [None, [g.pk for g in goals]]}, scope=SCOPE)  # fmt: skip
            created.append(retro)
    return created


def retros_prepare_all() -> int:
    """Every organisation; one's failure is logged and does not stop the others."""
    total = 0
    for org in Organization.objects.order_by("pk"):
        try:
            total += len(retros_prepare(org=org))
        except Exception:
            logger.exception("preparing the retros of organisation %s failed", org.pk)
    return total


def retro_text(retro: Retrospective, *, language: str) -> str:
    with translation.override(language):
        link = settings.SITE_URL.rstrip("/") + reverse("retro_detail", args=[retro.org.slug, retro.pk])
        body = _("%(team)s: the retrospective “%(title)s” collects cards. Add yours before the meeting.") % {
            "team": retro.team.name, "title": retro.title}  # fmt: skip
        return f"{_('Retrospective')} · {retro.org.name}\n{body}\n{link}"


@transaction.atomic
def retro_announce(*, retro_id: int) -> int:
    """Post a new retro to the team's channels (Tracking's deliveries: once per channel and retro)."""
    retro = Retrospective.objects.select_related("org", "team").filter(pk=retro_id).first()
    if retro is None or retro.state == RetroState.CLOSED:
        return 0
    event: dict[str, Any] = {"event": "retros.retro_started", "retro": {
        "id": retro.pk, "team": retro.team_id, "title": retro.title, "kind": retro.kind,
        "period_start": retro.period_start.isoformat(), "period_end": retro.period_end.isoformat(),
        "organization": retro.org.slug}}  # fmt: skip
    return team_message_deliver(team=retro.team, key=f"retro:{retro.pk}",
                                text=retro_text(retro, language=retro.org.default_language), event=event)  # fmt: skip


def _locked(retro: Retrospective) -> Retrospective:
    return Retrospective.objects.select_for_update().select_related("team", "org").get(pk=retro.pk)


@transaction.atomic
def phase_move(
    *, retro: Retrospective, actor: Membership, phase: str, version: int, notes: str = ""
) -> Retrospective:
    """The facilitator moves the meeting to a phase (forward or back). `version` is the one the
    facilitator's page showed: when someone else moved meanwhile, the move is refused with a
    message rather than overwriting theirs. The phase left keeps its notes and is marked done."""
    current = _locked(retro)
    selectors.can_facilitate(member=actor, retro=current).require()
    errors: dict[str, list[str]] = {}
    if phase not in PHASES:
        errors["phase"] = [_("Choose one of the four phases.")]
    elif version != current.version:
        errors["phase"] = [_("Someone else has just moved this retrospective to “%(phase)s”. Reload to see it.")
                           % {"phase": current.get_phase_display()}]  # fmt: skip
    if len(notes) > TEXT_LIMIT:
        errors["notes"] = [
            _("At most %(limit)s characters (this one has %(count)s).")
            % {"limit": TEXT_LIMIT, "count": len(notes)}
        ]
    raise_if(errors)
    now = timezone.now()
    rows = {p.phase: p for p in RetroPhase.objects.select_for_update().filter(retro=current)}
    left = rows[current.phase]
    if notes.strip():
        left.notes = notes.strip()
    if phase != current.phase:
        left.state, left.finished_at = PhaseState.DONE, now
        entered = rows[phase]
        entered.state, entered.started_at = PhaseState.CURRENT, entered.started_at or now
        entered.save(update_fields=["state", "started_at"])
    left.save(update_fields=["state", "finished_at", "notes"])
    before: dict[str, object] = {"phase": current.phase, "state": current.state}
    current.phase, current.state, current.version = phase, RetroState.RUNNING, current.version + 1
    current.save(update_fields=["phase", "state", "version"])
    audit_record(org=current.org, actor=actor.user, action="retro.phase", target=current,
                 changes=audit_diff(before, {"phase": phase, "state": current.state}), scope=SCOPE)  # fmt: skip
    return current


@transaction.atomic
def votes_reveal(*, retro: Retrospective, actor: Membership) -> Retrospective:
    current = _locked(retro)
    selectors.can_facilitate(member=actor, retro=current).require()
    if not current.votes_revealed:
        current.votes_revealed = True
        current.save(update_fields=["votes_revealed"])
        audit_record(
            org=current.org, actor=actor.user, action="retro.reveal_votes", target=current, scope=SCOPE
        )
    return current


@transaction.atomic
def retro_close(*, retro: Retrospective, actor: Membership, summary: str) -> Retrospective:
    """Close with a summary: the retro becomes read-only (its actions go on being updated)."""
    current = _locked(retro)
    selectors.can_facilitate(member=actor, retro=current).require()
    errors: dict[str, list[str]] = {}
    text_errors(errors, "summary", summary, required=_("Write the summary: what the team takes away."),
                limit=TEXT_LIMIT)  # fmt: skip
    raise_if(errors)
    now = timezone.now()
    RetroPhase.objects.filter(retro=current).exclude(state=PhaseState.DONE).update(
        state=PhaseState.DONE, finished_at=now
    )
    current.state, current.summary, current.closed_at = RetroState.CLOSED, summary.strip(), now
    current.votes_revealed, current.version = True, current.version + 1
    current.save(update_fields=["state", "summary", "closed_at", "votes_revealed", "version"])
    audit_record(org=current.org, actor=actor.user, action="retro.close", target=current,
                 changes={"state": [RetroState.RUNNING, RetroState.CLOSED]}, scope=SCOPE)  # fmt: skip
    return current


@transaction.atomic
def facilitator_set(
    *, retro: Retrospective, actor: Membership, facilitator: Membership | None
) -> Retrospective:
    """A manager of the team (or an admin) names who facilitates — a person of the team — or takes
    the role back (None); refused once the retro is closed."""
    current = _locked(retro)
    if current.state == RetroState.CLOSED:
        raise ValidationError(
            {"facilitator": [_("This retrospective is closed: it can no longer be changed.")]}
        )
    selectors.can_start_retro(member=actor, team=current.team).require()
    if facilitator is not None and (
        facilitator.org_id != current.org_id
        or not selectors.in_team(member=facilitator, team_id=current.team_id)
    ):
        raise ValidationError({"facilitator": [_("Choose a person of this team.")]})
    before = current.facilitator_id
    if before != (facilitator.pk if facilitator else None):
        current.facilitator = facilitator
        current.save(update_fields=["facilitator"])
        audit_record(org=current.org, actor=actor.user, action="retro.facilitator", target=current,
                     changes=audit_diff({"facilitator": before}, {"facilitator": current.facilitator_id}),
                     scope=SCOPE)  # fmt: skip
    return current
