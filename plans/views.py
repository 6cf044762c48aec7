"""Plan pages: the organisation's plans, and one goal's action plan in the article's five columns
with the critical path, the conflicts, inline rows and progress from a phone."""

from __future__ import annotations

from collections import OrderedDict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals.models import Goal
from goals.periods import day_label, span_label
from goals.selectors import goal_get
from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS, OPEN_RULE, TEAM_RULE, OrgRequest, org_page
from teams.page_forms import apply_service_errors, form_page, parse_id, parse_number

from . import selectors, services
from .forms import BudgetMoveForm, CapacityForm, InitiativeForm, ProgressForm, SquadForm, TeamBudgetForm
from .models import Initiative, Need, Status


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


def _weeks_label(goal: Goal, item: Initiative) -> str:
    if item.ongoing or item.due_date is None:
        return _("ongoing")
    if item.start_date < goal.start_date or item.due_date > goal.end_date:
        # Weeks of the goal's period mean nothing outside it (an initiative of 2030 on a 2026 goal
        # is not "weeks 158–210"); its dates, with their years, say when it runs.
        inside = item.start_date <= goal.end_date and item.due_date >= goal.start_date
        return _("partly outside the goal's period") if inside else _("outside the goal's period")
    # Weeks counted from the first day of the goal's period, as the article's plan does (第1-4周).
    first = (item.start_date - goal.start_date).days // 7 + 1
    last = (item.due_date - goal.start_date).days // 7 + 1
    return (
        _("weeks %(first)d–%(last)d") % {"first": first, "last": last}
        if first != last
        else _("week %(n)d") % {"n": first}
    )


def _plan_context(
    request: OrgRequest, goal: Goal, form: InitiativeForm | None = None, *, move_form: BudgetMoveForm | None = None,
    budget_form: TeamBudgetForm | None = None,
) -> dict[str, Any]:  # fmt: skip
    items = list(selectors.initiative_list(org=request.org, goal=goal))
    team_budget = selectors.team_budget_for(goal=goal)
    can_plan = selectors.can_plan(member=request.membership, goal=goal)
    analysis = selectors.plan_analysis(org=request.org, initiatives=items)
    critical = analysis.critical_ids
    verdicts = selectors.experiment_verdicts(org=request.org, initiatives=items)
    flagged: dict[int, list[str]] = {}
    for conflict in analysis.conflicts:
        for pk in conflict.ids:
            flagged.setdefault(pk, []).append(conflict.kind)
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    today = timezone.localdate()
    for item in items:
        name = item.dimension.name if item.dimension else ""
        groups.setdefault(name, []).append(
            {
                "item": item,
                "weeks": _weeks_label(goal, item),
                "dates": span_label(item.start_date, item.due_date, today=today),
                "was": day_label(item.baseline_due, with_year=item.baseline_due.year != today.year)
                if item.baseline_due and item.baseline_due != item.due_date
                else "",
                "critical": item.pk in critical,
                "flags": flagged.get(item.pk, []),
                "slipped": item.pk in analysis.slipped_ids,
                "needs": [NEED_LABELS[n] for n in item.needs if n in NEED_LABELS],
                "tolerated": verdicts.get(item.pk),
            }  # fmt: skip
        )
    by_id = {i.pk: i for i in items}
    conflicts = []
    for c in analysis.conflicts:
        rows = [by_id[pk] for pk in c.ids if pk in by_id]
        if rows:  # only conflicts that involve this page's rows; others elsewhere are counted
            conflicts.append(
                {"kind": c.kind, "rows": rows, "detail": c.detail, "elsewhere": len(c.ids) - len(rows)}
            )
    return {
        "goal": goal, "groups": groups, "conflicts": conflicts, "at_risk": goal.pk in analysis.at_risk_goal_ids,
        "items": items, "dependencies": selectors.dependency_list(org=request.org, goal=goal),
        "suggestions": selectors.budget_suggestions(initiatives=items),
        "team_budget": team_budget,
        "move_form": move_form or BudgetMoveForm(items=items),
        "budget_form": budget_form or TeamBudgetForm(
            initial={"amount": f"{team_budget.amount:.2f}" if team_budget else ""}),
        "can_plan": can_plan, "reportable": selectors.reportable_ids(member=request.membership, goal=goal, initiatives=items),
        "form": form or InitiativeForm(org=request.org),
        "membership": request.membership, "total_budget": sum((i.budget or 0) for i in items),
    }  # fmt: skip


NEED_LABELS = dict(Need.choices)


@org_page(roles=ALL_ROLES, write_roles=MANAGERS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def goal_plan_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """GET: the plan. POST (managers): add a row inline; an htmx request gets the table back."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    form = None
    status = 200
    if request.method == "POST":
        services.require_plan_change(goal=goal, actor=request.membership)
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
    services.require_progress_report(initiative=item, actor=request.membership)
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


def _gantt_chart(
    request: OrgRequest, items: list[Initiative], *, start: Any, end: Any, group_by_goal: bool
) -> dict[str, Any]:
    """The Gantt's data: one row per initiative under a header row for its group (its goal on a
    team's Gantt, its goal dimension on a goal's), original and current dates, dependency links,
    milestones, the critical path, and which initiatives are overdue (past due, not finished)."""
    analysis = selectors.plan_analysis(org=request.org, initiatives=items)
    critical = analysis.critical_ids  # each goal's own critical path
    today = timezone.localdate()
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    rows = []
    for i in items:
        if group_by_goal:
            key, label = f"g{i.goal_id}", i.goal.title
        else:
            key, label = f"d{i.dimension_id or 0}", i.dimension.name if i.dimension else ""
        groups.setdefault(key, {"key": key, "label": label, "count": 0})["count"] += 1
        overdue = i.due_date is not None and i.due_date < today and not i.is_finished
        rows.append({
            "id": i.pk, "title": i.title, "group": key,
            "dimension": i.goal.title if group_by_goal else (i.dimension.name if i.dimension else ""),
            "goal": i.goal.title, "owner": i.owner.user.get_full_name(), "start": i.start_date.isoformat(),
            "end": ((i.due_date or i.goal.end_date) + timedelta(days=1)).isoformat(),
            "due": i.due_date.isoformat() if i.due_date else None,
            "dates": span_label(i.start_date, i.due_date, today=today) if i.due_date else
            _("%(start)s, ongoing") % {"start": span_label(i.start_date, None, today=today)},
            "baseline_start": i.baseline_start.isoformat(),
            "baseline_end": ((i.baseline_due or i.goal.end_date) + timedelta(days=1)).isoformat(),
            "status": i.status, "status_label": i.get_status_display(), "priority": i.priority,
            "progress": i.progress, "critical": i.pk in critical, "milestone": i.is_milestone,
            "milestone_reached": i.milestone_reached_at is not None, "ongoing": i.ongoing,
            "overdue": overdue, "overdue_days": (today - i.due_date).days if overdue and i.due_date else 0,
            "overdue_text": _overdue_text((today - i.due_date).days) if overdue and i.due_date else "",
        })  # fmt: skip
    # Rows of a group together, groups in order of first appearance (the items' own order inside).
    order = {key: n for n, key in enumerate(groups)}
    rows.sort(key=lambda r: order[r["group"]])
    links = [
        {"from": a, "to": b}
        for b, preds in selectors.dependencies_of(initiatives=items).items()
        for a in preds
    ]
    return {
        "rows": rows, "groups": list(groups.values()), "links": links, "today": today.isoformat(),
        "goal_start": start.isoformat(), "goal_end": (end + timedelta(days=1)).isoformat(),
        "color_by": "priority" if request.GET.get("color") == "priority" else "status",
        "labels": {"baseline": _("Original dates"), "today": _("Today"), "critical": _("Critical path"),
                   "milestone": _("Milestone"), "overdue": _("overdue"), "no_dimension": _("Other initiatives")},
    }  # fmt: skip


def _gantt_table(chart: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The chart as a table (the accessible and phone view): each group with its rows."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for row in chart["rows"]:
        by_group.setdefault(row["group"], []).append(row)
    return [(group, by_group.get(group["key"], [])) for group in chart["groups"]]


def _overdue_text(days: int) -> str:
    return ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}


@org_page(roles=ALL_ROLES)
@require_GET
def goal_gantt_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """甘特图 of one goal's plan: bars grouped by goal dimension, coloured by status or priority, the
    original dates beside the current ones, dependency links, milestones, today's line and the
    critical path."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    items = list(selectors.initiative_list(org=request.org, goal=goal))
    chart = _gantt_chart(request, items, start=goal.start_date, end=goal.end_date, group_by_goal=False)
    context = {"goal": goal, "chart": chart, "color_by": chart["color_by"], "table": _gantt_table(chart)}
    return render(request, "plans/gantt.html", context)


@org_page(roles=ALL_ROLES)
@require_GET
def team_gantt_view(request: OrgRequest, team_id: int) -> HttpResponse:
    """The Gantt of every open goal of a team, grouped by goal."""
    from teams.selectors import team_get

    team = team_get(org=request.org, team_id=team_id)
    items = selectors.team_initiatives(org=request.org, team=team)
    starts = [i.goal.start_date for i in items] or [timezone.localdate()]
    ends = [i.goal.end_date for i in items] or [timezone.localdate()]
    chart = _gantt_chart(request, items, start=min(starts), end=max(ends), group_by_goal=True)
    context = {"team": team, "chart": chart, "color_by": chart["color_by"], "table": _gantt_table(chart)}
    return render(request, "plans/gantt.html", context)


def _initiative_from(request: OrgRequest, goal: Goal, name: str) -> Initiative | None:
    pk = parse_id(request.POST.get(name))
    return None if pk is None else selectors.initiative_list(org=request.org, goal=goal).filter(pk=pk).first()


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def dependency_add_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Add a finish-to-start link between two initiatives of the plan; a cycle is refused with the
    cycle named."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    services.require_plan_change(goal=goal, actor=request.membership)
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
    services.require_initiative_change(initiative=dependency.successor, actor=request.membership)
    goal_id = dependency.successor.goal_id
    services.dependency_remove(dependency=dependency, actor=request.membership)
    messages.success(request, _("Dependency removed."))
    return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal_id)


@org_page(roles=ALL_ROLES)
@require_GET
def plan_export_view(request: OrgRequest, goal_id: int, fmt: str) -> HttpResponse:
    """The plan as CSV or XLSX, in the columns the import reads back."""
    from django.http import Http404

    from .tabular import export_csv, export_xlsx

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
    from .tabular import import_rows, read_rows

    goal = goal_get(org=request.org, goal_id=goal_id)
    services.require_plan_change(
        goal=goal, actor=request.membership
    )  # no upload form for what cannot be saved
    context: dict[str, Any] = {"goal": goal, "cell_errors": [], "file_error": None}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_error"] = _("Choose a file to upload.")
        else:
            try:
                rows = read_rows(upload.read(), upload.name or "")
            except ValidationError as error:
                context["file_error"] = " ".join(error.messages)
            else:
                try:
                    created, updated, errors = import_rows(goal=goal, actor=request.membership, rows=rows)
                except ValidationError as error:  # a backstop: the checks above should have said why
                    context["file_error"] = _("Nothing was imported: %(problem)s") % {
                        "problem": " ".join(error.messages)}  # fmt: skip
                    errors = []
                    created = updated = 0
                if not errors and context["file_error"] is None:
                    messages.success(request, _("Imported: %(created)d added, %(updated)d updated.") % {
                        "created": created, "updated": updated})  # fmt: skip
                    return redirect("goal_plan", org_slug=request.org.slug, goal_id=goal.pk)
                context["cell_errors"] = errors
    status = 400 if context["cell_errors"] or context["file_error"] else 200
    return render(request, "plans/import.html", context, status=status)


@org_page(roles=MANAGERS, object_rule=TEAM_RULE, rule_on_get=True)
@require_http_methods(["GET", "POST"])
def initiative_edit_view(request: OrgRequest, initiative_id: int) -> HttpResponse:
    """Edit one row in place (htmx): GET gives the row as a form, POST saves and answers with the
    whole plan (analysis included), or the row with its errors."""
    item = selectors.initiative_get(org=request.org, initiative_id=initiative_id)
    services.require_initiative_change(
        initiative=item, actor=request.membership
    )  # no form for what cannot be saved
    goal = item.goal
    initial = {
        "dimension_name": item.dimension.name if item.dimension else "", "title": item.title, "owner": item.owner,
        "start_date": item.start_date, "due_date": item.due_date, "ongoing": item.ongoing, "budget": item.budget,
        "needs": item.needs, "needs_note": item.needs_note, "squad": item.squad, "priority": item.priority,
        "is_milestone": item.is_milestone, "is_experiment": item.is_experiment,
    }  # fmt: skip
    form = InitiativeForm(request.POST or None, org=request.org, initial=initial)
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
    status = 400 if request.method == "POST" else 200
    template = "plans/edit_row.html" if request.htmx else "plans/edit_page.html"  # type: ignore[attr-defined]
    response = render(request, template, {"form": form, "item": item, "goal": goal}, status=status)
    if request.htmx and status == 400:  # type: ignore[attr-defined]
        response["HX-Retarget"] = f"#initiative-{item.pk}"  # the errors belong to the row, not the whole plan
        response["HX-Reswap"] = "outerHTML"
    return response


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def reallocate_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Move budget between two initiatives of the plan, with a reason (recorded and audited)."""
    goal = goal_get(org=request.org, goal_id=goal_id)
    services.require_plan_change(goal=goal, actor=request.membership)
    form = BudgetMoveForm(request.POST, items=list(selectors.initiative_list(org=request.org, goal=goal)))
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
    services.require_plan_change(goal=goal, actor=request.membership)
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
    status = 200
    refused: dict[str, Any] | None = None
    if request.method == "POST":
        person = parse_id(request.POST.get("membership"))
        form = CapacityForm(request.POST, org=request.org, auto_id=f"capacity-{person}-%s")
        if form.is_valid():
            try:
                services.capacity_set(org=request.org, actor=request.membership,
                                      membership=form.cleaned_data["membership"], load=form.cleaned_data["load"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error)
        if not form.errors:
            messages.success(request, _("Capacity saved."))
            return redirect("plan_people", org_slug=request.org.slug)
        status = 400
        # The person's row shows what was typed and why it was refused; anything else (an unknown
        # person) is said at the top.
        refused = {"pk": person, "load": form["load"]}
        for error in form.errors.get("membership", []):
            messages.error(request, error)
    people = selectors.people_load(org=request.org)
    settable = selectors.capacity_settable_ids(
        member=request.membership, people=[p.membership for p in people]
    )
    context = {"people": people, "settable": settable, "refused": refused}
    return render(request, "plans/people.html", context, status=status)
