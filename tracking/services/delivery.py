"""Alert wording, and sending: an alert (or a higher app's message) fans out to its team's
channels and the organisation-wide ones as webhook deliveries, retried with backoff; in-app
notifications are e-mailed."""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from teams.jobs import job_lock, pause_point
from teams.models import Team
from teams.numbers import format_number
from tracking import channels
from tracking.models import Alert, Delivery, Notification, NotificationChannel, RuleKind
from tracking.tasks import email_notification, send_delivery

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 10


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook that answers with a redirect has failed: following it could lead anywhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _blocked_address(url: str) -> str:
    """Why the sender may not call the webhook's host ("" when it may): the check channel_save
    makes, made again before each delivery, since a name may resolve elsewhere by then."""
    address = channels.blocked_address(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS)
    if not address:
        return ""
    host = urllib.parse.urlsplit(url).hostname or address
    return f"blocked: {host} is a private address" + (f" ({address})" if host != address else "")


class DeliveryError(Exception):
    """A webhook did not accept the message; the task tries again in `retry_in` seconds."""

    def __init__(self, message: str, *, retry_in: int) -> None:
        super().__init__(message)
        self.retry_in = retry_in


WEBHOOK_ATTEMPTS = 6  # the first try and five retries
MESSAGE_KEY_LIMIT = 40  # Delivery.event


def webhook_backoff(attempt: int) -> int:
    return int(min(30 * 2 ** (attempt - 1), 1800))


def alert_message(alert: Alert) -> str:
    """What deviates, by how much and since when, in the active language."""
    since = alert.since.isoformat() if alert.since else alert.raised_on.isoformat()
    goal = alert.goal.title if alert.goal else ""
    metric = alert.supporting_metric.name if alert.supporting_metric else ""

    figure = alert.supporting_metric or alert.goal
    places = figure.number_places if figure is not None else 0

    def num(value: Decimal | None) -> str:
        """At the precision of the goal or metric, grouped, as on the pages (teams/numbers.py)."""
        return format_number(value, places)

    if alert.kind == RuleKind.LAGGING_BEHIND:
        return _("%(goal)s is %(pct)s%% behind where it should be: %(actual)s against %(expected)s expected by now (since %(since)s).") % {
            "goal": goal, "pct": format_number(alert.deviation_pct, 1), "actual": num(alert.measured),
            "expected": num(alert.expected), "since": since}  # fmt: skip
    if alert.kind == RuleKind.LEADING_BELOW:
        return _("%(goal)s · %(metric)s has been below its weekly target %(weeks)s weeks running: %(actual)s of %(target)s last week (since %(since)s).") % {
            "goal": goal, "metric": metric, "weeks": alert.detail.get("weeks_below", "?"), "actual": num(alert.measured),
            "target": num(alert.expected), "since": since}  # fmt: skip
    if alert.kind == RuleKind.RISK_BREACHED:
        return _("%(goal)s · %(metric)s is past its threshold: %(actual)s against %(threshold)s (since %(since)s).") % {
            "goal": goal, "metric": metric, "actual": num(alert.measured), "threshold": num(alert.expected),
            "since": since}  # fmt: skip
    if alert.kind == RuleKind.STANDUP_MISSED:
        name = alert.member.user.get_full_name() if alert.member else ""
        return _("%(name)s has not logged a stand-up for %(days)s working days (since %(since)s).") % {
            "name": name, "days": format_number(alert.measured, 0), "since": since}  # fmt: skip
    return _("%(goal)s: an initiative on the critical path has slipped, which puts the goal at risk (since %(since)s).") % {
        "goal": goal, "since": since}  # fmt: skip


def alert_text(alert: Alert, *, language: str) -> str:
    with translation.override(language):
        link = f"{settings.SITE_URL.rstrip('/')}{reverse('alert_detail', args=[alert.org.slug, alert.pk])}"
        return f"{_('Stretch alert')} · {alert.org.name}\n{alert_message(alert)}\n{link}"


def alert_deliver(*, alert_id: int, event: str = "") -> int:
    """Queue one delivery per enabled channel of the alert's team (and organisation-wide ones),
    and the e-mails of its in-app notifications. Unique rows make a repeat a no-op."""
    alert = Alert.objects.select_related("org").filter(pk=alert_id).first()
    if alert is None:
        return 0
    event = event or f"{alert.state}:{alert.raised_on.isoformat()}"
    queued = _fan_out(org_id=alert.org_id, team_id=alert.team_id, alert=alert, event=event, now=True)
    for notification_id in Notification.objects.filter(alert=alert, emailed_at__isnull=True).values_list(
        "pk", flat=True
    ):
        email_notification.delay(notification_id=notification_id)
        queued += 1
    return queued


@transaction.atomic
def team_message_deliver(*, team: Team, key: str, text: str, event: dict[str, Any]) -> int:
    """Post a message of a higher app (e.g. an earned instant reward) to the team's enabled
    channels and the organisation-wide ones, through the same deliveries as alerts (retries,
    backoff, failing channels). `key` names the message: one delivery per channel and key, so a
    repeated call posts nothing twice. Returns the number of deliveries queued."""

    if not text.strip() or not 0 < len(key) <= MESSAGE_KEY_LIMIT:
        raise ValueError(f"A message needs a text and a key of 1 to {MESSAGE_KEY_LIMIT} characters.")
    return _fan_out(
        org_id=team.org_id, team_id=team.pk, alert=None, event=key, defaults={"text": text, "payload": event}
    )


def _fan_out(
    *, org_id: int, team_id: int | None, alert: Alert | None, event: str, defaults: dict[str, Any] | None = None,
    now: bool = False,
) -> int:  # fmt: skip
    """One delivery per enabled channel of the team and of the whole organisation, each sent once
    (the unique rows make a repeat a no-op); queued now, or after commit. Returns how many were
    created. A repeat also queues again a delivery never tried (its job may have been lost with a
    killed worker between the row and the queue); sending it twice posts once."""
    channels = NotificationChannel.objects.filter(org_id=org_id, enabled=True).filter(
        Q(team__isnull=True) | Q(team_id=team_id)
    )
    queued = 0
    for channel in channels:
        delivery, created = Delivery.objects.get_or_create(channel=channel, alert=alert, event=event,
                                                           defaults={"max_attempts": WEBHOOK_ATTEMPTS, **(defaults or {})})  # fmt: skip
        pause_point("fan-out")
        untried = (
            delivery.state == Delivery.State.PENDING and not delivery.attempts and not delivery.lease_until
        )
        if created or untried:
            if now:
                send_delivery.delay(delivery_id=delivery.pk)
            else:
                transaction.on_commit(partial(send_delivery.delay, delivery_id=delivery.pk))
        queued += created
    return queued


def _response_ok(kind: str, status: int, body: bytes) -> tuple[bool, str]:
    if not 200 <= status < 300:
        return False, f"HTTP {status}"
    if kind in ("feishu", "dingtalk", "wecom"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return False, "not JSON"
        code = data.get("code", data.get("errcode", 0)) if isinstance(data, dict) else 0
        if code not in (0, "0", None):
            return False, f"platform error {code}: {str(data.get('msg') or data.get('errmsg') or '')[:200]}"
    return True, ""


def delivery_send(*, delivery_id: int) -> bool:
    """POST one alert to one webhook. On failure the task retries with backoff; after the last
    attempt the delivery is marked failed and the channel failing (shown to the admin). While a
    worker posts it, it holds the delivery's job lock: a job delivered again after that worker was
    killed takes the delivery over at once instead of waiting for its lease to run out."""
    with job_lock("delivery", delivery_id) as sole:
        if sole is False:
            return False  # a live worker is posting it right now (a duplicated job)
        return _delivery_send(delivery_id=delivery_id, owner_dead=sole is True)


def _delivery_send(*, delivery_id: int, owner_dead: bool) -> bool:
    delivery = Delivery.objects.select_related("channel", "alert__org", "alert__goal", "alert__member__user",
                                               "alert__supporting_metric").filter(pk=delivery_id).first()  # fmt: skip
    if delivery is None or delivery.state != Delivery.State.PENDING:
        return delivery is not None and delivery.state == Delivery.State.SENT
    now = timezone.now()
    free = Q() if owner_dead else Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimed = (
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING)
        .filter(free)
        .update(lease_until=now + timedelta(seconds=WEBHOOK_TIMEOUT * 6))
    )
    if not claimed:
        return False  # another worker is posting it right now (a redelivered job)
    final = delivery.attempts + 1 >= delivery.max_attempts
    channel, alert = delivery.channel, delivery.alert
    if not channel.enabled:  # switched off since it was queued: a switched-off channel gets nothing
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED, last_error="not sent: the channel is switched off", lease_until=None,
            updated_at=now,
        )  # fmt: skip
        return False
    if alert is None:  # a message of a higher app: its text and event were stored with it
        text, event = delivery.text, dict(delivery.payload)
    else:
        text = alert_text(alert, language=alert.org.default_language)
        event = {"event": "alert." + delivery.event.split(":")[0], "alert": {
            "id": alert.pk, "kind": alert.kind, "goal": alert.goal_id, "member": alert.member_id, "state": alert.state,
            "measured": None if alert.measured is None else str(alert.measured),
            "expected": None if alert.expected is None else str(alert.expected),
            "deviation_pct": None if alert.deviation_pct is None else str(alert.deviation_pct),
            "since": alert.since.isoformat() if alert.since else None, "organization": alert.org.slug}}  # fmt: skip
    request = channels.build(
        kind=channel.kind, url=channel.url, secret=channel.secret, text=text, event=event,
        now_seconds=int(timezone.now().timestamp()),
    )  # fmt: skip
    error = _blocked_address(request.url)
    if error:
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=F("attempts") + 1, last_error=error, state=Delivery.State.FAILED, lease_until=None,
            updated_at=timezone.now(),
        )  # fmt: skip
        NotificationChannel.objects.filter(pk=channel.pk).update(
            failing_since=timezone.now(), last_error=error
        )
        return False
    pause_point("delivery-post")
    try:
        # The URL is an admin's http(s) webhook (channel_save refuses any other scheme).
        outgoing = urllib.request.Request(  # noqa: S310
            request.url, data=request.body, headers=request.headers, method="POST"
        )
        with urllib.request.build_opener(_NoRedirect).open(outgoing, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 - admin-configured URL
            ok, error = _response_ok(channel.kind, response.status, response.read(65536))
    except urllib.error.HTTPError as failure:
        ok, error = False, f"HTTP {failure.code}"
    except (OSError, ValueError) as failure:
        ok, error = False, str(failure)[:300] or failure.__class__.__name__
    now = timezone.now()
    if ok:
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.SENT, sent_at=now, attempts=F("attempts") + 1,
                                                       last_error="", lease_until=None, updated_at=now)  # fmt: skip
        NotificationChannel.objects.filter(pk=channel.pk).update(failing_since=None, last_error="")
        return True
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=None,
        attempts=F("attempts") + 1,
        last_error=error[:300],
        state=Delivery.State.FAILED if final else Delivery.State.PENDING,
        updated_at=now,
    )
    if final:
        NotificationChannel.objects.filter(pk=channel.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        NotificationChannel.objects.filter(pk=channel.pk).update(last_error=error[:300])
        return False
    raise DeliveryError(error, retry_in=webhook_backoff(delivery.attempts + 1))


def notification_email(*, notification_id: int) -> bool:
    """E-mail one in-app notification to its recipient, once (claimed before sending). One deleted
    before it is sent (its alert or its person removed) is a no-op, logged at INFO."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    notification = Notification.objects.select_related("recipient__user", "recipient__org", "alert__org", "alert__goal",
                                                       "alert__member__user", "alert__supporting_metric").filter(pk=notification_id).first()  # fmt: skip
    if notification is None:
        logger.info(
            "notification %s was deleted before its e-mail was sent: nothing to send", notification_id
        )
        return False
    if not claimed:
        return False
    user = notification.recipient.user
    if not user.email:
        return False
    org = notification.recipient.org
    language = user.language or org.default_language
    if notification.alert is not None:
        body = alert_text(notification.alert, language=language)
        with translation.override(language):
            subject = _("Stretch alert") + " · " + org.name
    else:
        with translation.override(language):
            subject = _("Stand-up reminder") + " · " + org.name
            link = f"{settings.SITE_URL.rstrip('/')}{reverse('standup', args=[org.slug])}"
            body = _("You have not logged today's stand-up yet. It takes 30 seconds:") + f"\n{link}"
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)  # the task retries
        raise
    return True


SWEEP_MARGIN = timedelta(minutes=2)


def deliveries_sweep(*, now: Any = None) -> int:
    """Beat's sweep of deliveries left behind: one whose lease expired (its worker died while
    posting) and one whose retry never came (the job was lost with its worker or the queue) is
    queued again. A lease that expired counts as an attempt (the post may have gone out), so a
    delivery is still tried at most `max_attempts` times and then marked failed. Each delivery is
    claimed by one conditional update, so two beats send it once."""
    now = now or timezone.now()
    queued = 0
    pending = Delivery.objects.filter(state=Delivery.State.PENDING).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, updated_at__lt=now - SWEEP_MARGIN)
    )
    for pk, lease_until, attempts, max_attempts, updated_at in pending.values_list(
        "pk", "lease_until", "attempts", "max_attempts", "updated_at"
    ).order_by("pk"):
        claim = Delivery.objects.filter(
            pk=pk, state=Delivery.State.PENDING, lease_until=lease_until, attempts=attempts
        )
        if lease_until is None:  # waiting for its retry: only when that retry is overdue
            if updated_at > now - timedelta(seconds=webhook_backoff(max(attempts, 1))) - SWEEP_MARGIN:
                continue
            claimed = claim.update(updated_at=now)
        elif attempts + 1 >= max_attempts:
            claim.update(state=Delivery.State.FAILED, attempts=F("attempts") + 1, lease_until=None, updated_at=now,
                         last_error="the worker stopped while sending")  # fmt: skip
            continue
        else:
            claimed = claim.update(attempts=F("attempts") + 1, lease_until=None, updated_at=now,
                                   last_error="the worker stopped while sending")  # fmt: skip
        if claimed:
            send_delivery.delay(delivery_id=pk)
            queued += 1
    return queued
