"""Thin pages of stand-ups: the tracking home, the stand-up, the team board and its rhythm,
my work and the organisation overview."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import (
    ALL_ROLES,
    CONTRIBUTORS,
    MANAGERS,
    OPEN_RULE,
    TEAM_RULE,
    OrgRequest,
    org_page,
)
from teams.hooks import HomePanel
from teams.models import Membership
from teams.page_forms import apply_service_errors, form_page, parse_day, parse_id
from teams.selectors import org_today

from .. import selectors, services
from ..forms import (
    PreferenceForm,
    RhythmForm,
    StandupForm,
    value_field_name,
)
from ..models import Standup


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
    member, today, posted = request.membership, org_today(request.org), request.method == "POST"
    day = _day(request.POST.get("day") if posted else request.GET.get("day"), today)
    goals = selectors.contributing_goals(member=member)
    existing = selectors.standup_get(member=member, day=day)
    form = StandupForm(request.POST if posted else None, goals=goals, initial=_standup_initial(existing, day))
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
    return form_page(request, form, save=partial(_standup_submit, member, form), on_success=saved,
                     template="tracking/standup.html", context=context)  # fmt: skip


def _standup_initial(existing: Standup | None, day: date) -> dict[str, Any]:
    """The stand-up form as last saved for the day (its lines, mood and numbers)."""
    initial: dict[str, Any] = {"day": day}
    if existing is not None:
        initial.update(yesterday=existing.yesterday, today=existing.today, blockers=existing.blockers,
                       mood=existing.mood)  # fmt: skip
        for entry in existing.entries.all():
            initial[value_field_name(entry.goal_id, entry.supporting_metric_id)] = (
                f"{entry.value.normalize():f}"
            )
    return initial


def _standup_submit(member: Membership, form: StandupForm, data: dict[str, Any]) -> Any:
    """The form's fields to the service's input: the numbers typed, each for its goal or metric."""
    typed = [
        (name, goal, metric) for name, goal, metric in form.value_fields if str(data.get(name) or "").strip()
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
                              if selectors.can_resolve_blocker(member=request.membership, standup=row.standup)}}  # fmt: skip


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
