"""Suggested talking points for a one-on-one, drawn from its prepared facts (goals behind, late
initiatives, open blockers, the latest failed experiment), and the manager's suggested actions with links to where to take them
(rebalance a goal's initiatives on its plan; propose a revision of its challenge tier). Pure: no
query, only the facts already loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracking.selectors.results import TierReached

if TYPE_CHECKING:
    from .selectors.facts import PreparedFacts

LIMIT = 6


@dataclass(frozen=True)
class Suggestion:
    text: str
    url: str = ""
    link: str = ""  # the link's words


def talking_points(facts: PreparedFacts, *, org_slug: str) -> list[Suggestion]:
    """What to bring up, most pressing first: goals projected below their base target or behind
    pace, late initiatives, blockers still open."""
    out: list[Suggestion] = []
    for g in facts.goals:
        url = reverse("goal_detail", kwargs={"org_slug": org_slug, "goal_id": g.goal_id})
        if g.projected == TierReached.NONE:
            out.append(Suggestion(_("“%(goal)s” is projected below its base target: what would help?") % {"goal": g.title},
                                  url, _("Open the goal")))  # fmt: skip
        elif g.pace is not None and g.pace < 100:
            out.append(Suggestion(_("“%(goal)s” runs at %(pace)s%% of the pace its targets need: what is in the way?")
                                  % {"goal": g.title, "pace": round(g.pace)}, url, _("Open the goal")))  # fmt: skip
    for i in facts.initiatives:
        if i.late_days:
            url = reverse("goal_plan", kwargs={"org_slug": org_slug, "goal_id": i.goal_id})
            out.append(Suggestion(ngettext("“%(title)s” is %(n)s day late: finish, move or drop it?",
                                           "“%(title)s” is %(n)s days late: finish, move or drop it?", i.late_days)
                                  % {"title": i.title, "n": i.late_days}, url, _("Open the plan")))  # fmt: skip
    for b in facts.blockers:
        if not b.resolved:
            out.append(Suggestion(_("The blocker of %(day)s is still open: “%(text)s”. Who can help?")
                                  % {"day": b.day.isoformat(), "text": b.text[:120]}))  # fmt: skip
    for e in facts.experiments.failed[-1:]:  # the latest failure: a lesson, not a loss
        out.append(Suggestion(_("The experiment “%(title)s” failed: what did it teach, and what is worth trying next?")
                              % {"title": e.title},
                              reverse("goal_plan", kwargs={"org_slug": org_slug, "goal_id": e.goal_id}),
                              _("Open the plan")))  # fmt: skip
    return out[:LIMIT]


def manager_actions(facts: PreparedFacts, *, org_slug: str) -> list[Suggestion]:
    """When the load is high (stretch, overdue work, alerts): rebalance the initiatives of goals with
    late work, and propose a revision of the challenge tier of goals behind pace — each a link."""
    if not facts.burnout.manager_actions:
        return []
    out: list[Suggestion] = []
    late_goals = {i.goal_id: i.goal_title for i in facts.initiatives if i.late_days}
    for goal_id, title in list(late_goals.items())[:3]:
        out.append(Suggestion(_("Rebalance the initiatives of “%(goal)s”.") % {"goal": title},
                              reverse("goal_plan", kwargs={"org_slug": org_slug, "goal_id": goal_id}),
                              _("Open the plan")))  # fmt: skip
    for g in [g for g in facts.goals if g.pace is not None and g.pace < 100][:3]:
        out.append(Suggestion(_("Propose a revision of the challenge tier of “%(goal)s”.") % {"goal": g.title},
                              reverse("goal_detail", kwargs={"org_slug": org_slug, "goal_id": g.goal_id}) + "#revisions",
                              _("Propose a revision")))  # fmt: skip
    return out
