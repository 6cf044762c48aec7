"""Settings → Integrations (admins): the organisation's alert channels (webhooks to Feishu,
DingTalk, WeCom, Slack or plain JSON) with their honest status and last delivery; add, edit,
switch off or on, delete, send a test message, retry a failed delivery."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import ADMIN_ONLY, OrgRequest, org_page
from teams.page_forms import form_page

from . import selectors, services
from .forms import ChannelForm

# These pages sit under Settings, not under the Tracking section their code belongs to.
SETTINGS_PAGE = {"current_section": ""}


def _back(request: OrgRequest) -> HttpResponse:
    """Back to the page the button was on (the list or the channel's page)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("integrations", org_slug=request.org.slug)


def _done(request: OrgRequest, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return _back(request)


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def integrations_view(request: OrgRequest) -> HttpResponse:
    form = ChannelForm(request.POST if request.method == "POST" else None, org=request.org)

    def save(data: dict[str, Any]) -> Any:
        team = data.get("team")
        return services.channel_save(org=request.org, actor=request.membership, name=data["name"], kind=data["kind"],
                                     url=data["url"], secret=data.get("secret", ""), team_id=team.pk if team else None)  # fmt: skip

    def saved(channel: Any) -> HttpResponse:
        messages.success(request, _("Webhook “%(name)s” saved. Send it a test message to check it works.")
                         % {"name": channel.name})  # fmt: skip
        return redirect("integrations", org_slug=request.org.slug)

    context = {"rows": selectors.channel_rows(org=request.org), "back": request.path, **SETTINGS_PAGE}
    return form_page(
        request, form, save=save, on_success=saved, template="tracking/integrations.html", context=context
    )


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def integration_edit_view(request: OrgRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get(org=request.org, channel_id=channel_id)
    initial = {"name": channel.name, "kind": channel.kind, "team": channel.team}
    form = ChannelForm(request.POST if request.method == "POST" else None, org=request.org, channel=channel,
                       initial=initial)  # fmt: skip

    def save(data: dict[str, Any]) -> Any:
        team = data.get("team")
        secret = "" if data.get("clear_secret") else (data.get("secret") or None)
        return services.channel_save(
            org=request.org, actor=request.membership, channel=channel, name=data["name"], kind=data["kind"],
            url=data["url"] or None, secret=secret, team_id=team.pk if team else None, enabled=channel.enabled,
        )  # fmt: skip

    def saved(channel: Any) -> HttpResponse:
        messages.success(request, _("Webhook “%(name)s” saved.") % {"name": channel.name})
        return redirect("integrations", org_slug=request.org.slug)

    context = {
        "channel": channel, "status": selectors.channel_status(channel),
        "deliveries": selectors.delivery_rows(channel=channel), "back": request.path, **SETTINGS_PAGE,
    }  # fmt: skip
    return form_page(
        request, form, save=save, on_success=saved, template="tracking/integration_edit.html", context=context
    )


@org_page(roles=ADMIN_ONLY)
@require_POST
def integration_enabled_view(request: OrgRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get(org=request.org, channel_id=channel_id)
    enabled = request.POST.get("enabled") == "1"
    success = (
        _("“%(name)s” is switched on.") if enabled else _("“%(name)s” is switched off: it receives nothing.")
    ) % {"name": channel.name}
    return _done(
        request, lambda: services.channel_set_enabled(channel=channel, actor=request.membership, enabled=enabled),
        success,
    )  # fmt: skip


@org_page(roles=ADMIN_ONLY)
@require_POST
def integration_delete_view(request: OrgRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get(org=request.org, channel_id=channel_id)
    try:
        services.channel_delete(channel=channel, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Webhook “%(name)s” deleted.") % {"name": channel.name})
    return redirect("integrations", org_slug=request.org.slug)


@org_page(roles=ADMIN_ONLY)
@require_POST
def integration_test_view(request: OrgRequest, channel_id: int) -> HttpResponse:
    channel = selectors.channel_get(org=request.org, channel_id=channel_id)
    return _done(
        request, lambda: services.channel_test(channel=channel, actor=request.membership),
        _("Test message queued to “%(name)s”. Its result appears below in a moment.") % {"name": channel.name},
    )  # fmt: skip


@org_page(roles=ADMIN_ONLY)
@require_GET
def delivery_status_view(request: OrgRequest, delivery_id: int) -> HttpResponse:
    """One delivery's result, polled by the page while it is on its way."""
    delivery = selectors.delivery_get(org=request.org, delivery_id=delivery_id)
    row = selectors.DeliveryRow(delivery, selectors.delivery_what(delivery))
    back = request.GET.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    context: dict[str, Any] = {"row": row, "back": back}
    if delivery.state != delivery.State.PENDING:  # done: the channel's status may have changed too
        channel = selectors.channel_get(org=request.org, channel_id=delivery.channel_id)
        context.update(channel=channel, status=selectors.channel_status(channel))
    return render(request, "tracking/integrations.html#polled", context)


@org_page(roles=ADMIN_ONLY)
@require_POST
def delivery_retry_view(request: OrgRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery_get(org=request.org, delivery_id=delivery_id)
    return _done(
        request, lambda: services.delivery_retry(delivery=delivery, actor=request.membership),
        _("Delivery queued again to “%(name)s”.") % {"name": delivery.channel.name},
    )  # fmt: skip
