"""Thin pages of metric values: manual entry, deletion and file imports."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals.models import Goal
from teams.access import (
    ALL_ROLES,
    CONTRIBUTORS,
    TEAM_RULE,
    OrgRequest,
    org_page,
)
from teams.page_forms import form_page
from teams.selectors import org_today

from .. import selectors, services
from ..forms import (
    EntryForm,
)


@org_page(roles=ALL_ROLES, write_roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def values_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Manual entry of a goal's values, and the latest values whatever their source."""
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    if request.method == "POST":
        services.require_value_entry(goal=goal, actor=request.membership)
    today = org_today(request.org)
    form = EntryForm(request.POST if request.method == "POST" else None, goal=goal, actor=request.membership,
                     initial={"day": min(today, goal.end_date)})  # fmt: skip

    def saved(entry: Any) -> HttpResponse:
        messages.success(request, _("Value saved; the indicators are being recomputed."))
        return redirect("goal_values", org_slug=request.org.slug, goal_id=goal.pk)

    context = selectors.values_page(org=request.org, member=request.membership, goal=goal)
    return form_page(request, form, save=partial(_entry_create, request, goal), on_success=saved,
                     template="tracking/values.html", context=context)  # fmt: skip


def _entry_create(request: OrgRequest, goal: Goal, data: dict[str, Any]) -> Any:
    member = data.get("member")
    return services.entry_create(org=request.org, actor=request.membership, data=services.EntryInput(
        goal_id=goal.pk, supporting_metric_id=data.get("metric") or None, day=data["day"], value=data["value"],
        member_id=member.pk if member else None, note=data.get("note", "")))  # fmt: skip


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def entry_delete_view(request: OrgRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_get(org=request.org, entry_id=entry_id)
    services.require_entry_delete(entry=entry, actor=request.membership)
    goal_id = entry.goal_id
    try:
        services.entry_delete(entry=entry, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Value deleted."))
    return redirect("goal_values", org_slug=request.org.slug, goal_id=goal_id)


@org_page(roles=CONTRIBUTORS)
@require_http_methods(["GET", "POST"])
def values_import_view(request: OrgRequest) -> HttpResponse:
    """Upload a CSV or XLSX file of values; the rows are checked and stored in the background."""
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a .csv or .xlsx file.")
        else:
            try:
                job = services.import_start(org=request.org, actor=request.membership, filename=upload.name or "",
                                            content=upload.read())  # fmt: skip
            except ValidationError as failure:
                error = " ".join(failure.messages)
            else:
                return redirect("import_job", org_slug=request.org.slug, job_id=job.pk)
    jobs = selectors.import_jobs(org=request.org, member=request.membership)
    context = {"error": error, "jobs": jobs, "columns": services.IMPORT_COLUMNS}
    return render(request, "tracking/import.html", context, status=400 if error else 200)


@org_page(roles=CONTRIBUTORS)
@require_GET
def import_job_view(request: OrgRequest, job_id: int) -> HttpResponse:
    """An import's progress (htmx polls the progress block until it is finished) and its errors."""
    job = selectors.import_job_get(org=request.org, job_id=job_id)
    template = "tracking/import_job.html#progress" if request.htmx else "tracking/import_job.html"
    return render(request, template, {"job": job})


@org_page(roles=CONTRIBUTORS)
@require_GET
def values_template_view(request: OrgRequest) -> HttpResponse:
    response = HttpResponse(services.values_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="metric-values-template.csv"'
    return response
