"""Every write of the incentives app (schemes, assignments, salaries, grants) and the payout of a
person, explained line by line. Money is Decimal end to end (see incentives/calculator.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as KombuOperationalError

from goals.models import Goal, Revision, Scope, Status
from goals.progress import goal_progress
from goals.services import TIER_FIELDS
from teams.access import PEOPLE_WITH_MONEY
from teams.models import Membership, Organization, Role
from teams.services import audit_diff, audit_record
from tracking.models import TierReached

from .. import calculator
from ..bands import check_bands
from ..models import (
    BonusScheme,
    MoneyGrant,
    PayoutLine,
    PayoutRun,
    RunStatus,
    Salary,
    SchemeAssignment,
    SchemeKind,
)

TIER_ORDER = ("none", *TIER_FIELDS)
logger = logging.getLogger(__name__)


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
        # xgettext:no-python-format
        errors["target_bonus"] = [_("Give the target bonus as an amount or as a % of base, not both.")]
    elif data.target_bonus is not None and data.target_bonus < 0:
        errors["target_bonus"] = [_("The target bonus cannot be negative.")]
    elif data.target_bonus_pct is not None and not 0 <= data.target_bonus_pct <= 1000:
        # xgettext:no-python-format
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
                    # xgettext:no-python-format
                    _("Steps must have different attainments, and pay 0–100 % rising with attainment.")
                ]
            steps = [[str(a), str(p)] for a, p in ordered]
    checked = check_bands(list(data.bands) if isinstance(data.bands, list | tuple) else data.bands)
    bands: list[list[Any]] = list(checked.bands)
    if not checked.ok:
        errors["bands"] = [checked.summary]
        for index, problems in checked.rows.items():  # "bands.1.start": which row, which cell
            for name, message in problems.items():
                errors[f"bands.{index}.{name}"] = [message]
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
    target.target_bonus = None if data.target_bonus is None else calculator.money(data.target_bonus)
    target.target_bonus_pct = (
        None if data.target_bonus_pct is None else calculator.money(data.target_bonus_pct)
    )
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


# --- A period's payouts --------------------------------------------------------------------------------
@dataclass
class PeriodFacts:
    """Everything the payouts of a period read, loaded in a fixed number of queries whether it is
    for one person (the payslip, the what-if) or for everyone (a payout run)."""

    start: date
    end: date
    assignments: list[SchemeAssignment]
    team_ids: dict[int, set[int]]
    salaries: dict[int, list[tuple[date, Decimal]]]  # newest first
    goals: list[Goal]
    progress: dict[int, Decimal]
    tiers: dict[int, str]
    actuals: dict[int, Decimal]
    forgiven: dict[tuple[int, int], str]  # (goal id, membership id) → the tolerated experiment
    revisions: dict[int, Revision] = field(default_factory=dict)  # pending, by goal id (what-if only)
    team_goals: dict[int, list[Goal]] = field(init=False)
    own_goals: dict[int, list[Goal]] = field(init=False)

    def __post_init__(self) -> None:
        self.team_goals, self.own_goals = {}, {}
        for goal in self.goals:
            if goal.scope == Scope.TEAM and goal.team_id is not None:
                self.team_goals.setdefault(goal.team_id, []).append(goal)
            elif goal.scope == Scope.PERSONAL:
                self.own_goals.setdefault(goal.owner_id, []).append(goal)


def period_facts(
    *, org: Organization, start: date, end: date, members: Sequence[Membership] | None = None,
    pending_revisions: bool = False,
) -> PeriodFacts:  # fmt: skip
    """Schemes, teams, salaries, goals with their attainment and tier, and the failed experiments
    the allowance tolerates (容错机制), for `members` (None: the whole organisation)."""
    from plans.models import Initiative
    from plans.selectors import tolerated_experiment_ids
    from tracking.indicators import tier_of
    from tracking.selectors import latest_snapshots

    member_ids = None if members is None else [m.pk for m in members]
    links = Membership.teams.through.objects.filter(membership__org=org)
    salaries_qs = Salary.objects.filter(org=org, effective_from__lte=end)
    if member_ids is not None:
        links = links.filter(membership_id__in=member_ids)
        salaries_qs = salaries_qs.filter(membership_id__in=member_ids)
    team_ids: dict[int, set[int]] = {}
    for member_id, team_id in links.values_list("membership_id", "team_id"):
        team_ids.setdefault(member_id, set()).add(team_id)
    salaries: dict[int, list[tuple[date, Decimal]]] = {}
    for member_id, effective, base in salaries_qs.order_by("membership_id", "-effective_from").values_list(
        "membership_id", "effective_from", "base"
    ):
        salaries.setdefault(member_id, []).append((effective, base))
    goals_qs = Goal.objects.filter(org=org, start_date__lte=end, end_date__gte=start).filter(
        status__in=(Status.ACTIVE, Status.ACHIEVED, Status.MISSED)
    )
    if member_ids is not None:
        teams = {t for ids in team_ids.values() for t in ids}
        goals_qs = goals_qs.filter(
            Q(scope=Scope.TEAM, team__in=teams) | Q(scope=Scope.PERSONAL, owner__in=member_ids)
        )
    else:
        goals_qs = goals_qs.filter(scope__in=(Scope.TEAM, Scope.PERSONAL))
    goals = list(goals_qs.prefetch_related("versions").order_by("pk"))
    progress = goal_progress(goals)
    open_ids = [g.pk for g in goals if g.status == Status.ACTIVE]
    snapshots = latest_snapshots(org=org, goal_ids=open_ids) if open_ids else {}
    tiers: dict[int, str] = {}
    actuals: dict[int, Decimal] = {}
    for goal in goals:
        if goal.status == Status.ACTIVE:
            snapshot = snapshots.get((goal.pk, 0))
            tiers[goal.pk] = snapshot.tier_reached if snapshot else "none"
            if snapshot is not None and snapshot.actual is not None:
                actuals[goal.pk] = snapshot.actual
        else:
            versions = sorted(goal.versions.all(), key=lambda v: v.number)
            if goal.result_value is not None and versions:
                tiers[goal.pk] = str(tier_of(goal.result_value, versions[-1].tiers(), goal.direction))
                actuals[goal.pk] = goal.result_value
    tolerated = tolerated_experiment_ids(org=org, start=start, end=end)
    forgiven = {
        (goal_id, owner_id): title
        for goal_id, owner_id, title in Initiative.objects.filter(pk__in=tolerated)
        .order_by("finished_at", "pk")
        .values_list("goal_id", "owner_id", "title")
    } if tolerated else {}  # fmt: skip
    revisions: dict[int, Revision] = {}
    if pending_revisions and open_ids:
        revisions = {
            r.goal_id: r for r in Revision.objects.filter(goal_id__in=open_ids, state=Revision.State.PENDING)
        }
    return PeriodFacts(start=start, end=end, assignments=list(
        SchemeAssignment.objects.filter(org=org).select_related("scheme").order_by("pk")),
        team_ids=team_ids, salaries=salaries, goals=goals, progress=progress, tiers=tiers, actuals=actuals,
        forgiven=forgiven, revisions=revisions)  # fmt: skip


def scheme_in(facts: PeriodFacts, member: Membership) -> BonusScheme | None:
    """The most specific assignment: the person, then one of their teams, then their role."""
    teams = facts.team_ids.get(member.pk, set())
    for match in (
        lambda a: a.membership_id == member.pk,
        lambda a: a.team_id in teams,
        lambda a: a.role == member.role,
    ):
        found = next((a for a in facts.assignments if match(a)), None)
        if found is not None:
            return found.scheme
    return None


def base_in(facts: PeriodFacts, member: Membership) -> Decimal:
    history = facts.salaries.get(member.pk)
    return history[0][1] if history else Decimal(0)


def parts_in(
    facts: PeriodFacts, member: Membership, scheme: BonusScheme, *, pending: bool = False
) -> tuple[list[calculator.Part], list[str]]:
    """The goals that count for a person, weighted as the scheme says (their teams' goals and their
    own personal goals), and the notes that explain what was left out or changed. A goal below
    100 % that carries the person's failed experiment within the allowance is left out for them;
    with `pending`, a goal's pending revision is applied as if approved."""
    from goals.progress import attainment as attainment_of
    from tracking.indicators import tier_of

    teams = facts.team_ids.get(member.pk, set())
    notes: list[str] = []

    def figure(goal: Goal) -> tuple[Decimal, str] | None:
        value, tier = facts.progress.get(goal.pk), facts.tiers.get(goal.pk, "none")
        revision = facts.revisions.get(goal.pk) if pending else None
        actual = facts.actuals.get(goal.pk)
        if revision is not None and actual is not None:
            revised = attainment_of(actual=actual, target=revision.challenge, direction=goal.direction)
            if revised is not None:
                notes.append(_("Pending revision of “%(goal)s”: attainment %(before)s → %(after)s.")
                             % {"goal": goal.title, "before": calculator.pct(value or Decimal(0)),
                                "after": calculator.pct(revised)})  # fmt: skip
                value = revised
                tier = str(tier_of(actual, {"base": revision.base, "challenge": revision.challenge,
                                            "stretch": revision.stretch}, goal.direction))  # fmt: skip
        if value is None:
            return None
        experiment = facts.forgiven.get((goal.pk, member.pk))
        if experiment is not None and value < calculator.HUNDRED:
            notes.append(_("“%(goal)s” (%(value)s) is left out: the failed experiment “%(experiment)s” is "
                           "within the allowance.") % {"goal": goal.title, "value": calculator.pct(value),
                                                      "experiment": experiment})  # fmt: skip
            return None
        return value, tier

    parts = []
    groups = (
        (_("team goal"), sorted((g for t in teams for g in facts.team_goals.get(t, ())), key=lambda g: g.pk),
         scheme.team_weight),
        (_("own goal"), facts.own_goals.get(member.pk, []), scheme.own_weight),
    )  # fmt: skip
    for label, group, weight in groups:
        if weight <= 0:
            continue
        counted = [found for found in (figure(g) for g in group) if found is not None]
        if counted:
            average = sum((value for value, _tier in counted), Decimal(0)) / len(counted)
            lowest = min((tier for _value, tier in counted), key=TIER_ORDER.index)
            parts.append(calculator.Part(label=label, weight=weight, attainment=average.quantize(Decimal("0.1")),
                                         tier=lowest))  # fmt: skip
    return parts, notes


def scheme_for(*, member: Membership) -> BonusScheme | None:
    assignments = (
        SchemeAssignment.objects.filter(org_id=member.org_id).select_related("scheme").order_by("pk")
    )
    facts = PeriodFacts(start=date.min, end=date.max, assignments=list(assignments),
                        team_ids={member.pk: set(member.teams.values_list("pk", flat=True))}, salaries={}, goals=[],
                        progress={}, tiers={}, actuals={}, forgiven={})  # fmt: skip
    return scheme_in(facts, member)


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


def currency_format(org: Organization) -> Any:
    symbol = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}.get(
        org.currency, org.currency + " "
    )

    def show(value: Decimal) -> str:
        """¥20,000 or ¥1,234.50: grouped by thousands in every language (as payslips are)."""
        text = f"{value:,.2f}"
        return symbol + (text[:-3] if text.endswith(".00") else text)

    return show


def payout_in(
    facts: PeriodFacts, member: Membership, scheme: BonusScheme, *, attainment: Decimal | None = None,
    pending: bool = False,
) -> calculator.Payout:  # fmt: skip
    """One person's pay from the period's facts, explained line by line."""
    base = base_in(facts, member)
    target = target_bonus_of(scheme, base)
    notes: list[str] = []
    if attainment is not None:
        parts = [calculator.Part(label=_("attainment entered"), weight=Decimal(1), attainment=attainment)]
    else:
        parts, notes = parts_in(facts, member, scheme, pending=pending)
    payout = calculator.calculate(base=base, target_bonus=target, curve=curve_of(scheme, target), parts=parts,
                                  currency=currency_format(member.org), say=lambda text, values: _(text) % values,
                                  tier_label=tier_label)  # fmt: skip
    payout.lines[0:0] = notes
    if not facts.salaries.get(member.pk):  # said after the total, which shows the base of 0
        payout.lines.append(_("No base salary is recorded for this period: the base counts as 0."))
    return payout


def scheme_payout(*, scheme: BonusScheme, base: Decimal, attainment: Decimal) -> calculator.Payout:
    """What a scheme pays on a base salary at an attainment (the scheme's what-if)."""
    target = target_bonus_of(scheme, base)
    part = calculator.Part(label=_("attainment entered"), weight=Decimal(1), attainment=attainment)
    return calculator.calculate(base=base, target_bonus=target, curve=curve_of(scheme, target), parts=[part],
                                currency=currency_format(scheme.org), say=lambda text, values: _(text) % values,
                                tier_label=tier_label)  # fmt: skip


def person_payout(
    *, member: Membership, start: date, end: date, attainment: Decimal | None = None, pending: bool = False
) -> calculator.Payout | None:
    """The pay of a person for a period, explained; `attainment` replaces the goals' figure (the
    what-if slider, or a figure entered by hand); `pending` applies the pending goal revisions as
    if approved. None when no scheme applies."""
    facts = period_facts(org=member.org, start=start, end=end, members=[member], pending_revisions=pending)
    scheme = scheme_in(facts, member)
    if scheme is None:
        return None
    return payout_in(facts, member, scheme, attainment=attainment, pending=pending)


def revised_payout(*, member: Membership, start: date, end: date) -> calculator.Payout | None:
    """What the person would be paid if the pending revisions of their goals were approved; None
    when no goal of theirs has one (or no scheme applies)."""
    if not has_pending_revisions(member=member, start=start, end=end):
        return None
    return person_payout(member=member, start=start, end=end, pending=True)


def has_pending_revisions(*, member: Membership, start: date, end: date) -> bool:
    """Whether a goal that counts for the person has a revision waiting for a decision."""
    teams = list(member.teams.values_list("pk", flat=True))
    return (
        Revision.objects.filter(
            goal__org_id=member.org_id,
            state=Revision.State.PENDING,
            goal__start_date__lte=end,
            goal__end_date__gte=start,
        )
        .filter(
            Q(goal__scope=Scope.TEAM, goal__team__in=teams)
            | Q(goal__scope=Scope.PERSONAL, goal__owner=member)
        )
        .exists()
    )


def tier_label(tier: str) -> str:
    return str(TierReached(tier).label) if tier in TierReached.values else tier


# --- Payout runs ----------------------------------------------------------------------------------------
RUN_CHUNK = 500
STUCK_AFTER = timedelta(minutes=10)
MONEY_LIMIT = Decimal("1e11")  # a line, an adjustment and a run's total stay well inside numeric(14, 2)
ATTAINMENT_LIMIT = Decimal("1e10")
OPEN_RUN = (RunStatus.QUEUED, RunStatus.COMPUTING, RunStatus.REVIEW, RunStatus.SUBMITTED)


def _may_run(actor: Membership, org_id: int) -> None:
    if not _can_manage_money(actor) or actor.org_id != org_id:
        raise ValidationError(_("Only HR and admins run payouts."))


def _queue_compute(run: PayoutRun) -> None:
    """Queue the job after commit; when the queue does not answer, the run says so and can be
    computed again (rather than the request failing after its data was saved)."""
    from ..tasks import payout_run_compute

    run_id = run.pk

    def send() -> None:
        try:
            payout_run_compute.delay(run_id=run_id)
        except KombuOperationalError:  # the broker is down: the run is not lost, HR computes it again
            logger.exception("payout run %s could not be queued", run_id)
            PayoutRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
                status=RunStatus.FAILED,
                error=gettext_noop("The job queue did not answer."),
                updated_at=timezone.now(),
            )

    transaction.on_commit(send)


def _locked_run(run: PayoutRun) -> PayoutRun:
    """The run, re-read under a row lock, so two decisions on it cannot interleave."""
    return PayoutRun.objects.select_for_update(of=("self",)).select_related("org").get(pk=run.pk)


def _run_record(
    run: PayoutRun, actor: Membership | None, action: str, changes: dict[str, list[object]]
) -> None:
    audit_record(org=run.org, actor=actor.user if actor else None, action=action, target=run, changes=changes,
                 scope="incentives")  # fmt: skip


@transaction.atomic
def run_start(
    *, org: Organization, actor: Membership, start: date, end: date, language: str = ""
) -> PayoutRun:
    """HR starts the payout run of a period; the lines are computed in the background."""
    _may_run(actor, org.pk)
    if end < start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if (end - start).days > 366:
        raise ValidationError({"end": [_("A payout period is at most a year.")]})
    Organization.objects.select_for_update().filter(pk=org.pk).first()  # one start at a time (a double click)
    existing = list(PayoutRun.objects.filter(org=org, start=start, end=end).order_by("-version"))
    if any(r.status in OPEN_RUN for r in existing):
        raise ValidationError(_("A run for this period is already open: finish it first."))
    if any(r.status == RunStatus.FAILED for r in existing):
        raise ValidationError(_("A run for this period failed: compute it again instead."))
    if any(r.status == RunStatus.LOCKED for r in existing):
        raise ValidationError(_("This period has a locked run: start a new version of it instead."))
    run = PayoutRun.objects.create(org=org, start=start, end=end, version=(existing[0].version + 1) if existing else 1,
                                   started_by=actor, language=language or org.default_language)  # fmt: skip
    _run_record(run, actor, "payout_run.start", {"period": [None, f"{start}–{end}"]})
    _queue_compute(run)
    return run


@transaction.atomic
def run_new_version(*, run: PayoutRun, actor: Membership, language: str = "") -> PayoutRun:
    """A locked run never changes; a correction is a new version that references it."""
    _may_run(actor, run.org_id)
    run = _locked_run(run)
    if run.status != RunStatus.LOCKED:
        raise ValidationError(_("Only a locked run gets a new version; change this one directly."))
    if PayoutRun.objects.filter(previous=run).exists():
        raise ValidationError(_("This run already has a newer version."))
    latest = PayoutRun.objects.filter(org=run.org, start=run.start, end=run.end).order_by("-version").first()
    if latest is not None and latest.status != RunStatus.LOCKED:
        raise ValidationError(_("A run for this period is already open: finish it first."))
    version = PayoutRun.objects.create(
        org=run.org, start=run.start, end=run.end, version=(latest.version if latest else run.version) + 1,
        previous=run, started_by=actor, language=language or run.language,
    )  # fmt: skip
    _run_record(version, actor, "payout_run.new_version", {"replaces": [None, f"v{run.version}"]})
    _queue_compute(version)
    return version


@transaction.atomic
def run_is_stuck(run: PayoutRun) -> bool:
    """Queued or computing, and no progress for STUCK_AFTER (a lost job, a killed worker)."""
    return (
        run.status in (RunStatus.QUEUED, RunStatus.COMPUTING)
        and run.updated_at < timezone.now() - STUCK_AFTER
    )


@transaction.atomic
def run_retry(*, run: PayoutRun, actor: Membership) -> PayoutRun:
    """Compute a run in review, a failed or a stuck run again, from the start: everyone's line is
    computed afresh from today's salaries and goals (a salary set after the run, a period that has
    since ended); adjustments are dropped (they stay in the history). The run is not submitted or
    locked, so nothing approved changes."""
    _may_run(actor, run.org_id)
    run = _locked_run(run)
    if run.status not in (RunStatus.FAILED, RunStatus.REVIEW) and not run_is_stuck(run):
        raise ValidationError(
            _("Only a run in review, a failed run, or one stuck for 10 minutes, is computed again.")
        )
    run.lines.all().delete()
    run.status, run.error, run.done = RunStatus.QUEUED, "", 0
    run.save(update_fields=["status", "error", "done", "updated_at"])
    _run_record(run, actor, "payout_run.retry", {})
    _queue_compute(run)
    return run


def _team_label(member: Membership) -> str:
    return ", ".join(sorted(t.name for t in member.teams.all()))[:250]


def _line(run: PayoutRun, member: Membership, scheme: BonusScheme, payout: calculator.Payout) -> PayoutLine:
    if payout.total >= MONEY_LIMIT or abs(payout.attainment) >= ATTAINMENT_LIMIT:
        raise ValidationError(
            _(
                "The pay of %(name)s is too large to store (attainment %(value)s%%): check the targets of their goals."
            )
            % {"name": member.user.display_name or member.user.email, "value": payout.attainment}
        )
    return PayoutLine(
        org_id=run.org_id, run=run, membership=member, employee_number=member.employee_number,
        name=(member.user.display_name or member.user.email)[:150], team=_team_label(member), scheme=scheme.name,
        base=payout.base, target_bonus=payout.target_bonus, attainment=payout.attainment, bonus=payout.bonus,
        commission=payout.commission, total=payout.total, capped=payout.capped, explanation=payout.lines,
    )  # fmt: skip


def _refresh_totals(run: PayoutRun) -> None:
    sums = run.lines.aggregate(base=Sum("base"), bonus=Sum("bonus"), commission=Sum("commission"),
                               adjustment=Sum("adjustment"), total=Sum("total"))  # fmt: skip
    run.base_total = sums["base"] or Decimal(0)
    run.bonus_total = sums["bonus"] or Decimal(0)
    run.commission_total = sums["commission"] or Decimal(0)
    run.adjustment_total = sums["adjustment"] or Decimal(0)
    run.total = sums["total"] or Decimal(0)


def _still_mine(run_id: int, attempt: int) -> bool:
    """Lock the run and check this job still owns it (a retry after a stuck job takes it over)."""
    return (
        PayoutRun.objects.select_for_update(of=("self",))
        .filter(pk=run_id, status=RunStatus.COMPUTING, attempt=attempt)
        .exists()
    )


def run_compute(*, run_id: int) -> PayoutRun | None:
    """The job: every active person with a scheme gets a line, in chunks, with the progress saved
    after each chunk. Idempotent: only the job that moves the run from queued to computing owns it
    (its `attempt`); a duplicated or late job finds the run taken and does nothing, and every write
    checks that ownership under the run's row lock."""
    with transaction.atomic():
        run = (
            PayoutRun.objects.select_for_update(of=("self",)).select_related("org").filter(pk=run_id).first()
        )
        if run is None or run.status != RunStatus.QUEUED:
            return run
        run.status, run.attempt, run.done = RunStatus.COMPUTING, run.attempt + 1, 0
        run.save(update_fields=["status", "attempt", "done", "updated_at"])
        run.lines.all().delete()
    attempt = run.attempt
    try:
        with translation.override(run.language or run.org.default_language):
            members = list(
                Membership.objects.filter(org=run.org, is_active=True)
                .select_related("user", "org")
                .prefetch_related("teams")
                .order_by("pk")
            )
            facts = period_facts(org=run.org, start=run.start, end=run.end)
            eligible = [(m, s) for m in members if (s := scheme_in(facts, m)) is not None]
            PayoutRun.objects.filter(pk=run_id, attempt=attempt).update(
                people=len(eligible), updated_at=timezone.now()
            )
            for index in range(0, len(eligible), RUN_CHUNK):
                chunk = eligible[index : index + RUN_CHUNK]
                lines = [_line(run, m, s, payout_in(facts, m, s)) for m, s in chunk]
                with transaction.atomic():
                    if not _still_mine(run_id, attempt):
                        return PayoutRun.objects.filter(pk=run_id).first()
                    PayoutLine.objects.bulk_create(lines)
                    PayoutRun.objects.filter(pk=run_id).update(
                        done=index + len(chunk), updated_at=timezone.now()
                    )
        with transaction.atomic():
            if not _still_mine(run_id, attempt):
                return PayoutRun.objects.filter(pk=run_id).first()
            run = PayoutRun.objects.select_related("org").get(pk=run_id)
            _refresh_totals(run)
            run.status = RunStatus.REVIEW
            run.save()
            _run_record(
                run,
                None,
                "payout_run.computed",
                {"people": [None, run.people], "total": [None, str(run.total)]},
            )
    except Exception as error:  # the run says what went wrong and can be computed again
        if isinstance(error, ValidationError):
            message = " ".join(error.messages)
        else:
            logger.exception("payout run %s failed", run_id)
            message = gettext_noop("An unexpected error stopped the computation; it is in the server log.")
        PayoutRun.objects.filter(pk=run_id, status=RunStatus.COMPUTING, attempt=attempt).update(
            status=RunStatus.FAILED, error=message[:2000], updated_at=timezone.now()
        )
        raise
    return run


@transaction.atomic
def run_line_adjust(*, line: PayoutLine, actor: Membership, amount: Decimal, reason: str) -> PayoutLine:
    """HR changes one line by an amount (negative to reduce), with a reason that is kept with the
    line and in the audit trail; the variable pay cannot go below zero."""
    _may_run(actor, line.org_id)
    run = _locked_run(line.run)
    if run.status == RunStatus.LOCKED:
        raise ValidationError(_("This run is approved and locked: start a new version to change it."))
    if run.status != RunStatus.REVIEW:
        raise ValidationError(_("Lines can be adjusted only while the run is in review."))
    if line.membership_id == actor.pk:
        raise ValidationError(_("You cannot adjust your own pay: another person in HR or an admin does."))
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the adjustment.")]})
    if abs(amount) >= MONEY_LIMIT:
        raise ValidationError({"amount": [_("This adjustment is too large.")]})
    if len(reason) > 1000:
        raise ValidationError({"reason": [_("At most 1,000 characters.")]})
    if amount != calculator.money(amount):
        raise ValidationError({"amount": [_("At most 2 decimal places.")]})
    line = PayoutLine.objects.select_for_update(of=("self",)).get(pk=line.pk)
    if line.bonus + line.commission + amount < 0:
        raise ValidationError({"amount": [_("An adjustment cannot take the bonus below zero.")]})
    if abs(run.total - line.total + line.base + line.bonus + line.commission + amount) >= MONEY_LIMIT * 10:
        raise ValidationError({"amount": [_("This adjustment is too large.")]})
    before = {"adjustment": line.adjustment, "total": line.total, "reason": line.adjustment_reason}
    line.adjustment = amount
    line.adjustment_reason = reason
    line.total = line.base + line.bonus + line.commission + amount
    line.adjusted_by, line.adjusted_at = actor, timezone.now()
    line.save()
    after = {"adjustment": line.adjustment, "total": line.total, "reason": line.adjustment_reason}
    _run_record(run, actor, "payout_line.adjust", {"person": [None, line.name], **audit_diff(before, after)})
    _refresh_totals(run)
    run.save()
    return line


@transaction.atomic
def run_submit(*, run: PayoutRun, actor: Membership) -> PayoutRun:
    _may_run(actor, run.org_id)
    run = _locked_run(run)
    if run.status != RunStatus.REVIEW:
        raise ValidationError(_("Only a run in review can be submitted."))
    run.status, run.submitted_by, run.submitted_at = RunStatus.SUBMITTED, actor, timezone.now()
    run.save()
    _run_record(run, actor, "payout_run.submit", {"status": [RunStatus.REVIEW, RunStatus.SUBMITTED]})
    return run


def run_approval_refusal(*, run: PayoutRun, actor: Membership) -> str | None:
    """Why `actor` may not approve `run` now, or None when they may: an active admin of its
    organisation, the run submitted, and neither submitted nor adjusted by them (four eyes)."""
    if actor.role != Role.ADMIN or actor.org_id != run.org_id or not actor.is_active:
        return _("Only an admin approves a payout run.")
    if run.status == RunStatus.LOCKED:
        return _("This run is already approved and locked.")
    if run.status != RunStatus.SUBMITTED:
        return _("Only a submitted run can be approved.")
    if run.submitted_by_id == actor.pk:
        return _("You submitted this run: another admin must approve it.")
    if run.lines.filter(adjusted_by=actor).exists():
        return _("You adjusted lines of this run: another admin must approve it.")
    return None


@transaction.atomic
def run_approve(*, run: PayoutRun, actor: Membership) -> PayoutRun:
    """An admin approves a submitted run, which locks it; never their own submission."""
    if actor.role != Role.ADMIN or actor.org_id != run.org_id or not actor.is_active:
        raise ValidationError(_("Only an admin approves a payout run."))
    run = _locked_run(run)
    refusal = run_approval_refusal(run=run, actor=actor)
    if refusal:
        raise ValidationError(refusal)
    run.status, run.approved_by, run.approved_at = RunStatus.LOCKED, actor, timezone.now()
    run.save()
    _run_record(run, actor, "payout_run.approve", {"status": [RunStatus.SUBMITTED, RunStatus.LOCKED]})
    return run


@transaction.atomic
def run_return(*, run: PayoutRun, actor: Membership, reason: str) -> PayoutRun:
    """An admin sends a submitted run back to HR for review, saying why."""
    if actor.role != Role.ADMIN or actor.org_id != run.org_id or not actor.is_active:
        raise ValidationError(_("Only an admin approves a payout run."))
    run = _locked_run(run)
    if run.status != RunStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted run can be sent back."))
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the run goes back to HR.")]})
    run.status, run.submitted_by, run.submitted_at = RunStatus.REVIEW, None, None
    run.save()
    _run_record(run, actor, "payout_run.return", {"status": [RunStatus.SUBMITTED, RunStatus.REVIEW],
                                                  "reason": [None, reason.strip()[:1000]]})  # fmt: skip
    return run
