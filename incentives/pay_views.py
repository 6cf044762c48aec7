"""Pages of the money grants: Settings → Pay access (an admin grants a manager sight of the pay of
their teams' people, and revokes it, with the reason), and the team pay those grants open."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import ADMIN_ONLY, MANAGERS, PEOPLE_WITH_MONEY, OrgRequest, org_page
from teams.page_forms import apply_service_errors

from . import exports, selectors, services
from .forms import GrantForm, RevokeForm

PEOPLE_PER_PAGE = 100


def _grants_page(request: OrgRequest, *, form: GrantForm | None = None,
                 refused: tuple[int, RevokeForm] | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    grants = selectors.money_grant_list(org=request.org)
    for grant in grants:
        if refused is not None and refused[0] == grant.pk:
            grant.revoke_form = refused[1]
        elif grant.in_force:
            grant.revoke_form = RevokeForm(auto_id=f"revoke-{grant.pk}-%s")
    context = {"grants": grants, "form": form or GrantForm(org=request.org)}
    return render(request, "incentives/grants.html", context, status=status)


@org_page(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def grants_view(request: OrgRequest) -> HttpResponse:
    """Settings → Pay access: the grants (in force, then revoked) and a form to grant one."""
    if request.method != "POST":
        return _grants_page(request)
    form = GrantForm(request.POST, org=request.org)
    if form.is_valid():
        try:
            grant = services.money_grant_create(org=request.org, actor=request.membership,
                                                manager=form.cleaned_data["manager"], reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error, {"membership": "manager"})
        else:
            name = grant.membership.user.get_full_name()
            messages.success(request, _("%(name)s now sees the pay of their teams.") % {"name": name})
            return redirect("money_grants", org_slug=request.org.slug)
    return _grants_page(request, form=form, status=400)


@org_page(roles=ADMIN_ONLY)
@require_POST
def grant_revoke_view(request: OrgRequest, grant_id: int) -> HttpResponse:
    """Revoke a grant with a reason; in force at once. Refused, the page again (400) with the reason."""
    grant = selectors.money_grant_get(org=request.org, grant_id=grant_id)
    form = RevokeForm(request.POST, auto_id=f"revoke-{grant.pk}-%s")
    if form.is_valid():
        try:
            services.money_grant_revoke(
                grant=grant, actor=request.membership, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            name = grant.membership.user.get_full_name()
            messages.success(request, _("%(name)s no longer sees the pay of their teams.") % {"name": name})
            return redirect("money_grants", org_slug=request.org.slug)
    messages.error(request, _("The grant was not revoked: see why below."))
    return _grants_page(request, refused=(grant.pk, form), status=400)


def _team_pay_context(request: OrgRequest) -> dict[str, Any]:
    people = selectors.team_pay_people(org=request.org, viewer=request.membership)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    is_hr = request.membership.role in PEOPLE_WITH_MONEY
    return {
        "page": page, "rows": selectors.team_pay_rows(org=request.org, people=list(page)), "is_hr": is_hr,
        "granted": is_hr or selectors.has_money_grant(request.membership),
    }  # fmt: skip


@org_page(roles=MANAGERS | PEOPLE_WITH_MONEY)
@require_GET
def team_pay_view(request: OrgRequest) -> HttpResponse:
    """The pay of the people a manager with a grant may see (their teams, sub-teams included):
    base salary, and the target bonus and amounts of their newest approved payout. HR and admins
    see everyone; a manager without a grant is told so and sees only their own pay."""
    return render(request, "incentives/team_pay.html", _team_pay_context(request))


@org_page(roles=MANAGERS | PEOPLE_WITH_MONEY)
@require_GET
def team_pay_csv_view(request: OrgRequest) -> HttpResponseBase:
    """The same people as CSV."""
    return exports.team_pay_csv(org=request.org, viewer=request.membership)
