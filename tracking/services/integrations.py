"""Channels (Settings → Integrations): the webhooks an admin adds, switches, tests and resends to."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from functools import partial
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from teams.models import Membership, Organization, Role, Team
from tracking import channels
from tracking.models import ChannelKind, Delivery, NotificationChannel
from tracking.tasks import send_delivery


def _check_integrations_admin(*, org: Organization, actor: Membership) -> None:
    if actor.role != Role.ADMIN or actor.org_id != org.pk:
        raise ValidationError(_("Only admins configure integrations."))


def _url_errors(url: str) -> list[str]:
    """What is wrong with a webhook address: not a full http(s) address, or one on a private
    network (the same check the sender makes before each delivery)."""
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname
    except ValueError:
        parsed, host = urllib.parse.urlsplit(""), None
    if parsed.scheme not in ("http", "https") or not host or len(url) > 500:
        return [_("Enter the webhook's full http(s) address.")]
    address = channels.blocked_address(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS)
    if not address:
        return []
    if address == host:
        return [_("%(address)s is a private network address: a webhook must call a public address.")
                % {"address": address}]  # fmt: skip
    return [_("%(host)s points to a private network address (%(address)s): a webhook must call a public address.")
            % {"host": host, "address": address}]  # fmt: skip


def channel_save(
    *, org: Organization, actor: Membership, name: str, kind: str, url: str | None, secret: str | None = "",
    team_id: int | None = None, enabled: bool = True, channel: NotificationChannel | None = None,
) -> NotificationChannel:  # fmt: skip
    """Add a webhook, or change `channel`: a `url` or `secret` of None keeps the current one (the
    address carries the platform's token and is never shown again in full). The address must be
    http(s) and, unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is on, resolve to public addresses only."""
    _check_integrations_admin(org=org, actor=actor)
    errors: dict[str, list[str]] = {}
    if channel is not None and channel.org_id != org.pk:
        raise ValidationError(_("No such channel in this organisation."))
    if not name.strip():
        errors["name"] = [_("Name the channel.")]
    if kind not in ChannelKind.values:
        errors["kind"] = [_("Choose Feishu, DingTalk, WeCom, Slack or plain JSON.")]
    if url is None and channel is None:
        errors["url"] = [_("Enter the webhook's full http(s) address.")]
    elif url is not None and (url_errors := _url_errors(url.strip())):
        errors["url"] = url_errors
    team = None
    if team_id is not None:
        team = Team.objects.filter(org=org, pk=team_id).first()
        if team is None:
            errors["team"] = [_("No such team in this organisation.")]
    if errors:
        raise ValidationError(errors)
    target = channel or NotificationChannel(org=org)
    target.name, target.kind, target.team, target.enabled = name.strip(), kind, team, enabled
    if url is not None:
        target.url = url.strip()
    if secret is not None:
        target.secret = secret.strip()
    target.full_clean()
    target.save()
    return target


def channel_set_enabled(
    *, channel: NotificationChannel, actor: Membership, enabled: bool
) -> NotificationChannel:
    """Switch a channel on or off. A switched-off channel receives nothing: no new deliveries,
    and the ones still queued for it are not sent."""
    _check_integrations_admin(org=channel.org, actor=actor)
    NotificationChannel.objects.filter(pk=channel.pk).update(enabled=enabled)
    channel.enabled = enabled
    return channel


def channel_delete(*, channel: NotificationChannel, actor: Membership) -> None:
    """Remove a channel and its deliveries."""
    _check_integrations_admin(org=channel.org, actor=actor)
    channel.delete()


def channel_test(*, channel: NotificationChannel, actor: Membership) -> Delivery:
    """Queue a test message to the channel: a real delivery (the last one on the page), posted by
    the same job as alerts, once — its result is shown to the admin who is waiting for it."""
    _check_integrations_admin(org=channel.org, actor=actor)
    if not channel.enabled:
        raise ValidationError(_("Switch the channel on to send it a test message."))
    org = channel.org
    with translation.override(org.default_language):
        text = "\n".join([
            _("Stretch test message · %(org)s") % {"org": org.name},
            _("%(name)s sent this from Settings → Integrations. Alerts for %(scope)s will arrive here.") % {
                "name": actor.user.get_full_name(), "scope": channel.team.name if channel.team else _("every team")},
        ])  # fmt: skip
    delivery = Delivery.objects.create(
        channel=channel, alert=None, event=f"{Delivery.TEST_PREFIX}{uuid4().hex[:24]}", text=text,
        payload={"event": "test", "organization": org.slug, "channel": channel.name}, max_attempts=1,
    )  # fmt: skip
    transaction.on_commit(partial(send_delivery.delay, delivery_id=delivery.pk))
    return delivery


def delivery_retry(*, delivery: Delivery, actor: Membership) -> Delivery:
    """Send a failed delivery again, once, now (the automatic retries are over)."""
    _check_integrations_admin(org=delivery.channel.org, actor=actor)
    if not delivery.channel.enabled:
        raise ValidationError(_("Switch the channel on to send to it again."))
    now = timezone.now()
    reopened = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.FAILED).update(
        state=Delivery.State.PENDING,
        max_attempts=F("attempts") + 1,
        last_error="",
        lease_until=None,
        updated_at=now,
    )
    if not reopened:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    transaction.on_commit(partial(send_delivery.delay, delivery_id=delivery.pk))
    delivery.refresh_from_db()
    return delivery
