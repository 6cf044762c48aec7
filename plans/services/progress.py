"""Progress reports: by the owner (e.g. from a phone) or whoever changes the plan; a milestone
reached is a small win (小胜利), a failed experiment closes with its lesson (容错机制)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import Membership
from teams.services import audit_diff, audit_record

from .. import selectors
from ..models import FINISHED, Initiative, Status
from .checks import _scope, _snapshot


def derived_status(initiative: Initiative, progress: int) -> str:
    """The status a progress report without a status gives: 0 % not started, 1–99 % in progress,
    100 % done. A closed (failed) experiment stays closed: its lesson is recorded."""
    if initiative.is_experiment and initiative.status == Status.FAILED:
        return Status.FAILED
    if progress >= 100:
        return Status.DONE
    return Status.IN_PROGRESS if progress > 0 else Status.NOT_STARTED


def progress_errors(
    *, initiative: Initiative, actor: Membership, progress: int, status: str | None = None, lesson: str = ""
) -> dict[str, list[str]]:
    """Why a progress report would be refused (the import checks every row with this before saving)."""
    verdict = selectors.can_report_progress(member=actor, initiative=initiative)
    if not verdict:
        return {"progress": [verdict.reason]}
    errors: dict[str, list[str]] = {}
    if not 0 <= progress <= 100:
        errors["progress"] = [_("Enter a percentage from 0 to 100.")]
    status = status or derived_status(initiative, progress)
    if status not in Status.values:
        errors["status"] = [_("Choose a valid status.")]
    if status == Status.FAILED:
        if not initiative.is_experiment:
            errors["status"] = [
                _("Only an innovation experiment closes as failed; cancel other initiatives.")
            ]
        if not (lesson.strip() or initiative.lesson.strip()):
            errors["lesson"] = [_("Record the lesson learned: a failed experiment is a lesson, not a loss.")]
    return errors


@transaction.atomic
def initiative_progress(
    *, initiative: Initiative, actor: Membership, progress: int, status: str | None = None, lesson: str = ""
) -> Initiative:
    """Owners (and managers) report progress. Without a status, the status follows the progress
    (0 % not started, 1–99 % in progress, 100 % done); reaching a milestone is a small win
    (小胜利). A failed experiment closes with its lesson (容错机制) and stays closed."""
    selectors.can_report_progress(member=actor, initiative=initiative).require()
    errors = progress_errors(
        initiative=initiative, actor=actor, progress=progress, status=status, lesson=lesson
    )
    if errors:
        raise ValidationError(errors)
    status = status or derived_status(initiative, progress)
    before = _snapshot(initiative)
    initiative.progress = 100 if status == Status.DONE else progress
    initiative.status = status
    if lesson.strip():
        initiative.lesson = lesson.strip()
    if status in FINISHED and initiative.finished_at is None:
        initiative.finished_at = timezone.localdate()
    if status not in FINISHED:
        initiative.finished_at = None
    if initiative.is_milestone and status == Status.DONE and initiative.milestone_reached_at is None:
        initiative.milestone_reached_at = timezone.now()
    initiative.save()
    audit_record(org=initiative.org, actor=actor.user, action="initiative.progress", target=initiative,
                 changes=audit_diff(before, _snapshot(initiative)), scope=_scope(initiative))  # fmt: skip
    return initiative
