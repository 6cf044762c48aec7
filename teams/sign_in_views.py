"""Settings → Sign-in: the organisation's verified e-mail domains (auto-join) and whether its
members must sign in with the company account. Admins only; every change is audited by the
services (teams.services.sign_in)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .access import ADMIN_ONLY, OrgRequest, org_page
from .forms import DomainForm, SignInSettingsForm
from .page_forms import apply_service_errors
from .sso_providers import configured_providers

TEMPLATE = "teams/settings/sign_in.html"


def _settings_form(request: OrgRequest, data: Any = None) -> SignInSettingsForm:
    org = request.org
    initial = {
        "sso_required": org.sso_required,
        "break_glass_admin": org.break_glass_admin_id,
        "mfa_required": org.mfa_required,
    }
    return SignInSettingsForm(data, org=org, initial=initial)


def _page(
    request: OrgRequest,
    *,
    form: SignInSettingsForm | None = None,
    domain_form: DomainForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or _settings_form(request),
        "domain_form": domain_form or DomainForm(),
        "domains": selectors.org_domain_list(org=request.org),
        "providers": configured_providers(),
        "error": error,
    }
    return render(request, TEMPLATE, context, status=status)


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def sign_in_settings_view(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = _settings_form(request, request.POST)
    if form.is_valid():
        try:
            services.org_sign_in_update(
                org=request.org,
                sso_required=form.cleaned_data["sso_required"],
                break_glass_admin=form.cleaned_data["break_glass_admin"],
                mfa_required=form.cleaned_data["mfa_required"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Sign-in settings saved."))
            return redirect("sign_in_settings", org_slug=request.org.slug)
    return _page(request, form=form, status=400)


@org_page(roles=ADMIN_ONLY)
@require_POST
def domain_add_view(request: OrgRequest) -> HttpResponse:
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            record = services.org_domain_add(
                org=request.org, domain=form.cleaned_data["domain"], actor=request.user
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Domain %(domain)s added. Publish its TXT record, then verify it.")
                % {"domain": record.domain},
            )
            return redirect("sign_in_settings", org_slug=request.org.slug)
    return _page(request, domain_form=form, status=400)


@org_page(roles=ADMIN_ONLY)
@require_POST
def domain_action_view(request: OrgRequest, domain_id: int) -> HttpResponse:
    """One form per button on a domain's row: verify, auto-join on/off, remove."""
    record = selectors.org_domain_get(org=request.org, domain_id=domain_id)
    action = request.POST.get("action")
    try:
        if action == "verify":
            services.org_domain_verify(record=record, actor=request.user)
            messages.success(request, _("Domain %(domain)s verified.") % {"domain": record.domain})
        elif action in ("auto_join_on", "auto_join_off"):
            services.org_domain_set_auto_join(
                record=record, auto_join=action == "auto_join_on", actor=request.user
            )
            messages.success(request, _("Sign-in settings saved."))
        elif action == "remove":
            services.org_domain_remove(record=record, actor=request.user)
            messages.success(request, _("Domain %(domain)s removed.") % {"domain": record.domain})
        else:
            return _page(request, error=_("Choose what to do with the domain."), status=400)
    except ValidationError as error:
        return _page(request, error=" ".join(error.messages), status=400)
    return redirect("sign_in_settings", org_slug=request.org.slug)
