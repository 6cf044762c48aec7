"""A member logs the stand-up on a phone; the manager reads the team board, opens the sales
team's alert, records its cause and corrective action, and reads the indicators."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tracking import services
from tracking.models import Alert, CorrectiveAction, MetricEntry, Standup

from .conftest import ARTIFACTS, assert_accessible, pick_person
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    sales = factories.team(org, "Sales")
    manager = factories.member(org, Role.MANAGER, name="Sun Manager", teams=[sales])
    sales.managers.add(manager)
    seller = factories.member(org, Role.MEMBER, name="钱七", teams=[sales])
    today = org_today(org)
    goal = factories.goal(org, manager, title="Q4 deal value", team=sales, metric_name="Deal value",
                          start_date=today - timedelta(days=45), end_date=today + timedelta(days=45),
                          base=D(900000), challenge=D(1000000), stretch=D(1200000), status="active")  # fmt: skip
    services.entries_save(org=org, actor=manager, rows=[services.EntryInput(
        goal_id=goal.pk, value="9600", day=(today - timedelta(days=n)).isoformat()) for n in range(1, 46)])  # fmt: skip
    services.indicators_recompute(org=org, since=goal.start_date)
    services.alerts_evaluate(org=org, goal_ids=[goal.pk])
    return {"org": org, "manager": manager, "seller": seller, "goal": goal}


def test_member_logs_a_standup_and_the_manager_handles_the_alert(page, browser, live_server, world):
    if page.viewport_name == "phone":
        sign_in(page, world["seller"].user.email)
        page.goto("/o/acme/tracking/standup/")
        assert_accessible(page)
        page.locator("#id_yesterday").fill("Visited 4 customers in the East")
        page.locator("#id_today").fill("Proposal for a new customer segment")
        page.locator("#id_blockers").fill("Competitor cut prices in the East")
        page.locator(f"#id_value_{world['goal'].pk}").fill("48,000")
        page.locator("label", has_text="4 · Good").click()
        page.get_by_role("button", name="Save stand-up").click()
        expect(page.locator(".message-success")).to_contain_text("Stand-up saved")
        assert_accessible(page)
        standup = Standup.objects.get()
        assert standup.mood == 4 and MetricEntry.objects.filter(standup=standup).get().value == D(48000)
        page.screenshot(path=str(ARTIFACTS / "standup-phone.png"), full_page=True)
        return

    sign_in(page, world["manager"].user.email)
    services.standup_submit(member=world["seller"], actor=world["seller"], data=services.StandupInput(
        day=org_today(world["org"]), today="Proposal", blockers="Competitor cut prices in the East"))  # fmt: skip
    page.goto(f"/o/acme/tracking/teams/{world['goal'].team_id}/board/")
    expect(page.get_by_test_id("checked-in")).to_have_text("1 / 2")
    expect(page.get_by_test_id("blockers")).to_contain_text("Competitor cut prices")
    assert_accessible(page)
    page.get_by_test_id("inbox-link").click()
    expect(page.get_by_test_id("inbox")).to_contain_text("behind where it should be")
    assert_accessible(page)
    page.get_by_test_id("inbox").get_by_role("link").first.click()
    expect(page.get_by_test_id("alert-message")).to_contain_text("Q4 deal value is")
    assert_accessible(page)
    page.locator("#id_cause").select_option("competition")
    page.locator("#id_cause_note").fill("Competition intensified in a key region")
    page.locator("#id_action").fill("More promotion budget there, and a new customer segment")
    pick_person(page.locator("#id_owner"), "Sun Manager")
    page.locator("#id_due_date").fill((org_today(world["org"]) + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save cause and action").click()
    expect(page.get_by_test_id("alert-state")).to_have_text("Acknowledged")
    expect(page.get_by_test_id("actions")).to_contain_text("More promotion budget there")
    assert_accessible(page)
    alert = Alert.objects.get(kind="lagging_behind")
    assert alert.cause == "competition" and CorrectiveAction.objects.get().alert == alert
    page.goto("/o/acme/tracking/")
    expect(page.get_by_test_id("indicators")).to_contain_text("Off track")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "tracking-overview-desktop.png"), full_page=True)
    page.goto(f"/o/acme/tracking/teams/{world['goal'].team_id}/")
    chart = page.get_by_test_id(f"burnup-{world['goal'].pk}")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(chart).to_contain_text("Challenge")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "team-dashboard-desktop.png"), full_page=True)
    page.goto(f"/o/acme/tracking/teams/{world['goal'].team_id}/weekly/")
    expect(page.get_by_test_id("review-goals")).to_contain_text("Q4 deal value")
    expect(page.get_by_test_id("review-blockers")).to_contain_text("Competitor cut prices")
    expect(page.get_by_test_id("review-actions")).to_contain_text("More promotion budget there")
    assert_accessible(page)
    page.locator("#id_decisions").fill("Shift two reps to the East next week")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("Review saved")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "weekly-review-desktop.png"), full_page=True)
