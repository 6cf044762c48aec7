"""Alerts (预警): raised, updated, reopened, resolved and escalated from the newest snapshots and
stand-ups; resolved by hand; and the in-app notifications they leave."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal, Status, SupportingMetric
from teams.jobs import pause_point
from teams.models import Membership, Organization, Role
from teams.selectors import org_today
from teams.services import audit_record
from tracking import selectors
from tracking.dashboard_cache import dashboards_invalidate
from tracking.models import (
    Alert,
    AlertState,
    CorrectiveAction,
    IndicatorKind,
    IndicatorSnapshot,
    Notification,
    ResolutionReason,
    RuleKind,
    Standup,
    TeamRhythm,
)
from tracking.tasks import deliver_alert

from ._common import DEFAULT_WORKING_DAYS, HISTORY_LIMIT_DAYS
from .indicators import plan_risk


@dataclass
class AlertSpec:
    kind: str
    key: str
    goal: Goal | None = None
    metric: SupportingMetric | None = None
    member: Membership | None = None
    team_id: int | None = None
    measured: Decimal | None = None
    expected: Decimal | None = None
    deviation_pct: Decimal | None = None
    since: date | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class EvaluateResult:
    raised: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


def _period(goal: Goal) -> str:
    return f"{goal.start_date.isoformat()}..{goal.end_date.isoformat()}"


def _behind_since(history: list[IndicatorSnapshot], limit: Decimal) -> date | None:
    """First day of the current run of snapshots behind the limit (history is newest first)."""
    since = None
    for snap in history:
        if snap.pace is None or snap.pace > limit:
            break
        since = snap.day
    return since


def _goal_specs(
    *, org: Organization, goals: list[Goal], rules: dict[str, selectors.RuleSetting], day: date
) -> list[AlertSpec]:
    specs: list[AlertSpec] = []
    by_id = {g.pk: g for g in goals}
    newest = selectors.latest_snapshots(org=org, goal_ids=list(by_id))
    lag_rule = rules[RuleKind.LAGGING_BEHIND]
    limit = Decimal(100) - lag_rule.threshold
    behind_ids = [
        goal_id for (goal_id, key), snap in newest.items()
        if key == 0 and snap.pace is not None and snap.pace <= limit
    ]  # fmt: skip
    history: dict[int, list[IndicatorSnapshot]] = {}
    if lag_rule.enabled and behind_ids:
        for snap in IndicatorSnapshot.objects.filter(
            goal_id__in=behind_ids, metric_key=0, day__gte=day - timedelta(days=HISTORY_LIMIT_DAYS)
        ).order_by("goal_id", "-day"):
            history.setdefault(snap.goal_id, []).append(snap)
    for (goal_id, key), snap in newest.items():
        goal = by_id[goal_id]
        if key == 0 and lag_rule.enabled and goal_id in behind_ids and snap.pace is not None:
            specs.append(AlertSpec(
                kind=RuleKind.LAGGING_BEHIND, key=f"lagging_behind:g{goal_id}:{_period(goal)}", goal=goal,
                team_id=goal.team_id, measured=snap.actual, expected=snap.expected,
                deviation_pct=Decimal(100) - snap.pace, since=_behind_since(history.get(goal_id, []), limit),
                detail={"pace": str(snap.pace), "day": snap.day.isoformat(), "forecast": str(snap.forecast),
                        "tier_projected": snap.tier_projected},
            ))  # fmt: skip
        elif snap.kind == IndicatorKind.LEADING and rules[RuleKind.LEADING_BELOW].enabled:
            running = int(snap.detail.get("weeks_below_running", 0))
            if running >= rules[RuleKind.LEADING_BELOW].threshold:
                weeks = [w for w in snap.detail.get("weeks", []) if w.get("complete")]
                since = date.fromisoformat(weeks[-running]["start"]) if len(weeks) >= running else None
                last = weeks[-1] if weeks else {}
                completion = Decimal(str(last.get("completion") or 0))
                specs.append(AlertSpec(
                    kind=RuleKind.LEADING_BELOW, key=f"leading_below:m{key}:{_period(goal)}", goal=goal,
                    metric=snap.supporting_metric, team_id=goal.team_id,
                    measured=Decimal(str(last.get("actual", 0))), expected=Decimal(str(last.get("target", 0))),
                    deviation_pct=Decimal(100) - completion, since=since, detail={"weeks_below": running},
                ))  # fmt: skip
        elif (
            snap.kind == IndicatorKind.RISK and rules[RuleKind.RISK_BREACHED].enabled and snap.status == "off_track"
            and snap.actual is not None and snap.target is not None
        ):  # fmt: skip
            since_text = snap.detail.get("breached_since")
            deviation = (
                ((snap.actual - snap.target) / snap.target * 100).copy_abs().quantize(Decimal("0.1"))
                if snap.target else None
            )  # fmt: skip
            specs.append(AlertSpec(
                kind=RuleKind.RISK_BREACHED, key=f"risk_breached:m{key}:{_period(goal)}", goal=goal,
                metric=snap.supporting_metric, team_id=goal.team_id, measured=snap.actual,
                expected=snap.target, deviation_pct=deviation,
                since=date.fromisoformat(since_text) if since_text else None,
            ))  # fmt: skip
    if rules[RuleKind.PLAN_SLIP].enabled:
        for goal_id in sorted(plan_risk(org=org, goal_ids=list(by_id), day=day)):
            goal = by_id[goal_id]
            specs.append(AlertSpec(kind=RuleKind.PLAN_SLIP, key=f"plan_slip:g{goal_id}:{_period(goal)}", goal=goal,
                                   team_id=goal.team_id, since=day))  # fmt: skip
    return specs


def working_days_before(day: date, count: int, *, days: str = DEFAULT_WORKING_DAYS) -> list[date]:
    """The `count` working days (ISO weekdays in `days`, Monday = 1) before `day`, oldest first."""
    found: list[date] = []
    cursor = day - timedelta(days=1)
    while len(found) < count and cursor > day - timedelta(days=400):
        if str(cursor.isoweekday()) in days:
            found.append(cursor)
        cursor -= timedelta(days=1)
    return sorted(found)


def _standup_specs(*, org: Organization, rule: selectors.RuleSetting, day: date) -> list[AlertSpec]:
    """Members (managers run the stand-up) with no stand-up on their teams' last N working days.
    The alert is keyed on the first working day missed after the last stand-up, so it stays one
    alert, growing, until the member logs again."""
    if not rule.enabled or rule.threshold < 1:
        return []
    needed = int(rule.threshold)
    members = list(
        Membership.objects.filter(org=org, is_active=True, role=Role.MEMBER, teams__isnull=False)
        .distinct()
        .prefetch_related("teams")
    )
    rhythms = {r.team_id: r.working_days for r in TeamRhythm.objects.filter(team__org=org)}
    last = dict(
        Standup.objects.filter(org=org, day__lt=day)
        .values_list("member_id")
        .annotate(last=Max("day"))
        .order_by()
    )
    specs = []
    for member in members:
        teams = list(member.teams.all())
        workdays = (
            "".join(sorted({d for t in teams for d in rhythms.get(t.pk, DEFAULT_WORKING_DAYS)}))
            or DEFAULT_WORKING_DAYS
        )
        window = working_days_before(day, needed, days=workdays)
        joined = timezone.localdate(member.joined_at)
        previous = last.get(member.pk)
        if len(window) < needed or joined > window[0] or (previous is not None and previous >= window[0]):
            continue
        # The first working day missed: the one after the last stand-up (or after joining).
        start_from = (
            max(previous or joined, joined - timedelta(days=1)) if previous else joined - timedelta(days=1)
        )
        missed = [d for d in working_days_before(day, 260, days=workdays) if d > start_from]
        first = missed[0] if missed else window[0]
        specs.append(AlertSpec(
            kind=RuleKind.STANDUP_MISSED, key=f"standup_missed:p{member.pk}:{first.isoformat()}", member=member,
            team_id=teams[0].pk if teams else None, measured=Decimal(len(missed) or needed), since=first,
            detail={"days": [d.isoformat() for d in missed[-20:]]},
        ))  # fmt: skip
    return specs


def _recipients(alert: Alert) -> list[Membership]:
    people: dict[int, Membership] = {}
    if alert.goal is not None:
        people[alert.goal.owner_id] = alert.goal.owner
    if alert.member is not None:
        people[alert.member.pk] = alert.member
    if alert.team is not None:
        for manager in alert.team.managers.filter(is_active=True):
            people[manager.pk] = manager
    return list(people.values())


def _notify(*, alert: Alert, people: Iterable[Membership], kind: str, event: str) -> None:
    Notification.objects.bulk_create(
        [Notification(org_id=alert.org_id, recipient=p, kind=kind, alert=alert, dedupe_key=f"alert:{alert.pk}:{event}")
         for p in people],
        ignore_conflicts=True,
    )  # fmt: skip


def alerts_evaluate(
    *, org: Organization, day: date | None = None, goal_ids: Iterable[int] | None = None
) -> EvaluateResult:
    """Raise, update, reopen, resolve and escalate the organisation's alerts from the newest
    snapshots (and stand-ups). Idempotent: keys are unique per goal, rule and period, so a retried
    or duplicated run changes nothing more."""
    day = day or org_today(org)
    rules = selectors.rule_settings(org=org)
    qs = Goal.objects.filter(org=org, status=Status.ACTIVE, start_date__lte=day).select_related(
        "owner", "team"
    )
    full = goal_ids is None
    if goal_ids is not None:
        qs = qs.filter(pk__in=list(goal_ids))
    goals = list(qs)
    specs = _goal_specs(org=org, goals=goals, rules=rules, day=day)
    if full:
        specs += _standup_specs(org=org, rule=rules[RuleKind.STANDUP_MISSED], day=day)
    result = EvaluateResult()
    firing = {s.key: s for s in specs}
    existing = {a.dedupe_key: a for a in Alert.objects.filter(org=org, dedupe_key__in=list(firing))}
    for key, spec in firing.items():
        values = {
            "measured": spec.measured, "expected": spec.expected, "deviation_pct": spec.deviation_pct,
            "since": spec.since, "detail": spec.detail,
        }  # fmt: skip
        alert = existing.get(key)
        if alert is None:
            # Raised, notified and handed to delivery together: a worker killed in between leaves
            # nothing, so the job delivered again raises it (and sends it) once.
            try:
                with transaction.atomic():
                    alert = Alert.objects.create(
                        org=org, kind=spec.kind, dedupe_key=key, goal=spec.goal, supporting_metric=spec.metric,
                        member=spec.member, team_id=spec.team_id, raised_on=day, **values,
                    )  # fmt: skip
                    pause_point("alert-raise")
                    _notify(
                        alert=alert, people=_recipients(alert), kind=Notification.Kind.ALERT, event="raised"
                    )
                    _deliver(alert)
            except IntegrityError:
                continue  # another run raised it a moment ago
            result.raised.append(alert.pk)
            continue
        if alert.state == AlertState.RESOLVED and alert.held:
            continue  # resolved by hand: it stays so until its condition has cleared once
        if alert.state == AlertState.RESOLVED:
            Alert.objects.filter(pk=alert.pk, state=AlertState.RESOLVED).update(
                state=AlertState.OPEN, resolved_at=None, resolved_by=None, resolution="", raised_on=day,
                resolution_reason="", resolution_action=None, escalated_at=None, updated_at=timezone.now(), **values,
            )  # fmt: skip
            alert.refresh_from_db()
            result.reopened.append(alert.pk)
            _notify(
                alert=alert, people=_recipients(alert), kind=Notification.Kind.ALERT, event=f"reopened:{day}"
            )
            _deliver(alert)
        else:
            if spec.kind == RuleKind.PLAN_SLIP:
                values.pop("since")  # the slip began when the alert was raised, not today
            Alert.objects.filter(pk=alert.pk).update(updated_at=timezone.now(), **values)
    # What no longer fires is back on track.
    scope = (
        Alert.objects.filter(org=org).exclude(state=AlertState.RESOLVED).exclude(dedupe_key__in=list(firing))
    )
    if not full:
        scope = scope.filter(goal_id__in=[g.pk for g in goals])
    # A hand-resolved alert whose condition has cleared may fire again later in the period.
    # (Who resolved it and why stay on the alert until it reopens, and in the audit trail for good.)
    cleared = Alert.objects.filter(org=org, state=AlertState.RESOLVED, held=True).exclude(
        dedupe_key__in=list(firing)
    )
    if not full:
        cleared = cleared.filter(goal_id__in=[g.pk for g in goals])
    cleared.update(held=False, updated_at=timezone.now())
    stale = list(scope.values_list("pk", flat=True))
    if stale:
        Alert.objects.filter(pk__in=stale).update(
            state=AlertState.RESOLVED,
            resolved_at=timezone.now(),
            resolution=Alert.BACK_ON_TRACK,
            updated_at=timezone.now(),
        )
        result.resolved = stale
    if full:
        result.escalated = _escalate(org=org, rules=rules, day=day)
    if result.raised or result.reopened or result.resolved or result.escalated:
        dashboards_invalidate(org_id=org.pk)  # the dashboards list the open alerts
    return result


def _escalate(*, org: Organization, rules: dict[str, selectors.RuleSetting], day: date) -> list[int]:
    """An alert nobody acknowledged within the rule's days goes to the managers of the parent
    team (the organisation's admins when the team has no parent)."""
    escalated = []
    candidates = Alert.objects.filter(
        org=org, state=AlertState.OPEN, escalated_at__isnull=True
    ).select_related("team__parent")
    admins = None
    for alert in candidates:
        if alert.raised_on > day - timedelta(days=rules[alert.kind].escalate_after_days):
            continue
        parent = alert.team.parent if alert.team is not None else None
        people = list(parent.managers.filter(is_active=True)) if parent is not None else []
        if not people:
            if admins is None:
                admins = list(Membership.objects.filter(org=org, role=Role.ADMIN, is_active=True))
            people = admins
        with transaction.atomic():  # marked escalated only together with its notices (a killed worker)
            updated = Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(
                escalated_at=timezone.now(), updated_at=timezone.now()
            )
            if not updated:
                continue  # escalated by a concurrent run
            pause_point("alert-escalate")
            alert.escalated_to.set(people)
            _notify(alert=alert, people=people, kind=Notification.Kind.ESCALATION, event="escalated")
            _deliver(alert, event=f"escalated:{day.isoformat()}")
        escalated.append(alert.pk)
    return escalated


def _deliver(alert: Alert, event: str = "") -> None:
    """Hand the alert to the outgoing channels (e-mail, webhooks) after commit."""
    alert_id = alert.pk
    transaction.on_commit(lambda: deliver_alert.delay(alert_id=alert_id, event=event))


def require_alert_action(*, alert: Alert, actor: Membership) -> None:
    """Refuse (403) unless `actor` acknowledges and resolves this alert (selectors.can_act_on)."""
    selectors.can_act_on(alert=alert, member=actor).require()


def alert_resolve(
    *, alert: Alert, actor: Membership, note: str, reason: str = "", action_id: int | None = None
) -> Alert:
    """Resolve an alert by hand: a reason (false alarm, data corrected, or resolved by the
    corrective action — then which of the alert's actions) and a note, both kept on the alert
    and in the audit trail. It stays resolved until its condition has cleared once."""
    require_alert_action(alert=alert, actor=actor)
    before = alert.state
    errors: dict[str, list[str]] = {}
    if reason not in ResolutionReason.values:
        errors["reason"] = [_("Choose why the alert is resolved.")]
    if not note.strip():
        errors["note"] = [_("Say why the alert is resolved.")]
    elif len(note.strip()) > 200:
        errors["note"] = [_("Keep the note to 200 characters.")]
    action = None
    if reason == ResolutionReason.CORRECTIVE_ACTION:
        if action_id is None:
            errors["action"] = [_("Choose the corrective action that resolved it.")]
        else:
            action = CorrectiveAction.objects.filter(pk=action_id, alert=alert).first()
            if action is None:
                errors["action"] = [_("Choose one of this alert's corrective actions.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changed = (
            Alert.objects.filter(pk=alert.pk)
            .exclude(state=AlertState.RESOLVED)
            .update(
                state=AlertState.RESOLVED,
                resolved_at=timezone.now(),
                resolved_by=actor,
                resolution=note.strip(),
                resolution_reason=reason,
                resolution_action=action,
                held=True,
                updated_at=timezone.now(),
            )  # fmt: skip
        )
        alert.refresh_from_db()
        if changed:
            dashboards_invalidate(org_id=alert.org_id)
            audit_record(org=alert.org, actor=actor.user, action="alert.resolve", target=alert, scope=f"alert:{alert.pk}",
                         changes={"state": [before, AlertState.RESOLVED], "reason": [None, reason],
                                  "note": [None, alert.resolution],
                                  "action": [None, action.description if action else None]})  # fmt: skip
    return alert


def notifications_mark_read(*, member: Membership, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notify_members(
    *, org: Organization, member_ids: Iterable[int], kind: str, key: str, url: str = ""
) -> int:
    """In-app notifications of a higher app (e.g. a pulse to answer) for these people of the
    organisation: one per person and `key` (a repeat adds nothing). Returns how many were added."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    wanted = set(member_ids)
    already = set(
        Notification.objects.filter(recipient_id__in=wanted, dedupe_key=key).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(org=org, recipient_id=pk, kind=kind, dedupe_key=key, url=url[:300])
        for pk in sorted(wanted - already)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
