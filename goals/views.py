"""Goal pages: the cascade tree, the goal form with its live SMART checklist, the goal page
(targets and versions, supporting metrics, team input, revisions, history). The decomposition and
split pages are in goals.decomposition_views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS, OPEN_RULE, TEAM_RULE, OrgRequest, org_page
from teams.page_forms import apply_service_errors, form_page, parse_id
from teams.selectors import org_today, team_get

from . import selectors, services
from .forms import (
    CommentForm,
    DecisionForm,
    GoalForm,
    RevisionForm,
    StatusForm,
    SupportingMetricForm,
)
from .hooks import GoalDraft, draft_panels, goal_created, goal_panels
from .models import Goal
from .periods import span_label
from .progress import goal_attainment
from .tree_page import tree_rows_html


def _goal_input(data: dict[str, Any]) -> services.GoalInput:
    return services.GoalInput(**data)


TREE_WINDOW = 300  # goals the tree page shows before "show all"


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    """The goal tree of the organisation, or one team's branch."""
    team = None
    team_id = parse_id(request.GET.get("team"))
    if team_id is not None:
        team = team_get(org=request.org, team_id=team_id)
    show_closed = request.GET.get("closed") == "1"
    # Strategy and team goals at first; deeper levels open on demand, so 2,000 goals stay light.
    all_levels = request.GET.get("levels") == "all"
    root_id = parse_id(request.GET.get("root"))
    # Every level of a large organisation is thousands of goals: the first TREE_WINDOW, then a link
    # to all of them (the plan table does the same beyond a few hundred rows).
    show_all = request.GET.get("rows") == "all"
    rows, total = selectors.goal_tree_page(
        org=request.org, team=team, include_closed=show_closed, root_id=root_id,
        max_depth=None if all_levels else (1 if root_id is None else 0), max_rows=None if all_levels else 150,
        limit=None if show_all or root_id is not None else TREE_WINDOW,
    )  # fmt: skip
    context = {
        "shown_count": len(rows),
        "total_count": total,
        "rows": rows,
        "tree_html": tree_rows_html(
            rows, org_slug=request.org.slug, team_id=team.pk if team else None, show_closed=show_closed
        ),
        "teams": request.org.teams.order_by("name"),
        "team": team,
        "show_closed": show_closed,
        "all_levels": all_levels,
        "can_edit": selectors.can_create_goals(member=request.membership),
    }
    partial = "#goal-rows" if request.htmx else ""  # type: ignore[attr-defined]
    return render(request, "goals/index.html" + partial, context)


def _goal_form(request: OrgRequest, **kwargs: Any) -> GoalForm:
    """The goal form; choosing a period asks for its dates (htmx), which replace the date fields."""
    form = GoalForm(request.POST or None, org=request.org, **kwargs)
    form.fields["period_kind"].widget.attrs.update({
        "hx-get": reverse("goal_period_dates", args=[request.org.slug]), "hx-trigger": "change",
        "hx-include": "#id_start_date, #id_end_date", "hx-swap": "none",
        "hx-sync": "this:replace",  # its own queue: the form's SMART check must not drop it
    })  # fmt: skip
    return form


@org_page(roles=MANAGERS)
@require_GET
def period_dates_view(request: OrgRequest) -> HttpResponse:
    """The start and end of the chosen period as the goal form's two date fields, swapped in out of
    band; the form then checks itself again (SMART). The period is today's when the dates already
    chosen include today (or there are none), else the one at the chosen start (Q1 2027 → January
    2027). Custom dates: nothing changes (204)."""
    form = GoalForm(org=request.org, actor=request.membership)
    chosen = []
    for name in ("start_date", "end_date"):
        try:
            chosen.append(form.fields[name].clean(request.GET.get(name, "")) or None)
        except ValidationError:
            chosen.append(None)
    start, end = chosen
    today = org_today(org=request.org)
    day = start if start and not (end and start <= today <= end) else None
    span = selectors.period_dates(org=request.org, kind=request.GET.get("period_kind", ""), day=day)
    if span is None:
        return HttpResponse(status=204)
    filled = GoalForm(
        org=request.org, actor=request.membership, initial={"start_date": span[0], "end_date": span[1]}
    )
    html = "".join(
        filled[name].as_widget(attrs={"hx-swap-oob": "true"}) for name in ("start_date", "end_date")
    )
    return HttpResponse(html, headers={"HX-Trigger-After-Settle": "goal-dates-filled"})


@org_page(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def goal_create_view(request: OrgRequest) -> HttpResponse:
    initial: dict[str, Any] = {"owner": request.membership}
    quarter = selectors.period_dates(org=request.org, kind="quarter")  # the form's default period
    if quarter is not None:
        initial["start_date"], initial["end_date"] = quarter
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = _goal_form(request, actor=request.membership, initial=initial)

    def created(goal: Goal) -> HttpResponse:
        goal_created(goal, request.membership, request.POST)  # e.g. the lessons ticked "Apply"
        messages.success(request, _("Goal “%(title)s” created as a draft.") % {"title": goal.title})
        return redirect("goal_detail", org_slug=request.org.slug, goal_id=goal.pk)

    return form_page(
        request, form,
        save=lambda data: services.goal_create(org=request.org, actor=request.membership, data=_goal_input(data)),
        on_success=created, template="goals/goal_form.html", context=form.smart(),
    )  # fmt: skip


@org_page(roles=MANAGERS)
@require_POST
def smart_check_view(request: OrgRequest) -> HttpResponse:
    """The SMART checklist and tier suggestion for the form as it is being filled in (htmx)."""
    form = GoalForm(request.POST, org=request.org, actor=request.membership)
    return render(request, "goals/goal_form.html#smart-panel", form.smart())


@org_page(roles=MANAGERS, object_rule=TEAM_RULE, rule_on_get=True)
@require_http_methods(["GET", "POST"])
def goal_edit_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    services.require_goal_change(goal=goal, actor=request.membership)  # no form for what cannot be saved
    version = selectors.current_version(goal=goal)
    initial = {
        "title": goal.title, "description": goal.description, "scope": goal.scope, "team": goal.team,
        "owner": goal.owner, "parent": goal.parent, "weight": goal.weight, "rationale": goal.rationale,
        "metric_name": goal.metric_name, "unit": goal.unit, "direction": goal.direction,
        "aggregation": goal.aggregation, "baseline": goal.baseline, "period_kind": goal.period_kind,
        "start_date": goal.start_date, "end_date": goal.end_date, "base": version.base,
        "challenge": version.challenge, "stretch": version.stretch, "allows_negative": goal.allows_negative,
    }  # fmt: skip
    form = _goal_form(request, actor=request.membership, goal=goal, initial=initial)

    def saved(_goal: Goal) -> HttpResponse:
        messages.success(request, _("Goal saved."))
        return redirect("goal_detail", org_slug=request.org.slug, goal_id=goal.pk)

    context = {"goal": goal, **form.smart()}
    return form_page(
        request, form,
        save=lambda data: services.goal_update(goal=goal, actor=request.membership, data=_goal_input(data)),
        on_success=saved, template="goals/goal_form.html", context=context,
    )  # fmt: skip


def _detail_context(request: OrgRequest, goal: Goal, **forms: Any) -> dict[str, Any]:
    versions = list(
        goal.versions.select_related("revision__decided_by__user", "created_by").order_by("number")
    )
    newest = versions[-1]
    today = org_today(request.org)
    # The targets in force today: progress is measured against them (a revision that takes effect
    # later is shown beside them, not instead of them).
    current = selectors.version_in_force(goal=goal, on=today)
    scheduled = newest if newest.number > current.number else None
    children = list(selectors.goal_list(org=request.org, parent_id=goal.pk))
    progress = goal_attainment(org=request.org, goals=[goal, *children])
    comments = list(selectors.comment_list(goal=goal))
    revisions = list(selectors.revision_list(goal=goal))
    pending = next((r for r in revisions if r.state == "pending"), None)
    return {
        "goal": goal,
        "versions": versions,
        "current": current,
        "scheduled": scheduled,
        "progress": progress.get(goal.pk),
        "slices": _labelled(selectors.period_targets(version=current), today),
        "metrics": selectors.supporting_metric_list(goal=goal),
        "comments": comments,
        "proposals": [c for c in comments if c.is_proposal],
        "revisions": revisions,
        "pending": pending,
        "children": [(child, progress.get(child.pk)) for child in children],
        "history": selectors.goal_history(org=request.org, goal=goal),
        "next_statuses": services.next_statuses(goal),
        "goal_panels": goal_panels(goal),  # what later apps show on the goal (lessons applied)
        **selectors.goal_page_rights(member=request.membership, goal=goal, pending=pending),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "metric_form": forms.get("metric_form") or SupportingMetricForm(),
        "revision_form": forms.get("revision_form") or RevisionForm(initial=newest.tiers()),
        "status_form": forms.get("status_form") or StatusForm(),
    }


def _labelled(pieces: Any, today: Any) -> list[Any]:
    """Period targets with their dates as a label (years shown when not this year)."""
    result = list(pieces)
    for piece in result:
        piece.span = span_label(piece.start_date, piece.end_date, today=today)
    return result


@org_page(roles=ALL_ROLES)
@require_GET
def goal_detail_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    return render(request, "goals/goal_detail.html", _detail_context(request, goal))


def _detail_with_errors(request: OrgRequest, goal: Goal, **forms: Any) -> HttpResponse:
    return render(request, "goals/goal_detail.html", _detail_context(request, goal, **forms), status=400)


def _panel_post(
    request: OrgRequest,
    goal: Goal,
    form: Any,
    *,
    form_key: str,
    save: Any,
    success: Any,
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    """A form of one panel of the goal page: saved → a message and back to the page; refused →
    the page again (400) with the errors on that panel's form."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error, field_map)
        else:
            messages.success(request, success() if callable(success) else success)
            return redirect("goal_detail", org_slug=request.org.slug, goal_id=goal.pk)
    return _detail_with_errors(request, goal, **{form_key: form})


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def goal_status_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    services.require_goal_change(goal=goal, actor=request.membership)
    return _panel_post(
        request, goal, StatusForm(request.POST), form_key="status_form",
        save=lambda data: services.goal_set_status(goal=goal, actor=request.membership, **data),
        success=lambda: _("The goal is now “%(status)s”.") % {"status": goal.get_status_display()},
    )  # fmt: skip


@org_page(roles=CONTRIBUTORS, object_rule=OPEN_RULE)
@require_POST
def goal_comment_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    return _panel_post(
        request, goal, CommentForm(request.POST), form_key="comment_form",
        save=lambda data: services.comment_add(
            goal=goal, author=request.membership, body=data["body"], base=data["proposed_base"],
            challenge=data["proposed_challenge"], stretch=data["proposed_stretch"],
        ),
        success=_("Comment added."), field_map=services.PROPOSAL_FIELDS,
    )  # fmt: skip


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def goal_metric_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    services.require_goal_change(goal=goal, actor=request.membership)
    return _panel_post(
        request, goal, SupportingMetricForm(request.POST), form_key="metric_form",
        save=lambda data: services.supporting_metric_save(goal=goal, actor=request.membership, **data),
        success=_("Supporting metric added."),
    )  # fmt: skip


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def goal_metric_delete_view(request: OrgRequest, goal_id: int, metric_id: int) -> HttpResponse:
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    services.require_goal_change(goal=goal, actor=request.membership)
    metric = selectors.supporting_metric_get(goal=goal, metric_id=metric_id)
    services.supporting_metric_delete(metric=metric, actor=request.membership)
    messages.success(request, _("Supporting metric removed."))
    return redirect("goal_detail", org_slug=request.org.slug, goal_id=goal.pk)


DRAFT_PLACES = ("revision", "decomposition")


@org_page(roles=ALL_ROLES)
@require_GET
def goal_draft_panels_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """The side panels of a goal being revised or decomposed (loaded when the revision form is
    opened, or beside the decomposition table): what later apps offer for it, as beside the new-goal
    form — past lessons, with "Apply" for whoever may change the goal."""
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    where = request.GET.get("for") if request.GET.get("for") in DRAFT_PLACES else "revision"
    context = {
        "goal": goal,
        "draft_panels": draft_panels(GoalDraft.of_goal(goal, where)),
        "can_apply": selectors.can_edit_goal(member=request.membership, goal=goal),
    }
    return render(request, "goals/includes/draft_panels.html", context)


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def goal_revision_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    services.require_revision_request(goal=goal, member=request.membership)
    return _panel_post(
        request, goal, RevisionForm(request.POST), form_key="revision_form",
        save=lambda data: services.revision_request(goal=goal, requester=request.membership, **data),
        success=_("Revision requested. The owner of the goal it serves, or an admin, decides."),
    )  # fmt: skip


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def revision_decide_view(request: OrgRequest, revision_id: int) -> HttpResponse:
    revision = selectors.revision_get(org=request.org, revision_id=revision_id)
    services.require_revision_decision(revision=revision, member=request.membership)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return render(
            request, "errors/error.html", {"status": 400, "detail": _("Approve or reject.")}, status=400
        )
    try:
        services.revision_decide(
            revision=revision, decider=request.membership, approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Revision decided."))
    return redirect("goal_detail", org_slug=request.org.slug, goal_id=revision.goal_id)
