"""Pages of the teams app: organisation switcher, organisation home, teams, and the admin pages
(organisation settings, teams, members, system health). Thin: forms validate, services write,
selectors read. Account pages live in ``account_views``; the health check and the error pages in
``error_views``, re-exported here under the names ``config`` refers to."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .access import ADMIN_ONLY, ALL_ROLES, OrgRequest, org_page, user_page
from .account_views import language_view as language_view
from .error_views import csrf_failure as csrf_failure
from .error_views import error_400 as error_400
from .error_views import error_403 as error_403
from .error_views import error_404 as error_404
from .error_views import error_500 as error_500
from .error_views import healthz_view as healthz_view
from .forms import (
    InviteForm,
    MembershipForm,
    OrganizationForm,
    OrganizationSettingsForm,
    TeamForm,
)
from .health import broker_status, database_status
from .hooks import home_panels, team_highlights
from .models import Role
from .page_forms import form_page
from .people_picker import INPUT_ID, PICK_LIMIT, people_for_rule, people_search


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
    selectors.can_create_organization(user=request.user).require()
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
        "team_count": selectors.team_count(org=request.org),
        "member_count": selectors.membership_list(org=request.org).filter(is_active=True).count(),
        "panels": home_panels(request),
    }
    return render(request, "teams/org_home.html", context)


@org_page(roles=ALL_ROLES)
@require_GET
def people_pick_view(request: OrgRequest, people_rule: str) -> HttpResponse:
    """The matches of a person picker (teams.people_picker): the first PICK_LIMIT people of the
    organisation whom the field's rule allows for the signed-in person, by name or e-mail."""
    people = people_for_rule(rule=people_rule, org=request.org, actor=request.membership)
    if people is None:
        raise Http404("No such people rule.")
    input_id = request.GET.get("for", "")
    found = people_search(people=people, text=request.GET.get("q", ""), limit=PICK_LIMIT + 1)
    return render(request, "includes/person_options.html", {
        "people": found[:PICK_LIMIT], "more": len(found) > PICK_LIMIT, "limit": PICK_LIMIT,
        "input_id": input_id if INPUT_ID.match(input_id) else "pick",
    })  # fmt: skip


@org_page(roles=ALL_ROLES)
@require_GET
def org_floor_view(request: OrgRequest) -> HttpResponse:
    """The benchmarks' floor: an organisation page that renders only base.html (the access check,
    the session, the shell and its context). `bench/inprocess.py` measures every page against it."""
    return render(request, "base.html")


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
    form = OrganizationSettingsForm(request.POST or None, initial=OrganizationSettingsForm.initial_for(org))

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
    form = TeamForm(request.POST or None, org=request.org, team=team, initial=TeamForm.initial_for(team))

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
        on_success=lambda result: _invited(request, result),
        template="teams/settings/invite.html",
    )


def _invited(request: OrgRequest, result: services.InviteResult) -> HttpResponse:
    """Someone with an account already gets an invitation to accept (back to the list); a new
    person's sign-up link is shown once, beside an empty form for the next invitation."""
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


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def member_edit_view(request: OrgRequest, membership_id: int) -> HttpResponse:
    member = selectors.membership_get(org=request.org, membership_id=membership_id)
    form = MembershipForm(request.POST or None, org=request.org, initial=MembershipForm.initial_for(member))

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
    form = MembershipForm(org=request.org, initial=MembershipForm.initial_for(member))
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


@org_page(roles=ADMIN_ONLY)
@require_GET
def system_view(request: OrgRequest) -> HttpResponse:
    context = {
        **selectors.heartbeat_overview(),
        "database": database_status(),
        "broker": broker_status(),
        # Where the platform runs is for the people who operate it, not every organisation's admin.
        "show_platform": request.user.is_staff,
        "db_vendor": connection.vendor,
    }
    return render(request, "teams/settings/system.html", context)


@org_page(roles=ADMIN_ONLY)
@require_POST
def service_token_revoke_view(request: OrgRequest, service_token_id: int) -> HttpResponse:
    """Revoke one of the organisation's service tokens (its admins), from the API tokens page."""
    token = selectors.service_token_get(org=request.org, token_id=service_token_id)
    services.api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
