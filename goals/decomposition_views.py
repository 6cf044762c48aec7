"""Decomposition pages: a goal's quarter / month / week targets generated, edited in a table and
saved, and a team goal split among its members."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from teams.access import ALL_ROLES, MANAGERS, TEAM_RULE, OrgRequest, org_page
from teams.models import Membership
from teams.selectors import org_today

from . import selectors, services
from .decompose import TIERS, reconciliation
from .forms import (
    DecomposeForm,
)
from .models import Goal, TargetVersion
from .periods import span_label
from .tables import allocations_from_post, parse_weights, slice_row_errors, slice_rows_from_post


@org_page(roles=ALL_ROLES, write_roles=MANAGERS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def goal_decompose_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Generate quarter / month / week targets, edit them in a table, see the difference from the
    whole, and save (with a reason when they deliberately do not add up)."""
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    if request.method == "POST":
        services.require_goal_change(goal=goal, actor=request.membership)
    version = selectors.current_version(goal=goal)
    source = request.POST if request.method == "POST" else request.GET
    default_method = "even" if goal.is_additive else "level"
    form = DecomposeForm(source or None, initial={"method": default_method})
    kind = str(source.get("kind")) if source.get("kind") in ("quarter", "month", "week") else "week"
    method = source.get("method") or default_method
    if request.method == "POST" and "rows" in request.POST:
        rows, errors = slice_rows_from_post(request.POST)
        if not errors and request.POST.get("action") == "save":
            saved = _save_slices(request, goal, form, kind, rows, errors)
            if saved is not None:
                return saved
    else:
        rows, errors = _proposed_slices(goal, version, kind, method, request.GET.get("method"), source)
    return _decompose_page(
        request, goal, version, form=form, kind=kind, method=method, rows=rows, errors=errors
    )


def _save_slices(
    request: OrgRequest, goal: Goal, form: DecomposeForm, kind: str, rows: list[dict[str, Any]],
    errors: dict[str, Any],
) -> HttpResponse | None:  # fmt: skip
    """Saves the edited slices and goes back to the goal; None with the refusals added to `errors`
    (row by row)."""
    try:
        services.decomposition_apply(
            goal=goal, actor=request.membership, kind=kind, rows=[services.SliceInput(**r) for r in rows],
            override_reason=request.POST.get("override_reason", ""),
        )  # fmt: skip
    except ValidationError as error:
        errors.update(slice_row_errors(error))
        return None
    kind_label = dict(form.fields["kind"].choices)[kind]  # type: ignore[attr-defined]
    messages.success(request, _("%(kind)s targets saved.") % {"kind": kind_label})
    return redirect("goal_detail", org_slug=request.org.slug, goal_id=goal.pk)


def _proposed_slices(
    goal: Goal, version: TargetVersion, kind: str, method: str, asked_method: str | None, source: Any
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The saved slices of that kind, or (when there are none, or another method is asked for)
    the service's preview."""
    existing = list(selectors.period_targets(version=version, kind=kind))
    if existing and not asked_method:
        return [{"start_date": p.start_date, "end_date": p.end_date, **{t: getattr(p, t) for t in TIERS}}
                for p in existing], {}  # fmt: skip
    try:
        weights = parse_weights(source.get("weights", ""))
        slices = services.decomposition_preview(goal=goal, kind=kind, method=method, weights=weights)
    except ValidationError as error:
        return [], dict(error.message_dict)
    return [{"start_date": s.start, "end_date": s.end, **{t: s.tier(t) for t in TIERS}} for s in slices], {}


def _decompose_page(
    request: OrgRequest, goal: Goal, version: TargetVersion, *, form: DecomposeForm, kind: str, method: str,
    rows: list[dict[str, Any]], errors: dict[str, list[str]],
) -> HttpResponse:  # fmt: skip
    totals = {t: sum((r[t] for r in rows), Decimal(0)) for t in TIERS} if rows else {}
    difference = reconciliation(version.tiers(), rows) if rows and goal.is_additive else {}
    today = org_today(request.org)
    shown = [{**r, "span": span_label(r["start_date"], r["end_date"], today=today)} for r in rows]
    context = {
        "goal": goal, "version": version, "form": form, "kind": kind, "method": method, "rows": shown,
        "totals": totals, "difference": difference,
        "mismatch": any(v != 0 for v in difference.values()), "errors": errors,
        "override_reason": request.POST.get("override_reason", "") if request.method == "POST" else
        (version.overrides.get(kind, {}).get("reason", "") if isinstance(version.overrides.get(kind), dict) else ""),
        "can_edit": selectors.can_edit_goal(member=request.membership, goal=goal),
    }  # fmt: skip
    template = "goals/decompose.html" + ("#slice-table" if request.htmx else "")  # type: ignore[attr-defined]
    return render(request, template, context, status=400 if errors else 200)


@org_page(roles=MANAGERS, object_rule=TEAM_RULE, rule_on_get=True)
@require_http_methods(["GET", "POST"])
def goal_split_view(request: OrgRequest, goal_id: int) -> HttpResponse:
    """Split a team goal among its members: each gets a personal goal serving it, and for an
    additive metric their targets must add up to the team's (or a reason is given)."""
    goal = selectors.goal_get(org=request.org, goal_id=goal_id)
    services.require_goal_change(goal=goal, actor=request.membership)
    version = selectors.current_version(goal=goal)
    members = selectors.split_members(goal=goal)
    if request.method == "GET":
        preview = selectors.goal_split_preview(goal=goal, version=version, members=members)
        return _split_page(request, goal, version, members, preview, {})
    rows, errors = allocations_from_post(request.POST, members)
    if not errors:
        try:
            children = services.goal_split_to_members(
                goal=goal, actor=request.membership,
                allocations=[services.Allocation(r["member"], r["base"], r["challenge"], r["stretch"]) for r in rows],
                override_reason=request.POST.get("override_reason", ""),
            )  # fmt: skip
        except ValidationError as error:
            errors.update(error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
        else:
            messages.success(request, _("%(n)d personal goals created.") % {"n": len(children)})
            return redirect("goal_detail", org_slug=request.org.slug, goal_id=goal.pk)
    return _split_page(request, goal, version, members, rows, errors)


def _split_page(
    request: OrgRequest, goal: Goal, version: TargetVersion, members: list[Membership],
    rows: list[dict[str, Any]], errors: dict[str, list[str]],
) -> HttpResponse:  # fmt: skip
    """The split table: every member of the team, with their row and whether it is included (all
    of them before the first post)."""
    included = {r["member"].pk for r in rows}
    by_member = {r["member"].pk: r for r in rows}
    table = [(m, by_member.get(m.pk), m.pk in included or request.method == "GET") for m in members]
    totals = {t: sum((r[t] for r in rows), Decimal(0)) for t in TIERS}
    difference = reconciliation(version.tiers(), rows) if goal.is_additive else {}
    context = {
        "goal": goal, "version": version, "table": table, "totals": totals, "difference": difference,
        "mismatch": any(v != 0 for v in difference.values()), "errors": errors,
        "override_reason": request.POST.get("override_reason", ""),
    }  # fmt: skip
    return render(request, "goals/split.html", context, status=400 if errors else 200)
