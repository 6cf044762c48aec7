"""Thin pages of the incentives app: my pay with the what-if slider, and (HR) schemes, their
assignments and salaries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import ALL_ROLES, PEOPLE_WITH_MONEY, OrgRequest, org_page
from teams.page_forms import apply_service_errors, form_page

from . import selectors, services
from .forms import AssignForm, SalaryForm, SchemeForm
from .models import BonusScheme


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    """My pay this quarter (or a person's, for those who may see it), explained line by line; the
    slider asks "what if" (htmx, live) and the chart shows the scheme's payout curve."""
    try:
        query = selectors.payout_query(org=request.org, viewer=request.membership, params=request.GET)
    except ValidationError as error:  # keep the person asked for; drop the bad figures
        query = selectors.payout_query(org=request.org, viewer=request.membership,
                                       params={"member": request.GET.get("member", "")})  # fmt: skip
        messages.error(request, " ".join(error.messages))
    if query.forbidden:
        raise PermissionDenied(_("You cannot see this person's pay."))
    actual = services.person_payout(member=query.member, start=query.start, end=query.end)
    what_if = (
        services.person_payout(
            member=query.member, start=query.start, end=query.end, attainment=query.attainment
        )
        if query.attainment is not None
        else actual
    )
    context: dict[str, Any] = {
        "query": query, "actual": actual, "payout": what_if,
        "slider": query.attainment if query.attainment is not None else (actual.attainment if actual else Decimal(100)),
        "curve": selectors.curve_points(member=query.member, start=query.start, end=query.end),
        "scheme": services.scheme_for(member=query.member), "is_hr": request.membership.role in PEOPLE_WITH_MONEY,
    }  # fmt: skip
    template = "incentives/index.html#payout" if request.htmx else "incentives/index.html"
    return render(request, template, context)


def _scheme_input(data: dict[str, Any]) -> services.SchemeInput:
    """A valid SchemeForm as the service's input (the form has already split the text lines)."""
    return services.SchemeInput(
        name=data["name"], kind=data["kind"], target_bonus=data.get("target_bonus"),
        target_bonus_pct=data.get("target_bonus_pct"), threshold=data.get("threshold") or Decimal(0),
        bands=data["bands"], steps=data["steps"], cap_multiple=data.get("cap_multiple"),
        multiples=data["multiples"] or None, team_weight=data.get("team_weight") or Decimal(0),
        own_weight=data.get("own_weight") or Decimal(0),
    )  # fmt: skip


@org_page(roles=PEOPLE_WITH_MONEY)
@require_http_methods(["GET", "POST"])
def schemes_view(request: OrgRequest) -> HttpResponse:
    """HR: the bonus schemes, who they apply to, and a form for a new one."""
    form = SchemeForm(request.POST if request.method == "POST" else None)

    def saved(scheme: BonusScheme) -> HttpResponse:
        messages.success(request, _("Scheme “%(name)s” saved.") % {"name": scheme.name})
        return redirect("incentive_schemes", org_slug=request.org.slug)

    context = {"schemes": selectors.scheme_list(org=request.org), "assign_form": AssignForm(org=request.org),
               "salary_form": SalaryForm(org=request.org), "salaries": selectors.salary_list(org=request.org)}  # fmt: skip
    return form_page(request, form, template="incentives/schemes.html", context=context, on_success=saved,
                     save=lambda data: services.scheme_save(org=request.org, actor=request.membership,
                                                            data=_scheme_input(data)))  # fmt: skip


@org_page(roles=PEOPLE_WITH_MONEY)
@require_POST
def assign_view(request: OrgRequest, scheme_id: int) -> HttpResponse:
    scheme = selectors.scheme_get(org=request.org, scheme_id=scheme_id)
    try:
        target = selectors.assignment_target(org=request.org, raw=request.POST.get("target", ""))
        services.scheme_assign(scheme=scheme, actor=request.membership, **target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Scheme assigned."))
    return redirect("incentive_schemes", org_slug=request.org.slug)


@org_page(roles=PEOPLE_WITH_MONEY)
@require_POST
def salary_view(request: OrgRequest) -> HttpResponse:
    form = SalaryForm(request.POST, org=request.org)
    if form.is_valid():
        try:
            services.salary_set(org=request.org, actor=request.membership, membership=form.cleaned_data["member"],
                                base=form.cleaned_data["base"], effective_from=form.cleaned_data["effective_from"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, _("Salary saved."))
    return redirect("incentive_schemes", org_slug=request.org.slug)
