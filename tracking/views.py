"""Thin pages of the tracking app: stand-up, team board, metric values, indicator overview."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals.periods import week_start
from teams.access import (
    ADMIN_ONLY,
    ALL_ROLES,
    CONTRIBUTORS,
    MANAGERS,
    OPEN_RULE,
    TEAM_RULE,
    OrgRequest,
    org_page,
)
from teams.hooks import HomePanel
from teams.page_forms import apply_service_errors, form_page, parse_day, parse_id
from teams.selectors import org_today

from . import exports, selectors, services
from .forms import (
    AcknowledgeForm,
    AlertRuleForm,
    EntryForm,
    PreferenceForm,
    ReviewActionForm,
    ReviewForm,
    RhythmForm,
    StandupForm,
    value_field_name,
)
from .models import RuleKind


def _day(raw: str | None, default: date) -> date:
    parsed = parse_day(raw) if raw else None
    return parsed or default


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    member = request.membership
    today = org_today(request.org)
    teams = (
        selectors.org_teams(org=request.org)
        if member.role in MANAGERS
        else selectors.member_teams(member=member)
    )
    context: dict[str, Any] = {
        "today": today,
        "my_standup": selectors.standup_get(member=member, day=today)
        if member.role in CONTRIBUTORS
        else None,
        "can_standup": member.role in CONTRIBUTORS,
        "can_overview": member.role in MANAGERS,
        "teams": teams,
        "rows": selectors.indicator_overview(org=request.org),
    }
    return render(request, "tracking/index.html", context)


@org_page(roles=CONTRIBUTORS)
@require_http_methods(["GET", "POST"])
def standup_view(request: OrgRequest) -> HttpResponse:
    """每日站会 on a phone: three lines, a mood and today's numbers, saved in one tap."""
    member = request.membership
    today = org_today(request.org)
    day = _day(request.POST.get("day") if request.method == "POST" else request.GET.get("day"), today)
    goals = selectors.contributing_goals(member=member)
    existing = selectors.standup_get(member=member, day=day)
    initial: dict[str, Any] = {"day": day}
    if existing is not None:
        initial.update(yesterday=existing.yesterday, today=existing.today, blockers=existing.blockers,
                       mood=existing.mood)  # fmt: skip
        for entry in existing.entries.all():
            initial[value_field_name(entry.goal_id, entry.supporting_metric_id)] = (
                f"{entry.value.normalize():f}"
            )
    form = StandupForm(request.POST if request.method == "POST" else None, goals=goals, initial=initial)

    def save(data: dict[str, Any]) -> Any:
        typed = [
            (name, goal, metric)
            for name, goal, metric in form.value_fields
            if str(data.get(name) or "").strip()
        ]
        values = tuple(
            services.EntryInput(
                goal_id=goal.pk, supporting_metric_id=metric.pk if metric else None, value=data[name]
            )
            for name, goal, metric in typed
        )
        try:
            return services.standup_submit(member=member, actor=member, data=services.StandupInput(
                day=data["day"], yesterday=data["yesterday"], today=data["today"], blockers=data["blockers"],
                mood=data["mood"], values=values))  # fmt: skip
        except ValidationError as error:
            # "values.2.value" is about the third number typed: show it next to that field.
            raise ValidationError(_value_errors(error, [name for name, _goal, _metric in typed])) from error

    # The home page's short form posts here too, and its person goes back there once saved.
    from_home = request.POST.get("from") == "home"

    def saved(standup: Any) -> HttpResponse:
        messages.success(request, _("Stand-up saved. Thank you!"))
        if from_home:
            return redirect("org_home", org_slug=request.org.slug)
        return redirect(f"{reverse('standup', args=[request.org.slug])}?day={standup.day.isoformat()}")

    recent = list(selectors.standup_list(org=request.org, member=member, until=today)[:5])
    preference = PreferenceForm(initial={"reminder_channel": selectors.reminder_channel(member=member)})
    context = {"day": day, "today": today, "existing": existing, "recent": recent, "preference": preference,
               "earlier": day - timedelta(days=1), "later": min(day + timedelta(days=1), today),
               "from_home": from_home}  # fmt: skip
    return form_page(
        request, form, save=save, on_success=saved, template="tracking/standup.html", context=context
    )


def standup_home_panel(request: Any) -> list[HomePanel]:
    """Today's stand-up on the page a member lands on after signing in (a teams hook): the short
    form, where one line and a tap log it, or what they logged today with a link to edit it.
    Offered to the people who log stand-ups and are on a team."""
    member = getattr(request, "membership", None)
    if member is None or member.role not in CONTRIBUTORS or not member.teams.exists():
        return []
    today = org_today(request.org)
    standup = selectors.standup_get(member=member, day=today)
    form = None
    if standup is None:
        form = StandupForm(goals=selectors.contributing_goals(member=member), initial={"day": today})
    return [HomePanel("tracking/_home_standup.html", {"standup": standup, "form": form})]


def _value_errors(error: ValidationError, names: list[str]) -> Any:
    if not hasattr(error, "error_dict"):
        return error
    mapped: dict[str, list[Any]] = {}
    for key, errors in error.error_dict.items():
        parts = key.split(".")
        if parts[0] == "values" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(names):
            key = names[int(parts[1])]
        mapped.setdefault(key, []).extend(errors)
    return mapped


@org_page(roles=ALL_ROLES)
@require_GET
def board_view(request: OrgRequest, team_id: int) -> HttpResponse:
    """The manager's team board: who has checked in, blockers first, and the day's values."""
    team = selectors.team_get(org=request.org, team_id=team_id)
    return render(request, "tracking/board.html", _board_context(request, team, request.GET.get("day")))


def _board_context(
    request: OrgRequest, team: Any, raw_day: str | None, rhythm_form: RhythmForm | None = None
) -> dict[str, Any]:
    today = org_today(request.org)
    day = min(_day(raw_day, today), today)
    board = selectors.team_board(org=request.org, team=team, day=day)
    rhythm = selectors.team_rhythm(team=team)
    rhythm_form = rhythm_form or RhythmForm(initial={
        "standup_time": rhythm.standup_time, "working_days": list(rhythm.working_days), "reminders": rhythm.reminders})  # fmt: skip
    return {"board": board, "day": day, "today": today, "earlier": day - timedelta(days=1),
               "later": day + timedelta(days=1) if day < today else None, "rhythm": rhythm,
               "rhythm_form": rhythm_form, "can_set_rhythm": selectors.can_manage_team(member=request.membership, team_id=team.pk),
               "resolvable": {row.standup.pk for row in board.blockers
                              if not services.blocker_resolution_refusal(standup=row.standup, actor=request.membership)}}  # fmt: skip


@org_page(roles=CONTRIBUTORS, object_rule=OPEN_RULE)
@require_POST
def standup_blocker_resolve_view(request: OrgRequest, standup_id: int) -> HttpResponse:
    """ "I resolved this": a teammate marks a stand-up's blockers as cleared, then back to the board."""
    standup = selectors.standup_get_in_org(org=request.org, standup_id=standup_id)
    try:
        services.standup_blocker_resolve(standup=standup, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Thank you for helping %(name)s.") % {"name": standup.member.user.get_full_name()}
        )
    team_id = parse_id(request.POST.get("team"))
    try:
        team = selectors.team_get(org=request.org, team_id=team_id) if team_id is not None else None
    except Http404:
        team = None
    if team is None:
        return redirect("tracking_index", org_slug=request.org.slug)
    return redirect(
        f"{reverse('team_board', args=[request.org.slug, team.pk])}?day={standup.day.isoformat()}"
    )


@org_page(roles=MANAGERS, object_rule=TEAM_RULE)
@require_POST
def rhythm_view(request: OrgRequest, team_id: int) -> HttpResponse:
    """The team's stand-up time and working days (reminders go out after that time)."""
    team = selectors.team_get(org=request.org, team_id=team_id)
    services.require_team_change(team=team, actor=request.membership)
    form = RhythmForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rhythm_save(team=team, actor=request.membership, standup_time=data["standup_time"],
                                 working_days="".join(data["working_days"]), reminders=data["reminders"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Stand-up rhythm saved."))
            return redirect("team_board", org_slug=request.org.slug, team_id=team.pk)
    context = _board_context(request, team, None, rhythm_form=form)
    return render(request, "tracking/board.html", context, status=400)


@org_page(roles=CONTRIBUTORS)
@require_POST
def preference_view(request: OrgRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.preference_save(
            member=request.membership, reminder_channel=form.cleaned_data["reminder_channel"]
        )
        messages.success(request, _("Reminder preference saved."))
    else:
        messages.error(request, _("Choose how to be reminded."))
    return redirect("standup", org_slug=request.org.slug)


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

    def save(data: dict[str, Any]) -> Any:
        member = data.get("member")
        return services.entry_create(org=request.org, actor=request.membership, data=services.EntryInput(
            goal_id=goal.pk, supporting_metric_id=data.get("metric") or None, day=data["day"], value=data["value"],
            member_id=member.pk if member else None, note=data.get("note", "")))  # fmt: skip

    def saved(entry: Any) -> HttpResponse:
        messages.success(request, _("Value saved; the indicators are being recomputed."))
        return redirect("goal_values", org_slug=request.org.slug, goal_id=goal.pk)

    entries = list(selectors.entry_list(org=request.org, goal=goal)[:100])
    context = {
        "goal": goal,
        "entries": entries,
        "can_enter": selectors.can_enter_values(member=request.membership, goal=goal),
        "deletable": selectors.deletable_entry_ids(member=request.membership, goal=goal, entries=entries),
    }
    return form_page(
        request, form, save=save, on_success=saved, template="tracking/values.html", context=context
    )


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


# --- Alerts, corrective actions, inbox, channels --------------------------------------------------
@org_page(roles=ALL_ROLES)
@require_GET
def alert_list_view(request: OrgRequest) -> HttpResponse:
    state = request.GET.get("state") or "unresolved"
    if state not in ("unresolved", "open", "acknowledged", "resolved"):
        state = "unresolved"
    alerts = list(selectors.alert_list(org=request.org, state=state)[:200])
    rows = [(a, services.alert_message(a)) for a in alerts]
    actions = list(selectors.action_list(org=request.org, open_only=True)[:100])
    return render(request, "tracking/alerts.html", {"rows": rows, "state": state, "actions": actions})


@org_page(roles=ALL_ROLES, write_roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def alert_detail_view(request: OrgRequest, alert_id: int) -> HttpResponse:
    """One alert: what deviates and since when, a link to the data, and (for the goal's owner or a
    manager) the cause and corrective action that acknowledge it."""
    alert = selectors.alert_get(org=request.org, alert_id=alert_id)
    if request.method == "POST":
        services.require_alert_action(alert=alert, actor=request.membership)
    can_act = selectors.can_act_on(alert=alert, member=request.membership)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None, org=request.org,
                           initial={"owner": alert.goal.owner_id if alert.goal else request.membership.pk})  # fmt: skip

    def save(data: dict[str, Any]) -> Any:
        return services.alert_acknowledge(
            alert=alert, actor=request.membership, cause=data["cause"], cause_note=data["cause_note"],
            action=services.ActionInput(description=data["action"], owner=data["owner"], due_date=data["due_date"]),
        )  # fmt: skip

    def saved(_action: Any) -> HttpResponse:
        messages.success(request, _("Alert acknowledged; the corrective action is tracked until done."))
        return redirect("alert_detail", org_slug=request.org.slug, alert_id=alert.pk)

    actions = list(selectors.action_list(org=request.org, alert=alert))
    context = {
        "alert": alert, "message": services.alert_message(alert), "can_act": can_act, "actions": actions,
        "updatable": selectors.updatable_action_ids(member=request.membership, alert=alert, actions=actions),
        "history": selectors.alert_history(alert=alert),
    }  # fmt: skip
    return form_page(
        request, form, save=save, on_success=saved, template="tracking/alert.html", context=context
    )


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def alert_resolve_view(request: OrgRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get(org=request.org, alert_id=alert_id)
    services.require_alert_action(alert=alert, actor=request.membership)
    try:
        services.alert_resolve(alert=alert, actor=request.membership, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Alert resolved."))
    return redirect("alert_detail", org_slug=request.org.slug, alert_id=alert.pk)


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def action_update_view(request: OrgRequest, action_id: int) -> HttpResponse:
    action = selectors.action_get(org=request.org, action_id=action_id)
    services.require_action_update(action=action, actor=request.membership)
    worked = {"yes": True, "no": False}.get(request.POST.get("worked", ""))
    try:
        services.action_update(action=action, actor=request.membership, done=request.POST.get("done") == "1",
                               worked=worked)  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Corrective action updated."))
    if action.alert_id:
        return redirect("alert_detail", org_slug=request.org.slug, alert_id=action.alert_id)
    return redirect("alert_list", org_slug=request.org.slug)


@org_page(roles=ALL_ROLES)
@require_http_methods(["GET", "POST"])
def inbox_view(request: OrgRequest) -> HttpResponse:
    """In-app inbox: new and escalated alerts, stand-up reminders."""
    if request.method == "POST":
        services.notifications_mark_read(member=request.membership)
        return redirect("inbox", org_slug=request.org.slug)
    items = list(selectors.notification_list(member=request.membership)[:100])
    rows = [(n, services.alert_message(n.alert) if n.alert else "") for n in items]
    response = render(request, "tracking/inbox.html", {"rows": rows})
    services.notifications_mark_read(
        member=request.membership, ids=[n.pk for n in items if n.read_at is None]
    )
    return response


@org_page(roles=ADMIN_ONLY)
@require_GET
def channels_view(request: OrgRequest) -> HttpResponse:
    """Alert rules: thresholds, escalation and on/off per rule. The webhooks alerts are posted to
    live under Settings → Integrations (tracking.integration_views)."""
    return render(request, "tracking/channels.html", _rules_context(request))


def _rules_context(request: OrgRequest, refused: AlertRuleForm | None = None) -> dict[str, Any]:
    """One form per alert rule (the refused one as it was typed, with its errors)."""

    def rule_form(kind: str, rule: selectors.RuleSetting) -> AlertRuleForm:
        if refused is not None and refused.kind == kind:
            return refused
        return AlertRuleForm(kind=kind, initial={
            "threshold": f"{rule.threshold.normalize():f}", "escalate_after_days": rule.escalate_after_days,
            "enabled": rule.enabled})  # fmt: skip

    return {
        "rules": [
            (RuleKind(kind).label, rule, rule_form(kind, rule))
            for kind, rule in selectors.rule_settings(org=request.org).items()
        ],
    }


@org_page(roles=ALL_ROLES)
@require_GET
def dashboard_view(request: OrgRequest, team_id: int) -> HttpResponse:
    """Team dashboard: goal cards against the expected pace, burn-up charts, indicators, alerts."""
    team = selectors.team_get(org=request.org, team_id=team_id)
    dashboard = selectors.team_dashboard(org=request.org, team=team, today=org_today(request.org))
    return render(request, "tracking/dashboard.html", {"dashboard": dashboard})


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
    status = 200
    if request.method == "POST":
        services.require_team_change(team=team, actor=request.membership)
    action_form = ReviewActionForm(org=request.org, team=team)
    if request.method == "POST" and request.POST.get("what") == "action":
        action_form = ReviewActionForm(request.POST, org=request.org, team=team)
        if action_form.is_valid():
            data = action_form.cleaned_data
            try:
                services.review_action_add(
                    org=request.org, team=team, kind=kind, start=start, actor=request.membership, goal=data.get("goal"),
                    data=services.ActionInput(description=data["action"], owner=data["owner"], due_date=data["due_date"]),
                )  # fmt: skip
            except ValidationError as error:
                apply_service_errors(action_form, error)
            else:
                messages.success(request, _("Corrective action added."))
                return redirect(url + query)
        status = 400
    decisions_form: ReviewForm | None = None
    if request.method == "POST" and request.POST.get("what") != "action":
        decisions_form = ReviewForm(request.POST)
        if decisions_form.is_valid():
            try:
                services.review_save(org=request.org, team=team, actor=request.membership, kind=kind, start=start,
                                     decisions=decisions_form.cleaned_data["decisions"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(decisions_form, error)
            else:
                messages.success(request, _("Review saved."))
                return redirect(url + query)
        status = 400
    page = selectors.review_page(org=request.org, team=team, kind=kind, start=start, today=today)
    if decisions_form is None:
        decisions_form = ReviewForm(initial={"decisions": page.record.decisions if page.record else ""})
    if kind == "week":
        earlier, later = start - timedelta(days=7), start + timedelta(days=7)
        nav = (f"?week={earlier.isoformat()}", f"?week={later.isoformat()}" if later <= today else "")
    else:
        earlier = (start - timedelta(days=1)).replace(day=1)
        later = (start + timedelta(days=32)).replace(day=1)
        nav = (f"?month={earlier:%Y-%m}", f"?month={later:%Y-%m}" if later <= today else "")
    context = {"page": page, "kind": kind, "nav": nav, "action_form": action_form, "query": query,
               "decisions_form": decisions_form,
               "can_record": selectors.can_manage_team(member=request.membership, team_id=team.pk)}  # fmt: skip
    return render(request, "tracking/review.html", context, status=status)


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


@org_page(roles=ADMIN_ONLY)
@require_POST
def rule_view(request: OrgRequest, kind: str) -> HttpResponse:
    """Change one alert rule (threshold, escalation days, on or off). Refused: the channels page
    again (400) with the rule's fields as typed and the reason next to them, naming the rule."""
    if kind not in RuleKind.values:
        raise Http404("No such rule.")
    form = AlertRuleForm(request.POST, kind=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_save(org=request.org, actor=request.membership, kind=kind, enabled=data["enabled"],
                               threshold=data["threshold"], escalate_after_days=data["escalate_after_days"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Alert rule “%(rule)s” saved.") % {"rule": form.rule_label})
            return redirect("channels", org_slug=request.org.slug)
    return render(request, "tracking/channels.html", _rules_context(request, refused=form), status=400)


@org_page(roles=CONTRIBUTORS)
@require_GET
def my_work_view(request: OrgRequest) -> HttpResponse:
    """My work: my stand-up, my initiatives, my corrective actions, my contribution to each goal."""
    today = org_today(request.org)
    context = {"today": today, **selectors.my_work(member=request.membership, today=today)}
    return render(request, "tracking/my_work.html", context)


@org_page(roles=MANAGERS)
@require_GET
def overview_view(request: OrgRequest) -> HttpResponse:
    """The organisation at a glance: every team's goals by status, open alerts, today's check-ins."""
    today = org_today(request.org)
    return render(request, "tracking/overview.html", {"today": today,
                                                      "teams": selectors.org_overview(org=request.org, today=today)})  # fmt: skip
