"""Every write of the goals app: keyword-only, typed, transactional, audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.errors import NotAllowed
from teams.models import Membership, Organization, Role, Team
from teams.services import audit_diff, audit_record, audit_record_many

from . import decompose as dec
from . import selectors
from .models import (
    CLOSED_STATUSES,
    Aggregation,
    Direction,
    Goal,
    GoalComment,
    PeriodKind,
    PeriodTarget,
    Revision,
    Scope,
    Status,
    SupportingMetric,
    TargetVersion,
)
from .periods import slices
from .signals import targets_changed

MAX_VALUE = Decimal("1e13")
TIER_FIELDS = ("base", "challenge", "stretch")
# What forms and the API call the tiers of a proposal (comment_add reports errors on the tiers).
PROPOSAL_FIELDS = {"base": "proposed_base", "challenge": "proposed_challenge", "stretch": "proposed_stretch"}
GOAL_FIELDS = (
    "scope", "team_id", "owner_id", "parent_id", "weight", "title", "description", "rationale", "metric_name",
    "unit", "direction", "aggregation", "baseline", "allows_negative", "period_kind", "start_date", "end_date",
)  # fmt: skip


# --- Validation helpers -------------------------------------------------------------------------
def tier_label(tier: str) -> str:
    """The translated name of a tier key, for messages."""
    return {"base": _("base"), "challenge": _("challenge"), "stretch": _("stretch")}.get(tier, tier)


def is_realistic(value: Decimal) -> bool:
    """Finite and below MAX_VALUE, checked without arithmetic that could overflow (1e999999999)."""
    if not value.is_finite():
        return False
    return value.adjusted() < MAX_VALUE.adjusted()


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def validate_tiers(
    *, base: Decimal | None, challenge: Decimal | None, stretch: Decimal | None, direction: str, aggregation: str,
    prefix: str = "",
) -> dict[str, list[str]]:  # fmt: skip
    """Errors for three targets: all present, sane, and in order for the direction."""
    errors: dict[str, list[str]] = {}
    values = {"base": base, "challenge": challenge, "stretch": stretch}
    for name, value in values.items():
        if value is None:
            errors[prefix + name] = [_("Enter a target.")]
        elif not is_realistic(value):
            errors[prefix + name] = [_("Enter a realistic number.")]
        elif _places(value) > 4:
            errors[prefix + name] = [_("Use at most 4 decimal places.")]
        elif aggregation == Aggregation.SUM and value < 0:
            errors[prefix + name] = [_("A total cannot be negative.")]
    if errors or base is None or challenge is None or stretch is None:
        return errors
    if direction == Direction.UP:
        if base > challenge:
            errors[prefix + "challenge"] = [_("The challenge target must be at least the base target.")]
        if challenge > stretch:
            errors[prefix + "stretch"] = [_("The stretch target must be at least the challenge target.")]
    else:
        if base < challenge:
            errors[prefix + "challenge"] = [
                _("Lower is better: the challenge target must be at most the base target.")
            ]
        if challenge < stretch:
            errors[prefix + "stretch"] = [
                _("Lower is better: the stretch target must be at most the challenge target.")
            ]
    return errors


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


def _scope(goal: Goal) -> str:
    """The audit scope of everything about one goal: its history is one list."""
    return f"goal:{goal.pk}"


def _snapshot(goal: Goal) -> dict[str, object]:
    return {name: getattr(goal, name) for name in (*GOAL_FIELDS, "status", "result_value")}


def _version_snapshot(version: TargetVersion) -> dict[str, object]:
    return {"version": version.number, **version.tiers(), "effective_from": version.effective_from}


# --- Who may ------------------------------------------------------------------------------------
def change_refusal(goal: Goal) -> str:
    """Why someone may not change this goal, in words (the rule is `selectors.can_change_goal`)."""
    if goal.scope == Scope.PERSONAL:
        return _("Only an admin, the goal's owner, or a manager of the owner's team changes a personal goal.")
    if goal.team_id is None:
        return _("Only an admin or the goal's owner changes a company goal.")
    return _("Only an admin, or a manager of “%(team)s” or of a team above it, changes this goal.") % {
        "team": goal.team.name if goal.team else ""
    }


def require_goal_change(*, goal: Goal, actor: Membership) -> None:
    """Refuse (403) unless `actor` may change the goal; views call it before reading a form."""
    if not selectors.can_change_goal(member=actor, goal=goal):
        raise NotAllowed(change_refusal(goal))


def _require_placement(*, org: Organization, actor: Membership, data: GoalInput) -> None:
    """A goal may only be given a team (and owner) that leaves it changeable by its author."""
    draft = Goal(org=org, scope=data.scope, team=data.team, owner=data.owner)
    if data.team is not None and data.team.org_id != org.pk:
        return  # _validate_goal says which team to choose
    if not selectors.can_change_goal(member=actor, goal=draft):
        raise NotAllowed(change_refusal(draft))


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
        changes=audit_diff({}, {**_snapshot(goal), **_version_snapshot(version)}), scope=_scope(goal))  # fmt: skip
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
    before_version = _version_snapshot(version)
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
    changes = audit_diff({**before, **before_version}, {**_snapshot(goal), **_version_snapshot(version)})
    if changes:
        audit_record(
            org=goal.org,
            actor=actor.user,
            action="goal.update",
            target=goal,
            changes=changes,
            scope=_scope(goal),
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
        changes=audit_diff(before, _snapshot(goal)), scope=_scope(goal))  # fmt: skip
    targets_changed.send(
        sender=Goal, goal=goal, since=goal.start_date if goal.status == Status.ACTIVE else None
    )
    return goal


# --- Team input -------------------------------------------------------------------------------
@transaction.atomic
def comment_add(
    *, goal: Goal, author: Membership, body: str, base: Decimal | None = None,
    challenge: Decimal | None = None, stretch: Decimal | None = None,
) -> GoalComment:  # fmt: skip
    """A comment, optionally proposing other targets (all three, in order)."""
    if goal.status in CLOSED_STATUSES:
        raise ValidationError(_("The goal is closed."))
    if author.org_id != goal.org_id:
        raise ValidationError(_("Only members of the organisation can comment."))
    errors: dict[str, list[str]] = {}
    if not body.strip():
        errors["body"] = [_("Write a comment.")]
    proposing = any(v is not None for v in (base, challenge, stretch))
    if proposing:
        errors.update(
            validate_tiers(
                base=base, challenge=challenge, stretch=stretch, direction=goal.direction,
                aggregation=goal.aggregation,
            )
        )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return GoalComment.objects.create(
        goal=goal, author=author, body=body.strip(), proposed_base=base, proposed_challenge=challenge,
        proposed_stretch=stretch,
    )  # fmt: skip


# --- Supporting metrics -----------------------------------------------------------------------
@transaction.atomic
def supporting_metric_save(
    *, goal: Goal, actor: Membership, kind: str, name: str, unit: str = "", direction: str = Direction.UP,
    weekly_target: Decimal | None = None, threshold: Decimal | None = None, metric: SupportingMetric | None = None,
    allows_negative: bool = False,
) -> SupportingMetric:  # fmt: skip
    require_goal_change(goal=goal, actor=actor)
    errors: dict[str, list[str]] = {}
    if kind not in SupportingMetric.Kind.values:
        errors["kind"] = [_("Choose leading or risk.")]
    if not name.strip():
        errors["name"] = [_("Name the metric.")]
    if kind == SupportingMetric.Kind.LEADING:
        if weekly_target is None:
            errors["weekly_target"] = [_("A leading metric needs a weekly target.")]
        elif not is_realistic(weekly_target) or weekly_target < 0:
            errors["weekly_target"] = [_("Enter a realistic, non-negative number.")]
    if kind == SupportingMetric.Kind.RISK:
        if threshold is None:
            errors["threshold"] = [_("A risk metric needs a threshold.")]
        elif not is_realistic(threshold):
            errors["threshold"] = [_("Enter a realistic number.")]
    duplicate = SupportingMetric.objects.filter(goal=goal, name__iexact=name.strip())
    if metric is not None:
        duplicate = duplicate.exclude(pk=metric.pk)
    if name.strip() and duplicate.exists():
        errors["name"] = [_("This goal already has a metric with that name.")]
    if errors:
        raise ValidationError(errors)
    creating = metric is None
    metric = metric or SupportingMetric(goal=goal, position=goal.supporting_metrics.count())
    before = {
        f: getattr(metric, f)
        for f in ("kind", "name", "unit", "direction", "weekly_target", "threshold", "allows_negative")
    }
    metric.kind, metric.name, metric.unit, metric.direction = kind, name.strip(), unit.strip(), direction
    metric.allows_negative = bool(allows_negative)
    metric.weekly_target = weekly_target if kind == SupportingMetric.Kind.LEADING else None
    metric.threshold = threshold if kind == SupportingMetric.Kind.RISK else None
    metric.save()
    after = {f: getattr(metric, f) for f in before}
    audit_record(
        org=goal.org, actor=actor.user, action="supporting_metric.create" if creating else "supporting_metric.update",
        target=metric, changes=audit_diff({} if creating else before, after), scope=_scope(goal))  # fmt: skip
    return metric


@transaction.atomic
def supporting_metric_delete(*, metric: SupportingMetric, actor: Membership) -> None:
    require_goal_change(goal=metric.goal, actor=actor)
    audit_record(
        org=metric.goal.org,
        actor=actor.user,
        action="supporting_metric.delete",
        target=metric,
        scope=_scope(metric.goal),
    )
    metric.delete()


# --- Decomposition ----------------------------------------------------------------------------
DECOMPOSABLE = (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.WEEK)


def decomposition_preview(
    *, goal: Goal, kind: str, method: str, weights: Sequence[Decimal] | None = None
) -> list[dec.Slice]:
    """Slices of the goal's current targets for a period kind; nothing is saved."""
    if kind not in DECOMPOSABLE:
        raise ValidationError({"kind": [_("Choose quarter, month or week.")]})
    version = goal.versions.order_by("-number").first()
    assert version is not None  # noqa: S101
    spans = slices(goal.start_date, goal.end_date, kind, fiscal_start_month=goal.org.fiscal_year_start_month)
    try:
        return dec.decompose(
            targets=version.tiers(), spans=spans, additive=goal.is_additive, method=method,
            weights=list(weights) if weights is not None else None, baseline=goal.baseline,
        )  # fmt: skip
    except dec.DecompositionError as error:
        raise ValidationError({error.field: [str(error)]}) from error


@dataclass(frozen=True)
class SliceInput:
    start_date: date
    end_date: date
    base: Decimal
    challenge: Decimal
    stretch: Decimal


@transaction.atomic
def decomposition_apply(
    *, goal: Goal, actor: Membership, kind: str, rows: Sequence[SliceInput], override_reason: str = ""
) -> list[PeriodTarget]:
    """Save the slices of one kind for the goal's current version (replacing earlier ones).
    Slices must be exactly the periods of that kind; each must respect the tier order; for an
    additive metric they must add up to the whole, unless the manager gives a reason for the
    difference (kept on the version and in the audit trail)."""
    require_goal_change(goal=goal, actor=actor)
    if goal.status in CLOSED_STATUSES:
        raise ValidationError(_("A closed goal cannot be changed."))
    if kind not in DECOMPOSABLE:
        raise ValidationError({"kind": [_("Choose quarter, month or week.")]})
    version = TargetVersion.objects.select_for_update().filter(goal=goal).order_by("-number").first()
    assert version is not None  # noqa: S101
    if goal.status == Status.ACTIVE and version.period_targets.filter(kind=kind).exists():
        raise ValidationError(
            {"kind": [_("The goal is active: its %(kind)s targets change only through a revision.")
                      % {"kind": PeriodKind(kind).label.lower()}]}
        )  # fmt: skip
    spans = slices(goal.start_date, goal.end_date, kind, fiscal_start_month=goal.org.fiscal_year_start_month)
    errors: dict[str, list[str]] = {}
    if [(r.start_date, r.end_date) for r in rows] != spans:
        errors["rows"] = [_("Enter one row for each %(kind)s of the goal's period (%(n)d).") % {
            "kind": PeriodKind(kind).label.lower(), "n": len(spans)}]  # fmt: skip
    for i, row in enumerate(rows):
        errors.update(
            validate_tiers(
                base=row.base, challenge=row.challenge, stretch=row.stretch, direction=goal.direction,
                aggregation=goal.aggregation, prefix=f"rows.{i}.",
            )
        )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    overrides = dict(version.overrides)
    if goal.is_additive:
        diff = dec.reconciliation(version.tiers(), [{t: getattr(r, t) for t in TIER_FIELDS} for r in rows])
        mismatched = {t: d for t, d in diff.items() if d != 0}
        if mismatched and not override_reason.strip():
            raise ValidationError(
                {"override_reason": [_(
                    "The %(kind)s targets do not add up to the goal's targets (difference: %(diff)s). "
                    "Fix them, or give the reason for accepting the difference."
                ) % {"kind": PeriodKind(kind).label.lower(),
                     "diff": ", ".join(f"{tier_label(t)} {d:+f}" for t, d in mismatched.items())}]}
            )  # fmt: skip
        if mismatched:
            overrides[kind] = {
                "reason": override_reason.strip(),
                "difference": {t: str(d) for t, d in mismatched.items()},
            }
        else:
            overrides.pop(kind, None)
    old = {p.start_date: p for p in version.period_targets.filter(kind=kind)}
    version.period_targets.filter(kind=kind).delete()
    created = PeriodTarget.objects.bulk_create(
        [
            PeriodTarget(
                version=version, kind=kind, start_date=r.start_date, end_date=r.end_date, base=r.base,
                challenge=r.challenge, stretch=r.stretch,
            )
            for r in rows
        ]
    )  # fmt: skip
    version.overrides = overrides
    version.save(update_fields=["overrides"])
    entries: list[tuple[str, object, dict[str, list[object]]]] = []
    for target in created:
        previous = old.get(target.start_date)
        before = {t: getattr(previous, t) for t in TIER_FIELDS} if previous else {}
        changes = audit_diff(before, {t: getattr(target, t) for t in TIER_FIELDS})
        if changes:
            entries.append(("period_target.set", target, changes))
    if kind in overrides:
        entries.append(("goal.decomposition_override", goal, {"override": [None, overrides[kind]]}))
    audit_record_many(org=goal.org, actor=actor.user, entries=entries, scope=_scope(goal))
    return created


# --- Splitting a team goal into members' goals --------------------------------------------------
@dataclass(frozen=True)
class Allocation:
    member: Membership
    base: Decimal
    challenge: Decimal
    stretch: Decimal


@transaction.atomic
def goal_split_to_members(
    *, goal: Goal, actor: Membership, allocations: Sequence[Allocation], override_reason: str = ""
) -> list[Goal]:
    """Give each member a personal goal serving the team goal, with the same metric and period.
    For an additive metric the members' targets must add up to the team's (or a reason is given)."""
    require_goal_change(goal=goal, actor=actor)
    if goal.status in CLOSED_STATUSES:
        raise ValidationError(_("A closed goal cannot be changed."))
    if not allocations:
        raise ValidationError({"allocations": [_("Allocate the goal to at least one member.")]})
    version = goal.versions.order_by("-number").first()
    assert version is not None  # noqa: S101
    errors: dict[str, list[str]] = {}
    members = [a.member for a in allocations]
    if len({m.pk for m in members}) != len(members):
        errors["allocations"] = [_("Each member only once.")]
    for i, a in enumerate(allocations):
        if a.member.org_id != goal.org_id or not a.member.is_active:
            errors[f"allocations.{i}.member"] = [_("Choose an active member of this organisation.")]
        errors.update(
            validate_tiers(
                base=a.base, challenge=a.challenge, stretch=a.stretch, direction=goal.direction,
                aggregation=goal.aggregation, prefix=f"allocations.{i}.",
            )
        )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    if goal.is_additive:
        diff = dec.reconciliation(
            version.tiers(), [{t: getattr(a, t) for t in TIER_FIELDS} for a in allocations]
        )
        mismatched = {t: d for t, d in diff.items() if d != 0}
        if mismatched and not override_reason.strip():
            raise ValidationError(
                {"override_reason": [_(
                    "The members' targets do not add up to the team's targets (difference: %(diff)s). "
                    "Fix them, or give the reason for accepting the difference."
                ) % {"diff": ", ".join(f"{tier_label(t)} {d:+f}" for t, d in mismatched.items())}]}
            )  # fmt: skip
        if mismatched:
            version.overrides = {**version.overrides, "members": {"reason": override_reason.strip()}}
            version.save(update_fields=["overrides"])
    children = []
    for a in allocations:
        child = goal_create(
            org=goal.org,
            actor=actor,
            data=GoalInput(
                title=f"{goal.title} — {a.member.user.get_full_name()}", owner=a.member, start_date=goal.start_date,
                end_date=goal.end_date, base=a.base, challenge=a.challenge, stretch=a.stretch, scope=Scope.PERSONAL,
                team=goal.team, parent=goal, description=goal.description, metric_name=goal.metric_name,
                unit=goal.unit, direction=goal.direction, aggregation=goal.aggregation,
                period_kind=goal.period_kind,
                weight=_share(a.stretch, version.stretch) if goal.is_additive else Decimal(1),
            ),
        )  # fmt: skip
        if goal.status == Status.ACTIVE:
            goal_set_status(goal=child, actor=actor, status=Status.ACTIVE)
        children.append(child)
    return children


# --- Revisions --------------------------------------------------------------------------------
def _share(part: Decimal, whole: Decimal) -> Decimal:
    """A member's weight in the team goal: their share of the stretch target, within the field's range."""
    if whole <= 0:
        return Decimal(1)
    return min(max((part / whole).quantize(Decimal("0.001")), Decimal("0.001")), Decimal("999"))


def require_revision_request(*, goal: Goal, member: Membership) -> None:
    if not selectors.can_request_revision(member=member, goal=goal):
        raise NotAllowed(
            _("Only the goal's owner, the people of its team and those who change it request a revision.")
        )


def require_revision_decision(*, revision: Revision, member: Membership) -> None:
    if selectors.can_decide_revision(revision=revision, member=member):
        return
    if member.pk in (revision.requested_by_id, revision.goal.owner_id):
        raise NotAllowed(_("You cannot decide on a revision of your own goal or your own request."))
    raise NotAllowed(
        _(
            "Only an admin, or the owner of the goal it serves who manages this goal's team, decides on this revision."
        )
    )


@transaction.atomic
def revision_request(
    *, goal: Goal, requester: Membership, reason: str, comment: str, base: Decimal, challenge: Decimal,
    stretch: Decimal, effective_from: date,
) -> Revision:  # fmt: skip
    require_revision_request(goal=goal, member=requester)
    if goal.status != Status.ACTIVE:
        raise ValidationError(
            _("Only an active goal is revised. Edit a draft directly; a closed goal stays as it was.")
        )
    errors = validate_tiers(
        base=base,
        challenge=challenge,
        stretch=stretch,
        direction=goal.direction,
        aggregation=goal.aggregation,
    )
    if reason not in Revision.Reason.values:
        errors["reason"] = [_("Choose a reason.")]
    if not comment.strip():
        errors["comment"] = [_("Explain what changed.")]
    latest = goal.versions.order_by("-number").first()
    assert latest is not None  # noqa: S101
    earliest = (
        latest.effective_from
        if reason == Revision.Reason.ERROR
        else latest.effective_from + timedelta(days=1)
    )
    if not earliest <= effective_from <= goal.end_date:
        errors["effective_from"] = [
            _(
                "Choose a date from %(date)s to the end of the goal's period: a revision never rewrites what was already in force."
            )
            % {"date": earliest.isoformat()}
        ]
    elif not errors and goal.is_additive:
        tiers = {"base": base, "challenge": challenge, "stretch": stretch}
        errors.update(_carry_check(goal=goal, version=latest, effective_from=effective_from, tiers=tiers))
    if Revision.objects.filter(goal=goal, state=Revision.State.PENDING).exists():
        errors["goal"] = [_("A revision of this goal is already waiting for a decision.")]
    if errors:
        raise ValidationError(errors)
    revision = Revision.objects.create(
        goal=goal, requested_by=requester, reason=reason, comment=comment.strip(), base=base, challenge=challenge,
        stretch=stretch, effective_from=effective_from,
    )  # fmt: skip
    audit_record(
        org=goal.org, actor=requester.user, action="revision.request", target=revision,
        changes=audit_diff({}, {"reason": reason, "base": base, "challenge": challenge, "stretch": stretch,
                                "effective_from": effective_from}), scope=_scope(goal))  # fmt: skip
    return revision


@transaction.atomic
def revision_decide(*, revision: Revision, decider: Membership, approve: bool, comment: str = "") -> Revision:
    """Approve (a new target version, effective from the requested date, with the decomposition
    carried over: slices that ended before that date keep their targets, the rest share what
    remains) or reject. Earlier versions stay as they were."""
    revision = (
        Revision.objects.select_for_update(of=("self",))
        .select_related("goal__org", "goal__parent")
        .get(pk=revision.pk)
    )
    require_revision_decision(revision=revision, member=decider)
    if revision.state != Revision.State.PENDING:
        raise ValidationError(_("This revision has already been decided."))
    goal = revision.goal
    if approve and goal.status != Status.ACTIVE:
        raise ValidationError(_("The goal is no longer active."))
    revision.decided_by = decider
    revision.decided_at = timezone.now()
    revision.decision_comment = comment.strip()
    if not approve:
        revision.state = Revision.State.REJECTED
        revision.save()
        audit_record(
            org=goal.org, actor=decider.user, action="revision.reject", target=revision, scope=_scope(goal)
        )
        return revision
    previous = goal.versions.order_by("-number").first()
    assert previous is not None  # noqa: S101
    version = TargetVersion.objects.create(
        goal=goal, number=previous.number + 1, base=revision.base, challenge=revision.challenge,
        stretch=revision.stretch, effective_from=revision.effective_from, created_by=decider.user,
    )  # fmt: skip
    _carry_decomposition(goal=goal, previous=previous, version=version)
    revision.state = Revision.State.APPROVED
    revision.version = version
    revision.save()
    audit_record(
        org=goal.org, actor=decider.user, action="revision.approve", target=goal,
        changes=audit_diff(_version_snapshot(previous), _version_snapshot(version)), scope=_scope(goal))  # fmt: skip
    targets_changed.send(sender=Goal, goal=goal, since=version.effective_from)
    return revision


def _carry_check(
    *, goal: Goal, version: TargetVersion, effective_from: date, tiers: dict[str, Decimal]
) -> dict[str, list[str]]:
    """For additive metrics with period targets: the new targets must cover what the periods that
    ended before the effective date already carry, and what remains must keep the tier order."""
    errors: dict[str, list[str]] = {}
    for kind in version.period_targets.order_by("kind").values_list("kind", flat=True).distinct():
        kept = list(version.period_targets.filter(kind=kind, end_date__lt=effective_from))
        carried = {t: sum((getattr(p, t) for p in kept), Decimal(0)) for t in TIER_FIELDS}
        remaining = {t: tiers[t] - carried[t] for t in TIER_FIELDS}
        label = PeriodKind(kind).label.lower()
        if any(v < 0 for v in remaining.values()):
            carried_text = ", ".join(f"{tier_label(t)} {v:f}" for t, v in carried.items())
            errors["effective_from"] = [
                _(
                    "The %(kind)s targets before this date already add up to more than the new targets (%(carried)s)."
                )
                % {"kind": label, "carried": carried_text}
            ]
            break
        order_errors = validate_tiers(
            base=remaining["base"], challenge=remaining["challenge"], stretch=remaining["stretch"],
            direction=goal.direction, aggregation=goal.aggregation,
        )  # fmt: skip
        if order_errors:
            errors["effective_from"] = [
                _("What remains after the %(kind)s targets before this date would break the tier order.")
                % {"kind": label}
            ]
            break
    return errors


def _carry_decomposition(*, goal: Goal, previous: TargetVersion, version: TargetVersion) -> None:
    """Copy the previous version's slices to the new one: slices that ended before the effective
    date keep their targets; the rest share what remains in the same proportions as before (so a
    seasonal or working-day shape survives), or carry the new level for rates."""
    cutoff = version.effective_from
    for kind in previous.period_targets.order_by("kind").values_list("kind", flat=True).distinct():
        old = list(previous.period_targets.filter(kind=kind).order_by("start_date"))
        kept = [p for p in old if p.end_date < cutoff]
        rest = [p for p in old if p.end_date >= cutoff]
        if goal.is_additive and rest:
            remaining = {
                t: getattr(version, t) - sum((getattr(p, t) for p in kept), Decimal(0)) for t in TIER_FIELDS
            }
            places = dec.precision_of(
                *version.tiers().values(), *(getattr(p, t) for p in old for t in TIER_FIELDS)
            )
            columns = {}
            for t in TIER_FIELDS:
                shares = [getattr(p, t) for p in rest]
                if sum(shares, Decimal(0)) <= 0:
                    shares = [Decimal(1)] * len(rest)
                columns[t] = dec.split_exact(max(remaining[t], Decimal(0)), shares, places)
            new_rest = [(p, {t: columns[t][i] for t in TIER_FIELDS}) for i, p in enumerate(rest)]
        else:
            new_rest = [(p, version.tiers()) for p in rest]
        PeriodTarget.objects.bulk_create(
            [PeriodTarget(version=version, kind=kind, start_date=p.start_date, end_date=p.end_date,
                          base=p.base, challenge=p.challenge, stretch=p.stretch) for p in kept]
            + [PeriodTarget(version=version, kind=kind, start_date=p.start_date, end_date=p.end_date, **values)
               for p, values in new_rest]
        )  # fmt: skip


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))
