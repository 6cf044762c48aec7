"""Thin pages of the recognition app (精神激励): this month's star candidates with their evidence,
nominations and the selection, the honour board, training and promotion notes, instant reward
rules and the rewards teams have earned."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals.periods import previous_month
from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS, TEAM_RULE, OrgRequest, org_page
from teams.models import Team
from teams.page_forms import apply_service_errors, form_page, parse_id

from . import selectors, services
from .forms import GrowthForm, NominationForm, RuleForm, StarForm
from .models import TEXT_LIMIT, InstantRewardRule

# Who selects a star and records training and promotion notes (the service narrows managers down
# to their own teams and people).
SELECTORS = MANAGERS | selectors.ALL_PEOPLE


def _index(
    request: OrgRequest, *, nomination_form: NominationForm | None = None, star_form: StarForm | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    member = request.membership
    source = request.POST if request.method == "POST" else request.GET
    month = selectors.month_asked(request.org, source.get("month"))
    teams = list(selectors.selectable_teams(member=member))
    wanted = parse_id(source.get("team"))
    team: Team | None = next((t for t in teams if t.pk == wanted), teams[0] if teams else None)
    month_stars = selectors.month_stars(org=request.org, month=month)
    star = (
        selectors.team_star(org=request.org, team=team, month=month, month_stars=month_stars)
        if team
        else None
    )
    can_nominate = member.role in CONTRIBUTORS
    month_value = f"{month:%Y-%m}"
    context: dict[str, Any] = {
        "month": month, "month_value": month_value, "this_month": selectors.current_month(request.org),
        "previous_month": previous_month(month), "teams": teams, "team": team, "star": star,
        "candidates": selectors.star_candidates(org=request.org, team=team, month=month) if team else [],
        "can_nominate": can_nominate,
        "nomination_form": nomination_form or (NominationForm(member=member, initial=_prompted(request, month_value))
                                               if can_nominate else None),
        "my_nominations": selectors.my_nominations(member=member, month=month),
        "star_form": star_form or (StarForm(actor=member, auto_id="star_%s", teams=teams,
                                            initial={"team": team, "month": month_value})
                                   if team and star is None else None),
        "month_stars": month_stars,
        "my_growth": selectors.my_growth_rewards(member=member),
    }  # fmt: skip
    template = (
        "recognition/index.html#candidates"
        if request.htmx and request.method == "GET"
        else "recognition/index.html"
    )
    return render(request, template, context, status=status)


def _prompted(request: OrgRequest, month_value: str) -> dict[str, Any]:
    """The nomination form's first values: a prompt from another app (a small win) names the
    colleague and the reason in the query (teams.hooks.recognition_prompt)."""
    initial: dict[str, Any] = {"month": month_value}
    if request.method == "GET":
        if (nominee := parse_id(request.GET.get("nominee"))) is not None:
            initial["nominee"] = nominee
        if reason := request.GET.get("reason", "").strip()[:TEXT_LIMIT]:
            initial["reason"] = reason
    return initial


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    """Recognition: the month's star candidates with their evidence (for those who select the
    star), the nomination form, the month's stars and my training and promotion notes."""
    return _index(request)


@org_page(roles=CONTRIBUTORS)
@require_POST
def nominate_view(request: OrgRequest) -> HttpResponse:
    form = NominationForm(request.POST, member=request.membership)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.nomination_create(nominator=request.membership, nominee=data["nominee"], month=data["month"],
                                       reason=data["reason"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your nomination of %(name)s is in.")
                             % {"name": data["nominee"].user.get_full_name()})  # fmt: skip
            return redirect(
                f"{reverse('recognition_index', args=[request.org.slug])}?month={data['month']:%Y-%m}"
            )
    return _index(request, nomination_form=form, status=400)


@org_page(roles=SELECTORS)
@require_POST
def star_select_view(request: OrgRequest) -> HttpResponse:
    form = StarForm(request.POST, actor=request.membership, auto_id="star_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            star = services.star_select(team=data["team"], month=data["month"], member=data["member"],
                                        citation=data["citation"], actor=request.membership)  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is the star of the month.") % {"name": star.member.user.get_full_name()}
            )
            return redirect("honour_board", org_slug=request.org.slug)
    return _index(request, star_form=form, status=400)


@org_page(roles=ALL_ROLES)
@require_GET
def honour_board_view(request: OrgRequest) -> HttpResponse:
    """月度之星 by month: everyone in the organisation sees who was recognised, and why."""
    return render(
        request, "recognition/honour_board.html", {"months": selectors.honour_board(org=request.org)}
    )


@org_page(roles=ALL_ROLES, write_roles=SELECTORS)
@require_http_methods(["GET", "POST"])
def growth_view(request: OrgRequest) -> HttpResponse:
    """Training opportunities (培训机会) and promotion-track notes (晋升通道): each person sees their
    own; managers those of their teams' people; HR and admins everyone's, and record them."""
    member = request.membership
    form = GrowthForm(request.POST if request.method == "POST" else None, actor=member)

    def saved(_reward: Any) -> HttpResponse:
        messages.success(request, _("Saved."))
        return redirect("recognition_growth", org_slug=request.org.slug)

    context = {
        "rewards": list(selectors.growth_reward_list(org=request.org, viewer=member)[:200]),
        "can_record": member.role in SELECTORS,
    }
    return form_page(request, form, template="recognition/growth.html", context=context, on_success=saved,
                     save=lambda d: services.growth_reward_add(member=d["member"], actor=member, kind=d["kind"],
                                                               title=d["title"], note=d["note"],
                                                               planned_for=d["planned_for"]))  # fmt: skip


@org_page(roles=ALL_ROLES, write_roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def rules_view(request: OrgRequest) -> HttpResponse:
    """即时激励: each team's rules (e.g. afternoon tea when it meets its weekly target)."""
    member = request.membership
    form = RuleForm(request.POST if request.method == "POST" else None, actor=member)

    def saved(rule: InstantRewardRule) -> HttpResponse:
        messages.success(
            request,
            _("Rule saved: %(reward)s for %(team)s.") % {"reward": rule.reward, "team": rule.team.name},
        )
        return redirect("instant_reward_rules", org_slug=request.org.slug)

    editable = set(selectors.rule_teams(actor=member).values_list("pk", flat=True))
    context = {"rules": list(selectors.rule_list(org=request.org)[:500]), "editable_teams": editable,
               "can_edit": bool(editable)}  # fmt: skip
    return form_page(request, form, template="recognition/rules.html", context=context, on_success=saved,
                     save=lambda d: services.instant_rule_save(team=d["team"], actor=member, reward=d["reward"],
                                                               enabled=d["enabled"]))  # fmt: skip


@org_page(roles=MANAGERS, object_rule=TEAM_RULE, rule_on_get=True)
@require_http_methods(["GET", "POST"])
def rule_edit_view(request: OrgRequest, rule_id: int) -> HttpResponse:
    """Change a rule's reward, switch it off, or delete it."""
    rule = selectors.rule_get(org=request.org, rule_id=rule_id)
    member = request.membership
    services.require_rule_change(rule=rule, actor=member)  # no form for what cannot be saved
    if request.method == "POST" and "delete" in request.POST:
        try:
            services.instant_rule_delete(rule=rule, actor=member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("instant_reward_rule_edit", org_slug=request.org.slug, rule_id=rule.pk)
        messages.success(request, _("Rule deleted."))
        return redirect("instant_reward_rules", org_slug=request.org.slug)
    initial = {"team": rule.team, "reward": rule.reward, "enabled": rule.enabled}
    form = RuleForm(request.POST if request.method == "POST" else None, actor=member, initial=initial)

    def saved(_rule: InstantRewardRule) -> HttpResponse:
        messages.success(request, _("Rule saved."))
        return redirect("instant_reward_rules", org_slug=request.org.slug)

    return form_page(request, form, template="recognition/rule_edit.html", context={"rule": rule}, on_success=saved,
                     save=lambda d: services.instant_rule_save(team=d["team"], actor=member, reward=d["reward"],
                                                               enabled=d["enabled"], rule=rule))  # fmt: skip


@org_page(roles=ALL_ROLES)
@require_GET
def earned_view(request: OrgRequest) -> HttpResponse:
    """The instant rewards teams have earned, week by week, with the goals that earned them."""
    return render(
        request, "recognition/earned.html", {"earned": list(selectors.earned_list(org=request.org)[:200])}
    )
