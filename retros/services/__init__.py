"""Every write of the retros app, re-exported: starting and preparing retros and moving their
phases (retros), cards and votes (cards), lessons and actions (outcomes).

Services queue their Celery tasks (retros.tasks) at module level; the tasks import this package
inside their bodies."""

from .cards import card_add, card_delete, card_edit, card_group, vote_set, vote_toggle
from .convert import CONVERT_KINDS, action_convert
from .knowledge import (
    can_manage_lesson,
    knowledge_entry_create,
    lesson_apply,
    lessons_apply_to_new_goal,
    practice_reminder_send,
    practice_reminders,
    practice_reminders_all,
    practice_set,
)
from .outcomes import action_add, action_set_status, failure_share_publish, lesson_add, lesson_publish
from .retros import (
    facilitator_set,
    phase_move,
    retro_announce,
    retro_close,
    retro_key,
    retro_start,
    retro_text,
    retros_prepare,
    retros_prepare_all,
    votes_reveal,
)

__all__ = [
    "facilitator_set",
    "CONVERT_KINDS",
    "action_convert",
    "can_manage_lesson",
    "knowledge_entry_create",
    "lesson_apply",
    "lessons_apply_to_new_goal",
    "practice_reminder_send",
    "practice_reminders",
    "practice_reminders_all",
    "practice_set",
    "action_add",
    "action_set_status",
    "card_add",
    "failure_share_publish",
    "card_delete",
    "card_edit",
    "card_group",
    "lesson_add",
    "lesson_publish",
    "phase_move",
    "retro_announce",
    "retro_close",
    "retro_key",
    "retro_start",
    "retro_text",
    "retros_prepare",
    "retros_prepare_all",
    "vote_set",
    "vote_toggle",
    "votes_reveal",
]
