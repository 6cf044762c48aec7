"""Everything the meeting page shows, read once: the retro, its phases, the goal review, the
board (cards, votes, lessons, actions) and what the person looking may do."""

from __future__ import annotations

from dataclasses import dataclass

from teams.models import Membership
from teams.selectors import can_manage_team

from ..models import PHASES, Retrospective
from .board import Board, board
from .review import GoalReview, goal_review_cached
from .rights import can_facilitate, can_see_cards, can_take_part


@dataclass(frozen=True)
class RetroPage:
    retro: Retrospective
    review: GoalReview
    board: Board
    can_facilitate: bool
    can_take_part: bool
    can_see_cards: bool
    can_manage: bool  # the team's managers and admins (update any action)
    previous_phase: str | None
    next_phase: str | None


def retro_page(*, retro: Retrospective, member: Membership, with_review: bool = True) -> RetroPage:
    sees_cards = bool(can_see_cards(member=member, retro=retro))
    index = PHASES.index(retro.phase)
    return RetroPage(
        retro=retro,
        review=goal_review_cached(retro=retro) if with_review else GoalReview(),
        board=board(retro=retro, member=member, with_cards=sees_cards),
        can_facilitate=bool(can_facilitate(member=member, retro=retro)),
        can_take_part=bool(can_take_part(member=member, retro=retro)),
        can_see_cards=sees_cards,
        can_manage=bool(can_manage_team(member=member, team_id=retro.team_id)),
        previous_phase=PHASES[index - 1] if index > 0 else None,
        next_phase=PHASES[index + 1] if index + 1 < len(PHASES) else None,
    )
