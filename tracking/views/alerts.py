"""Thin pages of alerts, corrective actions, the inbox and the alert rules."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import (
    ADMIN_ONLY,
    ALL_ROLES,
    CONTRIBUTORS,
    TEAM_RULE,
    OrgRequest,
    org_page,
)
from teams.page_forms import apply_service_errors, form_page

from .. import selectors, services
from ..forms import (
    AcknowledgeForm,
    AlertRuleForm,
    ResolveForm,
)
from ..models import Alert, RuleKind


# --- Alerts, corrective actions, inbox, channels --------------------------------------------------
@org_page(roles=ALL_ROLES)
@require_GET
def alert_list_view(request: OrgRequest) -> HttpResponse:
    state = request.GET.get("state") or "unresolved"
    if state not in ("unresolved", "open", "acknowledged", "resolved"):
        state = "unresolved"
    alerts = list(selectors.alert_list(org=request.org, state=state)[:200])
    rows = [(a, services.alert_message(a)) for a in alerts]
    actions = list(selectors.action_list(org=request.org, open_only=True)[:100])
    return render(request, "tracking/alerts.html", {"rows": rows, "state": state, "actions": actions})


@org_page(roles=ALL_ROLES, write_roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def alert_detail_view(request: OrgRequest, alert_id: int) -> HttpResponse:
    """One alert: what deviates and since when, a link to the data, and (for the goal's owner or a
    manager) the cause and corrective action that acknowledge it."""
    alert = selectors.alert_get(org=request.org, alert_id=alert_id)
    if request.method == "POST":
        services.require_alert_action(alert=alert, actor=request.membership)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None, org=request.org,
                           initial={"owner": alert.goal.owner_id if alert.goal else request.membership.pk})  # fmt: skip

    def saved(_action: Any) -> HttpResponse:
        messages.success(request, _("Alert acknowledged; the corrective action is tracked until done."))
        return redirect("alert_detail", org_slug=request.org.slug, alert_id=alert.pk)

    context = _alert_context(request, alert)
    return form_page(request, form, save=partial(_acknowledge, request, alert), on_success=saved,
                     template="tracking/alert.html", context=context)  # fmt: skip


def _alert_context(
    request: OrgRequest, alert: Alert, resolve_form: ResolveForm | None = None
) -> dict[str, Any]:
    page = selectors.alert_page(org=request.org, member=request.membership, alert=alert)
    return {**page, "message": services.alert_message(alert),
            "resolve_form": resolve_form or ResolveForm(actions=page["actions"])}  # fmt: skip


def _acknowledge(request: OrgRequest, alert: Alert, data: dict[str, Any]) -> Any:
    return services.alert_acknowledge(
        alert=alert, actor=request.membership, cause=data["cause"], cause_note=data["cause_note"],
        action=services.ActionInput(description=data["action"], owner=data["owner"], due_date=data["due_date"]),
    )  # fmt: skip


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def alert_resolve_view(request: OrgRequest, alert_id: int) -> HttpResponse:
    """Resolve by hand: a reason, a note (and the action that resolved it). A refusal shows the
    alert's page again with what was typed and each error next to its field (400)."""
    alert = selectors.alert_get(org=request.org, alert_id=alert_id)
    services.require_alert_action(alert=alert, actor=request.membership)
    form = ResolveForm(request.POST, actions=list(selectors.action_list(org=request.org, alert=alert)))

    def resolve(data: dict[str, Any]) -> Alert:
        return services.alert_resolve(alert=alert, actor=request.membership, reason=data["reason"],
                                      note=data["note"], action_id=data.get("action"))  # fmt: skip

    def resolved(_alert: Alert) -> HttpResponse:
        messages.success(request, _("Alert resolved."))
        return redirect("alert_detail", org_slug=request.org.slug, alert_id=alert.pk)

    acknowledge = AcknowledgeForm(org=request.org, initial={"owner": alert.goal.owner_id if alert.goal else request.membership.pk})  # fmt: skip
    return form_page(request, form, save=resolve, on_success=resolved, template="tracking/alert.html",
                     context={**_alert_context(request, alert, resolve_form=form), "form": acknowledge})  # fmt: skip


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def action_update_view(request: OrgRequest, action_id: int) -> HttpResponse:
    action = selectors.action_get(org=request.org, action_id=action_id)
    services.require_action_update(action=action, actor=request.membership)
    worked = {"yes": True, "no": False}.get(request.POST.get("worked", ""))
    try:
        services.action_update(action=action, actor=request.membership, done=request.POST.get("done") == "1",
                               worked=worked)  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Corrective action updated."))
    if action.alert_id:
        return redirect("alert_detail", org_slug=request.org.slug, alert_id=action.alert_id)
    return redirect("alert_list", org_slug=request.org.slug)


@org_page(roles=ALL_ROLES)
@require_http_methods(["GET", "POST"])
def inbox_view(request: OrgRequest) -> HttpResponse:
    """In-app inbox: new and escalated alerts, stand-up reminders."""
    if request.method == "POST":
        services.notifications_mark_read(member=request.membership)
        return redirect("inbox", org_slug=request.org.slug)
    items = list(selectors.notification_list(member=request.membership)[:100])
    rows = [(n, services.alert_message(n.alert) if n.alert else "") for n in items]
    response = render(request, "tracking/inbox.html", {"rows": rows})
    services.notifications_mark_read(
        member=request.membership, ids=[n.pk for n in items if n.read_at is None]
    )
    return response


@org_page(roles=ADMIN_ONLY)
@require_GET
def channels_view(request: OrgRequest) -> HttpResponse:
    """Alert rules: thresholds, escalation and on/off per rule. The webhooks alerts are posted to
    live under Settings → Integrations (tracking.integration_views)."""
    return render(request, "tracking/channels.html", _rules_context(request))


def _rules_context(request: OrgRequest, refused: AlertRuleForm | None = None) -> dict[str, Any]:
    """One form per alert rule (the refused one as it was typed, with its errors)."""

    def rule_form(kind: str, rule: selectors.RuleSetting) -> AlertRuleForm:
        if refused is not None and refused.kind == kind:
            return refused
        return AlertRuleForm(kind=kind, initial={
            "threshold": f"{rule.threshold.normalize():f}", "escalate_after_days": rule.escalate_after_days,
            "enabled": rule.enabled})  # fmt: skip

    return {
        "rules": [
            (RuleKind(kind).label, rule, rule_form(kind, rule))
            for kind, rule in selectors.rule_settings(org=request.org).items()
        ],
    }


@org_page(roles=ADMIN_ONLY)
@require_POST
def rule_view(request: OrgRequest, kind: str) -> HttpResponse:
    """Change one alert rule (threshold, escalation days, on or off). Refused: the channels page
    again (400) with the rule's fields as typed and the reason next to them, naming the rule."""
    if kind not in RuleKind.values:
        raise Http404("No such rule.")
    form = AlertRuleForm(request.POST, kind=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_save(org=request.org, actor=request.membership, kind=kind, enabled=data["enabled"],
                               threshold=data["threshold"], escalate_after_days=data["escalate_after_days"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Alert rule “%(rule)s” saved.") % {"rule": form.rule_label})
            return redirect("channels", org_slug=request.org.slug)
    return render(request, "tracking/channels.html", _rules_context(request, refused=form), status=400)
