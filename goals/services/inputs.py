"""Team input on a goal: comments (optionally proposing targets) and supporting metrics."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Membership
from teams.services import audit_diff, audit_record

from ..models import CLOSED_STATUSES, Direction, Goal, GoalComment, SupportingMetric
from .common import audit_scope, is_realistic, validate_tiers
from .goals import require_goal_change


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
        target=metric, changes=audit_diff({} if creating else before, after), scope=audit_scope(goal))  # fmt: skip
    return metric


@transaction.atomic
def supporting_metric_delete(*, metric: SupportingMetric, actor: Membership) -> None:
    require_goal_change(goal=metric.goal, actor=actor)
    audit_record(
        org=metric.goal.org,
        actor=actor.user,
        action="supporting_metric.delete",
        target=metric,
        scope=audit_scope(metric.goal),
    )
    # A recompute writing snapshots for the metric finishes first; its snapshots then go with it.
    SupportingMetric.objects.select_for_update().filter(pk=metric.pk).first()
    metric.delete()
