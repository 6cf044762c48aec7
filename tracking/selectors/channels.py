"""Channels (Settings → Integrations): webhooks, their status and deliveries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext, pgettext

from teams.models import Organization

from ..models import (
    Delivery,
    NotificationChannel,
    RuleKind,
)

# --- Channels (Settings → Integrations) -----------------------------------------------------------
CHANNEL_NEVER_USED, CHANNEL_WORKING, CHANNEL_FAILING = "never_used", "working", "failing"
RECENT_DELIVERIES = 20


def channel_queryset(*, org: Organization) -> QuerySet[NotificationChannel]:
    """The organisation's webhooks, each with whether anything was ever delivered (`has_sent`)
    and its last delivery (`last_delivery_id`, `last_delivery_at`): the one that was queued,
    retried or tried last."""
    latest = Delivery.objects.filter(channel=OuterRef("pk")).order_by("-updated_at", "-pk")
    return (
        NotificationChannel.objects.filter(org=org)
        .select_related("team")
        .annotate(
            has_sent=Exists(Delivery.objects.filter(channel=OuterRef("pk"), state=Delivery.State.SENT)),
            last_delivery_id=Subquery(latest.values("pk")[:1]),
            last_delivery_at=Subquery(latest.values("updated_at")[:1]),
        )
        .order_by("name", "id")
    )


def channel_status(channel: NotificationChannel) -> str:
    """The honest status: failing after a delivery failed for good (until one succeeds again),
    working once one succeeded, never used before anything was sent."""
    if channel.failing_since:
        return CHANNEL_FAILING
    return CHANNEL_WORKING if getattr(channel, "has_sent", False) else CHANNEL_NEVER_USED


def channel_get(*, org: Organization, channel_id: int) -> NotificationChannel:
    channel = channel_queryset(org=org).filter(pk=channel_id).first()
    if channel is None:
        raise Http404
    channel.org = org
    return channel


def channel_list(*, org: Organization) -> list[NotificationChannel]:
    return list(channel_queryset(org=org))


@dataclass(frozen=True)
class DeliveryRow:
    delivery: Delivery
    what: str  # a test message, which alert, or which message, in words


@dataclass(frozen=True)
class ChannelRow:
    channel: NotificationChannel
    status: str  # CHANNEL_NEVER_USED, CHANNEL_WORKING or CHANNEL_FAILING
    last: DeliveryRow | None


def delivery_what(delivery: Delivery) -> str:
    if delivery.is_test:
        return gettext("Test message")
    alert = delivery.alert
    if alert is None:
        return delivery.text.splitlines()[0][:120] if delivery.text else delivery.event
    subject = alert.goal.title if alert.goal else (alert.member.user.get_full_name() if alert.member else "")
    what = f"{RuleKind(alert.kind).label} · {subject}" if subject else str(RuleKind(alert.kind).label)
    if delivery.event.startswith("escalated"):
        what += " (" + pgettext("alert delivery", "escalated") + ")"
    return what


def delivery_queryset(*, org: Organization) -> QuerySet[Delivery]:
    """Every delivery to the organisation's webhooks, newest activity first."""
    return (
        Delivery.objects.filter(channel__org=org)
        .select_related("channel", "alert__goal", "alert__member__user")
        .order_by("-updated_at", "-pk")
    )


def delivery_get(*, org: Organization, delivery_id: int) -> Delivery:
    delivery = delivery_queryset(org=org).filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    delivery.channel.org = org
    return delivery


def channel_rows(*, org: Organization) -> list[ChannelRow]:
    """The Integrations page: every channel with its status and last delivery (two queries)."""
    channels = channel_list(org=org)
    ids = [c.last_delivery_id for c in channels if c.last_delivery_id]  # type: ignore[attr-defined]
    last = {d.pk: d for d in delivery_queryset(org=org).filter(pk__in=ids)} if ids else {}
    rows = []
    for channel in channels:
        delivery = last.get(channel.last_delivery_id)  # type: ignore[attr-defined]
        rows.append(ChannelRow(channel=channel, status=channel_status(channel),
                               last=DeliveryRow(delivery, delivery_what(delivery)) if delivery else None))  # fmt: skip
    return rows


def delivery_rows(*, channel: NotificationChannel, limit: int = RECENT_DELIVERIES) -> list[DeliveryRow]:
    """A channel's recent deliveries, newest activity first."""
    deliveries = delivery_queryset(org=channel.org).filter(channel=channel)[:limit]
    return [DeliveryRow(d, delivery_what(d)) for d in deliveries]
