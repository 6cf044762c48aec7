"""Every read of the retros app, re-exported: rights (who may do what), the board (cards, votes,
lessons, actions), the goal review, and the lists."""

from .board import (
    Board,
    CardView,
    action_owners,
    board,
    card_views,
    cause_counts,
    open_actions_due,
    votes_used,
)
from .exports import RetroExport, retro_export
from .knowledge import CauseStats, cause_stats, knowledge_search, lessons_for_draft
from .lists import draft_retro_panel, retro_list
from .page import RetroPage, retro_page
from .review import GoalReview, InitiativeOutcome, PastAction, goal_review
from .rights import (
    author_key,
    can_facilitate,
    can_own_action,
    can_read_retro,
    can_see_cards,
    can_start_retro,
    can_take_part,
    can_update_action,
    card_team_ids,
    in_team,
    readable_retros,
    retro_get,
    retro_get_for,
)

__all__ = [
    "Board",
    "CauseStats",
    "CardView",
    "GoalReview",
    "InitiativeOutcome",
    "PastAction",
    "RetroExport",
    "RetroPage",
    "action_owners",
    "author_key",
    "board",
    "can_facilitate",
    "card_team_ids",
    "can_own_action",
    "can_read_retro",
    "can_see_cards",
    "can_start_retro",
    "can_take_part",
    "can_update_action",
    "card_views",
    "cause_stats",
    "cause_counts",
    "draft_retro_panel",
    "goal_review",
    "in_team",
    "knowledge_search",
    "lessons_for_draft",
    "open_actions_due",
    "readable_retros",
    "retro_get",
    "retro_export",
    "retro_get_for",
    "retro_list",
    "retro_page",
    "votes_used",
]
