"""Plan pages about people: squads (专项小组) and what each person carries against their
capacity."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from teams.access import ALL_ROLES, MANAGERS, OPEN_RULE, OrgRequest, org_page
from teams.page_forms import apply_service_errors, form_page, parse_id

from . import selectors, services
from .forms import CapacityForm, SquadForm


@org_page(roles=ALL_ROLES, write_roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def squads_view(request: OrgRequest) -> HttpResponse:
    """Every squad with its lead, members (from several teams) and initiatives; managers add one."""
    form = SquadForm(request.POST or None, org=request.org)

    def created(squad: Any) -> HttpResponse:
        messages.success(request, _("Squad “%(name)s” created.") % {"name": squad.name})
        return redirect("plan_squads", org_slug=request.org.slug)

    context = {
        "squads": selectors.squad_list(org=request.org),
        "can_plan": request.membership.role in MANAGERS,
    }
    return form_page(
        request, form, template="plans/squads.html", context=context, on_success=created,
        save=lambda data: services.squad_create(
            org=request.org, actor=request.membership, name=data["name"], lead=data["lead"],
            members=list(data["members"]), description=data["description"],
        ),
    )  # fmt: skip


@org_page(roles=MANAGERS, object_rule=OPEN_RULE)
@require_http_methods(["GET", "POST"])
def squad_edit_view(request: OrgRequest, squad_id: int) -> HttpResponse:
    squad = selectors.squad_get(org=request.org, squad_id=squad_id)
    initial = {"name": squad.name, "description": squad.description, "lead": squad.lead,
               "members": list(squad.members.all())}  # fmt: skip
    form = SquadForm(request.POST or None, org=request.org, initial=initial)

    def saved(squad: Any) -> HttpResponse:
        messages.success(request, _("Squad saved."))
        return redirect("plan_squads", org_slug=request.org.slug)

    return form_page(
        request, form, template="plans/squad_edit.html", context={"squad": squad}, on_success=saved,
        save=lambda data: services.squad_update(
            squad=squad, actor=request.membership, name=data["name"], lead=data["lead"],
            members=list(data["members"]), description=data["description"],
        ),
    )  # fmt: skip


@org_page(roles=ALL_ROLES, write_roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def people_view(request: OrgRequest) -> HttpResponse:
    """What each person carries today against their capacity (the overload conflicts use it);
    managers set a person's capacity."""
    refused: dict[str, Any] | None = None
    if request.method == "POST":
        refused = _capacity_save(request)
        if refused is None:
            messages.success(request, _("Capacity saved."))
            return redirect("plan_people", org_slug=request.org.slug)
    people = selectors.people_load(org=request.org)
    settable = selectors.capacity_settable_ids(
        member=request.membership, people=[p.membership for p in people]
    )
    context = {"people": people, "settable": settable, "refused": refused}
    return render(request, "plans/people.html", context, status=200 if refused is None else 400)


def _capacity_save(request: OrgRequest) -> dict[str, Any] | None:
    """Saves the posted capacity; None when saved, otherwise what the person's row shows (what was
    typed and why it was refused). Anything else (an unknown person) is said at the top."""
    person = parse_id(request.POST.get("membership"))
    form = CapacityForm(request.POST, org=request.org, auto_id=f"capacity-{person}-%s")
    if form.is_valid():
        try:
            services.capacity_set(org=request.org, actor=request.membership,
                                  membership=form.cleaned_data["membership"], load=form.cleaned_data["load"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
    if not form.errors:
        return None
    for refusal in form.errors.get("membership", []):
        messages.error(request, refusal)
    return {"pk": person, "load": form["load"]}
