"""The person-level burnout signal, as pure arithmetic on facts loaded once (Saleor's
fetch/calculate split): each factor carries its points and explains itself with its numbers, and
suggests a talking point. Shown in a one-on-one's prepared facts to its two people only.

Factors (issue 16): the stand-up mood trend; stretch load (the share of the person's goals behind
the pace their targets need); overdue work (late initiatives, overdue one-on-one actions); missed
stand-ups over the last ten working days; stand-ups logged on weekends. Pulse answers are never
used at person level (they are anonymous). Working days are Monday to Friday here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

RECENT_WORKING_DAYS = 10
WATCH, HIGH = 2, 4


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


def recent_working_days(today: date, count: int = RECENT_WORKING_DAYS) -> list[date]:
    """The last `count` Mondays-to-Fridays before today, oldest first."""
    days: list[date] = []
    day = today - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def burnout_signal(
    *, today: date, moods: Sequence[Decimal], paces: Sequence[Decimal | None], late_initiatives: int,
    overdue_actions: int, standup_days: Sequence[date], since: date,
) -> BurnoutSignal:  # fmt: skip
    """`moods`: the weekly mean stand-up moods, oldest first; `paces`: the pace of each open goal
    (percent of where its targets need it to be, None without a figure); `standup_days`: the days
    the person logged a stand-up since `since`."""
    factors = []
    # Mood.
    if len(moods) >= 2 and moods[-1] <= moods[0] - Decimal("0.5"):
        points = 2 if moods[-1] <= Decimal("2.5") else 1
        factors.append(Factor("mood", points, _("Stand-up mood fell from %(first)s to %(last)s.")
                              % {"first": moods[0], "last": moods[-1]},
                              _("Ask how things are going: the stand-up mood has been falling.")))  # fmt: skip
    elif moods and moods[-1] <= Decimal("2.5"):
        factors.append(Factor("mood", 1, _("Stand-up mood is low: %(last)s of 5.") % {"last": moods[-1]},
                              _("Ask what makes the days hard at the moment.")))  # fmt: skip
    else:
        factors.append(
            Factor("mood", 0, _("Stand-up mood is steady.") if moods else _("No mood logged lately."))
        )
    # Stretch load.
    known = [p for p in paces if p is not None]
    behind = [p for p in known if p < 100]
    share = Decimal(len(behind)) / len(known) if known else Decimal(0)
    points = 2 if known and share > Decimal("0.5") else 1 if behind else 0
    factors.append(Factor(
        "stretch", points,
        _("%(behind)s of %(goals)s goals need more than the recent pace.") % {"behind": len(behind), "goals": len(known)},
        _("Go through the goals that are behind: is the challenge tier still realistic?"),
    ))  # fmt: skip
    # Overdue work.
    overdue = late_initiatives + overdue_actions
    factors.append(Factor(
        "overdue", 2 if overdue >= 3 else 1 if overdue else 0,
        _("%(late)s late initiatives and %(actions)s overdue actions.") % {"late": late_initiatives, "actions": overdue_actions},
        _("Agree what can wait or move to someone else."),
    ))  # fmt: skip
    # Missed stand-ups.
    logged = set(standup_days)
    window = recent_working_days(today)
    missed = sum(1 for day in window if day not in logged)
    factors.append(Factor(
        "missed", 2 if missed >= 5 else 1 if missed >= 3 else 0,
        ngettext("Missed %(n)s of the last %(days)s working-day stand-ups.",
                 "Missed %(n)s of the last %(days)s working-day stand-ups.", missed) % {"n": missed, "days": len(window)},
        _("Ask whether the stand-up still helps, or whether something keeps them away."),
    ))  # fmt: skip
    # Weekend work.
    weekends = sum(1 for day in logged if day >= since and day.weekday() >= 5)
    factors.append(Factor(
        "weekends", 2 if weekends >= 3 else 1 if weekends else 0,
        ngettext("Stand-ups logged on %(n)s weekend day lately.", "Stand-ups logged on %(n)s weekend days lately.",
                 weekends) % {"n": weekends},
        _("Talk about rest: work is being logged on weekends."),
    ))  # fmt: skip
    actions = []
    if factors[1].points or factors[2].points:
        actions.append(_("Rebalance initiatives, or propose a revision to the challenge tier."))
    return BurnoutSignal(factors=factors, manager_actions=actions)
