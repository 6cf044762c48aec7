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
from teams.errors import NotAllowed
from teams.models import Membership, Organization, Team
from teams.selectors import can_manage_team
from teams.services import audit_diff, audit_record

from . import selectors
from .models import (
    FINISHED,
    Capacity,
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
CENT = Decimal("0.01")
OWNER_ROLES = selectors.OWNER_ROLES  # who may own an initiative
# The database's limits, checked here so that a long value is a message, never a DataError.
MAX_TITLE = Initiative._meta.get_field("title").max_length or 200
MAX_DIMENSION = Dimension._meta.get_field("name").max_length or 120
MAX_NEEDS_NOTE = Initiative._meta.get_field("needs_note").max_length or 200
MAX_SQUAD_NAME = Squad._meta.get_field("name").max_length or 120
FIELDS = ("title", "goal_id", "dimension_id", "owner_id", "squad_id", "start_date", "due_date", "ongoing", "budget",
          "needs", "needs_note", "priority", "status", "progress", "is_milestone", "is_experiment", "lesson")  # fmt: skip


def _scope(initiative: Initiative) -> str:
    return f"goal:{initiative.goal_id}"


def _snapshot(initiative: Initiative) -> dict[str, object]:
    return {f: getattr(initiative, f) for f in FIELDS}


# --- Who may (the rules are in plans.selectors) -------------------------------------------------
def require_plan_change(*, goal: Goal, actor: Membership) -> None:
    """Refuse (403) unless `actor` changes this goal's plan; views call it before reading a form."""
    if not selectors.can_plan(member=actor, goal=goal):
        raise NotAllowed(
            _("Only an admin, or a manager of the goal's team or of a team above it, changes this plan.")
        )


def require_initiative_change(*, initiative: Initiative, actor: Membership) -> None:
    require_plan_change(goal=initiative.goal, actor=actor)


def require_progress_report(*, initiative: Initiative, actor: Membership) -> None:
    if not selectors.can_report_progress(member=actor, initiative=initiative):
        raise NotAllowed(
            _("Only the owner or a manager of the goal's team reports progress on this initiative.")
        )


def require_team_budget(*, team: Team, actor: Membership) -> None:
    if not can_manage_team(member=actor, team_id=team.pk):
        raise NotAllowed(
            _("Only an admin, or a manager of “%(team)s” or of a team above it, sets its budget.")
            % {"team": team.name}
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


def _too_long(text: str, limit: int) -> str | None:
    length = len(text.strip())
    if length <= limit:
        return None
    return _("At most %(limit)d characters (this one has %(length)d).") % {"limit": limit, "length": length}


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


def _cents(amount: Decimal) -> bool:
    """True when the amount has at most 2 decimal places (money is stored in cents)."""
    return amount == amount.quantize(CENT)


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
    require_plan_change(goal=data.goal, actor=actor)
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
    require_initiative_change(initiative=initiative, actor=actor)
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
    if not selectors.can_report_progress(member=actor, initiative=initiative):
        return {
            "progress": [
                _("Only the owner or a manager of the goal's team reports progress on this initiative.")
            ]
        }
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
    require_progress_report(initiative=initiative, actor=actor)
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


# --- Dependencies -------------------------------------------------------------------------------
@transaction.atomic
def dependency_add(*, predecessor: Initiative, successor: Initiative, actor: Membership) -> Dependency:
    """Finish-to-start. Refused across organisations, on itself, and when it would close a cycle
    (the message names the cycle)."""
    if predecessor.org_id != successor.org_id or predecessor.org_id != actor.org_id:
        raise ValidationError({"predecessor": [_("Both initiatives must belong to this organisation.")]})
    require_initiative_change(initiative=successor, actor=actor)  # the link is part of the waiting plan
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
    require_initiative_change(initiative=dependency.successor, actor=actor)
    audit_record(org=dependency.successor.org, actor=actor.user, action="dependency.remove", target=dependency,
                 scope=_scope(dependency.successor))  # fmt: skip
    dependency.delete()


# --- Squads and budgets -------------------------------------------------------------------------
def _squad_errors(
    *,
    org: Organization,
    name: str,
    lead: Membership,
    members: Sequence[Membership],
    squad: Squad | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    clash = Squad.objects.filter(org=org, name__iexact=name.strip())
    if squad is not None:
        clash = clash.exclude(pk=squad.pk)
    if not name.strip():
        errors["name"] = [_("Name the squad.")]
    elif message := _too_long(name, MAX_SQUAD_NAME):
        errors["name"] = [message]
    elif clash.exists():
        errors["name"] = [_("A squad with this name already exists.")]
    if lead.org_id != org.pk or not lead.is_active:
        errors["lead"] = [_("Choose an active member of this organisation.")]
    if any(m.org_id != org.pk or not m.is_active for m in members):
        errors["members"] = [_("Choose active members of this organisation.")]
    return errors


@transaction.atomic
def squad_create(
    *, org: Organization, actor: Membership, name: str, lead: Membership, members: Sequence[Membership],
    description: str = "",
) -> Squad:  # fmt: skip
    """专项小组: a named, cross-functional group with a lead (always one of its members)."""
    errors = _squad_errors(org=org, name=name, lead=lead, members=members)
    if errors:
        raise ValidationError(errors)
    squad = Squad.objects.create(org=org, name=name.strip(), lead=lead, description=description.strip())
    squad.members.set({m.pk for m in [lead, *members]})
    audit_record(org=org, actor=actor.user, action="squad.create", target=squad)
    return squad


@transaction.atomic
def squad_update(
    *, squad: Squad, actor: Membership, name: str, lead: Membership, members: Sequence[Membership],
    description: str = "",
) -> Squad:  # fmt: skip
    errors = _squad_errors(org=squad.org, name=name, lead=lead, members=members, squad=squad)
    if errors:
        raise ValidationError(errors)
    before = {
        "name": squad.name,
        "lead": squad.lead_id,
        "members": sorted(squad.members.values_list("pk", flat=True)),
    }
    squad.name, squad.lead, squad.description = name.strip(), lead, description.strip()
    squad.save()
    squad.members.set({m.pk for m in [lead, *members]})
    after = {"name": squad.name, "lead": squad.lead_id, "members": sorted({m.pk for m in [lead, *members]})}
    audit_record(org=squad.org, actor=actor.user, action="squad.update", target=squad,
                 changes=audit_diff(before, after))  # fmt: skip
    return squad


@transaction.atomic
def capacity_set(*, org: Organization, actor: Membership, membership: Membership, load: Decimal) -> Capacity:
    """How many priority-weighted initiatives a person carries at once (overload conflicts use it):
    admins for everyone, managers for the people of the teams they manage."""
    errors: dict[str, list[str]] = {}
    if membership.org_id != org.pk:
        errors["membership"] = [_("Choose a member of this organisation.")]
    elif not selectors.can_set_capacity(member=actor, person=membership):
        raise NotAllowed(_("Only an admin, or a manager of one of this person's teams, sets their capacity."))
    if not load.is_finite() or load <= 0 or load >= 100:
        errors["load"] = [_("Enter a capacity between 0 and 100, e.g. 3.")]
    elif not _cents(load):
        errors["load"] = [_("Use at most 2 decimal places.")]
    if errors:
        raise ValidationError(errors)
    capacity, _created = Capacity.objects.update_or_create(membership=membership, defaults={"load": load})
    audit_record(org=org, actor=actor.user, action="capacity.set", target=capacity,
                 changes={"load": [None, str(load)]})  # fmt: skip
    return capacity


@transaction.atomic
def team_budget_set(*, org: Organization, actor: Membership, team: Team, start_date: date, end_date: date,
                    amount: Decimal) -> TeamBudget:  # fmt: skip
    errors: dict[str, list[str]] = {}
    if team.org_id != org.pk:
        errors["team"] = [_("Choose a team of this organisation.")]
    else:
        require_team_budget(team=team, actor=actor)
    if end_date < start_date:
        errors["end_date"] = [_("The end must not be before the start.")]
    if not amount.is_finite() or amount < 0 or amount.adjusted() >= MAX_MONEY.adjusted():
        errors["amount"] = [_("Enter a realistic, non-negative amount.")]
    elif not _cents(amount):
        errors["amount"] = [_("Use at most 2 decimal places.")]
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
    """Move budget from one initiative to another (动态调整), recorded with its reason. Both rows
    are locked before the amount is checked against what the source has, so two moves at once
    cannot both spend the same money. Money leaves one plan and joins another: the actor must
    change both."""
    errors: dict[str, list[str]] = {}
    if source.org_id != org.pk or target.org_id != org.pk:
        errors["target"] = [_("Both initiatives must belong to this organisation.")]
    else:
        require_initiative_change(initiative=source, actor=actor)
        require_initiative_change(initiative=target, actor=actor)
    if source.pk == target.pk:
        errors["target"] = [_("Choose two different initiatives.")]
    if not amount.is_finite() or amount <= 0 or amount.adjusted() >= MAX_MONEY.adjusted():
        errors["amount"] = [_("Enter a positive amount.")]
    elif not _cents(amount):
        errors["amount"] = [_("Use at most 2 decimal places.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the budget moves.")]
    if errors:
        raise ValidationError(errors)
    locked = {
        i.pk: i
        for i in Initiative.objects.select_for_update(of=("self",))
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    if amount > (source.budget or Decimal(0)):
        raise ValidationError({"amount": [_("“%(title)s” has only %(budget)s to give.") % {
            "title": source.title, "budget": source.budget or 0}]})  # fmt: skip
    source.budget = (source.budget or Decimal(0)) - amount
    target.budget = (target.budget or Decimal(0)) + amount
    source.save(update_fields=["budget", "updated_at"])
    target.save(update_fields=["budget", "updated_at"])
    move = Reallocation.objects.create(org=org, source=source, target=target, amount=amount, reason=reason.strip(),
                                       created_by=actor)  # fmt: skip
    audit_record(org=org, actor=actor.user, action="budget.reallocate", target=move,
                 changes={"amount": [None, str(amount)], "reason": [None, reason.strip()]})  # fmt: skip
    return move
