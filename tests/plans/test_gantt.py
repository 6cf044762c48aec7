from __future__ import annotations

import json
from datetime import date

from django.urls import reverse

from plans import services
from plans.models import Initiative
from plans.services import InitiativeInput
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries


def test_gantt_data_has_baseline_links_milestones_and_critical_path(org, manager, member):
    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    first = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Partners", goal=goal, owner=member, start_date=date(2026, 10, 8), due_date=date(2026, 11, 11),
        dimension_name="Acquisition"))  # fmt: skip
    second = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Onboarding", goal=goal, owner=member, start_date=date(2026, 11, 12), due_date=date(2026, 11, 30),
        is_milestone=True))  # fmt: skip
    services.dependency_add(predecessor=first, successor=second, actor=manager)
    services.initiative_update(
        initiative=first,
        actor=manager,
        data=InitiativeInput(
            title="Partners",
            goal=goal,
            owner=member,
            start_date=date(2026, 10, 8),
            due_date=date(2026, 11, 20),
            dimension_name="Acquisition",
        ),
    )  # fmt: skip  (a slip: the original due date stays)
    response = login(member).get(reverse("goal_gantt", args=[org.slug, goal.pk]), {"color": "priority"})
    html = response.content.decode()
    data = json.loads(html.split('<script id="gantt-data" type="application/json">')[1].split("</script>")[0])
    rows = {r["title"]: r for r in data["rows"]}
    assert rows["Partners"]["baseline_end"] == "2026-11-12" and rows["Partners"]["end"] == "2026-11-21"
    assert rows["Partners"]["dimension"] == "Acquisition"
    assert rows["Onboarding"]["milestone"] and data["links"] == [{"from": first.pk, "to": second.pk}]
    assert rows["Partners"]["critical"] and rows["Onboarding"]["critical"]
    assert data["color_by"] == "priority" and data["today"]
    # The axis spans the goal's period (its last day drawn whole), not the initiatives' dates.
    assert (data["goal_start"], data["goal_end"]) == ("2026-10-01", "2027-01-01")
    assert 'data-chart="gantt"' in html and "/static/vendor/plotly/plotly-basic.min.js" in html


def test_team_gantt_groups_every_open_goal_of_the_team(org, manager, member):
    team = factories.team(org, "Ops", managers=[manager])
    first = factories.goal(org, manager, team=team, scope="team", title="Users")
    second = factories.goal(org, manager, team=team, scope="team", title="DAU")
    other = factories.goal(org, manager, title="Elsewhere")
    for goal in (first, second, other):
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title=f"Work for {goal.title}", goal=goal, owner=member, start_date=date(2026, 1, 5),
            due_date=date(2026, 1, 20)))  # fmt: skip
    html = login(member).get(reverse("team_gantt", args=[org.slug, team.pk])).content.decode()
    data = json.loads(html.split('<script id="gantt-data" type="application/json">')[1].split("</script>")[0])
    assert sorted(r["dimension"] for r in data["rows"]) == ["DAU", "Users"]
    assert (
        reverse("team_gantt", args=[org.slug, team.pk])
        in login(member).get(reverse("plans_index", args=[org.slug])).content.decode()
    )


# [goal Gantt, team Gantt]; assert_queries prints the SQL when they change. The plan's analysis
# from the shared cache; five more right after a write to the plans.
GANTT_QUERIES = [7, 7]
GANTT_QUERIES_AFTER_A_WRITE = [12, 12]


def test_goal_and_team_gantt_query_counts_are_flat_up_to_500_initiatives(org, manager):
    """A team with 500 initiatives over two goals, with dimensions, squads, budgets, needs,
    experiments and dependencies, owners spread over five people: the per-goal and the per-team
    Gantt run the same, pinned, number of queries as with a handful."""
    from tests.plans.test_views import big_plan_rows, big_plan_world

    team = factories.team(org, "Ops", managers=[manager])
    goals = [factories.goal(org, manager, team=team, scope="team", title=f"Goal {n}",
                            start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)) for n in range(2)]  # fmt: skip
    owners, squads, dimensions = big_plan_world(org, manager, goals)
    client = login(manager)
    urls = [
        reverse("goal_gantt", args=[org.slug, goals[0].pk]),
        reverse("team_gantt", args=[org.slug, team.pk]),
    ]

    def pinned() -> None:
        from tests.plans.test_views import assert_cold_queries

        for url, expected, cold in zip(urls, GANTT_QUERIES, GANTT_QUERIES_AFTER_A_WRITE, strict=True):
            assert_queries(expected, client, url)
            assert_cold_queries(cold, client, url, org)

    big_plan_rows(org, goals, owners, squads, dimensions, 0, 4)
    pinned()
    big_plan_rows(org, goals, owners, squads, dimensions, 4, 496)
    assert Initiative.objects.filter(goal__team=team).count() == 500
    pinned()
