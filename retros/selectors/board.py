"""The meeting's board: cards (never naming the author of an anonymous card), vote counts (hidden
until the facilitator reveals them), lessons and actions — a fixed number of queries whatever the
number of cards, participants and votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from goals.models import CLOSED_STATUSES as GOAL_CLOSED
from goals.models import Goal
from teams.access import CONTRIBUTORS
from teams.models import Membership, Team

from ..models import (
    ActionStatus,
    Card,
    CardKind,
    CauseCategory,
    FactorCategory,
    Lesson,
    RetroAction,
    RetroPhase,
    Retrospective,
    Vote,
)
from .rights import author_key, team_and_below

CATEGORY_LABELS: dict[str, dict[str, object]] = {
    CardKind.CAUSE.value: dict(CauseCategory.choices),
    CardKind.FACTOR.value: dict(FactorCategory.choices),
}


@dataclass(frozen=True)
class CardView:
    pk: int
    kind: str
    kind_label: str
    category: str
    category_label: str
    text: str
    author: str  # "Anonymous" for an anonymous card
    group_label: str
    evidence_kind: str
    evidence_id: int | None
    votes: int | None  # None while votes are hidden
    voted: bool  # by the person looking
    mine: bool
    short: str = ""  # the text cut to 40 characters, naming the card in its buttons' labels
    evidence_label: str = ""  # what kind of evidence it links ("" for none)


@dataclass(frozen=True)
class Board:
    cards: list[CardView]
    votes_used: int
    votes_left: int
    lessons: list[Lesson]
    actions: list[RetroAction]
    phases: list[RetroPhase]


def card_views(*, retro: Retrospective, member: Membership) -> list[CardView]:
    """The retro's cards as the person sees them (two queries)."""
    mine_key = author_key(retro_id=retro.pk, member_id=member.pk)
    voted = set(Vote.objects.filter(retro=retro, voter=member).values_list("card_id", flat=True))
    rows = (
        Card.objects.filter(org_id=retro.org_id, retro=retro)
        .annotate(vote_count=Count("votes"))
        .order_by("group_label", "kind", "pk")
        .values_list(
            "pk",
            "kind",
            "category",
            "text",
            "anonymous",
            "author_id",
            "author_key",
            "group_label",
            "evidence_kind",
            "evidence_id",
            "vote_count",
            "author__user__display_name",
            "author__user__email",
        )
    )  # fmt: skip (plain rows, not 200 model instances with their authors)
    anonymous = str(_("Anonymous"))
    kinds = {key: str(label) for key, label in CardKind.choices}
    labels = {
        kind: {key: str(label) for key, label in choices.items()} for kind, choices in CATEGORY_LABELS.items()
    }
    evidence = {"alert": str(_("Alert")), "initiative": str(_("Initiative")), "metric": str(_("Supporting metric")),
                "revision": str(_("Revision"))}  # fmt: skip
    revealed = retro.votes_revealed
    views = []
    for (pk, kind, category, text, is_anonymous, author_id, key, group_label, evidence_kind, evidence_id, votes,
         display_name, email) in rows:  # fmt: skip
        views.append(CardView(
            pk=pk, kind=kind, kind_label=kinds.get(kind, ""), category=category,
            category_label=labels.get(kind, {}).get(category, ""), text=text,
            author=anonymous if is_anonymous or author_id is None else (display_name or email),
            group_label=group_label, evidence_kind=evidence_kind, evidence_id=evidence_id,
            votes=votes if revealed else None, voted=pk in voted, mine=key == mine_key,
            short=text if len(text) <= 40 else text[:39] + "…",
            evidence_label=evidence.get(evidence_kind, "") if evidence_kind else "",
        ))  # fmt: skip
    return views


def board(*, retro: Retrospective, member: Membership, with_cards: bool = True) -> Board:
    cards = card_views(retro=retro, member=member) if with_cards else []
    used = sum(1 for c in cards if c.voted)
    return Board(
        cards=cards,
        votes_used=used,
        votes_left=max(retro.votes_per_person - used, 0),
        lessons=list(Lesson.objects.filter(org_id=retro.org_id, retro=retro).order_by("kind", "pk")),
        actions=list(
            RetroAction.objects.filter(org_id=retro.org_id, retro=retro)
            .select_related("owner__user", "goal")
            .order_by("due_date", "pk")
        ),
        phases=list(RetroPhase.objects.filter(org_id=retro.org_id, retro=retro).order_by("position")),
    )


def votes_used(*, retro: Retrospective, member: Membership) -> int:
    return Vote.objects.filter(retro=retro, voter=member).count()


def action_owners(*, team: Team) -> QuerySet[Membership]:
    """Who may own an action: the team's active members and managers (one query)."""
    return (
        Membership.objects.filter(
            org_id=team.org_id, is_active=True, role__in=sorted(CONTRIBUTORS - {"admin"})
        )
        .filter(
            Q(teams__in=sorted(team_and_below(org_id=team.org_id, team_id=team.pk))) | Q(managed_teams=team)
        )
        .select_related("user")
        .distinct()
        .order_by("user__display_name", "pk")
    )


def conversion_goals(*, retro: Retrospective) -> list[Goal]:
    """The goals an action may become part of: the team's goals not closed, the latest period first
    (an initiative goes on a goal of a later period; a corrective action on any of them)."""
    return list(
        Goal.objects.filter(org_id=retro.org_id, team_id=retro.team_id)
        .exclude(status__in=GOAL_CLOSED)
        .only("pk", "title", "start_date", "end_date")  # for the convert forms' <option>s
        .order_by("-end_date", "title", "pk")[:50]
    )


def cause_counts(*, retro: Retrospective) -> dict[str, int]:
    """How many cards name each cause of a miss (for the summary and the causes page)."""
    rows = (
        Card.objects.filter(org_id=retro.org_id, retro=retro, kind=CardKind.CAUSE)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["category"]: row["n"] for row in rows}


def open_actions_due(*, member: Membership, today: date) -> list[RetroAction]:
    """A person's open retro actions (for their own overview)."""
    return list(
        RetroAction.objects.filter(org_id=member.org_id, owner=member, status=ActionStatus.OPEN)
        .select_related("retro")
        .order_by("due_date", "pk")[:20]
    )
