"""Two-factor authentication pages: turning TOTP on (QR code, then a code from the app) with
recovery codes shown once, new recovery codes, turning it off; and the sign-in step that asks for
a code (allauth's login stage, with Stretch's template), used after a password or a single
sign-on alike."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import views as mfa_views
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .access import public_page, user_page
from .forms import MfaCodeForm
from .page_forms import apply_service_errors

SECRET_KEY = "stretch_mfa_secret"  # noqa: S105 - a session key's name, not a secret
TEMPLATE = "accounts/mfa.html"


def _pending_secret(request: HttpRequest) -> str:
    secret = request.session.get(SECRET_KEY)
    if not secret:
        secret = request.session[SECRET_KEY] = generate_totp_secret()
    return str(secret)


@user_page
@require_http_methods(["GET", "POST"])
def mfa_settings_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    enabled = selectors.mfa_enabled(user=user)
    form = MfaCodeForm(request.POST or None)
    action = request.POST.get("action") if request.method == "POST" else None
    codes: list[str] | None = None
    status = 200
    if action == "recovery" and enabled:
        codes = services.mfa_recovery_codes_regenerate(user=user)
        form = MfaCodeForm()
    elif action in ("activate", "deactivate"):
        if form.is_valid():
            try:
                if action == "activate":
                    codes = services.mfa_totp_activate(
                        user=user, secret=_pending_secret(request), code=form.cleaned_data["code"]
                    )
                    request.session.pop(SECRET_KEY, None)
                    messages.success(request, _("Two-factor authentication is on."))
                else:
                    services.mfa_deactivate(user=user, code=form.cleaned_data["code"])
                    messages.success(request, _("Two-factor authentication is off."))
                enabled = selectors.mfa_enabled(user=user)
                form = MfaCodeForm()
            except ValidationError as error:
                apply_service_errors(form, error)
                status = 400
        else:
            status = 400
    elif request.method == "POST":
        status = 400
    context = {
        "enabled": enabled,
        "form": form,
        "codes": codes,
        "required": selectors.mfa_required_org(user=user),
    }
    if not enabled:
        secret = _pending_secret(request)
        adapter = get_mfa_adapter()
        context["secret"] = secret
        context["qr_svg"] = mark_safe(adapter.build_totp_svg(adapter.build_totp_url(user, secret)))  # noqa: S308 - made by qrcode from our own URL
    return render(request, TEMPLATE, context, status=status)


@public_page
def mfa_authenticate_view(request: HttpRequest) -> HttpResponse:
    """The code asked for during sign-in (after the password or the provider): allauth's login
    stage, which checks a TOTP code (once only) or an unused recovery code."""
    return mfa_views.authenticate(request)
