"""Sign-in with the company's identity (django-allauth), and who it lets in.

allauth runs the OpenID Connect flow (discovery, authorize with state and PKCE, token, ID token
and userinfo). These adapters decide what the identity it returns may do:

* an identity already connected to an account signs that account in (if it is active);
* a signed-in account connects a new identity to itself (the only way to link one);
* a new identity is let in only with an e-mail the provider verified, that belongs to no account
  yet, at a domain an organisation verified for auto-join (it joins as a member).

Everything else is refused with a page that says why: a matching e-mail alone never signs anyone
into an existing account, and nobody joins an organisation that did not invite them or verify
their domain. The flows are logged without tokens, codes or secrets (docs/authentication.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthError
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import User

logger = logging.getLogger("stretch.sso")


@dataclass(frozen=True)
class ProviderButton:
    """One configured identity provider, as the sign-in page offers it."""

    provider_id: str
    name: str
    login_url: str


def configured_providers() -> list[ProviderButton]:
    """The providers the deployment configured (settings only: no query, no network)."""
    buttons = []
    for provider, config in getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).items():
        if provider != "openid_connect":
            continue
        for app in config.get("APPS", []):
            if not (app.get("client_id") and app.get("settings", {}).get("server_url")):
                continue
            provider_id = app["provider_id"]
            url = reverse("openid_connect_login", kwargs={"provider_id": provider_id})
            buttons.append(
                ProviderButton(provider_id=provider_id, name=app.get("name") or provider_id, login_url=url)
            )
    return buttons


def _refuse(request: HttpRequest, *, reason: str, detail: str, provider: str, status: int = 403) -> None:
    logger.warning("sso refused provider=%s reason=%s", provider, reason)
    response: HttpResponse = render(
        request, "accounts/sso_refused.html", {"detail": detail, "reason": reason}, status=status
    )
    raise ImmediateHttpResponse(response)


def _identity_email(sociallogin: SocialLogin) -> tuple[str, bool]:
    """The identity's e-mail, lower-cased, and whether the provider says it verified it."""
    email = (sociallogin.user.email if sociallogin.user else "") or ""
    addresses = list(sociallogin.email_addresses)
    if not email and addresses:
        email = addresses[0].email
    email = email.strip().lower()
    verified = any(a.verified and a.email.strip().lower() == email for a in addresses)
    return email, verified


class AccountAdapter(DefaultAccountAdapter):
    """Stretch keeps its own password sign-in; allauth signs people in only through a provider."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # no self-service sign-up; the social adapter decides for identities


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider = sociallogin.account.provider
        name = sociallogin.provider.name if hasattr(sociallogin, "provider") else provider
        process = sociallogin.state.get("process")
        if sociallogin.is_existing:
            user = sociallogin.user
            if process != "connect" and not user.is_active:
                _refuse(
                    request,
                    reason="inactive",
                    provider=provider,
                    detail=_("This account is deactivated. Ask your organisation's admin."),
                )
            logger.info("sso known identity provider=%s user=%s process=%s", provider, user.pk, process)
            return
        if process == "connect":
            # A signed-in account links the identity to itself (allauth refuses an identity
            # already connected to someone else, and an anonymous request).
            logger.info("sso connect provider=%s", provider)
            return
        email, verified = _identity_email(sociallogin)
        if not email:
            _refuse(
                request,
                reason="no_email",
                provider=provider,
                detail=_("%(provider)s did not tell Stretch your e-mail address, so it cannot sign you in.")
                % {"provider": name},
            )
        if not verified:
            _refuse(
                request,
                reason="unverified_email",
                provider=provider,
                detail=_(
                    "%(provider)s has not verified the e-mail address %(email)s, so Stretch cannot sign "
                    "you in with it. Ask your administrator to verify it there."
                )
                % {"provider": name, "email": email},
            )
        if User.objects.filter(email__iexact=email).exists():
            _refuse(
                request,
                reason="account_exists",
                provider=provider,
                detail=_(
                    "An account with the e-mail address %(email)s already exists. Sign in with its "
                    "password first, then connect your %(provider)s account from your profile."
                )
                % {"provider": name, "email": email},
            )
        _refuse(
            request,
            reason="not_invited",
            provider=provider,
            detail=_(
                "No organisation in Stretch has invited %(email)s. Ask your organisation's admin to "
                "invite you, then sign in again."
            )
            % {"email": email},
        )

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        user.email = (user.email or "").strip().lower()
        user.display_name = (name or user.email.split("@")[0])[:150]
        return user

    def get_connect_redirect_url(self, request: HttpRequest, socialaccount: Any) -> str:
        return reverse("profile")

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: Exception | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        name = getattr(provider, "name", "") or _("your identity provider")
        if error == AuthError.CANCELLED:
            detail = _("You cancelled the sign-in with %(provider)s.") % {"provider": name}
        else:
            detail = _(
                "The sign-in with %(provider)s did not complete. Start again from the sign-in page."
            ) % {"provider": name}
        _refuse(
            request,
            reason=f"auth_error:{error}:{type(exception).__name__ if exception else '-'}",
            provider=getattr(provider, "id", "?"),
            detail=detail,
            status=400,
        )
