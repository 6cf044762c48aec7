"""An action of the retro's plan becomes an initiative on the next period's goal (plans) or a
corrective action (tracking, 纠偏), created by those apps' own services — so their rights and
checks apply: only who may change that goal adds to it. The link stays on the action."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import CLOSED_STATUSES as GOAL_CLOSED
from goals.models import Goal
from plans.selectors import can_plan
from plans.services import InitiativeInput, initiative_create
from teams.models import Membership
from teams.selectors import can_manage_team, org_today
from teams.services import audit_record
from tracking.services import ActionInput
from tracking.services import action_add as corrective_action_add

from ..models import RetroAction
from ._common import SCOPE, raise_if

INITIATIVE, CORRECTIVE = "initiative", "corrective"
CONVERT_KINDS = (INITIATIVE, CORRECTIVE)
TITLE_LIMIT = 200  # an initiative's title
# the field names of plans' and tracking's errors, as the conversion form calls them
_FIELDS = {
    "title": "description",
    "action": "description",
    "goal": "goal",
    "owner": "owner",
    "due_date": "due_date",
}


def _already(action: RetroAction) -> str:
    if action.initiative_id is not None:
        return _("This action already became an initiative.")
    return _("This action already became a corrective action.")


def _renamed(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {
            _FIELDS.get(name, "__all__"): [m for e in errors for m in e.messages]
            for name, errors in error.error_dict.items()
        }
    )


def _checked(
    *, action: RetroAction, into: str, goal_id: int | None, alert_id: int | None
) -> tuple[Goal | None, Any]:
    errors: dict[str, list[str]] = {}
    if into not in CONVERT_KINDS:
        errors["into"] = [_("Choose an initiative or a corrective action.")]
    goal = Goal.objects.filter(org_id=action.org_id, pk=goal_id).first() if goal_id else None
    if goal is None:
        errors["goal"] = [_("Choose a goal of this organisation.")]
    elif goal.status in GOAL_CLOSED:
        errors["goal"] = [_("The goal is closed.")]
    elif into == INITIATIVE and goal.end_date <= action.retro.period_end:
        errors["goal"] = [_("Choose a goal of a period after the retrospective's.")]
    alert = None
    if alert_id:
        # one of the goal's alerts (read through the goal: tracking's models are not retros' to import)
        alert = goal.alerts.filter(org_id=action.org_id, pk=alert_id).first() if goal is not None else None
        if alert is None:
            errors["alert"] = [_("Choose an alert of that goal.")]
        elif into != CORRECTIVE:
            errors["alert"] = [_("Only a corrective action answers an alert.")]
    raise_if(errors)
    return goal, alert


@transaction.atomic
def action_convert(
    *, action: RetroAction, actor: Membership, into: str, goal_id: int | None, alert_id: int | None = None
) -> RetroAction:
    """Turn the action into an initiative (on a goal of a later period) or a corrective action (on a
    goal, optionally answering one of its alerts). Its owner and due date carry over. Sent twice
    (a double click), the second gives back the first; an action becomes something only once."""
    # the retro's team's managers (and admins) decide; then plans or tracking check the chosen goal
    can_manage_team(member=actor, team_id=action.retro.team_id).require()
    action = (
        RetroAction.objects.select_for_update(of=("self",)).select_related("retro", "owner").get(pk=action.pk)
    )
    if action.initiative_id is not None or action.corrective_action_id is not None:
        same_kind = (action.initiative_id is not None) == (into == INITIATIVE)
        if same_kind and action.goal_id == goal_id:
            return action
        raise ValidationError({"into": [_already(action)]})
    goal, alert = _checked(action=action, into=into, goal_id=goal_id, alert_id=alert_id)
    assert goal is not None  # noqa: S101 - checked above
    today = org_today(action.retro.org)
    try:
        if into == INITIATIVE:
            can_plan(member=actor, goal=goal).require()
            start = max(today, goal.start_date)
            initiative = initiative_create(
                org=action.retro.org, actor=actor,
                data=InitiativeInput(title=action.description.strip()[:TITLE_LIMIT], goal=goal, owner=action.owner,
                                     start_date=start, due_date=max(action.due_date, start)),
            )  # fmt: skip
            action.initiative = initiative
            target_id = initiative.pk
        else:
            corrective = corrective_action_add(
                org=action.retro.org, actor=actor, goal=goal, alert=alert,
                data=ActionInput(description=action.description, owner=action.owner,
                                 due_date=max(action.due_date, today)),
            )  # fmt: skip
            action.corrective_action = corrective
            target_id = corrective.pk
    except ValidationError as error:
        raise _renamed(error) from error
    action.goal = goal
    action.save(update_fields=["initiative", "corrective_action", "goal"])
    audit_record(org=action.retro.org, actor=actor.user, action="retro_action.convert", target=action,
                 changes={into: [None, target_id], "goal": [None, goal.pk]}, scope=SCOPE)  # fmt: skip
    return action
