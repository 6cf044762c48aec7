"""A status says why: "At risk" on a goal ahead of its path names the slipped critical path (how
many days, which initiative); "Off track" says how far behind the path the goal is — on the goal
card, the goal page and in the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from goals.models import Scope, Status
from plans import services as plan_services
from plans.services import InitiativeInput
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tracking import indicators, services
from tracking.models import IndicatorSnapshot


def test_the_reason_names_the_gap_to_the_path_and_the_slipped_plan():
    detail = {"plan_at_risk": True, "behind_pct": "10",
              "plan": {"kind": "slipped", "days": 5, "initiative": "Channel partners"}}  # fmt: skip
    assert indicators.explain("at_risk", D("108.5"), detail) == (
        "8.5% ahead of the expected path. The critical path has slipped 5 days (“Channel partners” is past due)."
    )
    assert (
        indicators.explain("off_track", D("88.0"), {"behind_pct": "10"}) == "12.0% behind the expected path."
    )
    assert indicators.explain("on_track", D("97.0"), {"behind_pct": "10"}) == (
        "3.0% behind the expected path, within the tolerance of 5%."
    )
    assert (
        indicators.explain("at_risk", None, {"plan_at_risk": True}) == "The plan's critical path has slipped."
    )
    assert indicators.explain("no_data", None, {}) == "No values recorded yet."
    late = {"plan_at_risk": True, "plan": {"kind": "late", "days": 1, "initiative": "Onboarding"}}
    assert indicators.explain("at_risk", D("100"), late) == (
        "On the expected path. The critical path ends 1 day after the goal's period (“Onboarding”)."
    )


@pytest.fixture
def ahead_but_slipping(org, manager, member):
    """A goal 8.5 % ahead of its path whose critical initiative is five days past due."""
    today = org_today(org)
    team = factories.team(org, "Operations", managers=[manager])
    member.teams.add(team)
    start = today - timedelta(days=30)
    goal = factories.goal(org, manager, title="New users", team=team, scope=Scope.TEAM, start_date=start,
                          end_date=start + timedelta(days=99), base=D(800), challenge=D(1000), stretch=D(1200),
                          status=Status.ACTIVE)  # fmt: skip
    plan_services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Channel partners", goal=goal, owner=member, start_date=start, due_date=today - timedelta(days=5)))  # fmt: skip
    # 30 completed days of 100 expect 300; 325.5 recorded is 108.5 % of the path.
    services.entry_create(org=org, actor=manager, data=services.EntryInput(
        goal_id=goal.pk, value="325.5", day=(today - timedelta(days=1)).isoformat()))  # fmt: skip
    services.indicators_recompute(org=org)
    return {"goal": goal, "team": team}


REASON = "The critical path has slipped 5 days (“Channel partners” is past due)."


def test_at_risk_ahead_of_the_path_says_the_plan_slipped_on_card_page_and_api(
    org, manager, ahead_but_slipping
):
    goal = ahead_but_slipping["goal"]
    snapshot = IndicatorSnapshot.objects.get(goal=goal, metric_key=0, day=org_today(org))
    assert snapshot.status == "at_risk" and snapshot.pace == D("108.5")
    assert snapshot.detail["plan"] == {"kind": "slipped", "days": 5, "initiative_id": snapshot.detail["plan"][
        "initiative_id"], "initiative": "Channel partners"}  # fmt: skip
    client = login(manager)
    card = client.get(
        reverse("team_dashboard", args=[org.slug, ahead_but_slipping["team"].pk])
    ).content.decode()
    assert "8.5% ahead of the expected path. " + REASON in card
    page = client.get(reverse("goal_detail", args=[org.slug, goal.pk])).content.decode()
    progress = page.split('data-testid="goal-progress"')[1].split("</div>")[0]
    assert "At risk" in progress and REASON in progress
    indicators_page = client.get(reverse("tracking_index", args=[org.slug])).content.decode()
    assert REASON in indicators_page
    api = APIClient()
    api.force_authenticate(manager.user)
    latest = api.get(f"/api/v1/orgs/{org.slug}/indicators/latest/", {"goal": goal.pk}).json()["results"][0]
    assert latest["status"] == "at_risk" and REASON in latest["status_reason"]
    body = api.get(f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/").json()["attainment"]
    assert body["status"] == "at_risk" and REASON in body["status_reason"]


def test_off_track_says_how_far_behind_the_path(org, manager):
    today = org_today(org)
    start = today - timedelta(days=30)
    goal = factories.goal(org, manager, title="Deals", team=factories.team(org, managers=[manager]), scope=Scope.TEAM,
                          start_date=start, end_date=start + timedelta(days=99), status=Status.ACTIVE,
                          base=D(800), challenge=D(1000), stretch=D(1200))  # fmt: skip
    services.entry_create(org=org, actor=manager, data=services.EntryInput(
        goal_id=goal.pk, value="264", day=(today - timedelta(days=1)).isoformat()))  # fmt: skip
    services.indicators_recompute(org=org)
    snapshot = IndicatorSnapshot.objects.get(goal=goal, metric_key=0, day=today)
    assert snapshot.status == "off_track" and snapshot.status_reason == "12.0% behind the expected path."
