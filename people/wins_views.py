"""Thin pages of small wins (小胜利) and of the team's load: the feed of a team's (or the
organisation's) small wins, each with the prompt to recognise its person; the teams' burnout
signal, aggregated, for their managers, HR and admins."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from teams.access import ALL_ROLES, OrgRequest, org_page
from teams.models import Role, Team
from teams.page_forms import parse_id

from . import selectors
from .selectors import load


def team_asked(request: OrgRequest) -> Team | None:
    """The team in `?team=` (None without one); 404 for a team that is not the organisation's."""
    raw = request.GET.get("team", "")
    if not raw:
        return None
    team = Team.objects.filter(org=request.org, pk=parse_id(raw) or 0).first()
    if team is None:
        raise Http404("No such team.")
    return team


@org_page(roles=ALL_ROLES)
@require_GET
def small_wins_view(request: OrgRequest) -> HttpResponse:
    """The small wins of a team (`?team=`) or of the whole organisation, newest first."""
    team = team_asked(request)
    context = {
        "team": team,
        "teams": list(Team.objects.filter(org=request.org).order_by("name").only("pk", "name")[:500]),
        "wins": selectors.small_win_feed(org=request.org, viewer=request.membership, team=team),
    }
    return render(request, "people/small_wins.html", context)


@org_page(roles=load.LOAD_READERS)
@require_GET
def team_load_view(request: OrgRequest) -> HttpResponse:
    """The burnout signal of the teams the viewer reads (`?team=` for one), each factor explained
    with its numbers: managers for their teams, HR and admins for all — aggregated."""
    team = team_asked(request)
    if team is not None:
        load.can_see_team_load(viewer=request.membership, team=team).require()
    teams = [team] if team is not None else load.load_teams(org=request.org, viewer=request.membership)
    context = {
        "team": team,
        "loads": load.team_loads(org=request.org, teams=teams, viewer=request.membership),
        "manager": request.membership.role == Role.MANAGER,
    }
    return render(request, "people/team_load.html", context)
