"""Thin pages of the retros app: the list, starting a retro (managers), and the meeting page, which
runs the four phases and takes the team's cards and votes from a phone (its board refreshes every
2 seconds through htmx)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS, TEAM_RULE, OrgRequest, org_page
from teams.page_forms import apply_service_errors, form_page, parse_id

from . import exports, selectors, services
from .action_rows import action_rows
from .card_rows import card_rows, group_options
from .forms import ActionForm, CardForm, CloseForm, LessonForm, StartForm
from .models import PHASES, Card, Lesson, Phase, RetroAction, Retrospective, RetroState
from .page_options import evidence_choices, goal_options, people_options
from .review_rows import burnup_rows, review_rows

LIST_LIMIT = 200


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    """The retros the person reads, newest period first; managers start one from here."""
    member = request.membership
    state = request.GET.get("state") or None
    retros = list(
        selectors.retro_list(member=member, team_id=parse_id(request.GET.get("team")), state=state)[
            :LIST_LIMIT
        ]
    )
    context = {"retros": retros, "state": state, "states": RetroState.choices,
               "can_start": member.role in MANAGERS}  # fmt: skip
    return render(request, "retros/index.html#rows" if request.htmx else "retros/index.html", context)


@org_page(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def start_view(request: OrgRequest) -> HttpResponse:
    """A manager starts a retro for a goal, a team's month or quarter, or a failure share."""
    member = request.membership
    form = StartForm(request.POST if request.method == "POST" else None, member=member)

    def save(data: dict[str, Any]) -> Retrospective:
        goal = data.get("goal")
        return services.retro_start(
            team=data["team"], actor=member, kind=data["kind"], period_start=data.get("period_start"),
            period_end=data.get("period_end"), goal_id=goal.pk if goal else None, title=data.get("title") or "",
            anonymous_cards=data.get("anonymous_cards") or False, votes_per_person=data["votes_per_person"],
            facilitator=data.get("facilitator"),
        )  # fmt: skip

    def started(retro: Retrospective) -> HttpResponse:
        messages.success(request, _("Retrospective started: the team can add cards now."))
        return redirect("retro_detail", org_slug=request.org.slug, retro_id=retro.pk)

    return form_page(request, form, template="retros/start.html", save=save, on_success=started)


def _token() -> str:
    return secrets.token_urlsafe(16)


def _page(
    request: OrgRequest, retro: Retrospective, *, status: int = 200, **forms_given: forms.Form
) -> HttpResponse:
    member = request.membership
    page = selectors.retro_page(retro=retro, member=member, with_review=not request.htmx)
    context: dict[str, Any] = {"retro": retro, "page": page}
    live_only = bool(request.htmx) and request.method == "GET"  # the board's 2-second poll: the #live partial
    if not live_only:
        goals_url = reverse("goals_index", args=[request.org.slug])
        context["review_rows"] = review_rows(page.review.results, goals_url=goals_url)
        retro_url = reverse("retro_detail", args=[request.org.slug, retro.pk])
        context["burnup_rows"] = burnup_rows(page.review.results, retro_url=retro_url)
    if page.can_see_cards:
        cards = page.board.cards
        context["card_rows"] = card_rows(cards, take_part=page.can_take_part, facilitate=page.can_facilitate)
        context["card_groups"] = group_options(cards) if page.can_facilitate else ""
    if page.can_take_part:
        card_form = forms_given.get("card_form") or CardForm(auto_id="card_%s", initial={"token": _token()})
        card_form.fields["evidence"].widget.choices = evidence_choices(page.review)  # type: ignore[attr-defined]
        context["card_form"] = card_form
    if page.can_facilitate:
        # Each step's form from its step on (or back with its errors): lessons from step 3, actions in
        # step 4 — the first steps' page does not build the pickers it cannot use yet.
        step = PHASES.index(retro.phase)
        if "lesson_form" in forms_given or step >= PHASES.index(Phase.LESSONS):
            context["lesson_form"] = forms_given.get("lesson_form") or LessonForm(auto_id="lesson_%s")
        if "action_form" in forms_given or step >= PHASES.index(Phase.ACTIONS):
            context["action_form"] = forms_given.get("action_form") or ActionForm(
                retro=retro, auto_id="action_%s", initial={"token": _token()}
            )
        context["close_form"] = forms_given.get("close_form") or CloseForm(auto_id="close_%s")
    if page.can_manage and not retro.closed:  # name the facilitator: a person of the team
        context["team_people"] = people_options(
            selectors.action_owners(team=retro.team), retro.facilitator_id
        )
    if not live_only:
        convert = ""
        if page.can_manage and not request.htmx and page.board.actions:
            convert = goal_options(selectors.conversion_goals(retro=retro))
        context["action_rows"] = action_rows(
            page.board.actions, org_slug=request.org.slug, member_id=member.pk, can_manage=page.can_manage,
            convert_goals=convert, csrf_token=get_token(request),
        )  # fmt: skip
    template = "retros/detail.html#live" if live_only else "retros/detail.html"
    return render(request, template, context, status=status)


def _done(request: OrgRequest, retro: Retrospective, text: str = "") -> HttpResponse:
    if text:
        messages.success(request, text)
    return redirect("retro_detail", org_slug=request.org.slug, retro_id=retro.pk)


def _card(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    form = CardForm(request.POST, auto_id="card_%s")
    if form.is_valid():
        kind, category = form.card_kind()
        try:
            evidence_kind, evidence_id = form.card_evidence()
            services.card_add(retro=retro, actor=request.membership, kind=kind, category=category,
                              text=form.cleaned_data["text"], token=form.cleaned_data["token"],
                              evidence_kind=evidence_kind, evidence_id=evidence_id)  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error, {"kind": "what", "category": "what", "evidence_kind": "evidence",
                                               "evidence_id": "evidence"})  # fmt: skip
        else:
            return _done(request, retro, _("Card added."))
    return _page(request, retro, status=400, card_form=form)


def _phase(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    version = parse_id(request.POST.get("version")) or 0
    try:
        moved = services.phase_move(retro=retro, actor=request.membership, phase=request.POST.get("phase", ""),
                                    version=version, notes=request.POST.get("notes", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, retro, status=400)
    return _done(request, moved, _("Moved to “%(phase)s”.") % {"phase": moved.get_phase_display()})


def _reveal(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    services.votes_reveal(retro=retro, actor=request.membership)
    return _done(request, retro, _("Votes revealed."))


def _lesson(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    form = LessonForm(request.POST, auto_id="lesson_%s")
    if form.is_valid():
        try:
            services.lesson_add(retro=retro, actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, retro, _("Lesson recorded."))
    return _page(request, retro, status=400, lesson_form=form)


def _action(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    form = ActionForm(request.POST, retro=retro, auto_id="action_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_add(retro=retro, actor=request.membership, description=data["description"],
                                owner=data["owner"], due_date=data["due_date"],
                                goal_id=data["goal"].pk if data.get("goal") else None, token=data["token"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, retro, _("Action recorded."))
    return _page(request, retro, status=400, action_form=form)


def _facilitator(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    chosen = parse_id(request.POST.get("facilitator"))
    person = selectors.action_owners(team=retro.team).filter(pk=chosen).first() if chosen else None
    try:
        if chosen and person is None:
            raise ValidationError({"facilitator": [_("Choose a person of this team.")]})
        services.facilitator_set(retro=retro, actor=request.membership, facilitator=person)
    except ValidationError as error:
        messages.error(request, _("Facilitator") + ": " + " ".join(error.messages))
        return _page(request, retro, status=400)
    return _done(request, retro, _("Facilitator saved."))


def _close(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    form = CloseForm(request.POST, auto_id="close_%s")
    if form.is_valid():
        try:
            services.retro_close(retro=retro, actor=request.membership, summary=form.cleaned_data["summary"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, retro, _("Retrospective closed."))
    return _page(request, retro, status=400, close_form=form)


def _publish_experiments(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    try:
        created = services.failure_share_publish(retro=retro, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, retro, status=400)
    return _done(
        request, retro, _("%(n)s experiments published to the knowledge base.") % {"n": len(created)}
    )


def _card_operation(
    request: OrgRequest, retro: Retrospective, card: Card, operation: str, group_label: str
) -> HttpResponse:
    member = request.membership
    try:
        if operation == "vote":
            services.vote_toggle(card=card, actor=member)
        elif operation == "delete":
            services.card_delete(card=card, actor=member)
        elif operation == "group":
            services.card_group(card=card, actor=member, group_label=group_label)
        else:
            raise ValidationError(_("Nothing to do: reload the page and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, retro, status=400)
    if request.htmx:
        return _page_live(request, retro)
    return _done(request, retro)


def _board(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    """The board's one form: the button pressed names what it does and to which card (vote=<id>,
    group=<id> with group_label_<id>, delete=<id>)."""
    for operation in ("vote", "group", "delete"):
        card_id = parse_id(request.POST.get(operation))
        if card_id is not None:
            card = Card.objects.filter(org=request.org, retro=retro, pk=card_id).first()
            if card is None:
                raise Http404("No card found.")
            card.retro = retro
            label = request.POST.get(f"group_label_{card_id}", "")
            return _card_operation(request, retro, card, operation, label)
    messages.error(request, _("Nothing to do: reload the page and try again."))
    return _page(request, retro, status=400)


OPERATIONS: dict[str, Callable[[OrgRequest, Retrospective], HttpResponse]] = {
    "card": _card, "board": _board, "phase": _phase, "reveal": _reveal, "lesson": _lesson, "action": _action, "close": _close,
    "facilitator": _facilitator,
    "publish_experiments": _publish_experiments,
}  # fmt: skip


@org_page(roles=ALL_ROLES, write_roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def retro_detail_view(request: OrgRequest, retro_id: int) -> HttpResponse:
    """The meeting: the phases, the goal review, the board. A POST names what it does (`do`): a
    card (the team's people), or a phase move, the reveal of votes, a lesson, an action, the close
    (the facilitator). Someone who may do neither gets 403 before the form is read."""
    member = request.membership
    retro = selectors.retro_get_for(member=member, retro_id=retro_id)
    if request.method == "POST":
        operation = request.POST.get("do", "")
        if operation == "card" or not selectors.can_facilitate(member=member, retro=retro):
            selectors.can_take_part(member=member, retro=retro).require()
        handler = OPERATIONS.get(operation)
        if handler is None:
            messages.error(request, _("Nothing to do: reload the page and try again."))
            return _page(request, retro, status=400)
        return handler(request, retro)
    goal_id = parse_id(request.GET.get("burnup"))
    if goal_id is not None:
        return _burnup(request, retro, goal_id)
    return _page(request, retro)


def _burnup(request: OrgRequest, retro: Retrospective, goal_id: int) -> HttpResponse:
    """One goal's burn-up chart, loaded when the goal review's entry is opened (404 for a goal
    outside the retro's set)."""
    goal = retro.goals.filter(org_id=retro.org_id, pk=goal_id).only("pk", "title").first()
    if goal is None:
        raise Http404("No goal found.")
    context = {"chart": selectors.review_burnup(retro=retro, goal_id=goal.pk), "goal_id": goal.pk,
               "goal_title": goal.title, "source_id": f"burnup-data-{goal.pk}"}  # fmt: skip
    return render(request, "retros/detail.html#burnup", context)


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def card_view(request: OrgRequest, card_id: int) -> HttpResponse:
    """Vote for a card (or take the vote back), remove it, or group it."""
    member = request.membership
    card = (
        Card.objects.select_related("retro__team", "retro__org").filter(org=request.org, pk=card_id).first()
    )
    if card is None:
        raise Http404("No card found.")
    retro = card.retro
    if not selectors.can_facilitate(member=member, retro=retro):
        selectors.can_take_part(member=member, retro=retro).require()
    return _card_operation(
        request, retro, card, request.POST.get("do", ""), request.POST.get("group_label", "")
    )


def _page_live(request: OrgRequest, retro: Retrospective) -> HttpResponse:
    page = selectors.retro_page(retro=retro, member=request.membership, with_review=False)
    return render(request, "retros/detail.html#live", {"retro": retro, "page": page})


@org_page(roles=ALL_ROLES)
@require_GET
def retro_export_view(request: OrgRequest, retro_id: int, fmt: str) -> HttpResponse:
    """A closed retro as Markdown, PDF, or its cards and actions as XLSX (the cards only for the
    team's people; an anonymous card's author never)."""
    retro = selectors.retro_get_for(member=request.membership, retro_id=retro_id)
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    try:
        data = selectors.retro_export(retro=retro, member=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _done(request, retro)
    body, content_type = exports.retro_file(data, fmt, org_name=request.org.name)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(data, fmt)}"'
    return response


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def lesson_publish_view(request: OrgRequest, lesson_id: int) -> HttpResponse:
    """Publish a lesson to the knowledge base, or withdraw it (the facilitator)."""
    lesson = (
        Lesson.objects.select_related("retro__team", "retro__org")
        .filter(org=request.org, pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404("No lesson found.")
    services.lesson_publish(
        lesson=lesson, actor=request.membership, published=request.POST.get("published") != "0"
    )
    if lesson.retro is None:  # an entry written directly into the knowledge base
        messages.success(request, _("Saved."))
        return redirect("retros_knowledge", org_slug=request.org.slug)
    return _done(request, lesson.retro, _("Saved."))


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def action_status_view(request: OrgRequest, retro_action_id: int) -> HttpResponse:
    """Its owner or a manager of the team marks an action done, dropped or open."""
    action = (
        RetroAction.objects.select_related("retro__team", "retro__org")
        .filter(org=request.org, pk=retro_action_id)
        .first()
    )
    if action is None:
        raise Http404("No action found.")
    selectors.can_update_action(member=request.membership, action=action).require()
    try:
        services.action_set_status(
            action=action, actor=request.membership, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, action.retro, status=400)
    return _done(request, action.retro, _("Saved."))


@org_page(roles=CONTRIBUTORS, object_rule=TEAM_RULE)
@require_POST
def action_convert_view(request: OrgRequest, retro_action_id: int) -> HttpResponse:
    """An action becomes an initiative on a later period's goal or a corrective action — by whoever
    may change that goal (the plans and tracking services decide)."""
    action = (
        RetroAction.objects.select_related("retro__team", "retro__org")
        .filter(org=request.org, pk=retro_action_id)
        .first()
    )
    if action is None:
        raise Http404("No action found.")
    selectors.can_read_retro(member=request.membership, retro=action.retro).require()
    try:
        services.action_convert(
            action=action, actor=request.membership, into=request.POST.get("into", ""),
            goal_id=parse_id(request.POST.get("goal")), alert_id=parse_id(request.POST.get("alert")),
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, _field_messages(error))
        return _page(request, action.retro, status=400)
    done = (
        _("The action became an initiative.")
        if request.POST.get("into") == "initiative"
        else _("The action became a corrective action.")
    )
    return _done(request, action.retro, done)


def _field_messages(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    names = {"into": _("Becomes"), "goal": _("Goal"), "alert": _("Alert"), "owner": _("Owner"),
             "due_date": _("Due"), "description": _("Action")}  # fmt: skip
    return " ".join(
        f"{names.get(field, '')}: {' '.join(e.messages)}" if field in names else " ".join(e.messages)
        for field, errors in error.error_dict.items()
        for e in errors
    )
