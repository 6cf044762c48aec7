"""Plan pages: the organisation's plans, and one goal's action plan in the article's five columns
with the critical path, the conflicts, inline rows and progress from a phone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals.models import Goal
from goals.selectors import goal_get
from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS, TEAM_RULE, OrgRequest, org_page
from teams.page_forms import apply_service_errors, parse_id, parse_number
from teams.people_picker import INPUT_ID
from teams.selectors import team_get

from . import selectors, services
from .forms import (
    BudgetMoveForm,
    DependencyForm,
    InitiativeForm,
    ProgressForm,
    TeamBudgetForm,
)
from .gantt_table import gantt_table_rows
from .models import Initiative, Status
from .plan_table import conflict_items, dependency_items, plan_table_rows, suggestion_items
from .selectors.initiatives import PICK_LIMIT as INITIATIVE_PICK_LIMIT
from .tabular import ImportOutcome, export_csv, export_xlsx, import_upload


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    goals = selectors.goals_with_plans(org=request.org)
    mine = selectors.initiative_list(org=request.org, owner_id=request.membership.pk, unfinished=True)
    teams = selectors.teams_with_plans(org=request.org)
    return render(request, "plans/index.html", {"goals": goals, "mine": mine, "teams": teams})


def _input_from_form(
    goal: Goal, data: dict[str, Any], current: Initiative | None = None
) -> services.InitiativeInput:
    """An InitiativeForm's cleaned data as the service's input. Fields the form does not carry keep
    the initiative's current values (an edit never erases what it did not show)."""

    def value(name: str, default: Any) -> Any:
        if name in data:
            return data[name]
        return getattr(current, name) if current is not None else default

    return services.InitiativeInput(
        title=data["title"], goal=goal, owner=data["owner"], start_date=data["start_date"],
        due_date=data["due_date"], ongoing=data["ongoing"], dimension_name=data["dimension_name"],
        budget=data["budget"], needs=data["needs"], priority=data["priority"],
        squad=value("squad", None), needs_note=value("needs_note", "") or "",
        is_milestone=value("is_milestone", False), is_experiment=value("is_experiment", False),
    )  # fmt: skip


# The service names the goal dimension "dimension"; the form calls it "dimension_name".
FORM_FIELDS = {"dimension": "dimension_name"}


def _plan_context(
    request: OrgRequest, goal: Goal, form: InitiativeForm | None = None, *, move_form: BudgetMoveForm | None = None,
    budget_form: TeamBudgetForm | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The plan page (plans.selectors.plan_page) with its forms: a refused form comes back as typed."""
    page = selectors.plan_page(org=request.org, member=request.membership, goal=goal,
                               show_all=request.GET.get("rows") == "all")  # fmt: skip
    team_budget = page["team_budget"]
    # One CSRF input for the page's row forms, not a token masked for every row.
    csrf_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    return {
        **page,
        "conflict_items": conflict_items(page["conflicts"], people_url=reverse("plan_people", args=[request.org.slug])),
        "dependency_items": dependency_items(page["dependencies"], can_plan=bool(page["can_plan"]), csrf_input=csrf_input,
                                             remove_url=selectors.url_maker("dependency_remove", request.org)),
        "suggestion_items": suggestion_items(page["suggestions"]),
        "table_rows": plan_table_rows(page["groups"], can_plan=bool(page["can_plan"]), currency=request.org.currency,
                                      csrf_input=csrf_input),
        "membership": request.membership,
        # The forms only for who changes the plan: the page shows them to no one else.
        **({
            "move_form": move_form or BudgetMoveForm(org=request.org, goal=goal),
            "dependency_form": DependencyForm(org=request.org, goal=goal),
            "budget_form": budget_form or TeamBudgetForm(
                initial={"amount": f"{team_budget.amount:.2f}" if team_budget else ""}),
            "form": form or InitiativeForm(org=request.org),
        } if page["can_plan"] else {}),
    }  # fmt: skip


@org_page(roles=ALL_ROLES, write_roles=MANAGERS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def goal_plan_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """GET: the plan. POST (managers): add a row inline; an htmx request gets the table back."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    form = None
    status = 200
    if request.method == "POST":
        selectors.can_plan(member=request.membership, goal=goal).require()
        form = InitiativeForm(request.POST, org=request.org)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.initiative_create(
                    org=request.org, actor=request.membership,
                    data=_input_from_form(goal, data),
                )  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error, FORM_FIELDS)
            else:
                messages.success(request, _("Initiative added."))
                if not request.htmx:  # type: ignore[attr-defined]
                    return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal.pk)
                form = None
        status = 400 if form is not None and form.errors else 200
    template = "plans/goal_plan.html" + ("#plan-body" if request.htmx else "")  # type: ignore[attr-defined]
    return render(request, template, _plan_context(request, goal, form), status=status)


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def progress_view(request: OrgRequest, initiative_id: int) -> HttpResponse:
    """An owner (or a manager) reports progress, e.g. from a phone."""
    item = selectors.initiative_get(org=request.org, initiative_id=initiative_id)
    selectors.can_report_progress(member=request.membership, initiative=item).require()
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_progress(
                initiative=item, actor=request.membership, progress=form.cleaned_data["progress"],
                status=form.cleaned_data["status"] or None, lesson=form.cleaned_data["lesson"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            closed = form.cleaned_data["status"] == Status.FAILED
            messages.success(
                request, _("Experiment closed: lesson recorded.") if closed else _("Progress saved.")
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    if request.POST.get("next") == "index":  # reported from the Plans page's "my initiatives"
        return redirect("plans_index", org_slug=request.org.slug)
    return redirect("goal_plan", org_slug=request.org.slug, goal_id=item.goal_id)


def _color_by(request: OrgRequest) -> str:
    return "priority" if request.GET.get("color") == "priority" else "status"


@org_page(roles=ALL_ROLES)
@require_GET
def goal_gantt_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """甘特图 of one goal's plan: bars grouped by goal dimension, coloured by status or priority, the
    original dates beside the current ones, dependency links, milestones, today's line and the
    critical path."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    items = selectors.gantt_items(org=request.org, goal=goal)
    chart = selectors.gantt_chart(org=request.org, items=items, start=goal.start_date, end=goal.end_date,
                                  group_by_goal=False, color_by=_color_by(request), scope=f"goal:{goal.pk}")  # fmt: skip
    table = selectors.gantt_table(chart)
    context = {
        "goal": goal,
        "chart": chart,
        "color_by": chart["color_by"],
        "table": table,
        "table_rows": gantt_table_rows(chart, table),
    }
    return render(request, "plans/gantt.html", context)


@org_page(roles=ALL_ROLES)
@require_GET
def team_gantt_view(request: OrgRequest, team_id: int) -> HttpResponse:
    """The Gantt of every open goal of a team, grouped by goal."""
    team = team_get(org=request.org, team_id=team_id)
    items = selectors.gantt_items(org=request.org, team=team)
    starts = [i["goal__start_date"] for i in items] or [timezone.localdate()]
    ends = [i["goal__end_date"] for i in items] or [timezone.localdate()]
    chart = selectors.gantt_chart(org=request.org, items=items, start=min(starts), end=max(ends),
                                  group_by_goal=True, color_by=_color_by(request), scope=f"team:{team.pk}")  # fmt: skip
    table = selectors.gantt_table(chart)
    context = {
        "team": team,
        "chart": chart,
        "color_by": chart["color_by"],
        "table": table,
        "table_rows": gantt_table_rows(chart, table),
    }
    return render(request, "plans/gantt.html", context)


@org_page(roles=ALL_ROLES)
@require_GET
def initiative_pick_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """The matches of an initiative picker (plans.pickers): the first PICK_LIMIT initiatives of the
    goal's plan whose title has every word typed (``?budget=1``: only those with budget to give)."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    limit = INITIATIVE_PICK_LIMIT
    found = selectors.initiative_search(org=request.org, goal=goal, text=request.GET.get("q", ""),
                                        with_budget=request.GET.get("budget") == "1", limit=limit + 1)  # fmt: skip
    input_id = request.GET.get("for", "")
    return render(request, "plans/initiative_options.html", {
        "initiatives": found[:limit], "more": len(found) > limit, "limit": limit,
        "input_id": input_id if INPUT_ID.match(input_id) else "pick",
    })  # fmt: skip


def _initiative_from(request: OrgRequest, goal: Goal, name: str) -> Initiative | None:
    pk = parse_id(request.POST.get(name))
    return None if pk is None else selectors.initiative_list(org=request.org, goal=goal).filter(pk=pk).first()


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def dependency_add_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Add a finish-to-start link between two initiatives of the plan; a cycle is refused with the
    cycle named."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    selectors.can_plan(member=request.membership, goal=goal).require()
    predecessor = _initiative_from(request, goal, "predecessor")
    successor = _initiative_from(request, goal, "successor")
    if predecessor is None or successor is None:
        messages.error(request, _("Choose two initiatives of this plan."))
    else:
        try:
            services.dependency_add(predecessor=predecessor, successor=successor, actor=request.membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("“%(a)s” now comes before “%(b)s”.") % {"a": predecessor.title, "b": successor.title},
            )
    return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal.pk)


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def dependency_remove_view(request: OrgRequest, dependency_id: int) -> HttpResponse:
    dependency = selectors.dependency_get(org=request.org, dependency_id=dependency_id)
    selectors.can_change_dependency(member=request.membership, dependency=dependency).require()
    goal_id = dependency.successor.goal_id
    services.dependency_remove(dependency=dependency, actor=request.membership)
    messages.success(request, _("Dependency removed."))
    return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal_id)


@org_page(roles=ALL_ROLES)
@require_GET
def plan_export_view(request: OrgRequest, goal_id: int, fmt: str) -> HttpResponse:
    """The plan as CSV or XLSX, in the columns the import reads back."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    items = list(selectors.initiative_list(org=request.org, goal=goal))
    if fmt == "csv":
        response = HttpResponse(export_csv(items), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(items, title=goal.title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("Unknown format.")
    response["Content-Disposition"] = f'attachment; filename="plan-{goal.pk}.{fmt}"'
    return response


@org_page(roles=MANAGERS, object_rule=TEAM_RULE, rule_on_get=True)
@require_http_methods(["GET", "POST"])
def plan_import_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Upload the exported table back (edited): every bad cell is listed by row and column and
    nothing is imported until the file is clean."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    # No upload form for what cannot be saved.
    selectors.can_plan(member=request.membership, goal=goal).require()
    outcome = ImportOutcome()
    if request.method == "POST":
        outcome = import_upload(goal=goal, actor=request.membership, upload=request.FILES.get("file"))
        if outcome.imported:
            messages.success(request, _("Imported: %(created)d added, %(updated)d updated.") % {
                "created": outcome.created, "updated": outcome.updated})  # fmt: skip
            return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal.pk)
    context = {"goal": goal, "cell_errors": outcome.cell_errors, "file_error": outcome.file_error}
    status = 400 if outcome.cell_errors or outcome.file_error else 200
    return render(request, "plans/import.html", context, status=status)


@org_page(roles=MANAGERS, object_rule=TEAM_RULE, rule_on_get=True)
@require_http_methods(["GET", "POST"])
def initiative_edit_view(request: OrgRequest, initiative_id: int) -> HttpResponse:
    """Edit one row in place (htmx): GET gives the row as a form, POST saves and answers with the
    whole plan (analysis included), or the row with its errors."""
    item = selectors.initiative_get(org=request.org, initiative_id=initiative_id)
    # No form for what cannot be saved.
    selectors.can_change_initiative(member=request.membership, initiative=item).require()
    goal = item.goal
    form = InitiativeForm(request.POST or None, org=request.org, initial=InitiativeForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.initiative_update(
                initiative=item, actor=request.membership,
                data=_input_from_form(goal, data, current=item),
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error, FORM_FIELDS)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                return render(request, "plans/goal_plan.html#plan-body", _plan_context(request, goal))
            messages.success(request, _("Initiative saved."))
            return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal.pk)
    return _edit_form_response(request, form, item)


def _edit_form_response(request: OrgRequest, form: InitiativeForm, item: Initiative) -> HttpResponse:
    """The row as a form (htmx) or the edit page; a refused save answers 400 into the row itself."""
    status = 400 if request.method == "POST" else 200
    template = "plans/edit_row.html" if request.htmx else "plans/edit_page.html"  # type: ignore[attr-defined]
    response = render(request, template, {"form": form, "item": item, "goal": item.goal}, status=status)
    if request.htmx and status == 400:  # type: ignore[attr-defined]
        response["HX-Retarget"] = f"#initiative-{item.pk}"  # the errors belong to the row, not the whole plan
        response["HX-Reswap"] = "outerHTML"
    return response


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def reallocate_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Move budget between two initiatives of the plan, with a reason (recorded and audited)."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    selectors.can_plan(member=request.membership, goal=goal).require()
    form = BudgetMoveForm(request.POST, org=request.org, goal=goal)
    if form.is_valid():
        source = _initiative_from(request, goal, "source")
        target = _initiative_from(request, goal, "target")
        parsed = parse_number(form.cleaned_data["amount"])
        amount = Decimal("NaN") if parsed is None else parsed  # NaN: the service says what is wrong
        if source is None or target is None:
            form.add_error("source", _("Choose two initiatives of this plan."))
        else:
            try:
                services.budget_reallocate(org=request.org, actor=request.membership, source=source, target=target,
                                           amount=amount, reason=form.cleaned_data["reason"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Budget moved."))
                return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal.pk)
    return render(request, "plans/goal_plan.html", _plan_context(request, goal, move_form=form), status=400)


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def team_budget_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Set the budget of the goal's team for the goal's period (conflicts compare requests with it)."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    selectors.can_plan(member=request.membership, goal=goal).require()
    if goal.team is None:
        messages.error(request, _("Only a team goal has a team budget."))
        return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal.pk)
    form = TeamBudgetForm(request.POST)
    if form.is_valid():
        parsed = parse_number(form.cleaned_data["amount"])
        amount = Decimal("NaN") if parsed is None else parsed  # NaN: the service says what is wrong
        try:
            services.team_budget_set(org=request.org, actor=request.membership, team=goal.team,
                                     start_date=goal.start_date, end_date=goal.end_date, amount=amount)  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Team budget saved."))
            return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal.pk)
    return render(request, "plans/goal_plan.html", _plan_context(request, goal, budget_form=form), status=400)


# --- Squads (专项小组) and people's capacity --------------------------------------------------------
