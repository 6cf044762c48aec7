"""Sign-in with the company's identity (django-allauth), and who it lets in.

allauth runs the OpenID Connect flow (discovery, authorize with state and PKCE, token, ID token
and userinfo). These adapters decide what the identity it returns may do:

* an identity already connected to an account signs that account in (if it is active);
* a signed-in account connects a new identity to itself (the only way to link one);
* a password proved in this session, refused only because the organisation requires single
  sign-on, connects the next identity to its account (the same rule: linking after signing in);
* a new identity is let in only with an e-mail the provider verified, that belongs to no account
  yet, at a domain an organisation verified for auto-join (it joins as a member).

Everything else is refused with a page that says why: a matching e-mail alone never signs anyone
into an existing account, and nobody joins an organisation that did not invite them or verify
their domain. The flows are logged without tokens, codes or secrets (docs/authentication.md).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors, services
from .forms import SSO_LINK_SESSION_KEY
from .models import OrgDomain, User

logger = logging.getLogger("stretch.sso")
# How long a password proved in this session may be linked to the next identity (teams.forms).
SSO_LINK_MAX_AGE = 10 * 60
JOIN_DOMAIN_ATTR = "_stretch_sso_join_domain"


def _refuse(request: HttpRequest, *, reason: str, detail: str, provider: str, status: int = 400) -> None:
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


def _password_proved_user(request: HttpRequest) -> User | None:
    """The account whose password this session proved within SSO_LINK_MAX_AGE, once."""
    stash = request.session.pop(SSO_LINK_SESSION_KEY, None)
    if not isinstance(stash, dict) or time.time() - float(stash.get("at", 0)) > SSO_LINK_MAX_AGE:
        return None
    return User.objects.filter(pk=stash.get("user"), is_active=True).first()


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account flows (the password sign-in, sign-out, the login stages) with Stretch's
    rules: no self-service sign-up, and one throttle for passwords."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # no self-service sign-up; the social adapter decides for identities

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """The password form (teams.forms.LoginForm) has already applied Stretch's throttle, kept
        in the database per account and per address with the same figures (LOGIN_THROTTLE_*):
        a second, cache-held count of the same failures would only lock people out twice."""


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
        proved = _password_proved_user(request)
        if proved is not None:
            # The password form refused this account only because its organisation requires
            # single sign-on; the password proved it, so this identity becomes its own.
            sociallogin.connect(request, proved)
            logger.info("sso connect after password provider=%s user=%s", provider, proved.pk)
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
        domain = selectors.sso_join_domain(email=email)
        if domain is not None:
            setattr(request, JOIN_DOMAIN_ATTR, domain)
            return
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
        """Only a verified e-mail at a verified auto-join domain makes an account."""
        return getattr(request, JOIN_DOMAIN_ATTR, None) is not None

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        domain: OrgDomain = getattr(request, JOIN_DOMAIN_ATTR)
        user = super().save_user(request, sociallogin, form)
        services.sso_auto_join(user=user, domain=domain)
        logger.info(
            "sso auto-join provider=%s user=%s org=%s", sociallogin.account.provider, user.pk, domain.org_id
        )
        return user

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
