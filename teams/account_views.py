"""Account pages, outside any organisation: sign-in and passwords (Django's views with our
templates), the profile, API tokens, the language switch, and accepting an invitation to another
organisation. Thin: forms validate, services write, selectors read."""

from __future__ import annotations

from typing import Any

from allauth.account import views as allauth_views
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.dingtalk import views as dingtalk_views
from allauth.socialaccount.providers.feishu import views as feishu_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .access import public_page, user_page
from .forms import ApiTokenForm, LanguageForm, ProfileForm
from .page_forms import form_page
from .sso_providers import allow_provider_redirects, configured_providers
from .wecom import views as wecom_views


# --- Accounts ---------------------------------------------------------------------------------
class LoginView(allauth_views.LoginView):
    """The password sign-in: django-allauth's view and login stages (a second factor, when on,
    is asked by teams.mfa_views before the session is signed in), with Stretch's form
    (ACCOUNT_FORMS: throttle, single sign-on required), template (templates/account/login.html)
    and a button for each identity provider configured."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sso_providers": configured_providers()}

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        allow_provider_redirects(response)
        return response


login_view = public_page(LoginView.as_view())
# allauth's sign-out; a GET (a link, a prefetch, an image on another site) never signs anyone out.
logout_view = public_page(require_POST(allauth_views.LogoutView.as_view()))
password_change_view = user_page(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url="/accounts/profile/?changed=1"
    )
)
password_reset_view = public_page(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
    )
)
password_reset_done_view = public_page(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm_view = public_page(
    auth_views.PasswordResetConfirmView.as_view(template_name="accounts/password_reset_confirm.html")
)
password_reset_complete_view = public_page(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)
# The invitation link: the same one-time token as a password reset, with a welcoming page.
set_password_view = public_page(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/set_password.html", post_reset_login=True, success_url="/"
    )
)


@user_page
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None, initial={"display_name": user.display_name, "language": user.language}
    )

    def saved(user: Any) -> HttpResponse:
        messages.success(request, _("Profile saved."))
        return redirect("profile")

    if request.GET.get("changed"):
        messages.success(request, _("Your password was changed."))
    response = form_page(
        request,
        form,
        save=lambda data: services.user_update_profile(
            user=user, display_name=data["display_name"], language=data["language"]
        ),
        on_success=saved,
        template="accounts/profile.html",
        context=_sso_context(request),
    )
    return allow_provider_redirects(response)


def _sso_context(request: HttpRequest) -> dict[str, Any]:
    providers = configured_providers()
    connected = selectors.sso_connected_provider_ids(user=request.user) if providers else set()
    return {"sso_providers": providers, "connected_providers": connected}


# --- Single sign-on (allauth's OpenID Connect views; who may come in: teams.sso) ---------------
@public_page
def sso_login_view(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Start a sign-in (or, signed in, a connection) with a configured provider: a POST."""
    return allow_provider_redirects(oidc_views.login(request, provider_id))


@public_page
def sso_callback_view(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Where the provider sends the person back (state, code); allauth checks and completes."""
    return oidc_views.callback(request, provider_id)


def _provider_view(view: Any, *, starts: bool) -> Any:
    """One of allauth's provider views as a public page: 404 while the provider is not configured;
    the start of a sign-in may redirect on to the provider (teams.sso_providers)."""

    @public_page
    def wrapped(request: HttpRequest) -> HttpResponse:
        try:
            response = view(request)
        except SocialApp.DoesNotExist:
            raise Http404("No such identity provider.") from None
        return allow_provider_redirects(response) if starts else response

    return wrapped


feishu_login_view = _provider_view(feishu_views.oauth2_login, starts=True)
feishu_callback_view = _provider_view(feishu_views.oauth2_callback, starts=False)
dingtalk_login_view = _provider_view(dingtalk_views.oauth2_login, starts=True)
dingtalk_callback_view = _provider_view(dingtalk_views.oauth2_callback, starts=False)
wecom_login_view = _provider_view(wecom_views.oauth2_login, starts=True)
wecom_callback_view = _provider_view(wecom_views.oauth2_callback, starts=False)


def _tokens_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "tokens": selectors.api_token_list(user=request.user),
        "service_tokens": selectors.service_token_lists(user=request.user),
    }


@user_page
@require_http_methods(["GET", "POST"])
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    """Personal tokens; for an organisation's admins also its service tokens (the owner choice is
    offered only to them, and the service refuses anyone else)."""
    context = _tokens_context(request)
    admin_orgs = [org for org, _tokens in context["service_tokens"]]
    form = ApiTokenForm(request.POST or None, admin_orgs=admin_orgs)

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        org = data["owner"]
        if org is None:
            return services.api_token_create(
                user=request.user,
                name=data["name"],
                scope=data["scope"],
                expires_in_days=data["expires_in_days"],
            )
        member = selectors.membership_for_user(user=request.user, org_slug=org.slug)
        return services.service_token_create(
            org=org,
            actor=member,
            name=data["name"],
            scope=data["scope"],
            expires_in_days=data["expires_in_days"],
        )

    def created(result: tuple[Any, str]) -> HttpResponse:
        _token, key = result
        fresh = {**_tokens_context(request), "new_key": key}
        return render(
            request, "accounts/api_tokens.html", {"form": ApiTokenForm(admin_orgs=admin_orgs), **fresh}
        )

    return form_page(
        request, form, save=save, on_success=created, template="accounts/api_tokens.html", context=context
    )


@user_page
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get(user=request.user, token_id=token_id)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")


@public_page
@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Switch language: saved on the account when signed in, in a cookie otherwise."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        message = "; ".join(e for errors in form.errors.values() for e in errors)
        return render(request, "errors/error.html", {"status": 400, "detail": message}, status=400)
    language = form.cleaned_data["language"]
    next_url = form.cleaned_data["next"] or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@user_page
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link e-mailed to an existing account invited to another organisation."""
    invitation = services.pending_invitation_from_token(token=token)
    if invitation is None:
        detail = _(
            "This invitation link is not valid any more. Ask the organisation's admin to send it again."
        )
        return render(request, "errors/error.html", {"status": 400, "detail": detail}, status=400)
    error = None
    if request.method == "POST":
        try:
            membership = services.pending_invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.org.name})
            return redirect("org_home", org_slug=membership.org.slug)
    elif not (verdict := selectors.can_accept_invitation(invitation=invitation, user=request.user)):
        error = verdict.reason
    context = {"invitation": invitation, "error": error}
    return render(request, "accounts/invitation_accept.html", context, status=400 if error else 200)
