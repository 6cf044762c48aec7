"""Every write of the incentives app (schemes, assignments, salaries, grants) and the payout of a
person, explained line by line. Money is Decimal end to end (see incentives/calculator.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from goals.models import Goal, Scope, Status
from goals.progress import goal_progress
from goals.services import TIER_FIELDS
from teams.access import PEOPLE_WITH_MONEY
from teams.models import Membership, Organization, Role
from teams.services import audit_diff, audit_record
from tracking.models import TierReached

from . import calculator
from .models import BonusScheme, MoneyGrant, Salary, SchemeAssignment, SchemeKind

TIER_ORDER = ("none", *TIER_FIELDS)


def _rows(value: Any, width: int) -> list[list[Any]] | None:
    """A list of rows of exactly `width` cells (JSON from the API or lines from the form), or
    None when the shape is anything else."""
    if not isinstance(value, list | tuple):
        return None
    rows = []
    for row in value:
        if not isinstance(row, list | tuple) or len(row) != width:
            return None
        rows.append(list(row))
    return rows


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() and abs(number) < Decimal("1e12") else None


@dataclass(frozen=True)
class SchemeInput:
    name: str
    kind: str = SchemeKind.LINEAR
    target_bonus: Decimal | None = None
    target_bonus_pct: Decimal | None = None
    threshold: Decimal = Decimal(0)
    steps: Sequence[Sequence[Any]] = ()
    bands: Sequence[Sequence[Any]] = ()
    cap_multiple: Decimal | None = None
    multiples: dict[str, Any] | None = None
    team_weight: Decimal = Decimal("0.6")
    own_weight: Decimal = Decimal("0.4")


def _validate_scheme(
    data: SchemeInput,
) -> tuple[dict[str, list[str]], list[list[str]], list[list[Any]], dict[str, str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Name the scheme.")]
    if data.kind not in SchemeKind.values:
        errors["kind"] = [_("Choose linear, steps or tiers.")]
    if (data.target_bonus is None) == (data.target_bonus_pct is None):
        errors["target_bonus"] = [_("Give the target bonus as an amount or as a % of base, not both.")]
    elif data.target_bonus is not None and data.target_bonus < 0:
        errors["target_bonus"] = [_("The target bonus cannot be negative.")]
    elif data.target_bonus_pct is not None and not 0 <= data.target_bonus_pct <= 1000:
        errors["target_bonus_pct"] = [_("Between 0 and 1000 % of base.")]
    if not 0 <= data.threshold < 100:
        errors["threshold"] = [_("The threshold is an attainment between 0 and 100 %.")]
    steps: list[list[str]] = []
    step_rows = _rows(data.steps, 2)
    if data.kind == SchemeKind.STEPS:
        parsed = [(_decimal(a), _decimal(p)) for a, p in (step_rows or [])]
        if not parsed or any(a is None or p is None for a, p in parsed):
            errors["steps"] = [_("Give each step as attainment % and payout %.")]
        else:
            ordered = sorted(
                ((a or Decimal(0), p or Decimal(0)) for a, p in parsed), key=lambda pair: pair[0]
            )
            ats = [a for a, _p in ordered]
            pays = [p for _a, p in ordered]
            if len(set(ats)) != len(ats) or pays != sorted(pays) or any(not 0 <= p <= 100 for p in pays):
                errors["steps"] = [
                    _("Steps must have different attainments, and pay 0–100 % rising with attainment.")
                ]
            steps = [[str(a), str(p)] for a, p in ordered]
    bands: list[list[Any]] = []
    previous_end: Decimal | None = Decimal(100)
    band_rows = _rows(data.bands, 3)
    if band_rows is None:
        errors["bands"] = [_("Give each commission band as from %, to % (empty for no end) and rate.")]
    for index, values in enumerate(band_rows or []):
        start, end, rate = (
            _decimal(values[0]),
            (None if values[1] in (None, "") else _decimal(values[1])),
            _decimal(values[2]),
        )
        if start is None or rate is None or (values[1] not in (None, "") and end is None):
            errors["bands"] = [_("Give each commission band as from %, to % (empty for no end) and rate.")]
            break
        if not 0 <= rate <= 1:
            errors["bands"] = [_("A commission rate is between 0 and 100% of the target bonus per point.")]
            break
        if previous_end is None or start != previous_end or (end is not None and end <= start):
            errors["bands"] = [
                _(
                    "Commission bands must start at 100%% and follow each other without overlap or gap (band %(n)s)."
                )
                % {"n": index + 1}
            ]
            break
        bands.append([str(start), None if end is None else str(end), str(rate)])
        previous_end = end
    if data.cap_multiple is not None and data.cap_multiple < 1:
        errors["cap_multiple"] = [_("The cap cannot be below the target bonus (at least 1×).")]
    multiples: dict[str, str] = {}
    if data.kind == SchemeKind.TIERS:
        raw_multiples = data.multiples if isinstance(data.multiples, dict) else {}
        found = {tier: _decimal(raw_multiples.get(tier)) for tier in TIER_FIELDS}
        given = [v for v in found.values() if v is not None and v >= 0]
        if len(given) != len(TIER_FIELDS):
            errors["multiples"] = [_("Give a multiple of the target bonus for base, challenge and stretch.")]
        elif given != sorted(given):
            errors["multiples"] = [_("Multiples must rise from base to challenge to stretch.")]
        else:
            multiples = {tier: str(v) for tier, v in found.items()}
    if data.team_weight < 0 or data.own_weight < 0 or data.team_weight + data.own_weight <= 0:
        errors["team_weight"] = [_("Weights are zero or more, and not both zero.")]
    return errors, steps, bands, multiples


def _can_manage_money(actor: Membership) -> bool:
    return actor.role in PEOPLE_WITH_MONEY and actor.is_active


def _scheme_snapshot(scheme: BonusScheme) -> dict[str, object]:
    fields = ("name", "kind", "target_bonus", "target_bonus_pct", "threshold", "steps", "bands", "cap_multiple",
              "multiples", "team_weight", "own_weight")  # fmt: skip
    return {f: getattr(scheme, f) for f in fields}


@transaction.atomic
def scheme_save(
    *, org: Organization, actor: Membership, data: SchemeInput, scheme: BonusScheme | None = None
) -> BonusScheme:
    """Create or change a scheme (HR and admins); every change is in the audit trail."""
    if not _can_manage_money(actor) or actor.org_id != org.pk:
        raise ValidationError(_("Only HR and admins define bonus schemes."))
    errors, steps, bands, multiples = _validate_scheme(data)
    if errors:
        raise ValidationError(errors)
    target = scheme or BonusScheme(org=org)
    before = _scheme_snapshot(target) if scheme else {}
    target.name, target.kind = data.name.strip(), data.kind
    target.target_bonus, target.target_bonus_pct = data.target_bonus, data.target_bonus_pct
    target.threshold, target.steps, target.bands = data.threshold, steps, bands
    target.cap_multiple, target.multiples = data.cap_multiple, multiples
    target.team_weight, target.own_weight = data.team_weight, data.own_weight
    if BonusScheme.objects.filter(org=org, name__iexact=target.name).exclude(pk=target.pk).exists():
        raise ValidationError({"name": [_("Another scheme has this name.")]})
    target.save()
    audit_record(org=org, actor=actor.user, action="scheme.update" if scheme else "scheme.create", target=target,
                 changes=audit_diff(before, _scheme_snapshot(target)), scope="incentives")  # fmt: skip
    return target


@transaction.atomic
def scheme_assign(
    *,
    scheme: BonusScheme,
    actor: Membership,
    membership: Membership | None = None,
    team: Any = None,
    role: str = "",
) -> SchemeAssignment:
    if not _can_manage_money(actor) or actor.org_id != scheme.org_id:
        raise ValidationError(_("Only HR and admins assign bonus schemes."))
    targets = [t for t in (membership, team, role or None) if t]
    if len(targets) != 1:
        raise ValidationError(_("Assign the scheme to one person, one team or one role."))
    if (membership is not None and membership.org_id != scheme.org_id) or (
        team is not None and team.org_id != scheme.org_id
    ):
        raise ValidationError(_("Choose a person or team of this organisation."))
    if role and role not in Role.values:
        raise ValidationError({"role": [_("No such role.")]})
    lookup = {"membership": membership, "team": team, "role": role or ""}
    SchemeAssignment.objects.filter(org=scheme.org, **lookup).delete()  # one scheme per target
    assignment = SchemeAssignment.objects.create(org=scheme.org, scheme=scheme, **lookup)
    audit_record(org=scheme.org, actor=actor.user, action="scheme.assign", target=scheme,
                 changes={"assigned": [None, str(membership or team or role)]}, scope="incentives")  # fmt: skip
    return assignment


@transaction.atomic
def salary_set(
    *, org: Organization, actor: Membership, membership: Membership, base: Decimal, effective_from: date
) -> Salary:
    """A person's base salary from a date (HR and admins); in the audit trail with before and after."""
    if not _can_manage_money(actor) or actor.org_id != org.pk:
        raise ValidationError(_("Only HR and admins set salaries."))
    if membership.org_id != org.pk:
        raise ValidationError({"membership": [_("Choose a person of this organisation.")]})
    if base < 0:
        raise ValidationError({"base": [_("A salary cannot be negative.")]})
    if base != calculator.money(base):
        raise ValidationError({"base": [_("At most 2 decimal places.")]})
    previous = Salary.objects.filter(membership=membership, effective_from=effective_from).first()
    salary, _created = Salary.objects.update_or_create(
        membership=membership, effective_from=effective_from, defaults={"org": org, "base": base}
    )
    audit_record(org=org, actor=actor.user, action="salary.set", target=membership,
                 changes={"base": [str(previous.base) if previous else None, str(base)],
                          "effective_from": [None, effective_from.isoformat()]}, scope="incentives")  # fmt: skip
    return salary


def money_grant(*, org: Organization, actor: Membership, manager: Membership, granted: bool) -> None:
    if actor.role != Role.ADMIN or actor.org_id != org.pk or manager.org_id != org.pk:
        raise ValidationError(_("Only admins let managers see pay."))
    if granted and manager.role != Role.MANAGER:
        raise ValidationError({"manager": [_("Only a manager can be let see the pay of their teams.")]})
    if granted:
        MoneyGrant.objects.get_or_create(membership=manager, defaults={"org": org, "granted_by": actor})
    else:
        MoneyGrant.objects.filter(membership=manager).delete()


def can_see_money(*, viewer: Membership, person: Membership) -> bool:
    """Pay is visible to HR and admins, to the person themself, and to a manager of one of the
    person's teams when an admin has granted it; to no one else."""
    if viewer.org_id != person.org_id or not viewer.is_active:
        return False
    if viewer.role in PEOPLE_WITH_MONEY or viewer.pk == person.pk:
        return True
    if viewer.role != Role.MANAGER or not MoneyGrant.objects.filter(membership=viewer).exists():
        return False
    return person.teams.filter(managers=viewer).exists()


# --- A person's payout --------------------------------------------------------------------------------
def scheme_for(*, member: Membership) -> BonusScheme | None:
    """The most specific assignment: the person, then one of their teams, then their role."""
    assignments = list(SchemeAssignment.objects.filter(org_id=member.org_id).select_related("scheme"))
    teams = set(member.teams.values_list("pk", flat=True))
    for match in (
        lambda a: a.membership_id == member.pk,
        lambda a: a.team_id in teams,
        lambda a: a.role == member.role,
    ):
        found = sorted((a for a in assignments if match(a)), key=lambda a: a.pk)
        if found:
            return found[0].scheme
    return None


def base_salary(*, member: Membership, on: date) -> Decimal:
    salary = (
        Salary.objects.filter(membership=member, effective_from__lte=on).order_by("-effective_from").first()
    )
    return salary.base if salary else Decimal(0)


def curve_of(scheme: BonusScheme, target_bonus: Decimal) -> calculator.Curve:
    return calculator.Curve(
        kind=scheme.kind,
        threshold=scheme.threshold,
        steps=tuple((Decimal(a), Decimal(p)) for a, p in scheme.steps),
        bands=tuple(
            calculator.Band(Decimal(s), None if e is None else Decimal(e), Decimal(r))
            for s, e, r in scheme.bands
        ),
        cap=None if scheme.cap_multiple is None else calculator.money(target_bonus * scheme.cap_multiple),
        multiples=tuple((tier, Decimal(v)) for tier, v in scheme.multiples.items()),
    )


def target_bonus_of(scheme: BonusScheme, base: Decimal) -> Decimal:
    if scheme.target_bonus is not None:
        return scheme.target_bonus
    return calculator.money(base * (scheme.target_bonus_pct or Decimal(0)) / 100)


def goal_parts(*, member: Membership, scheme: BonusScheme, start: date, end: date) -> list[calculator.Part]:
    """The goals that count for a person in a period, weighted as the scheme says: their teams'
    goals and their own personal goals (attainment from the goal's result, or live from Tracking —
    targets in force after approved revisions). A group's tier is the lowest its goals reach."""
    from tracking.indicators import tier_of
    from tracking.selectors import latest_snapshots

    teams = list(member.teams.values_list("pk", flat=True))
    goals = list(
        Goal.objects.filter(org_id=member.org_id, start_date__lte=end, end_date__gte=start)
        .filter(status__in=(Status.ACTIVE, Status.ACHIEVED, Status.MISSED))
        .filter(Q(scope=Scope.TEAM, team__in=teams) | Q(scope=Scope.PERSONAL, owner=member))
        .prefetch_related("versions")
    )
    progress = goal_progress(goals)
    snapshots = latest_snapshots(org=member.org, goal_ids=[g.pk for g in goals if g.status == Status.ACTIVE])

    def tier(goal: Goal) -> str:
        if goal.status != Status.ACTIVE:
            versions = sorted(goal.versions.all(), key=lambda v: v.number)
            if goal.result_value is None or not versions:
                return "none"
            return str(tier_of(goal.result_value, versions[-1].tiers(), goal.direction))
        snapshot = snapshots.get((goal.pk, 0))
        return snapshot.tier_reached if snapshot else "none"

    parts = []
    groups = (
        (_("team goal"), [g for g in goals if g.scope == Scope.TEAM], scheme.team_weight),
        (_("own goal"), [g for g in goals if g.scope == Scope.PERSONAL], scheme.own_weight),
    )
    for label, group, weight in groups:
        counted = [g for g in group if g.pk in progress]
        if counted and weight > 0:
            average = sum((progress[g.pk] for g in counted), Decimal(0)) / len(counted)
            lowest = min((tier(g) for g in counted), key=TIER_ORDER.index)
            parts.append(calculator.Part(label=label, weight=weight, attainment=average.quantize(Decimal("0.1")),
                                         tier=lowest))  # fmt: skip
    return parts


def currency_format(org: Organization) -> Any:
    symbol = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}.get(
        org.currency, org.currency + " "
    )

    def show(value: Decimal) -> str:
        """¥20,000 or ¥1,234.50: grouped by thousands in every language (as payslips are)."""
        text = f"{value:,.2f}"
        return symbol + (text[:-3] if text.endswith(".00") else text)

    return show


def person_payout(
    *, member: Membership, start: date, end: date, attainment: Decimal | None = None
) -> calculator.Payout | None:
    """The pay of a person for a period, explained; `attainment` replaces the goals' figure (the
    what-if slider, or a figure entered by hand). None when no scheme applies."""
    scheme = scheme_for(member=member)
    if scheme is None:
        return None
    base = base_salary(member=member, on=end)
    target = target_bonus_of(scheme, base)
    if attainment is not None:
        parts = [calculator.Part(label=_("attainment entered"), weight=Decimal(1), attainment=attainment)]
    else:
        parts = goal_parts(member=member, scheme=scheme, start=start, end=end)
    return calculator.calculate(base=base, target_bonus=target, curve=curve_of(scheme, target), parts=parts,
                                currency=currency_format(member.org), say=lambda text, values: _(text) % values,
                                tier_label=tier_label)  # fmt: skip


def tier_label(tier: str) -> str:
    return str(TierReached(tier).label) if tier in TierReached.values else tier
