"""Goals: create, edit, move along their statuses, and who may change them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import Membership, Organization, Role, Team
from teams.services import audit_diff, audit_record

from .. import selectors
from ..models import CLOSED_STATUSES, Aggregation, Direction, Goal, PeriodKind, Scope, Status, TargetVersion
from ..signals import targets_changed
from .common import GOAL_FIELDS, audit_scope, is_realistic, validate_tiers, version_snapshot


def _ancestors(goal: Goal) -> Iterable[Goal]:
    seen: set[int] = set()
    node = goal.parent
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        yield node
        node = node.parent


def _validate_goal(goal: Goal) -> None:
    errors: dict[str, list[str]] = {}
    if goal.end_date and goal.start_date and goal.end_date < goal.start_date:
        errors["end_date"] = [_("The end must not be before the start.")]
    if goal.scope == Scope.TEAM and goal.team_id is None:
        errors["team"] = [_("Choose the team this goal belongs to.")]
    if goal.scope == Scope.STRATEGY and goal.parent_id is not None:
        errors["parent"] = [_("A company strategy goal is the top of the cascade: it serves no other goal.")]
    if goal.team is not None and goal.team.org_id != goal.org_id:
        errors["team"] = [_("Choose a team of this organisation.")]
    if goal.owner.org_id != goal.org_id or not goal.owner.is_active:
        errors["owner"] = [_("Choose an active member of this organisation.")]
    if goal.baseline is not None and not is_realistic(goal.baseline):
        errors["baseline"] = [_("Enter a realistic number.")]
    elif goal.baseline is not None and goal.aggregation == Aggregation.SUM and goal.baseline < 0:
        errors["baseline"] = [_("A total cannot be negative.")]
    parent = goal.parent
    if parent is not None:
        if parent.org_id != goal.org_id:
            errors["parent"] = [_("Choose a goal of this organisation.")]
        elif goal.pk is not None and any(a.pk == goal.pk for a in [parent, *_ancestors(parent)]):
            errors["parent"] = [_("A goal cannot serve itself or a goal below it.")]
        elif parent.status == Status.CANCELLED:
            errors["parent"] = [_("The goal it serves is cancelled.")]
        elif (
            goal.start_date
            and goal.end_date
            and (goal.start_date < parent.start_date or goal.end_date > parent.end_date)
        ):
            errors.setdefault("end_date", []).append(
                _("The period must lie within the period of the goal it serves (%(start)s – %(end)s).")
                % {"start": parent.start_date.isoformat(), "end": parent.end_date.isoformat()}
            )
    if goal.pk is not None and goal.start_date and goal.end_date and "end_date" not in errors:
        outside = (
            Goal.objects.filter(parent_id=goal.pk)
            .exclude(status=Status.CANCELLED)
            .filter(models.Q(start_date__lt=goal.start_date) | models.Q(end_date__gt=goal.end_date))
            .first()
        )
        if outside is not None:
            errors["end_date"] = [
                _("Goals serving this one lie outside the new period (e.g. “%(title)s”). Change them first.")
                % {"title": outside.title}
            ]
    if errors:
        raise ValidationError(errors)
    goal.full_clean(exclude=["org", "owner", "team", "parent", "created_by"], validate_constraints=False)


def _lock(goal: Goal) -> None:
    """Lock the goal's row for this transaction and bring the caller's object up to date."""
    list(Goal.objects.select_for_update().filter(pk=goal.pk).values_list("pk", flat=True))
    goal.refresh_from_db()


def _snapshot(goal: Goal) -> dict[str, object]:
    return {name: getattr(goal, name) for name in (*GOAL_FIELDS, "status", "result_value")}


# --- Who may (the rules are selectors.can_change_goal and friends; services enforce them) --------
def require_goal_change(*, goal: Goal, actor: Membership) -> None:
    """Refuse (403) unless `actor` may change the goal; views call it before reading a form."""
    selectors.can_change_goal(member=actor, goal=goal).require()


def _require_placement(*, org: Organization, actor: Membership, data: GoalInput) -> None:
    """A goal may only be given a team (and owner) that leaves it changeable by its author."""
    draft = Goal(org=org, scope=data.scope, team=data.team, owner=data.owner)
    if data.team is not None and data.team.org_id != org.pk:
        return  # _validate_goal says which team to choose
    selectors.can_change_goal(member=actor, goal=draft).require()


# --- Goals ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GoalInput:
    title: str
    owner: Membership
    start_date: date
    end_date: date
    base: Decimal | None
    challenge: Decimal | None
    stretch: Decimal | None
    scope: str = Scope.TEAM
    team: Team | None = None
    parent: Goal | None = None
    weight: Decimal = Decimal("1")
    description: str = ""
    rationale: str = ""
    metric_name: str = ""
    unit: str = ""
    direction: str = Direction.UP
    aggregation: str = Aggregation.SUM
    baseline: Decimal | None = None
    period_kind: str = PeriodKind.QUARTER
    allows_negative: bool = False  # a change such as "DAU growth %"; a count never is


def _apply_input(goal: Goal, data: GoalInput) -> None:
    goal.title = data.title.strip()
    goal.owner = data.owner
    goal.start_date = data.start_date
    goal.end_date = data.end_date
    goal.scope = data.scope
    goal.team = data.team
    goal.parent = data.parent
    goal.weight = data.weight
    goal.description = data.description.strip()
    goal.rationale = data.rationale.strip()
    goal.metric_name = data.metric_name.strip()
    goal.unit = data.unit.strip()
    goal.direction = data.direction
    goal.aggregation = data.aggregation
    goal.baseline = data.baseline
    goal.allows_negative = bool(data.allows_negative)
    goal.period_kind = data.period_kind


@transaction.atomic
def goal_create(*, org: Organization, actor: Membership, data: GoalInput) -> Goal:
    """Create a goal (draft) with its first target version, for a team (or owner) the actor
    may change goals of."""
    _require_placement(org=org, actor=actor, data=data)
    goal = Goal(org=org, created_by=actor.user)
    _apply_input(goal, data)
    errors = validate_tiers(
        base=data.base, challenge=data.challenge, stretch=data.stretch, direction=data.direction,
        aggregation=data.aggregation,
    )  # fmt: skip
    try:
        _validate_goal(goal)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    goal.save()
    assert data.base is not None and data.challenge is not None and data.stretch is not None  # noqa: S101
    version = TargetVersion.objects.create(
        goal=goal, number=1, base=data.base, challenge=data.challenge, stretch=data.stretch,
        effective_from=goal.start_date, created_by=actor.user,
    )  # fmt: skip
    audit_record(
        org=org, actor=actor.user, action="goal.create", target=goal,
        changes=audit_diff({}, {**_snapshot(goal), **version_snapshot(version)}), scope=audit_scope(goal))  # fmt: skip
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, actor: Membership, data: GoalInput) -> Goal:
    """Edit a goal. Before activation everything may change, targets included. Once active the
    targets (and what they mean: metric, direction, period) change only through a revision."""
    require_goal_change(goal=goal, actor=actor)
    if goal.status in CLOSED_STATUSES:
        raise ValidationError(_("A closed goal cannot be changed."))
    _lock(goal)
    before = _snapshot(goal)
    version = goal.versions.order_by("-number").first()
    assert version is not None  # noqa: S101
    before_version = version_snapshot(version)
    new_tiers = {"base": data.base, "challenge": data.challenge, "stretch": data.stretch}
    new_parent_id = data.parent.pk if data.parent else None
    if goal.status == Status.ACTIVE and (data.owner.pk != goal.owner_id or new_parent_id != goal.parent_id):
        parent_owner = goal.parent.owner_id if goal.parent is not None else None
        if actor.role != Role.ADMIN and actor.pk != parent_owner:
            raise ValidationError(
                {
                    "owner": [
                        _(
                            "On an active goal, only an admin or the owner of the goal it serves changes its owner or parent."
                        )
                    ]
                }
            )
    if goal.status == Status.ACTIVE:
        locked = {
            "metric_name": data.metric_name.strip(), "direction": data.direction, "aggregation": data.aggregation,
            "start_date": data.start_date, "end_date": data.end_date,
        }  # fmt: skip
        changed = [f for f, v in locked.items() if getattr(goal, f) != v]
        changed += [t for t, v in new_tiers.items() if v is not None and getattr(version, t) != v]
        if changed:
            raise ValidationError(
                {
                    f: [_("The goal is active: request a revision to change its targets or period.")]
                    for f in changed
                }
            )
    _require_placement(org=goal.org, actor=actor, data=data)
    _apply_input(goal, data)
    errors = validate_tiers(
        base=data.base if data.base is not None else version.base,
        challenge=data.challenge if data.challenge is not None else version.challenge,
        stretch=data.stretch if data.stretch is not None else version.stretch,
        direction=goal.direction, aggregation=goal.aggregation,
    )  # fmt: skip
    try:
        _validate_goal(goal)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    goal.save()
    if goal.status != Status.ACTIVE:
        tiers_changed = any(v is not None and getattr(version, t) != v for t, v in new_tiers.items())
        tiers_changed = tiers_changed or any(
            before[f] != getattr(goal, f) for f in ("start_date", "end_date", "aggregation")
        )
        for tier, value in new_tiers.items():
            if value is not None:
                setattr(version, tier, value)
        version.effective_from = goal.start_date
        version.save()
        if tiers_changed:  # the old decomposition no longer describes these targets
            version.period_targets.all().delete()
            version.overrides = {}
            version.save(update_fields=["overrides"])
    changes = audit_diff({**before, **before_version}, {**_snapshot(goal), **version_snapshot(version)})
    if changes:
        audit_record(
            org=goal.org,
            actor=actor.user,
            action="goal.update",
            target=goal,
            changes=changes,
            scope=audit_scope(goal),
        )
    return goal


_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PROPOSED: (Status.DRAFT,),
    Status.ACTIVE: (Status.DRAFT, Status.PROPOSED),
    Status.ACHIEVED: (Status.ACTIVE,),
    Status.MISSED: (Status.ACTIVE,),
    Status.CANCELLED: (Status.DRAFT, Status.PROPOSED, Status.ACTIVE),
}


def next_statuses(goal: Goal) -> list[str]:
    """The statuses the goal may move to now (the page offers exactly these)."""
    return [status for status, allowed_from in _TRANSITIONS.items() if goal.status in allowed_from]


@transaction.atomic
def goal_set_status(
    *, goal: Goal, actor: Membership, status: str, result_value: Decimal | None = None
) -> Goal:
    """draft → proposed (open for team input) → active → achieved / missed; or cancelled.
    Closing records the final result, which later goals use as history."""
    require_goal_change(goal=goal, actor=actor)
    allowed_from = _TRANSITIONS.get(status)
    if allowed_from is None:
        raise ValidationError({"status": [_("Unknown status.")]})
    _lock(goal)
    if goal.status not in allowed_from:
        raise ValidationError(
            {"status": [_("A goal that is “%(now)s” cannot become “%(next)s”.") % {
                "now": goal.get_status_display(), "next": Status(status).label}]}
        )  # fmt: skip
    before = _snapshot(goal)
    if status in (Status.ACHIEVED, Status.MISSED):
        if result_value is None:
            raise ValidationError({"result_value": [_("Enter the final result to close the goal.")]})
        if not is_realistic(result_value):
            raise ValidationError({"result_value": [_("Enter a realistic number.")]})
        goal.result_value = result_value
        goal.closed_at = timezone.now()
    if status == Status.CANCELLED:
        goal.closed_at = timezone.now()
    goal.status = status
    goal.save()
    audit_record(
        org=goal.org, actor=actor.user, action=f"goal.{status}", target=goal,
        changes=audit_diff(before, _snapshot(goal)), scope=audit_scope(goal))  # fmt: skip
    targets_changed.send(
        sender=Goal, goal=goal, since=goal.start_date if goal.status == Status.ACTIVE else None
    )
    return goal
