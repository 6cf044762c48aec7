"""The burnout signal, person and team level, as pure arithmetic on facts loaded once (Saleor's
fetch/calculate split): each factor carries its points (0: nothing to see, 1: worth a look,
2: strong), explains itself with its numbers, and suggests a talking point.

Person level (shown in a one-on-one's prepared facts to its two people only): the stand-up mood
trend; stretch load (the share of the person's goals behind the pace their targets need); overdue
work (late initiatives, overdue one-on-one and corrective actions); open alerts on their goals;
missed stand-ups over the last ten working days; stand-ups and values logged on non-working days.
Pulse answers are never used at person level (they are anonymous).

Team level (`team_signal`, for the team's managers, HR and admins): the same factors added up
over the team's people, plus the team's pulse trend (aggregated results under the anonymity rule,
never one answer). Working days are the team's stand-up rhythm (Monday to Friday by default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

RECENT_WORKING_DAYS = 10
WATCH, HIGH = 2, 4
MONDAY_TO_FRIDAY = "12345"
FALL = Decimal("0.5")
LOW = Decimal("2.5")


@dataclass(frozen=True)
class Factor:
    key: str
    points: int  # 0: nothing to see, 1: worth a look, 2: strong
    explanation: str
    talking_point: str = ""


@dataclass(frozen=True)
class BurnoutSignal:
    factors: list[Factor]
    manager_actions: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(f.points for f in self.factors)

    @property
    def level(self) -> str:
        return "high" if self.score >= HIGH else "watch" if self.score >= WATCH else "low"

    @property
    def level_label(self) -> str:
        return {"high": _("High: talk about the load"), "watch": _("Worth watching"), "low": _("Low")}[
            self.level
        ]

    @property
    def talking_points(self) -> list[str]:
        return [f.talking_point for f in self.factors if f.points and f.talking_point]

    def factor(self, key: str) -> Factor | None:
        return next((f for f in self.factors if f.key == key), None)


def recent_working_days(
    today: date, count: int = RECENT_WORKING_DAYS, working: str = MONDAY_TO_FRIDAY
) -> list[date]:
    """The last `count` working days (ISO weekday digits in `working`) before today, oldest first."""
    days: list[date] = []
    day = today - timedelta(days=1)
    while len(days) < count and working.strip("0"):
        if str(day.isoweekday()) in working:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def off_days(days: Sequence[date], since: date, working: str = MONDAY_TO_FRIDAY) -> int:
    """How many distinct days since `since` fall outside the working days."""
    return len({d for d in days if d >= since and str(d.isoweekday()) not in working})


def _mood(moods: Sequence[Decimal], *, team: bool) -> Factor:
    if len(moods) >= 2 and moods[-1] <= moods[0] - FALL:
        return Factor("mood", 2 if moods[-1] <= LOW else 1,
                      _("Stand-up mood fell from %(first)s to %(last)s.") % {"first": moods[0], "last": moods[-1]},
                      _("Ask the team what weighs on it: the stand-up mood has been falling.") if team
                      else _("Ask how things are going: the stand-up mood has been falling."))  # fmt: skip
    if moods and moods[-1] <= LOW:
        return Factor("mood", 1, _("Stand-up mood is low: %(last)s of 5.") % {"last": moods[-1]},
                      _("Ask what makes the days hard at the moment."))  # fmt: skip
    return Factor("mood", 0, _("Stand-up mood is steady.") if moods else _("No mood logged lately."))


def _stretch(paces: Sequence[Decimal | None]) -> tuple[int, int, int]:
    known = [p for p in paces if p is not None]
    behind = [p for p in known if p < 100]
    points = 2 if known and Decimal(len(behind)) / len(known) > Decimal("0.5") else 1 if behind else 0
    return points, len(behind), len(known)


def burnout_signal(
    *, today: date, moods: Sequence[Decimal], paces: Sequence[Decimal | None], late_initiatives: int,
    overdue_actions: int, standup_days: Sequence[date], since: date, open_alerts: int = 0,
    value_days: Sequence[date] = (), working: str = MONDAY_TO_FRIDAY,
) -> BurnoutSignal:  # fmt: skip
    """A person's signal. `moods`: the weekly mean stand-up moods, oldest first; `paces`: the pace
    of each open goal (percent of where its targets need it to be, None without a figure);
    `overdue_actions`: one-on-one and corrective actions past due; `standup_days` / `value_days`:
    the days they logged a stand-up / values since `since`; `working`: their team's working days."""
    factors = [_mood(moods, team=False)]
    points, behind, known = _stretch(paces)
    factors.append(Factor(
        "stretch", points,
        _("%(behind)s of %(goals)s goals need more than the recent pace.") % {"behind": behind, "goals": known},
        _("Go through the goals that are behind: is the challenge tier still realistic?"),
    ))  # fmt: skip
    overdue = late_initiatives + overdue_actions
    factors.append(Factor(
        "overdue", 2 if overdue >= 3 else 1 if overdue else 0,
        _("%(late)s late initiatives and %(actions)s overdue actions.") % {"late": late_initiatives, "actions": overdue_actions},
        _("Agree what can wait or move to someone else."),
    ))  # fmt: skip
    factors.append(Factor(
        "alerts", 2 if open_alerts >= 3 else 1 if open_alerts else 0,
        ngettext("%(n)s open alert on their goals.", "%(n)s open alerts on their goals.", open_alerts) % {"n": open_alerts},
        _("Look at the open alerts together: which corrective action needs help?"),
    ))  # fmt: skip
    logged = set(standup_days)
    window = recent_working_days(today, working=working)
    missed = sum(1 for day in window if day not in logged)
    factors.append(Factor(
        "missed", 2 if missed >= 5 else 1 if missed >= 3 else 0,
        ngettext("Missed %(n)s of the last %(days)s working-day stand-ups.",
                 "Missed %(n)s of the last %(days)s working-day stand-ups.", missed) % {"n": missed, "days": len(window)},
        _("Ask whether the stand-up still helps, or whether something keeps them away."),
    ))  # fmt: skip
    off = off_days([*logged, *value_days], since, working)
    factors.append(Factor(
        "off_days", 2 if off >= 3 else 1 if off else 0,
        ngettext("Stand-ups or values logged on %(n)s non-working day lately.",
                 "Stand-ups or values logged on %(n)s non-working days lately.", off) % {"n": off},
        _("Talk about rest: work is being logged on days off."),
    ))  # fmt: skip
    return BurnoutSignal(factors=factors, manager_actions=_actions(factors))


def _actions(factors: list[Factor]) -> list[str]:
    by_key = {f.key: f.points for f in factors}
    if by_key.get("stretch") or by_key.get("overdue") or by_key.get("alerts"):
        return [_("Rebalance initiatives, or propose a revision to the challenge tier.")]
    return []


@dataclass(frozen=True)
class PersonLoad:
    """What the team signal adds up for one person (from the same facts as their own signal)."""

    paces: Sequence[Decimal | None]
    late_initiatives: int
    overdue_actions: int
    open_alerts: int
    standup_days: Sequence[date]
    value_days: Sequence[date]


def team_signal(
    *, today: date, since: date, people: Sequence[PersonLoad], moods: Sequence[Decimal],
    pulse: dict[str, tuple[Decimal, Decimal, int]], working: str = MONDAY_TO_FRIDAY,
) -> BurnoutSignal:  # fmt: skip
    """A team's signal from its people's loads. `moods`: the team's weekly mean stand-up mood,
    oldest first; `pulse`: {topic: (first, last, pulses)} of the team's aggregated pulse trend for
    workload and stress (only figures its anonymity rule shows)."""
    size = len(people)
    factors = [_mood(moods, team=True)]
    # Pulse trend (aggregated, never one answer).
    falling = {t: v for t, v in pulse.items() if v[1] <= v[0] - FALL or v[1] <= LOW}
    if falling:
        topic, (first, last, count) = sorted(falling.items())[0]
        label = _("workload") if topic == "workload" else _("stress")
        factors.append(Factor("pulse", 2 if last <= LOW else 1,
                              _("The team's %(topic)s score in pulses went from %(first)s to %(last)s over %(n)s pulses.")
                              % {"topic": label, "first": first, "last": last, "n": count},
                              _("Ask the team openly about the load: the pulse says it is getting heavier.")))  # fmt: skip
    else:
        factors.append(Factor("pulse", 0, _("The team's pulse scores for workload and stress are steady.") if pulse
                              else _("No pulse results for this team yet (or too few answers to show).")))  # fmt: skip
    # Stretch load.
    paces = [p for person in people for p in person.paces]
    points, behind, known = _stretch(paces)
    stretched = sum(1 for person in people if _stretch(person.paces)[0] == 2)
    factors.append(Factor(
        "stretch", points,
        _("%(behind)s of %(goals)s goals of the team's people need more than their recent pace; %(people)s of "
          "%(size)s people have most of their goals behind.") % {"behind": behind, "goals": known, "people": stretched,
                                                                  "size": size},
        _("Go through the goals that are behind with their owners: is the challenge tier still realistic?"),
    ))  # fmt: skip
    # Overdue work and open alerts, per person.
    late = sum(p.late_initiatives for p in people)
    actions = sum(p.overdue_actions for p in people)
    per_person = Decimal(late + actions) / size if size else Decimal(0)
    factors.append(Factor(
        "overdue", 2 if per_person >= 1 else 1 if late + actions else 0,
        _("%(late)s late initiatives and %(actions)s overdue actions across %(size)s people.")
        % {"late": late, "actions": actions, "size": size},
        _("Agree as a team what can wait or move."),
    ))  # fmt: skip
    alerts = sum(p.open_alerts for p in people)
    factors.append(Factor(
        "alerts", 2 if size and alerts >= size else 1 if alerts else 0,
        ngettext("%(n)s open alert on the goals of the team's people.", "%(n)s open alerts on the goals of the "
                 "team's people.", alerts) % {"n": alerts},
        _("Go through the open alerts: which corrective action needs help?"),
    ))  # fmt: skip
    # Missed stand-ups.
    window = recent_working_days(today, working=working)
    expected = len(window) * size
    missed = sum(1 for person in people for day in window if day not in set(person.standup_days))
    rate = Decimal(missed) / expected if expected else Decimal(0)
    factors.append(Factor(
        "missed", 2 if rate >= Decimal("0.5") else 1 if rate >= Decimal("0.3") else 0,
        _("%(missed)s of %(expected)s stand-ups missed over the last %(days)s working days (%(rate)s%%).")
        % {"missed": missed, "expected": expected, "days": len(window), "rate": round(rate * 100)},
        _("Ask whether the stand-up still helps the team."),
    ))  # fmt: skip
    # Non-working days.
    off = [off_days([*p.standup_days, *p.value_days], since, working) for p in people]
    people_off = sum(1 for n in off if n)
    factors.append(Factor(
        "off_days", 2 if size >= 2 and people_off * 2 >= size else 1 if people_off else 0,
        _("%(people)s of %(size)s people logged stand-ups or values on non-working days lately (%(days)s days in all).")
        % {"people": people_off, "size": size, "days": sum(off)},
        _("Talk about rest: work is being logged on days off."),
    ))  # fmt: skip
    return BurnoutSignal(factors=factors, manager_actions=_actions(factors))
