"""Alerts, corrective actions and the inbox."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import SimpleLazyObject

from teams.models import AuditEntry, Membership, Organization, Team

from ..models import (
    Alert,
    AlertRule,
    CorrectiveAction,
    IndicatorSnapshot,
    Notification,
    ResolutionReason,
)
from .rights import can_act_on, updatable_action_ids


# --- Alerts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSetting:
    kind: str
    enabled: bool
    threshold: Decimal
    escalate_after_days: int


RULE_DEFAULTS: dict[str, tuple[Decimal, int]] = {
    # kind: (threshold, escalate after days). Lagging: % behind expected (the article's 10 %);
    # leading: completed weeks below target running; stand-ups: working days missed running.
    "lagging_behind": (Decimal(10), 3),
    "leading_below": (Decimal(2), 3),
    "risk_breached": (Decimal(0), 2),
    "standup_missed": (Decimal(3), 3),
    "plan_slip": (Decimal(0), 3),
}


def rule_settings(*, org: Organization) -> dict[str, RuleSetting]:
    saved = {r.kind: r for r in AlertRule.objects.filter(org=org)}
    settings_by_kind = {}
    for kind, (threshold, escalate) in RULE_DEFAULTS.items():
        rule = saved.get(kind)
        settings_by_kind[kind] = RuleSetting(
            kind=kind,
            enabled=rule.enabled if rule else True,
            threshold=rule.threshold if rule else threshold,
            escalate_after_days=rule.escalate_after_days if rule else escalate,
        )
    return settings_by_kind


def alert_list(*, org: Organization, state: str | None = None, team: Team | None = None) -> QuerySet[Alert]:
    qs = Alert.objects.filter(org=org).select_related(
        "goal",
        "supporting_metric",
        "member__user",
        "team",
        "acknowledged_by__user",
        "resolved_by__user",
        "resolution_action",
    )
    if state == "unresolved":
        qs = qs.exclude(state="resolved")
    elif state:
        qs = qs.filter(state=state)
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by("-raised_on", "-id")


def alert_get(*, org: Organization, alert_id: int) -> Alert:
    try:
        return alert_list(org=org).get(pk=alert_id)
    except Alert.DoesNotExist:
        raise Http404("No alert found.") from None


def action_list(
    *, org: Organization, alert: Alert | None = None, open_only: bool = False
) -> QuerySet[CorrectiveAction]:
    qs = CorrectiveAction.objects.filter(org=org).select_related("owner__user", "goal", "alert")
    if alert is not None:
        qs = qs.filter(alert=alert)
    if open_only:
        qs = qs.filter(state="open")
    return qs.order_by("state", "due_date", "id")


def action_get(*, org: Organization, action_id: int) -> CorrectiveAction:
    try:
        return action_list(org=org).get(pk=action_id)
    except CorrectiveAction.DoesNotExist:
        raise Http404("No corrective action found.") from None


def unread_count(*, member: Membership) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def notification_list(*, member: Membership) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=member)
        .select_related("alert__goal", "alert__member__user", "alert__supporting_metric")
        .order_by("-created_at", "-id")
    )


def alert_history(*, alert: Alert) -> list[IndicatorSnapshot]:
    """The data behind a goal's alert: its snapshots since the deviation began (at most 60)."""
    if alert.goal_id is None:
        return []
    key = alert.supporting_metric_id or 0
    since = alert.since or alert.raised_on
    return list(
        IndicatorSnapshot.objects.filter(goal_id=alert.goal_id, metric_key=key, day__gte=since).order_by(
            "-day"
        )[:60]
    )


@dataclass(frozen=True)
class Resolution:
    """One time someone resolved the alert by hand: who, when, why (the category, the note and
    the corrective action that resolved it), from the audit trail (it outlives a reopening)."""

    who: str
    at: Any
    reason: str
    note: str
    action: str


def alert_resolutions(*, alert: Alert) -> list[Resolution]:
    entries = AuditEntry.objects.filter(
        org_id=alert.org_id, target_type="alert", target_id=alert.pk, action="alert.resolve"
    ).select_related("actor")
    found = []
    for entry in entries.order_by("at", "id"):
        changes = entry.changes or {}
        reason = str((changes.get("reason") or [None, ""])[1] or "")
        found.append(Resolution(
            who=entry.actor.get_full_name() if entry.actor else "", at=entry.at,
            reason=str(ResolutionReason(reason).label) if reason in ResolutionReason.values else reason,
            note=str((changes.get("note") or [None, ""])[1] or ""),
            action=str((changes.get("action") or [None, ""])[1] or ""),
        ))  # fmt: skip
    return found


def inbox_context(request: Any) -> dict[str, Any]:
    """The unread count for the inbox badge in the page header (one query, only when shown)."""
    member = getattr(request, "membership", None)
    if member is None:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(member=member))}


def alert_page(*, org: Organization, member: Membership, alert: Alert) -> dict[str, Any]:
    """One alert's page: whether the person acts on it, its corrective actions (and which of them
    they mark done) and the data behind it."""
    actions = list(action_list(org=org, alert=alert))
    return {
        "alert": alert, "can_act": can_act_on(alert=alert, member=member), "actions": actions,
        "updatable": updatable_action_ids(member=member, alert=alert, actions=actions),
        "history": alert_history(alert=alert), "resolutions": alert_resolutions(alert=alert),
    }  # fmt: skip
