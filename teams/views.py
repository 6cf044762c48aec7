"""Pages of the teams app: accounts, organisation switcher, organisation home, teams, and the
admin pages (organisation settings, teams, members, system health). Thin: forms validate,
services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .access import ADMIN_ONLY, ALL_ROLES, OrgRequest, org_page, public_page, user_page
from .errors import NotAllowed
from .forms import (
    ApiTokenForm,
    InviteForm,
    LanguageForm,
    LoginForm,
    MembershipForm,
    OrganizationForm,
    OrganizationSettingsForm,
    ProfileForm,
    TeamForm,
)
from .health import broker_status, database_status
from .hooks import home_panels, team_highlights
from .models import Role
from .page_forms import form_page

# --- Accounts ---------------------------------------------------------------------------------
login_view = public_page(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
    )
)
logout_view = public_page(auth_views.LogoutView.as_view())
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
    return form_page(
        request,
        form,
        save=lambda data: services.user_update_profile(
            user=user, display_name=data["display_name"], language=data["language"]
        ),
        on_success=saved,
        template="accounts/profile.html",
    )


@user_page
@require_http_methods(["GET", "POST"])
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    tokens = selectors.api_token_list(user=request.user)

    def created(result: tuple[Any, str]) -> HttpResponse:
        _token, key = result
        context = {"form": ApiTokenForm(), "tokens": tokens, "new_key": key}
        return render(request, "accounts/api_tokens.html", context)

    return form_page(
        request,
        form,
        save=lambda data: services.api_token_create(
            user=request.user, name=data["name"], expires_in_days=data["expires_in_days"]
        ),
        on_success=created,
        template="accounts/api_tokens.html",
        context={"tokens": tokens},
    )


@user_page
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get(user=request.user, token_id=token_id)
    services.api_token_revoke(token=token)
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


# --- Organisation switcher --------------------------------------------------------------------
@user_page
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.membership_list_for_user(user=request.user))
    last = request.session.get("last_org")
    for membership in memberships:
        if membership.org.slug == last:
            return redirect("org_home", org_slug=last)
    if len(memberships) == 1:
        return redirect("org_home", org_slug=memberships[0].org.slug)
    return render(request, "teams/org_choose.html", {"memberships": memberships})


@user_page
@require_GET
def org_choose_view(request: HttpRequest) -> HttpResponse:
    memberships = selectors.membership_list_for_user(user=request.user)
    return render(request, "teams/org_choose.html", {"memberships": memberships})


@user_page
@require_http_methods(["GET", "POST"])
def org_create_view(request: HttpRequest) -> HttpResponse:
    if not settings.ALLOW_ORGANIZATION_CREATION and not request.user.is_superuser:
        raise PermissionDenied
    form = OrganizationForm(request.POST or None)

    def created(org: Any) -> HttpResponse:
        messages.success(
            request, _("Organisation “%(name)s” created. You are its admin.") % {"name": org.name}
        )
        return redirect("org_home", org_slug=org.slug)

    return form_page(
        request,
        form,
        save=lambda data: services.organization_create(
            name=data["name"],
            slug=data["slug"],
            creator=request.user,
            timezone_name=data["timezone"],
            currency=data["currency"],
            default_language=data["default_language"],
            fiscal_year_start_month=data["fiscal_year_start_month"],
        ),
        on_success=created,
        template="teams/org_create.html",
    )


# --- Inside an organisation -------------------------------------------------------------------
@org_page(roles=ALL_ROLES)
@require_GET
def org_home_view(request: OrgRequest) -> HttpResponse:
    my_teams = list(request.membership.teams.order_by("name"))
    context = {
        "my_teams": my_teams,
        "team_count": len(selectors.team_tree(org=request.org)),
        "member_count": selectors.membership_list(org=request.org).filter(is_active=True).count(),
        "panels": home_panels(request),
    }
    return render(request, "teams/org_home.html", context)


@org_page(roles=ALL_ROLES)
@require_GET
def team_directory_view(request: OrgRequest) -> HttpResponse:
    """Every team with its managers and members; readable by every role."""
    tree = selectors.team_tree(org=request.org)
    members_by_team: dict[int, list[Any]] = {}
    for membership in selectors.membership_list(org=request.org).filter(is_active=True):
        for team in membership.teams.all():
            members_by_team.setdefault(team.pk, []).append(membership)
    highlights = team_highlights(request.org, [team for team, _depth in tree])
    rows = [
        (team, depth, members_by_team.get(team.pk, []), highlights.get(team.pk, [])[:3])
        for team, depth in tree
    ]
    return render(request, "teams/team_directory.html", {"rows": rows})


# --- Admin pages ------------------------------------------------------------------------------
@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def org_settings_view(request: OrgRequest) -> HttpResponse:
    org = request.org
    initial = {
        "name": org.name,
        "timezone": org.timezone,
        "currency": org.currency,
        "default_language": org.default_language,
        "fiscal_year_start_month": org.fiscal_year_start_month,
        "experiment_allowance": org.experiment_allowance,
    }
    form = OrganizationSettingsForm(request.POST or None, initial=initial)

    def saved(org: Any) -> HttpResponse:
        messages.success(request, _("Organisation settings saved."))
        return redirect("org_settings", org_slug=org.slug)

    return form_page(
        request,
        form,
        save=lambda data: services.organization_update(
            org=org,
            name=data["name"],
            timezone_name=data["timezone"],
            currency=data["currency"],
            default_language=data["default_language"],
            fiscal_year_start_month=data["fiscal_year_start_month"],
            experiment_allowance=data["experiment_allowance"],
        ),
        on_success=saved,
        template="teams/settings/org.html",
    )


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def team_list_view(request: OrgRequest) -> HttpResponse:
    form = TeamForm(request.POST or None, org=request.org)

    def created(team: Any) -> HttpResponse:
        messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
        return redirect("team_list", org_slug=request.org.slug)

    return form_page(
        request,
        form,
        save=lambda data: services.team_create(
            org=request.org,
            name=data["name"],
            description=data["description"],
            parent=data["parent"],
            managers=data["managers"],
        ),
        on_success=created,
        template="teams/settings/teams.html",
        context={"tree": selectors.team_tree(org=request.org)},
    )


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def team_edit_view(request: OrgRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get(org=request.org, team_id=team_id)
    initial = {
        "name": team.name,
        "description": team.description,
        "parent": team.parent,
        "managers": list(team.managers.all()),
    }
    form = TeamForm(request.POST or None, org=request.org, team=team, initial=initial)

    def saved(team: Any) -> HttpResponse:
        messages.success(request, _("Team “%(name)s” saved.") % {"name": team.name})
        return redirect("team_list", org_slug=request.org.slug)

    return form_page(
        request,
        form,
        save=lambda data: services.team_update(
            team=team,
            name=data["name"],
            description=data["description"],
            parent=data["parent"],
            managers=data["managers"],
        ),
        on_success=saved,
        template="teams/settings/team_edit.html",
        context={"team": team},
    )


@org_page(roles=ADMIN_ONLY)
@require_POST
def team_delete_view(request: OrgRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get(org=request.org, team_id=team_id)
    services.team_delete(team=team)
    messages.success(request, _("Team “%(name)s” deleted.") % {"name": team.name})
    return redirect("team_list", org_slug=request.org.slug)


@org_page(roles=ADMIN_ONLY)
@require_GET
def member_list_view(request: OrgRequest) -> HttpResponse:
    role = request.GET.get("role") or None
    if role not in (None, *Role.values):
        role = None
    search = (request.GET.get("q") or "").replace("\x00", "").strip()[:100] or None
    members = selectors.membership_list(org=request.org, role=role, search=search)
    template = "teams/settings/members.html" + ("#member-rows" if request.htmx else "")  # type: ignore[attr-defined]
    context = {"members": members, "roles": Role.choices, "role": role or "", "q": search or ""}
    if not request.htmx:  # type: ignore[attr-defined]
        context["invitations"] = selectors.pending_invitation_list(org=request.org)
    return render(request, template, context)


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def member_invite_view(request: OrgRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, org=request.org)

    def invited(result: services.InviteResult) -> HttpResponse:
        if result.pending is not None:
            messages.success(
                request,
                _(
                    "%(email)s already has a Stretch account. We e-mailed them an invitation; "
                    "they join when they accept it."
                )
                % {"email": result.pending.user.email},
            )
            return redirect("member_list", org_slug=request.org.slug)
        context = {"form": InviteForm(org=request.org), "invitation": result}
        return render(request, "teams/settings/invite.html", context)

    return form_page(
        request,
        form,
        save=lambda data: services.member_invite(
            org=request.org,
            email=data["email"],
            display_name=data["display_name"],
            role=data["role"],
            teams=data["teams"],
            invited_by=request.user,
            base_url=request.build_absolute_uri("/"),
        ),
        on_success=invited,
        template="teams/settings/invite.html",
    )


def _member_initial(member: Any) -> dict[str, Any]:
    return {
        "role": member.role,
        "teams": list(member.teams.all()),
        "title": member.title,
        "employee_number": member.employee_number,
    }


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def member_edit_view(request: OrgRequest, membership_id: int) -> HttpResponse:
    member = selectors.membership_get(org=request.org, membership_id=membership_id)
    form = MembershipForm(request.POST or None, org=request.org, initial=_member_initial(member))

    def saved(member: Any) -> HttpResponse:
        messages.success(request, _("%(name)s saved.") % {"name": member.user.get_full_name()})
        return redirect("member_list", org_slug=request.org.slug)

    return form_page(
        request,
        form,
        save=lambda data: services.membership_update(
            membership=member,
            role=data["role"],
            teams=data["teams"],
            title=data["title"],
            employee_number=data["employee_number"],
        ),
        on_success=saved,
        template="teams/settings/member_edit.html",
        context={"member": member},
    )


@org_page(roles=ADMIN_ONLY)
@require_POST
def member_active_view(request: OrgRequest, membership_id: int) -> HttpResponse:
    member = selectors.membership_get(org=request.org, membership_id=membership_id)
    if request.POST.get("active") not in ("0", "1"):
        return render(
            request,
            "errors/error.html",
            {"status": 400, "detail": _("Say active=1 or active=0.")},
            status=400,
        )
    active = request.POST["active"] == "1"
    try:
        services.membership_set_active(membership=member, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if active:
            messages.success(
                request, _("%(name)s can sign in to this organisation again.") % {"name": member.user}
            )
        else:
            messages.success(
                request, _("%(name)s no longer has access. Their history is kept.") % {"name": member.user}
            )
    return redirect("member_list", org_slug=request.org.slug)


@org_page(roles=ADMIN_ONLY)
@require_POST
def member_resend_view(request: OrgRequest, membership_id: int) -> HttpResponse:
    """A fresh set-password link for someone who never chose a password."""
    member = selectors.membership_get(org=request.org, membership_id=membership_id)
    try:
        link = services.member_invitation_resend(membership=member, base_url=request.build_absolute_uri("/"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("member_edit", org_slug=request.org.slug, membership_id=member.pk)
    form = MembershipForm(org=request.org, initial=_member_initial(member))
    context = {"form": form, "member": member, "resent_link": link}
    return render(request, "teams/settings/member_edit.html", context)


@org_page(roles=ADMIN_ONLY)
@require_POST
def invitation_resend_view(request: OrgRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.pending_invitation_get(org=request.org, invitation_id=invitation_id)
    try:
        services.pending_invitation_resend(invitation=invitation, base_url=request.build_absolute_uri("/"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Invitation e-mailed again to %(email)s.") % {"email": invitation.user.email}
        )
    return redirect("member_list", org_slug=request.org.slug)


@org_page(roles=ADMIN_ONLY)
@require_POST
def invitation_cancel_view(request: OrgRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.pending_invitation_get(org=request.org, invitation_id=invitation_id)
    services.pending_invitation_cancel(invitation=invitation)
    messages.success(request, _("Invitation of %(email)s cancelled.") % {"email": invitation.user.email})
    return redirect("member_list", org_slug=request.org.slug)


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
    elif invitation.user_id != request.user.pk:
        error = _("This invitation is for another account. Sign in as the invited person.")
    context = {"invitation": invitation, "error": error}
    return render(request, "accounts/invitation_accept.html", context, status=400 if error else 200)


@org_page(roles=ADMIN_ONLY)
@require_GET
def system_view(request: OrgRequest) -> HttpResponse:
    beats = selectors.heartbeat_latest(limit=120)
    chart = [
        {
            # In the organisation's time zone, like the table below it.
            "slot": timezone.localtime(b.slot).strftime("%Y-%m-%d %H:%M:%S"),
            "delay": round((b.recorded_at - b.slot).total_seconds(), 2),
        }
        for b in beats
    ]
    last = beats[0] if beats else None
    stale_after = settings.HEARTBEAT_INTERVAL_SECONDS * 3
    context = {
        "beats": beats[:10],
        "chart": list(reversed(chart)),
        "last_beat": last,
        "beat_is_fresh": bool(last and (timezone.now() - last.recorded_at).total_seconds() <= stale_after),
        "interval": settings.HEARTBEAT_INTERVAL_SECONDS,
        "database": database_status(),
        "broker": broker_status(),
        # Where the platform runs is for the people who operate it, not every organisation's admin.
        "show_platform": request.user.is_staff,
        "db_vendor": connection.vendor,
    }
    return render(request, "teams/settings/system.html", context)


# --- Health -----------------------------------------------------------------------------------
@public_page
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: database and broker. 503 when either is down."""
    database = database_status()
    broker = broker_status()
    last = selectors.heartbeat_latest(limit=1) if database["ok"] else []
    ok = database["ok"] and broker["ok"]
    body = {
        "status": "ok" if ok else "error",
        "database": database,
        "broker": broker,
        "heartbeat": last[0].recorded_at.isoformat() if last else None,
    }
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


# --- Error pages ------------------------------------------------------------------------------
def _error(request: HttpRequest, status: int, detail: str | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        from .api_support import error_body

        codes = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}
        messages_ = {
            400: _("Bad request."),
            403: _("You do not have permission to do this."),
            404: _("Not found."),
            500: _("Something went wrong on our side. It has been logged."),
        }
        return JsonResponse(
            error_body(status=status, code=codes[status], detail=detail or messages_[status]), status=status
        )
    return render(request, "errors/error.html", {"status": status, "detail": detail}, status=status)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A service's refusal says why in words; any other refusal keeps the generic sentence.
    return _error(request, 403, exception.message or None if isinstance(exception, NotAllowed) else None)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    detail = _("Your form expired or came from another site. Reload the page and try again.")
    return _error(request, 403, detail)
