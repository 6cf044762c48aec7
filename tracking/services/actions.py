"""Corrective actions (纠偏): an alert acknowledged with its cause and an action, actions decided
elsewhere (a review), and marking them done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal
from goals.selectors import can_change_goal
from teams.errors import NotAllowed
from teams.models import Membership, Organization
from teams.selectors import can_manage_team, org_today
from tracking import selectors
from tracking.dashboard_cache import dashboards_invalidate
from tracking.models import ActionState, Alert, AlertState, Cause, CorrectiveAction, Review

from ._common import TEXT_LIMIT
from .alerts import require_alert_action


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: Membership | None
    due_date: date | None


def require_action_update(*, action: CorrectiveAction, actor: Membership) -> None:
    selectors.can_update_action(action=action, member=actor).require()


def _validate_action(org: Organization, data: ActionInput, errors: dict[str, list[str]]) -> None:
    if not data.description.strip():
        errors["action"] = [_("Describe the corrective action.")]
    elif len(data.description) > TEXT_LIMIT:
        errors["action"] = [_("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}]
    if data.owner is None or data.owner.org_id != org.pk or not data.owner.is_active:
        errors["owner"] = [_("Choose who owns the action, from this organisation.")]
    elif not (owns := selectors.can_own_action(org=org, person=data.owner)):
        errors["owner"] = [owns.reason]
    if data.due_date is None:
        errors["due_date"] = [_("Give the action a due date.")]
    elif data.due_date < org_today(org):
        errors["due_date"] = [_("The due date cannot be in the past.")]


def alert_acknowledge(
    *, alert: Alert, actor: Membership, cause: str, cause_note: str, action: ActionInput
) -> CorrectiveAction:
    """纠偏: name the cause and commit to a corrective action with an owner and a due date."""
    require_alert_action(alert=alert, actor=actor)
    errors: dict[str, list[str]] = {}
    if cause not in Cause.values:
        errors["cause"] = [_("Choose a cause.")]
    elif cause == Cause.OTHER and not cause_note.strip():
        errors["cause_note"] = [_("Say what the cause is.")]
    if len(cause_note) > TEXT_LIMIT:
        errors["cause_note"] = [_("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}]
    _validate_action(alert.org, action, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Alert.objects.select_for_update(of=("self",)).get(pk=alert.pk)
        if locked.state == AlertState.RESOLVED:
            raise ValidationError(_("This alert is already resolved."))
        locked.state = AlertState.ACKNOWLEDGED
        locked.cause, locked.cause_note = cause, cause_note.strip()
        locked.acknowledged_by, locked.acknowledged_at = actor, timezone.now()
        locked.save(
            update_fields=["state", "cause", "cause_note", "acknowledged_by", "acknowledged_at", "updated_at"]
        )
        dashboards_invalidate(org_id=locked.org_id)  # the dashboards show the alert's state
        assert action.owner is not None and action.due_date is not None  # noqa: S101 - validated above
        twin = CorrectiveAction.objects.filter(
            alert=locked, description=action.description.strip(), owner=action.owner, due_date=action.due_date
        ).first()
        if twin is not None:  # the same form sent twice
            return twin
        created = CorrectiveAction.objects.create(
            org=alert.org, alert=locked, goal=locked.goal, description=action.description.strip(),
            owner=action.owner, due_date=action.due_date, created_by=actor,
        )  # fmt: skip
    alert.refresh_from_db()
    return created


def action_add(
    *, org: Organization, actor: Membership, goal: Goal | None, alert: Alert | None, data: ActionInput,
    review: Review | None = None,
) -> CorrectiveAction:  # fmt: skip
    """A corrective action recorded outside an alert (e.g. decided at the weekly review): by the
    goal's owner, or whoever changes the goal (or, without a goal, the review's team)."""
    allowed = (
        goal is not None and (goal.owner_id == actor.pk or can_change_goal(member=actor, goal=goal))
    ) or (goal is None and review is not None and can_manage_team(member=actor, team_id=review.team_id))
    if not allowed:
        raise NotAllowed(
            _("Only the goal's owner, or an admin or a manager of its team, adds a corrective action.")
        )
    errors: dict[str, list[str]] = {}
    _validate_action(org, data, errors)
    if errors:
        raise ValidationError(errors)
    assert data.owner is not None and data.due_date is not None  # noqa: S101 - validated above
    return CorrectiveAction.objects.create(
        org=org, alert=alert, goal=goal, description=data.description.strip(), owner=data.owner,
        due_date=data.due_date, created_by=actor, review=review,
    )  # fmt: skip


def action_update(
    *, action: CorrectiveAction, actor: Membership, done: bool, worked: bool | None = None
) -> CorrectiveAction:
    require_action_update(action=action, actor=actor)
    action.state = ActionState.DONE if done else ActionState.OPEN
    action.done_at = timezone.now() if done else None
    action.worked = worked
    action.save(update_fields=["state", "done_at", "worked"])
    return action
