"""Writing a plan's initiatives: create and update (the original dates stay as the baseline, so
slips show on the Gantt), with every error an initiative would be refused with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import CLOSED_STATUSES as GOAL_CLOSED
from goals.models import Goal
from teams.models import Membership, Organization
from teams.services import audit_diff, audit_record

from .. import selectors
from ..models import Dimension, Initiative, Need, Priority, Squad
from .checks import (
    MAX_DIMENSION,
    MAX_MONEY,
    MAX_NEEDS_NOTE,
    MAX_TITLE,
    OWNER_ROLES,
    _cents,
    _scope,
    _snapshot,
    _too_long,
)


@dataclass(frozen=True)
class InitiativeInput:
    title: str
    goal: Goal
    owner: Membership
    start_date: date
    due_date: date | None = None
    ongoing: bool = False
    dimension: Dimension | None = None
    dimension_name: str = ""  # creates the dimension under the goal when it does not exist yet
    squad: Squad | None = None
    budget: Decimal | None = None
    needs: Sequence[str] = field(default_factory=tuple)
    needs_note: str = ""
    priority: str = Priority.P2
    is_milestone: bool = False
    is_experiment: bool = False


def validate_input(org: Organization, data: InitiativeInput) -> dict[str, list[str]]:
    """The errors an initiative would be refused with (used by imports to report every row)."""
    return _validate(org, data)


def _validate(org: Organization, data: InitiativeInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Describe the initiative.")]
    elif message := _too_long(data.title, MAX_TITLE):
        errors["title"] = [message]
    if data.dimension is None and (message := _too_long(data.dimension_name, MAX_DIMENSION)):
        errors["dimension"] = [message]
    if message := _too_long(data.needs_note, MAX_NEEDS_NOTE):
        errors["needs_note"] = [message]
    if data.goal.org_id != org.pk:
        errors["goal"] = [_("Choose a goal of this organisation.")]
    elif data.goal.status in GOAL_CLOSED:
        errors["goal"] = [_("The goal is closed.")]
    if data.owner.org_id != org.pk or not data.owner.is_active:
        errors["owner"] = [_("Choose an active member of this organisation.")]
    elif data.owner.role not in OWNER_ROLES:
        errors["owner"] = [
            _("Choose an admin, manager or member as the owner: viewers and HR cannot report progress.")
        ]
    if data.squad is not None and data.squad.org_id != org.pk:
        errors["squad"] = [_("Choose a squad of this organisation.")]
    if data.dimension is not None and data.dimension.goal_id != data.goal.pk:
        errors["dimension"] = [_("Choose a dimension of this goal.")]
    if data.ongoing:
        if data.due_date is not None:
            errors["due_date"] = [_("Ongoing work has no due date.")]
    elif data.due_date is None:
        errors["due_date"] = [_("Enter the due date, or mark the initiative as ongoing.")]
    elif data.due_date < data.start_date:
        errors["due_date"] = [_("The due date must not be before the start.")]
    if data.budget is not None:
        if not data.budget.is_finite() or data.budget.adjusted() >= MAX_MONEY.adjusted():
            errors["budget"] = [_("Enter a realistic amount.")]
        elif data.budget < 0:
            errors["budget"] = [_("A budget cannot be negative.")]
        elif not _cents(data.budget):
            errors["budget"] = [_("Use at most 2 decimal places.")]
    unknown = [n for n in data.needs if n not in Need.values]
    if unknown:
        errors["needs"] = [_("Unknown resource need: %(needs)s.") % {"needs": ", ".join(unknown)}]
    if data.priority not in Priority.values:
        errors["priority"] = [_("Choose P0, P1, P2 or P3.")]
    return errors


def _dimension(goal: Goal, data: InitiativeInput) -> Dimension | None:
    if data.dimension is not None:
        return data.dimension
    name = data.dimension_name.strip()
    if not name:
        return None
    existing = Dimension.objects.filter(goal=goal, name__iexact=name).first()
    return existing or Dimension.objects.create(
        goal=goal, name=name, position=Dimension.objects.filter(goal=goal).count()
    )


@transaction.atomic
def initiative_create(*, org: Organization, actor: Membership, data: InitiativeInput) -> Initiative:
    selectors.can_plan(member=actor, goal=data.goal).require()
    errors = _validate(org, data)
    if errors:
        raise ValidationError(errors)
    initiative = Initiative.objects.create(
        org=org, goal=data.goal, dimension=_dimension(data.goal, data), title=data.title.strip(), owner=data.owner,
        squad=data.squad, start_date=data.start_date, due_date=data.due_date, ongoing=data.ongoing,
        baseline_start=data.start_date, baseline_due=data.due_date, budget=data.budget, needs=list(data.needs),
        needs_note=data.needs_note.strip(), priority=data.priority, is_milestone=data.is_milestone,
        is_experiment=data.is_experiment, position=Initiative.objects.filter(goal=data.goal).count(),
        created_by=actor.user,
    )  # fmt: skip
    audit_record(org=org, actor=actor.user, action="initiative.create", target=initiative,
                 changes=audit_diff({}, _snapshot(initiative)), scope=_scope(initiative))  # fmt: skip
    return initiative


@transaction.atomic
def initiative_update(*, initiative: Initiative, actor: Membership, data: InitiativeInput) -> Initiative:
    """Change an initiative. The original (baseline) dates stay, so slips show on the Gantt."""
    selectors.can_change_initiative(member=actor, initiative=initiative).require()
    errors = _validate(initiative.org, data)
    if data.goal.pk != initiative.goal_id:
        errors["goal"] = [_("An initiative stays with its goal.")]
    if errors:
        raise ValidationError(errors)
    before = _snapshot(initiative)
    initiative.title = data.title.strip()
    initiative.dimension = _dimension(initiative.goal, data)
    initiative.owner, initiative.squad = data.owner, data.squad
    initiative.start_date, initiative.due_date, initiative.ongoing = (
        data.start_date,
        data.due_date,
        data.ongoing,
    )
    initiative.budget, initiative.needs, initiative.needs_note = (
        data.budget,
        list(data.needs),
        data.needs_note.strip(),
    )
    initiative.priority, initiative.is_milestone, initiative.is_experiment = (
        data.priority, data.is_milestone, data.is_experiment,
    )  # fmt: skip
    initiative.save()
    changes = audit_diff(before, _snapshot(initiative))
    if changes:
        audit_record(org=initiative.org, actor=actor.user, action="initiative.update", target=initiative,
                     changes=changes, scope=_scope(initiative))  # fmt: skip
    return initiative
