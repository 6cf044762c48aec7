"""What a retro's exports hold, read once: the retro, its goal review, its cards as the person
sees them (none for someone outside the team; an anonymous card's author is "Anonymous"), its
lessons and actions — a fixed number of queries whatever the number of cards."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from teams.models import Membership

from ..models import Lesson, RetroAction, Retrospective
from .board import CardView, board
from .review import GoalReview, goal_review
from .rights import can_see_cards


@dataclass(frozen=True)
class RetroExport:
    retro: Retrospective
    review: GoalReview
    with_cards: bool
    cards: list[CardView]
    lessons: list[Lesson]
    actions: list[RetroAction]


def retro_export(*, retro: Retrospective, member: Membership) -> RetroExport:
    """A closed retro's record (refused, naming the state, while the meeting goes on)."""
    if not retro.closed:
        raise ValidationError(
            {"state": [_("Close the retrospective first: its record is exported once closed.")]}
        )
    with_cards = bool(can_see_cards(member=member, retro=retro))
    shown = board(retro=retro, member=member, with_cards=with_cards)
    return RetroExport(retro=retro, review=goal_review(retro=retro), with_cards=with_cards, cards=shown.cards,
                       lessons=shown.lessons, actions=shown.actions)  # fmt: skip
