"""The retros a person sees, and what the team is told in the app: the home page's panel lists
the retros of the person's teams that collect cards."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from teams.access import CONTRIBUTORS
from teams.hooks import HomePanel
from teams.models import Membership

from ..models import Retrospective, RetroState
from .rights import readable_retros

PANEL_LIMIT = 3


def retro_list(
    *, member: Membership, team_id: int | None = None, state: str | None = None
) -> QuerySet[Retrospective]:
    """The retros this person may read, newest period first, with their card counts (one query)."""
    qs = readable_retros(member=member).select_related("team", "facilitator__user")
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if state in RetroState.values:
        qs = qs.filter(state=state)
    return qs.annotate(card_count=Count("cards", distinct=True)).order_by("-period_end", "-pk")


def draft_retro_panel(request: Any) -> list[HomePanel]:
    """The home page of a team's people: the retros of their teams that collect cards (one query)."""
    member = getattr(request, "membership", None)
    if member is None or member.role not in CONTRIBUTORS:
        return []
    retros = list(
        Retrospective.objects.filter(
            org_id=member.org_id, team__members=member, state__in=(RetroState.DRAFT, RetroState.RUNNING)
        ).order_by("-created_at")[:PANEL_LIMIT]
    )
    if not retros:
        return []
    return [HomePanel("retros/_home_retros.html", {"retros": retros})]
