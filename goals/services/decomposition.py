"""Decomposition: a goal's targets into quarter / month / week slices, and a team goal into its
members' personal goals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Membership
from teams.services import audit_diff, audit_record_many

from .. import decompose as dec
from ..models import CLOSED_STATUSES, Goal, PeriodKind, PeriodTarget, Scope, Status, TargetVersion
from ..periods import slices
from .common import TIER_FIELDS, audit_scope, tier_label, validate_tiers
from .goals import GoalInput, goal_create, goal_set_status, require_goal_change

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
    audit_record_many(org=goal.org, actor=actor.user, entries=entries, scope=audit_scope(goal))
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


def _share(part: Decimal, whole: Decimal) -> Decimal:
    """A member's weight in the team goal: their share of the stretch target, within the field's range."""
    if whole <= 0:
        return Decimal(1)
    return min(max((part / whole).quantize(Decimal("0.001")), Decimal("0.001")), Decimal("999"))
