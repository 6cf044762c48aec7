"""A period's payouts, read: everything they depend on loaded once into `PeriodFacts` (schemes,
teams, salaries, goals with their attainment and tier, tolerated experiments), then each person's
pay computed from it and explained line by line. Money is Decimal end to end (see
incentives/calculator.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from goals.models import Direction, Goal, Revision, Scope, Status
from goals.progress import PERCENT
from goals.services import TIER_FIELDS
from plans.models import Initiative
from plans.selectors import tolerated_experiment_ids
from teams.models import Membership, Organization
from tracking.selectors.results import TierReached, goal_period_results, tier_of

from .. import calculator
from ..models import BonusScheme, Salary, SchemeAssignment

TIER_ORDER = ("none", *TIER_FIELDS)


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
    exact: dict[int, Decimal] = field(default_factory=dict)  # unrounded progress, where it is known
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
    goals = list(goals_qs.order_by("pk"))
    results = goal_period_results(org=org, goal_ids=[g.pk for g in goals], start=start, end=end)
    progress = {pk: r.progress for pk, r in results.items() if r.progress is not None}
    exact: dict[int, Decimal] = {}
    open_ids = [g.pk for g in goals if g.status == Status.ACTIVE]
    tiers: dict[int, str] = {}
    actuals: dict[int, Decimal] = {}
    for goal in goals:
        result = results.get(goal.pk)
        if result is None:
            continue
        if goal.status == Status.ACTIVE:  # where its lagging indicator stands now
            tiers[goal.pk] = str(result.latest.tier) if result.latest else "none"
            if result.latest is not None and result.latest.actual is not None:
                actuals[goal.pk] = result.latest.actual
        elif result.final is not None and result.in_force is not None:  # a closed goal's final result
            tiers[goal.pk] = str(result.final_tier)
            actuals[goal.pk] = result.final
        found = _unrounded(goal, result.progress, actuals.get(goal.pk), (
            result.in_force.challenge if result.in_force else None, result.latest.target if result.latest else None))  # fmt: skip
        if found is not None:
            exact[goal.pk] = found
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
        forgiven=forgiven, revisions=revisions, exact=exact)  # fmt: skip


def exact_attainment(*, actual: Decimal, target: Decimal, direction: str) -> Decimal | None:
    """`goals.progress.attainment` unrounded: actual against target in percent (for "lower is
    better", target / actual). Pay compares it with thresholds; only what is shown is rounded."""
    if direction == Direction.DOWN:
        return None if actual <= 0 else target / actual * 100
    return None if target == 0 else actual / target * 100


def _unrounded(
    goal: Goal, shown: Decimal | None, actual: Decimal | None, targets: Sequence[Decimal | None]
) -> Decimal | None:
    """The unrounded figure behind a goal's progress (`shown`, to 0.1 %): its actual against the
    target it was measured against, when that is the figure that rounds to `shown`."""
    if shown is None or actual is None:
        return None
    for target in targets:
        if target is None:
            continue
        value = exact_attainment(actual=actual, target=target, direction=goal.direction)
        if value is not None and value.quantize(PERCENT) == shown:
            return value
    return None


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
    teams = facts.team_ids.get(member.pk, set())
    notes: list[str] = []

    def figure(goal: Goal) -> tuple[Decimal, str] | None:
        value, tier = facts.exact.get(goal.pk, facts.progress.get(goal.pk)), facts.tiers.get(goal.pk, "none")
        revision = facts.revisions.get(goal.pk) if pending else None
        actual = facts.actuals.get(goal.pk)
        if revision is not None and actual is not None:
            revised = exact_attainment(actual=actual, target=revision.challenge, direction=goal.direction)
            if revised is not None:
                notes.append(_("Pending revision of “%(goal)s”: attainment %(before)s → %(after)s.")
                             % {"goal": goal.title, "before": shown(value or Decimal(0)),
                                "after": shown(revised)})  # fmt: skip
                value = revised
                tier = str(tier_of(actual, {"base": revision.base, "challenge": revision.challenge,
                                            "stretch": revision.stretch}, goal.direction))  # fmt: skip
        if value is None:
            return None
        experiment = facts.forgiven.get((goal.pk, member.pk))
        if experiment is not None and value < calculator.HUNDRED:
            notes.append(_("“%(goal)s” (%(value)s) is left out: the failed experiment “%(experiment)s” is "
                           "within the allowance.") % {"goal": goal.title, "value": shown(value),
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
            parts.append(calculator.Part(label=label, weight=weight, attainment=average, tier=lowest))
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
        cap=cap_of(scheme, target_bonus),
        cap_is_amount=scheme.cap_amount is not None,
        multiples=tuple((tier, Decimal(v)) for tier, v in scheme.multiples.items()),
    )


def cap_of(scheme: BonusScheme, target_bonus: Decimal) -> Decimal | None:
    """The most bonus + commission may pay: the scheme's amount, or its multiple of the target bonus."""
    if scheme.cap_amount is not None:
        return calculator.money(scheme.cap_amount)
    if scheme.cap_multiple is not None:
        return calculator.money(target_bonus * scheme.cap_multiple)
    return None


def shown(value: Decimal) -> str:
    return calculator.pct(calculator.shown_attainment(value))


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
