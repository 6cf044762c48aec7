"""Thin pages of the team dashboard and the weekly and monthly reviews (with their exports)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from goals.periods import week_start
from teams.access import (
    ALL_ROLES,
    MANAGERS,
    TEAM_RULE,
    OrgRequest,
    org_page,
)
from teams.models import Team
from teams.numbers import format_number, format_percent
from teams.page_forms import apply_service_errors, parse_day
from teams.selectors import org_today

from .. import dashboard_cache, exports, selectors, services
from ..forms import (
    ReviewActionForm,
    ReviewForm,
)
from ..models import IndicatorSnapshot


def _day(raw: str | None, default: date) -> date:
    parsed = parse_day(raw) if raw else None
    return parsed or default


@org_page(roles=ALL_ROLES)
@require_GET
def dashboard_view(request: OrgRequest, team_id: int) -> HttpResponse:
    """Team dashboard: goal cards against the expected pace, burn-up charts, indicators, alerts.
    The access check and the team run on every request; the body, the same for everyone who sees
    the team, is served from the last recompute (tracking.dashboard_cache)."""
    team = selectors.team_get(org=request.org, team_id=team_id)
    today = org_today(request.org)
    key = dashboard_cache.body_key(
        org_id=request.org.pk, team_id=team.pk, language=get_language(), today=today
    )
    body = dashboard_cache.body_get(key)
    if body is None:
        dashboard = selectors.team_dashboard(org=request.org, team=team, today=today)
        body = render_to_string(
            "tracking/_dashboard_body.html", {"dashboard": dashboard, "current_org": request.org}
        )
        dashboard_cache.body_set(key, body)
    return render(request, "tracking/dashboard.html", {"team": team, "body": mark_safe(body)})  # noqa: S308 - our own rendering


def _review_start(request: OrgRequest, kind: str, today: date) -> date:
    if kind == "week":
        return week_start(_day(request.GET.get("week"), today))
    raw = request.GET.get("month", "")
    parsed = parse_day(f"{raw}-01") if raw else None
    return (parsed or today).replace(day=1)


def _review_view(request: OrgRequest, team_id: int, kind: str) -> HttpResponse:
    team = selectors.team_get(org=request.org, team_id=team_id)
    today = org_today(request.org)
    start = _review_start(request, kind, today)
    url = reverse("weekly_review" if kind == "week" else "monthly_review", args=[request.org.slug, team.pk])
    query = f"?week={start.isoformat()}" if kind == "week" else f"?month={start:%Y-%m}"
    action_form, decisions_form, status = ReviewActionForm(org=request.org, team=team), None, 200
    if request.method == "POST":
        services.require_team_change(team=team, actor=request.membership)
        if request.POST.get("what") == "action":
            action_form = ReviewActionForm(request.POST, org=request.org, team=team)
            saved = _review_action_add(request, team, kind, start, action_form)
        else:
            decisions_form = ReviewForm(request.POST)
            saved = _review_save(request, team, kind, start, decisions_form)
        if saved:
            return redirect(url + query)
        status = 400
    page = selectors.review_page(org=request.org, team=team, kind=kind, start=start, today=today)
    if decisions_form is None:
        decisions_form = ReviewForm(initial={"decisions": page.record.decisions if page.record else ""})
    context = {"page": page, "kind": kind, "nav": _review_nav(kind, start, today), "action_form": action_form,
               "query": query, "decisions_form": decisions_form, "rows": _review_rows(page, request.org.slug),
               "can_record": selectors.can_manage_team(member=request.membership, team_id=team.pk)}  # fmt: skip
    return render(request, "tracking/review.html", context, status=status)


def _labels(field: str) -> dict[str, str]:
    """An indicator snapshot field's choices as plain text in the active language (one lookup a row)."""
    return {str(k): str(v) for k, v in IndicatorSnapshot._meta.get_field(field).flatchoices}


def _review_rows(page: selectors.ReviewPage, org_slug: str) -> dict[str, Any]:
    """What the review page shows, as plain rows: figures formatted, labels looked up and links
    built here once, so the template only prints (no method calls, no lazy look-ups, no `{% url %}`
    a row)."""
    tiers, states = _labels("tier_reached"), _labels("status")
    sentinel = 2147483647  # reversed once, then filled in for each row
    goal_url = reverse("goal_values", args=[org_slug, sentinel]).replace(str(sentinel), "{}")
    plan_url = reverse("goal_plan", args=[org_slug, sentinel]).replace(str(sentinel), "{}")
    goals = []
    for row in page.goals:
        s, places = row.lagging, row.goal.number_places
        leading = [
            {"name": m.supporting_metric.name, "actual": format_number((week or {}).get("actual"), m.supporting_metric.number_places),
             "target": format_number((week or {}).get("target"), m.supporting_metric.number_places),
             "completion": format_percent((week or {}).get("completion")), "status": m.status, "label": states.get(m.status, m.status)}
            for m, week in row.leading
        ]  # fmt: skip
        risks = [
            {"name": m.supporting_metric.name, "actual": format_number(m.actual, m.supporting_metric.number_places),
             "target": format_number(m.target, m.supporting_metric.number_places), "status": m.status,
             "label": _("breached") if m.status == "off_track" else states.get(m.status, m.status)}
            for m in row.risks
        ]  # fmt: skip
        goals.append({
            "title": row.goal.title, "url": goal_url.format(row.goal.pk), "snapshot": s is not None,
            "actual": format_number(s.actual if s else None, places),
            "expected": format_number(s.expected if s else None, places),
            "attainment": format_percent(s.attainment if s else None),
            "tier_reached": tiers.get(s.tier_reached, "") if s else "",
            "tier_projected": tiers.get(s.tier_projected, "") if s else "",
            "status": s.status if s else "", "label": states.get(s.status, "") if s else "",
            "leading": leading, "risks": risks,
        })  # fmt: skip
    # Once a page. No _() inside an f-string: xgettext does not read f-strings, so the word would
    # never reach the catalogue (tests/test_i18n_sources.py checks).
    late_word = escape(_("late"))
    due, late = _("due %(date)s"), f' <span class="badge badge-warn">{late_word}</span>'
    initiatives = []
    for i in page.initiatives:  # a hundred list items, each written here as the template wrote it
        progress, day = str(i["progress"]), i["due_date"]
        when = f" · {escape(due % {'date': f'{day:%m-%d}'})}{late if day < page.asof else ''}" if day else ""
        initiatives.append(mark_safe(  # noqa: S308 - every value escaped here
            f'<li><a href="{escape(plan_url.format(i["goal_id"]))}#initiative-{i["id"]}">{escape(i["title"])}</a>'
            f' · {escape(i["owner"])} · <meter min="0" max="100" value="{progress}">{progress}%</meter>'
            f" {progress}%{when}</li>"
        ))  # fmt: skip
    return {"goals": goals, "initiatives": initiatives}


def _review_action_add(
    request: OrgRequest, team: Team, kind: str, start: date, form: ReviewActionForm
) -> bool:
    """A corrective action added from the review; False (the form carries why) when refused."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.review_action_add(
            org=request.org, team=team, kind=kind, start=start, actor=request.membership, goal=data.get("goal"),
            data=services.ActionInput(description=data["action"], owner=data["owner"], due_date=data["due_date"]),
        )  # fmt: skip
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    messages.success(request, _("Corrective action added."))
    return True


def _review_save(request: OrgRequest, team: Team, kind: str, start: date, form: ReviewForm) -> bool:
    """The review's decisions (weekly) or lessons (monthly); False (the form carries why) when refused."""
    if not form.is_valid():
        return False
    try:
        services.review_save(org=request.org, team=team, actor=request.membership, kind=kind, start=start,
                             decisions=form.cleaned_data["decisions"])  # fmt: skip
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    messages.success(request, _("Review saved."))
    return True


def _review_nav(kind: str, start: date, today: date) -> tuple[str, str]:
    """The queries of the previous and the next week or month (none past today's)."""
    if kind == "week":
        earlier, later = start - timedelta(days=7), start + timedelta(days=7)
        return f"?week={earlier.isoformat()}", f"?week={later.isoformat()}" if later <= today else ""
    earlier = (start - timedelta(days=1)).replace(day=1)
    later = (start + timedelta(days=32)).replace(day=1)
    return f"?month={earlier:%Y-%m}", f"?month={later:%Y-%m}" if later <= today else ""


@org_page(roles=ALL_ROLES, write_roles=MANAGERS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def weekly_review_view(request: OrgRequest, team_id: int) -> HttpResponse:
    """周例会: one page per team per week that prepares itself; the manager records decisions."""
    return _review_view(request, team_id, "week")


@org_page(roles=ALL_ROLES, write_roles=MANAGERS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def monthly_review_view(request: OrgRequest, team_id: int) -> HttpResponse:
    """月度复盘会: achievement, tiers, trends and whether the corrective actions worked."""
    return _review_view(request, team_id, "month")


@org_page(roles=ALL_ROLES)
@require_GET
def monthly_export_view(request: OrgRequest, team_id: int, fmt: str) -> HttpResponse:
    team = selectors.team_get(org=request.org, team_id=team_id)
    today = org_today(request.org)
    start = _review_start(request, "month", today)
    page = selectors.review_page(org=request.org, team=team, kind="month", start=start, today=today)
    if fmt == "xlsx":
        body, content_type = exports.monthly_xlsx(page), exports.XLSX
    elif fmt == "pdf":
        body, content_type = exports.monthly_pdf(page, org_name=request.org.name), "application/pdf"
    elif fmt == "csv":
        body, content_type = exports.monthly_csv(page), "text/csv; charset=utf-8"
    else:
        raise Http404("Unknown format.")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="monthly-review-{team.pk}-{start:%Y-%m}.{fmt}"'
    return response
