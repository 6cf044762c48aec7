"""After an approved revision, progress is measured against the targets in force (the newest
approved version effective on the day) wherever a page shows it, beside those same targets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from goals import services as goal_services
from goals.models import Revision, Scope, Status
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tracking import services


@pytest.fixture
def revised(org, admin, manager):
    """A team goal half way to its challenge target of 1,000 (500 recorded, indicators computed)."""
    today = org_today(org)
    team = factories.team(org, "Sales")
    goal = factories.goal(org, manager, title="Deal value", team=team, scope=Scope.TEAM,
                          start_date=today - timedelta(days=20), end_date=today + timedelta(days=40),
                          base=D(900), challenge=D(1000), stretch=D(1200), status=Status.ACTIVE)  # fmt: skip
    services.entry_create(org=org, actor=manager, data=services.EntryInput(
        goal_id=goal.pk, value="500", day=(today - timedelta(days=2)).isoformat()))  # fmt: skip
    services.indicators_recompute(org=org)

    def revise(effective_from):
        revision = goal_services.revision_request(
            goal=goal, requester=manager, reason=Revision.Reason.MARKET, comment="Competition in the East",
            base=D(700), challenge=D(800), stretch=D(1000), effective_from=effective_from,
        )  # fmt: skip
        goal_services.revision_decide(revision=revision, decider=admin, approve=True)

    return {"goal": goal, "today": today, "revise": revise, "team": team}


def test_progress_follows_an_approved_revision_before_the_recompute_has_run(org, manager, revised):
    goal = revised["goal"]
    # Approved from five days ago; the recompute it queues runs after the commit (not in this test),
    # so the stored indicator still says 50 % of 1,000.
    revised["revise"](revised["today"] - timedelta(days=5))
    client = login(manager)
    page = client.get(reverse("goal_detail", args=[org.slug, goal.pk])).content.decode()
    targets = page.split('data-testid="targets"')[1].split("</section>")[0]
    assert "<dd>800</dd>" in targets and "62.5%" in targets  # 500 of 800
    assert "Of the challenge target 800 in force (v2)" in targets
    tree = client.get(reverse("goals_index", args=[org.slug])).content.decode()
    assert 'value="62.5"' in tree and "<dd>800</dd>" in tree
    dashboard = client.get(reverse("team_dashboard", args=[org.slug, revised["team"].pk])).content.decode()
    assert "500 of 800 (62.5%)" in dashboard
    api = APIClient()
    api.force_authenticate(manager.user)
    body = api.get(f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/").json()["attainment"]
    assert (body["percent"], body["target"], body["target_version"]) == ("62.5", "800.0000", 2)


def test_a_revision_that_takes_effect_later_is_shown_beside_the_targets_in_force(org, manager, revised):
    goal = revised["goal"]
    revised["revise"](revised["today"] + timedelta(days=10))
    page = login(manager).get(reverse("goal_detail", args=[org.slug, goal.pk])).content.decode()
    targets = page.split('data-testid="targets"')[1].split("</section>")[0]
    tiers = targets.split('class="tiers tiers-large"')[1].split("</dl>")[0]
    assert "<dd>1,000</dd>" in tiers and "800" not in tiers  # still in force today
    assert "50.0%" in targets and "Of the challenge target 1,000 in force (v1)" in targets
    assert "Revised targets v2 take effect on" in targets
