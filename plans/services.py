"""Every write of the plans app: keyword-only, typed, transactional, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import CLOSED_STATUSES as GOAL_CLOSED
from goals.models import Goal
from teams.models import Membership, Organization, Role, Team
from teams.services import audit_diff, audit_record

from .models import (
    FINISHED,
    Dependency,
    Dimension,
    Initiative,
    Need,
    Priority,
    Reallocation,
    Squad,
    Status,
    TeamBudget,
)
from .schedule import find_cycle

MAX_MONEY = Decimal("1e12")
FIELDS = ("title", "goal_id", "dimension_id", "owner_id", "squad_id", "start_date", "due_date", "ongoing", "budget",
          "needs", "needs_note", "priority", "status", "progress", "is_milestone", "is_experiment", "lesson")  # fmt: skip


def _scope(initiative: Initiative) -> str:
    return f"goal:{initiative.goal_id}"


def _snapshot(initiative: Initiative) -> dict[str, object]:
    return {f: getattr(initiative, f) for f in FIELDS}


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
    if data.goal.org_id != org.pk:
        errors["goal"] = [_("Choose a goal of this organisation.")]
    elif data.goal.status in GOAL_CLOSED:
        errors["goal"] = [_("The goal is closed.")]
    if data.owner.org_id != org.pk or not data.owner.is_active:
        errors["owner"] = [_("Choose an active member of this organisation.")]
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
        elif data.budget != data.budget.quantize(Decimal("0.01")):
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


@transaction.atomic
def initiative_progress(
    *, initiative: Initiative, actor: Membership, progress: int, status: str | None = None, lesson: str = ""
) -> Initiative:
    """Owners (and managers) report progress. 100 % finishes the initiative; reaching a milestone is a small win
    (小胜利). A failed experiment closes with its lesson (容错机制)."""
    if actor.org_id != initiative.org_id or (
        actor.role not in (Role.ADMIN, Role.MANAGER) and actor.pk != initiative.owner_id
    ):
        raise ValidationError(
            {"progress": [_("Only the owner or a manager reports progress on this initiative.")]}
        )
    errors: dict[str, list[str]] = {}
    if not 0 <= progress <= 100:
        errors["progress"] = [_("Enter a percentage from 0 to 100.")]
    status = status or (
        Status.DONE if progress == 100 else (Status.IN_PROGRESS if progress > 0 else initiative.status)
    )
    if status not in Status.values:
        errors["status"] = [_("Choose a valid status.")]
    if status == Status.FAILED:
        if not initiative.is_experiment:
            errors["status"] = [
                _("Only an innovation experiment closes as failed; cancel other initiatives.")
            ]
        if not lesson.strip():
            errors["lesson"] = [_("Record the lesson learned: a failed experiment is a lesson, not a loss.")]
    if errors:
        raise ValidationError(errors)
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


# --- Dependencies -------------------------------------------------------------------------------
@transaction.atomic
def dependency_add(*, predecessor: Initiative, successor: Initiative, actor: Membership) -> Dependency:
    """Finish-to-start. Refused across organisations, on itself, and when it would close a cycle
    (the message names the cycle)."""
    if predecessor.org_id != successor.org_id or predecessor.org_id != actor.org_id:
        raise ValidationError({"predecessor": [_("Both initiatives must belong to this organisation.")]})
    if predecessor.pk == successor.pk:
        raise ValidationError({"predecessor": [_("An initiative cannot depend on itself.")]})
    if Dependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationError({"predecessor": [_("This dependency already exists.")]})
    edges = Dependency.objects.filter(predecessor__org_id=predecessor.org_id).values_list(
        "predecessor_id", "successor_id"
    )
    cycle = find_cycle(list(edges), (predecessor.pk, successor.pk))
    if cycle:
        titles = dict(Initiative.objects.filter(pk__in=cycle).values_list("pk", "title"))
        path = " → ".join(f"“{titles[i]}”" for i in cycle)
        raise ValidationError({"predecessor": [_("This would create a cycle: %(path)s.") % {"path": path}]})
    dependency = Dependency.objects.create(predecessor=predecessor, successor=successor)
    audit_record(org=predecessor.org, actor=actor.user, action="dependency.add", target=dependency,
                 changes={"link": [None, f"{predecessor.pk}→{successor.pk}"]}, scope=_scope(successor))  # fmt: skip
    return dependency


@transaction.atomic
def dependency_remove(*, dependency: Dependency, actor: Membership) -> None:
    audit_record(org=dependency.successor.org, actor=actor.user, action="dependency.remove", target=dependency,
                 scope=_scope(dependency.successor))  # fmt: skip
    dependency.delete()


# --- Squads and budgets -------------------------------------------------------------------------
@transaction.atomic
def squad_create(
    *, org: Organization, actor: Membership, name: str, lead: Membership, members: Sequence[Membership],
    description: str = "",
) -> Squad:  # fmt: skip
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Name the squad.")]
    elif Squad.objects.filter(org=org, name__iexact=name.strip()).exists():
        errors["name"] = [_("A squad with this name already exists.")]
    people = [lead, *members]
    if any(m.org_id != org.pk or not m.is_active for m in people):
        errors["members"] = [_("Choose active members of this organisation.")]
    if errors:
        raise ValidationError(errors)
    squad = Squad.objects.create(org=org, name=name.strip(), lead=lead, description=description.strip())
    squad.members.set({m.pk for m in people})
    audit_record(org=org, actor=actor.user, action="squad.create", target=squad)
    return squad


@transaction.atomic
def team_budget_set(*, org: Organization, actor: Membership, team: Team, start_date: date, end_date: date,
                    amount: Decimal) -> TeamBudget:  # fmt: skip
    errors: dict[str, list[str]] = {}
    if team.org_id != org.pk:
        errors["team"] = [_("Choose a team of this organisation.")]
    if end_date < start_date:
        errors["end_date"] = [_("The end must not be before the start.")]
    if not amount.is_finite() or amount < 0 or amount.adjusted() >= MAX_MONEY.adjusted():
        errors["amount"] = [_("Enter a realistic, non-negative amount.")]
    if errors:
        raise ValidationError(errors)
    budget, _created = TeamBudget.objects.update_or_create(
        team=team, start_date=start_date, defaults={"org": org, "end_date": end_date, "amount": amount}
    )
    audit_record(org=org, actor=actor.user, action="team_budget.set", target=budget,
                 changes={"amount": [None, str(amount)]})  # fmt: skip
    return budget


@transaction.atomic
def budget_reallocate(
    *,
    org: Organization,
    actor: Membership,
    source: Initiative,
    target: Initiative,
    amount: Decimal,
    reason: str,
) -> Reallocation:
    """Move budget from one initiative to another (动态调整), recorded with its reason."""
    errors: dict[str, list[str]] = {}
    if source.org_id != org.pk or target.org_id != org.pk:
        errors["target"] = [_("Both initiatives must belong to this organisation.")]
    if source.pk == target.pk:
        errors["target"] = [_("Choose two different initiatives.")]
    if not amount.is_finite() or amount <= 0 or amount.adjusted() >= MAX_MONEY.adjusted():
        errors["amount"] = [_("Enter a positive amount.")]
    elif amount > (source.budget or Decimal(0)):
        errors["amount"] = [_("“%(title)s” has only %(budget)s to give.") % {"title": source.title,
                                                                           "budget": source.budget or 0}]  # fmt: skip
    if not reason.strip():
        errors["reason"] = [_("Say why the budget moves.")]
    if errors:
        raise ValidationError(errors)
    locked = {
        i.pk: i
        for i in Initiative.objects.select_for_update(of=("self",))
        .filter(pk__in=[source.pk, target.pk])
        .order_by()
    }
    source, target = locked[source.pk], locked[target.pk]
    source.budget = (source.budget or Decimal(0)) - amount
    target.budget = (target.budget or Decimal(0)) + amount
    source.save(update_fields=["budget", "updated_at"])
    target.save(update_fields=["budget", "updated_at"])
    move = Reallocation.objects.create(org=org, source=source, target=target, amount=amount, reason=reason.strip(),
                                       created_by=actor)  # fmt: skip
    audit_record(org=org, actor=actor.user, action="budget.reallocate", target=move,
                 changes={"amount": [None, str(amount)], "reason": [None, reason.strip()]})  # fmt: skip
    return move
