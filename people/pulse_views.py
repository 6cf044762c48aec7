"""Thin pulse pages: the pulses to answer (a tap per question, phone first), running a pulse, and
the aggregated results with the team trend — never one person's answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import ALL_ROLES, OPEN_RULE, TEAM_RULE, OrgRequest, org_page
from teams.models import Role, Team
from teams.page_forms import apply_service_errors, parse_id
from teams.selectors import managed_team_ids

from . import selectors, services
from .forms import PulseAnswerForm, PulseForm, PulseScheduleForm
from .models import Pulse
from .questions import TOPIC_LABELS, TOPICS, question
from .selectors.rights import PULSE_RUNNERS as RUNNERS
from .selectors.rights import RESULT_READERS


def _runnable_teams(request: OrgRequest) -> Any:
    member = request.membership
    teams = Team.objects.filter(org=request.org).order_by("name")
    if member.role == Role.MANAGER:
        teams = teams.filter(pk__in=managed_team_ids(member=member))
    return teams


def _pulses(
    request: OrgRequest, *, form: PulseForm | None = None, schedule_form: PulseScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    member = request.membership
    can_run = member.role in RUNNERS
    if can_run and form is None:
        form = PulseForm(teams=_runnable_teams(request), auto_id="pulse_%s")
    if can_run and schedule_form is None:
        schedule_form = PulseScheduleForm(teams=_runnable_teams(request), auto_id="schedule_%s")
    context = {
        "to_answer": selectors.pulses_to_answer(member=member),
        "pulses": list(selectors.pulse_list(org=request.org)[:100]) if member.role in RESULT_READERS else [],
        "schedules": list(selectors.schedule_list(org=request.org)[:50]) if can_run else [],
        "form": form if can_run else None,
        "schedule_form": schedule_form if can_run else None,
    }
    return render(request, "people/pulses.html", context, status=status)


@org_page(roles=ALL_ROLES)
@require_GET
def pulses_view(request: OrgRequest) -> HttpResponse:
    """Pulses: the ones I may answer, and for HR, admins and managers the pulses and a form to
    run one."""
    return _pulses(request)


@org_page(roles=RUNNERS)
@require_POST
def pulse_create_view(request: OrgRequest) -> HttpResponse:
    form = PulseForm(request.POST, teams=_runnable_teams(request), auto_id="pulse_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.pulse_create(actor=request.membership, team=data["team"], opens_on=data["opens_on"],
                                  closes_on=data["closes_on"], threshold=data["threshold"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The pulse is planned."))
            return redirect("people_pulses", org_slug=request.org.slug)
    return _pulses(request, form=form, status=400)


@org_page(roles=RUNNERS)
@require_POST
def pulse_schedule_create_view(request: OrgRequest) -> HttpResponse:
    """Pulses on a schedule: beat opens each one on its day and reminds who has not answered."""
    form = PulseScheduleForm(request.POST, teams=_runnable_teams(request), auto_id="schedule_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.schedule_create(actor=request.membership, team=data["team"], cadence=data["cadence"],
                                     next_on=data["next_on"], days_open=data["days_open"],
                                     threshold=data["threshold"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The pulses are scheduled."))
            return redirect("people_pulses", org_slug=request.org.slug)
    return _pulses(request, schedule_form=form, status=400)


@org_page(roles=RUNNERS, object_rule=TEAM_RULE)
@require_POST
def pulse_schedule_stop_view(request: OrgRequest, schedule_id: int) -> HttpResponse:
    schedule = selectors.schedule_get(org=request.org, schedule_id=schedule_id)
    services.schedule_stop(actor=request.membership, schedule=schedule)
    messages.success(request, _("The schedule is stopped; pulses already open stay open."))
    return redirect("people_pulses", org_slug=request.org.slug)


def _answer_form(pulse: Pulse, data: Any = None) -> PulseAnswerForm:
    bank = [q for q in (question(p.key, pulse.bank_version) for p in pulse.questions.all()) if q is not None]
    return PulseAnswerForm(data, questions=bank, auto_id="q_%s")


@org_page(roles=ALL_ROLES, object_rule=OPEN_RULE)
@require_http_methods(["GET", "POST"])
def pulse_answer_view(request: OrgRequest, pulse_id: int) -> HttpResponse:
    """Answer a pulse: one tap per question and an optional comment, anonymously."""
    pulse = selectors.pulse_get(org=request.org, pulse_id=pulse_id)
    member = request.membership
    answered = selectors.has_answered(member=member, pulse=pulse)
    verdict = selectors.can_answer_pulse(member=member, pulse=pulse)
    form = _answer_form(pulse, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            scores = {key: data[key] for key in form.question_keys}
            try:
                services.pulse_answer(pulse=pulse, member=member, scores=scores, comment=data["comment"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Thank you: your answers are in, without your name."))
                back = "org_home" if request.POST.get("back") == "home" else "people_pulses"
                return redirect(back, org_slug=request.org.slug)
    context = {"pulse": pulse, "form": form, "answered": answered, "verdict": verdict}
    return render(request, "people/pulse_answer.html", context, status=status)


@org_page(roles=RESULT_READERS)
@require_GET
def pulse_results_view(request: OrgRequest, pulse_id: int) -> HttpResponse:
    """A pulse's aggregated results under the anonymity rule, and a team's trend."""
    pulse = selectors.pulse_get(org=request.org, pulse_id=pulse_id)
    results = selectors.pulse_results(pulse=pulse)
    teams = list(Team.objects.filter(org=request.org).order_by("name"))
    wanted = parse_id(request.GET.get("team")) or pulse.team_id
    team = next((t for t in teams if t.pk == wanted), None)
    trend = selectors.team_trend(org=request.org, team=team) if team else []
    chart = {
        "labels": {t: str(TOPIC_LABELS[t]) for t in TOPICS},
        "axis": _("Mean score (1–5)"),
        "points": [{"day": p.closes_on.isoformat(),
                    "topics": {t: float(v) if v is not None else None for t, v in p.topics.items() if t in TOPIC_LABELS}}
                   for p in trend],
    }  # fmt: skip
    rows = [(p.closes_on, [(t in p.topics, p.topics.get(t)) for t in TOPICS]) for p in trend]
    context = {"pulse": pulse, "results": results, "teams": teams, "team": team, "trend": trend, "topics": TOPICS,
               "trend_chart": chart, "trend_rows": rows,
               "answered": selectors.respondent_count(pulse=pulse)}  # fmt: skip
    template = "people/pulse_results.html#trend" if request.htmx else "people/pulse_results.html"
    return render(request, template, context)
