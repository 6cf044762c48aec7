"""plan_analysis from the shared cache (plans.cache): the plan page and the Gantts read it while
nothing changed, and every write to what it reads — another goal's initiative of the same owner, a
dependency, a capacity, the goal's dates — shows on the next page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.urls import reverse

from plans import selectors, services
from plans.services import InitiativeInput
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.queries import pinned_queries

OVERLOADED = "Owner overloaded"
EARLY = "Starts before a predecessor finishes."


def _world(org, manager):
    team = factories.team(org, "Ops", managers=[manager])
    goal = factories.goal(org, manager, team=team, scope="team", start_date=date(2026, 10, 1),
                          end_date=date(2026, 12, 31), status="active")  # fmt: skip
    owner = factories.member(org, Role.MEMBER, name="王五", teams=[team])

    def add(title, goal=goal, start=date(2026, 11, 2), due=date(2026, 11, 20)):
        return services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title=title, goal=goal, owner=owner, start_date=start, due_date=due, priority="P0"))  # fmt: skip

    return team, goal, owner, add


def test_the_plan_page_shows_each_write_to_what_its_analysis_reads(org, manager):
    team, goal, owner, add = _world(org, manager)
    first = add("Design", due=date(2026, 11, 10))
    second = add("Build", start=date(2026, 11, 5))
    client = login(manager)
    url = reverse("goal_plan", args=[org.slug, goal.pk])
    body = client.get(url).content.decode()
    assert OVERLOADED not in body and EARLY not in body

    # An initiative of another goal, same owner: load 6 against a capacity of 3, seen from this plan.
    other = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    add("Elsewhere", goal=other)
    add("Elsewhere too", goal=other)
    assert OVERLOADED in client.get(url).content.decode()

    services.capacity_set(org=org, actor=manager, membership=owner, load=D("8"))
    assert OVERLOADED not in client.get(url).content.decode()

    services.dependency_add(
        predecessor=first, successor=second, actor=manager
    )  # a link: no org_id of its own
    assert EARLY in client.get(url).content.decode()
    gantt = client.get(reverse("goal_gantt", args=[org.slug, goal.pk])).content.decode()
    assert "Critical path" in gantt


def test_the_analysis_is_computed_once_while_nothing_changes(org, manager):
    team, goal, owner, add = _world(org, manager)
    add("Design")
    items = list(selectors.initiative_list(org=org, goal=goal))
    selectors.plan_analysis_cached(org=org, scope=f"goal:{goal.pk}", initiatives=items)
    with pinned_queries(0, "a cached analysis"):
        again = selectors.plan_analysis_cached(org=org, scope=f"goal:{goal.pk}", initiatives=items)
    assert again.critical_ids == {items[0].pk}
    add("Build")  # a write: the next read computes again, with the new row
    items = list(selectors.initiative_list(org=org, goal=goal))
    assert (
        len(
            selectors.plan_analysis_cached(org=org, scope=f"goal:{goal.pk}", initiatives=items)
            .critical_by_goal[goal.pk]
            .ids
        )
        >= 1
    )
    with pinned_queries(0, "cached again"):
        selectors.plan_analysis_cached(org=org, scope=f"goal:{goal.pk}", initiatives=items)


def test_a_goal_whose_end_moves_is_analysed_again(org, manager):
    """The goal's period comes from the goals app: its save moves the plans' version on too."""
    team, goal, owner, add = _world(org, manager)
    add("Design", due=date(2026, 12, 20))
    client = login(manager)
    url = reverse("goal_plan", args=[org.slug, goal.pk])
    late = "Due after the goal's period ends."
    assert late not in client.get(url).content.decode()
    goal.end_date = date(2026, 12, 10)
    goal.save(update_fields=["end_date"])
    assert late in client.get(url).content.decode()
