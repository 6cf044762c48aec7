"""Thin pages of the people app: my one-on-ones, one meeting (shared agenda, actions, the feeling
check, the prepared facts and my own private note), and pulses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS, TEAM_RULE, OrgRequest, org_page
from teams.page_forms import apply_service_errors, parse_id

from . import meeting_rows, selectors, services
from .forms import ActionForm, AgendaForm, FeelingForm, NoteForm, ScheduleForm, SeriesForm
from .models import ActionItem, AgendaItem, Meeting, Series
from .talking_points import manager_actions, talking_points


def _index(request: OrgRequest, *, form: SeriesForm | None = None, status: int = 200) -> HttpResponse:
    member = request.membership
    can_start = member.role in MANAGERS
    if can_start and form is None:
        form = SeriesForm(people=selectors.startable_people(actor=member))
    context = {
        "series": list(selectors.series_list(org=request.org, viewer=member)[:200]) if member.role in CONTRIBUTORS
        else [],
        "form": form if can_start else None,
    }  # fmt: skip
    return render(request, "people/index.html", context, status=status)


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    """My one-on-ones (those I hold, those I have, those of the teams I manage)."""
    return _index(request)


@org_page(roles=MANAGERS)
@require_POST
def series_start_view(request: OrgRequest) -> HttpResponse:
    member = request.membership
    form = SeriesForm(request.POST, people=selectors.startable_people(actor=member))
    if form.is_valid():
        data = form.cleaned_data
        team = selectors.series_team_for(actor=member, member=data["member"])
        if team is None:
            form.add_error("member", _("Choose a member of a team you manage."))
        else:
            try:
                series = services.series_start(actor=member, team=team, member=data["member"],
                                               cadence=data["cadence"], next_date=data["next_date"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("One-on-ones with %(name)s are planned.")
                                 % {"name": series.member.user.get_full_name()})  # fmt: skip
                return redirect("people_series", org_slug=request.org.slug, series_id=series.pk)
    return _index(request, form=form, status=400)


def _meeting_page(
    request: OrgRequest, series: Series, meeting: Meeting | None, *, forms: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    member = request.membership
    participant = selectors.is_participant(member=member, series=series)
    people = [series.manager, series.member]
    view = selectors.meeting_view(meeting=meeting, viewer=member) if meeting is not None else None
    facts = selectors.prepared_facts_cached(org=request.org, member=series.member, team=series.team)
    context: dict[str, Any] = {
        "series": series, "meeting": meeting, "view": view, "participant": participant,
        "facts": facts,
        "suggested": talking_points(facts, org_slug=request.org.slug),
        "manager_actions": manager_actions(facts, org_slug=request.org.slug),
        "schedule_form": ScheduleForm(initial={"cadence": series.cadence, "next_date": series.next_date},
                                      auto_id="schedule_%s"),
        "agenda_form": AgendaForm(auto_id="agenda_%s"),
        "note_form": NoteForm(initial={"body": view.note.body if view and view.note else ""}, auto_id="note_%s"),
        "action_form": ActionForm(people=people, auto_id="action_%s"),
        "feeling_form": FeelingForm(initial={"feeling": meeting.feeling if meeting else None}, auto_id="feeling_%s"),
        **(forms or {}),
    }  # fmt: skip
    if view is not None and meeting is not None:
        context["agenda_rows"] = meeting_rows.agenda_rows(view.agenda, held=meeting.is_held)
        context["action_rows"] = meeting_rows.action_rows(view.actions, meeting=meeting, today=facts.today)
        context["history_rows"] = meeting_rows.history_rows(
            view.history, current=meeting, org_slug=request.org.slug
        )
    template = "people/meeting.html#meeting-body" if request.htmx else "people/meeting.html"
    return render(request, template, context, status=status)


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE, rule_on_get=True)
@require_http_methods(["GET", "POST"])
def series_view(request: OrgRequest, series_id: int) -> HttpResponse:
    """A series: its next (open) meeting, and on POST a new cadence and next date."""
    series = selectors.series_get(org=request.org, series_id=series_id)
    selectors.can_take_part(member=request.membership, series=series).require()
    if request.method == "POST":
        form = ScheduleForm(request.POST, auto_id="schedule_%s")
        if form.is_valid():
            try:
                services.series_schedule(series=series, actor=request.membership, cadence=form.cleaned_data["cadence"],
                                         next_date=form.cleaned_data["next_date"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The next one-on-one is planned."))
                return redirect("people_series", org_slug=request.org.slug, series_id=series.pk)
        return _meeting_page(request, series, selectors.current_meeting(series=series),
                             forms={"schedule_form": form}, status=400)  # fmt: skip
    return _meeting_page(request, series, selectors.current_meeting(series=series))


def _apply(request: OrgRequest, meeting: Meeting) -> tuple[str, Form | None]:
    """Run the posted operation on the meeting. Returns (what to say, the form with errors or None)."""
    member, series, data = request.membership, meeting.series, request.POST
    op = data.get("op", "")
    if ":" in op:  # a row's button of the agenda or action board names its item: `check:<id>`
        op, row = op.split(":", 1)
        data = data.copy()
        data["item" if op in ("check", "uncheck") else "action"] = row
    form: Form
    if op == "agenda":
        form = AgendaForm(data, auto_id="agenda_%s")
        key, save = (
            "agenda_form",
            lambda d: services.agenda_add(meeting=meeting, author=member, text=d["text"]),
        )
        said = _("Talking point added.")
    elif op == "note":
        form = NoteForm(data, auto_id="note_%s")
        key, save = (
            "note_form",
            lambda d: services.private_note_save(meeting=meeting, author=member, body=d["body"]),
        )
        said = _("Your private note is saved.")
    elif op == "action":
        form = ActionForm(data, people=[series.manager, series.member], auto_id="action_%s")
        key = "action_form"
        save = lambda d: services.action_add(meeting=meeting, actor=member, owner=d["owner"], text=d["text"],  # noqa: E731
                                             due=d["due"])  # fmt: skip
        said = _("Action added.")
    elif op == "feeling":
        form = FeelingForm(data, auto_id="feeling_%s")
        key, save = (
            "feeling_form",
            lambda d: services.feeling_set(meeting=meeting, actor=member, feeling=d["feeling"]),
        )
        said = _("Feeling check saved.")
    elif op in ("check", "uncheck"):
        item = AgendaItem.objects.filter(
            org=request.org, meeting=meeting, pk=parse_id(data.get("item"))
        ).first()
        if item is None:
            raise ValidationError(_("Choose a talking point of this one-on-one."))
        item.meeting = meeting
        services.agenda_check(item=item, actor=member, done=op == "check")
        return _("Talking point updated."), None
    elif op in ("done", "reopen"):
        action = ActionItem.objects.filter(
            org=request.org, series=series, pk=parse_id(data.get("action"))
        ).first()
        if action is None:
            raise ValidationError(_("Choose an action of this one-on-one."))
        action.series = series
        services.action_done(action=action, actor=member, done=op == "done")
        return _("Action updated."), None
    elif op == "hold":
        services.meeting_hold(meeting=meeting, actor=member)
        return _("One-on-one held; unchecked talking points moved to the next one."), None
    else:
        raise ValidationError(_("Choose what to do."))
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
    if form.errors:
        form.key = key  # type: ignore[attr-defined]
        return "", form
    return said, None


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE, rule_on_get=True)
@require_http_methods(["GET", "POST"])
def meeting_view(request: OrgRequest, meeting_id: int) -> HttpResponse:
    """One meeting: shared agenda, actions, feeling check, prepared facts and my private note; on
    POST one operation (`op`), then back to the page."""
    meeting = selectors.meeting_get(org=request.org, meeting_id=meeting_id)
    series = meeting.series
    selectors.can_take_part(member=request.membership, series=series).require()
    if request.method == "POST":
        try:
            said, failed = _apply(request, meeting)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _meeting_page(request, series, meeting, status=400)
        if failed is not None:
            return _meeting_page(request, series, meeting, forms={failed.key: failed}, status=400)  # type: ignore[attr-defined]
        messages.success(request, said)
        if request.POST.get("op") == "hold":
            return redirect("people_series", org_slug=request.org.slug, series_id=series.pk)
        if request.htmx:
            meeting.refresh_from_db()
            return _meeting_page(request, series, meeting)
        return redirect("people_meeting", org_slug=request.org.slug, meeting_id=meeting.pk)
    return _meeting_page(request, series, meeting)
