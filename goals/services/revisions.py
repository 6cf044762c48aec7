"""Revisions (目标复审): requests to change an active goal's targets, and their decision, with the
decomposition carried over to the new version."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import Membership
from teams.services import audit_diff, audit_record

from .. import decompose as dec
from .. import selectors
from ..models import Goal, PeriodKind, PeriodTarget, Revision, Status, TargetVersion
from ..signals import targets_changed
from .common import TIER_FIELDS, audit_scope, tier_label, validate_tiers, version_snapshot


def require_revision_request(*, goal: Goal, member: Membership) -> None:
    selectors.can_request_revision(member=member, goal=goal).require()


def require_revision_decision(*, revision: Revision, member: Membership) -> None:
    selectors.can_decide_revision(revision=revision, member=member).require()


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
                                "effective_from": effective_from}), scope=audit_scope(goal))  # fmt: skip
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
            org=goal.org,
            actor=decider.user,
            action="revision.reject",
            target=revision,
            scope=audit_scope(goal),
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
        changes=audit_diff(version_snapshot(previous), version_snapshot(version)), scope=audit_scope(goal))  # fmt: skip
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
