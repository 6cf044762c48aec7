"""Strategy goals show progress: attainment rolls up the cascade, weighted by the sub-goals'
weights (normalised over those that report), recursively, on the pages and in the API, in a fixed
number of queries; a status says why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from goals import services as goal_services
from goals.models import Scope, Status
from goals.progress import Attainment, Measure, Node, cascade, goal_attainment
from goals.progress_cache import progress_changed
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries, pinned_queries
from tracking import services


def node(pk, parent=None, weight="1", title=None, cancelled=False) -> Node:
    return Node(pk=pk, parent_id=parent, weight=D(weight), title=title or f"G{pk}", cancelled=cancelled)


def test_weights_are_normalised_over_the_sub_goals_that_report():
    nodes = {1: node(1), 2: node(2, 1, "0.25"), 3: node(3, 1, "0.1"), 4: node(4, 1, "0.5")}
    own = {2: Measure(attainment=D("50.0")), 3: Measure(attainment=D("75.0"))}
    result = cascade(nodes, own, [1])[1]
    # (0.25 × 50 + 0.1 × 75) / 0.35 — the weights need not add up to 1, the silent one is left out.
    assert result.percent == D("57.1") and result.source == "children"
    assert (result.children, result.reporting) == (3, 2)
    assert result.weight_reporting == D("0.35") and result.weight_total == D("0.85")


def test_roll_up_goes_through_every_level_and_skips_cancelled_sub_goals():
    nodes = {
        1: node(1),
        2: node(2, 1, "2"),
        3: node(3, 1, "1"),
        4: node(4, 2),
        5: node(5, 4),  # three levels below the strategy
        6: node(6, 1, "5", cancelled=True),
    }
    own = {5: Measure(attainment=D("90.0")), 3: Measure(attainment=D("120.0")), 6: Measure(attainment=D("0"))}
    result = cascade(nodes, own, [1, 2, 4])
    assert result[4].percent == D("90.0") and result[2].percent == D("90.0")
    assert result[1].percent == D("100.0")  # (2 × 90 + 1 × 120) / 3; the cancelled one does not count
    assert result[1].children == 2


def test_a_goal_with_its_own_figure_keeps_it_and_reports_the_roll_up_beside_it():
    nodes = {1: node(1), 2: node(2, 1)}
    own = {1: Measure(attainment=D("80.0"), status="on_track", status_label="On track"),
           2: Measure(attainment=D("40.0"))}  # fmt: skip
    result = cascade(nodes, own, [1])[1]
    assert (result.percent, result.source, result.rollup) == (D("80.0"), "measured", D("40.0"))


def test_without_reporting_sub_goals_there_is_no_figure_and_no_invented_zero():
    result = cascade({1: node(1), 2: node(2, 1)}, {}, [1])[1]
    assert (
        result.percent is None and result.source == "none" and (result.children, result.reporting) == (1, 0)
    )
    assert cascade({1: node(1)}, {}, [1])[1] == Attainment(percent=None, source="none")


def test_a_rolled_up_goal_takes_the_most_serious_status_of_its_sub_goals_and_says_which():
    nodes = {1: node(1), 2: node(2, 1, title="Deals"), 3: node(3, 1, title="Users")}
    own = {
        2: Measure(attainment=D("88.0"), status="off_track", status_label="Off track",
                   reason="12.0% behind the expected path."),
        3: Measure(attainment=D("108.5"), status="at_risk", status_label="At risk", reason="Slipped."),
    }  # fmt: skip
    result = cascade(nodes, own, [1])[1]
    assert (
        result.status == "off_track" and result.reason == "Sub-goal “Deals”: 12.0% behind the expected path."
    )


@pytest.fixture
def cascade_world(org, manager):
    """A strategy goal with three team goals: two report values (50 % and 75 % of their challenge
    targets), one has none yet; the weights (0.25, 0.1, 0.5) do not add up to 1."""
    today = org_today(org)
    start, end = today - timedelta(days=20), today + timedelta(days=40)
    strategy = factories.goal(org, manager, title="Growth strategy", start_date=start, end_date=end,
                              rationale="Company priority", status=Status.ACTIVE)  # fmt: skip
    team = factories.team(org, "Operations", managers=[manager])
    children = []
    for title, weight, challenge, value in (("New users", "0.25", 1000, 500), ("Deals", "0.1", 200, 150),
                                            ("Partners", "0.5", 10, None)):  # fmt: skip
        child = factories.goal(org, manager, title=title, parent=strategy, team=team, scope=Scope.TEAM,
                               weight=D(weight), start_date=start, end_date=end, base=D(challenge) * D("0.8"),
                               challenge=D(challenge), stretch=D(challenge) * 2, status=Status.ACTIVE)  # fmt: skip
        if value is not None:
            services.entry_create(org=org, actor=manager, data=services.EntryInput(
                goal_id=child.pk, value=str(value), day=(today - timedelta(days=3)).isoformat()))  # fmt: skip
        children.append(child)
    services.indicators_recompute(org=org)
    return {"strategy": strategy, "children": children, "team": team}


def test_the_tree_and_the_goal_page_show_the_strategy_goals_rolled_up_progress(org, manager, cascade_world):
    strategy = cascade_world["strategy"]
    client = login(manager)
    tree = client.get(reverse("goals_index", args=[org.slug])).content.decode()
    assert 'value="57.1"' in tree and "rolled up from 2 of 3 sub-goals reporting" in tree
    page = client.get(reverse("goal_detail", args=[org.slug, strategy.pk])).content.decode()
    progress = page.split('data-testid="goal-progress"')[1].split("</div>")[0]
    assert "57.1%" in progress and "rolled up from 2 of 3 sub-goals reporting" in progress
    children = page.split('data-testid="child-goals"')[1].split("</ul>")[0]
    assert "50.0%" in children and "75.0%" in children and "weight 0.25" in children


def test_the_api_says_where_the_figure_comes_from(org, manager, cascade_world):
    strategy, first = cascade_world["strategy"], cascade_world["children"][0]
    client = APIClient()
    client.force_authenticate(manager.user)
    detail = client.get(f"/api/v1/orgs/{org.slug}/goals/{strategy.pk}/").json()["attainment"]
    assert detail["percent"] == "57.1" and detail["source"] == "children"
    assert detail["rollup"] == {"percent": "57.1", "children": 3, "reporting": 2, "weight_reporting": "0.350",
                                "weight_total": "0.850"}  # fmt: skip
    rows = {g["id"]: g for g in client.get(f"/api/v1/orgs/{org.slug}/goals/").json()["results"]}
    assert rows[first.pk]["attainment"]["source"] == "measured"
    assert (
        rows[first.pk]["attainment"]["percent"] == "50.0"
        and rows[first.pk]["attainment"]["target"] == "1000.0000"
    )
    tree = client.get(f"/api/v1/orgs/{org.slug}/goals/tree/").json()
    assert (
        tree[0]["attainment"]["percent"] == "57.1"
        and tree[0]["children"][0]["attainment"]["source"] == "measured"
    )


# [tree page, goal page (with the lessons applied to it), API list, API tree, API goal]
# The API list and goal read no target versions unless `?expand=targets` (and the goal no instance).
# Warm: the roll-up comes from the shared cache (goals.progress_cache), no query.
ROLL_UP_QUERIES = [
    8,
    16,
    3,
    4,
    2,
]  # the API goal: the membership and the goal's row (its ETag reads no row: issue 19)
# Cold (after a write that moves the progress version): +3, the roll-up's own read of the
# organisation's goals, the target versions and the indicators.
# The API tree reads it from the cache too (per goal; a large tree from the organisation's one entry).
ROLL_UP_COLD_QUERIES = [11, 19, 6, 7, 5]


def test_roll_up_costs_the_same_queries_for_three_sub_goals_and_for_forty(org, manager, cascade_world):
    """The tree page, the goal page and the API lists read the roll-up in a fixed number of queries."""
    strategy, team = cascade_world["strategy"], cascade_world["team"]
    client = login(manager)
    api = APIClient()
    api.force_authenticate(manager.user)
    paths = [reverse("goals_index", args=[org.slug]), reverse("goal_detail", args=[org.slug, strategy.pk]),
             f"/api/v1/orgs/{org.slug}/goals/", f"/api/v1/orgs/{org.slug}/goals/tree/",
             f"/api/v1/orgs/{org.slug}/goals/{strategy.pk}/"]  # fmt: skip

    def pinned() -> None:
        for path, expected, cold in zip(paths, ROLL_UP_QUERIES, ROLL_UP_COLD_QUERIES, strict=True):
            reader = api if path.startswith("/api/") else client
            assert_queries(expected, reader, path)
            progress_changed(org_id=org.pk)
            with pinned_queries(cold, f"{path} (cold)"):
                assert reader.get(path).status_code == 200

    pinned()
    today = org_today(org)
    for i in range(37):
        child = factories.goal(org, manager, title=f"More {i}", parent=strategy, team=team, scope=Scope.TEAM,
                               start_date=strategy.start_date, end_date=strategy.end_date, status=Status.ACTIVE)  # fmt: skip
        factories.goal(org, manager, title=f"Personal {i}", parent=child, team=team, scope=Scope.PERSONAL,
                       start_date=strategy.start_date, end_date=strategy.end_date, status=Status.ACTIVE)  # fmt: skip
        services.entry_create(org=org, actor=manager, data=services.EntryInput(
            goal_id=child.pk, value="5", day=(today - timedelta(days=1)).isoformat()))  # fmt: skip
    services.indicators_recompute(org=org)
    pinned()


def test_cancelled_sub_goals_do_not_count(org, manager, cascade_world):
    silent = cascade_world["children"][2]
    goal_services.goal_set_status(goal=silent, actor=manager, status=Status.CANCELLED)
    result = goal_attainment(org=org, goals=[cascade_world["strategy"]])[cascade_world["strategy"].pk]
    assert (result.children, result.reporting, result.percent) == (2, 2, D("57.1"))


def test_team_dashboard_and_overview_roll_up_a_team_goal_split_among_members(org, manager, member):
    """A team goal split into personal goals: the members enter values on their own goals, the
    team goal has none of its own — its card and the overview count it by its sub-goals."""
    today = org_today(org)
    start, end = today - timedelta(days=20), today + timedelta(days=40)
    team = factories.team(org, "Sales", managers=[manager])
    member.teams.add(team)
    team_goal = factories.goal(org, manager, title="Team deals", team=team, scope=Scope.TEAM, start_date=start,
                               end_date=end, base=D(800), challenge=D(1000), stretch=D(1200), status=Status.ACTIVE)  # fmt: skip
    mine = factories.goal(org, manager, title="My deals", parent=team_goal, team=team, scope=Scope.PERSONAL,
                          start_date=start, end_date=end, base=D(400), challenge=D(500), stretch=D(600), status=Status.ACTIVE)  # fmt: skip
    factories.goal(org, manager, title="Their deals", parent=team_goal, team=team, scope=Scope.PERSONAL,
                   start_date=start, end_date=end, base=D(400), challenge=D(500), stretch=D(600), status=Status.ACTIVE)  # fmt: skip
    services.entry_create(org=org, actor=manager, data=services.EntryInput(
        goal_id=mine.pk, value="60", day=(today - timedelta(days=1)).isoformat()))  # fmt: skip
    services.indicators_recompute(org=org)
    client = login(manager)
    dashboard = client.get(reverse("team_dashboard", args=[org.slug, team.pk])).content.decode()
    card = dashboard.split(">Team deals</a></h2>")[1].split("</section>")[0]
    assert "12.0%" in card and "rolled up from 1 of 2 sub-goals reporting" in card  # 60 of 500
    assert "Sub-goal “My deals”:" in card and "behind the expected path" in card
    overview = client.get(reverse("org_overview", args=[org.slug])).context["teams"]
    sales = next(t for t in overview if t.team == team)
    assert sales.goals == 3 and sales.no_data == 1 and sales.off_track == 2  # "Their deals" has no values
