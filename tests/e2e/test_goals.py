"""A manager sets a goal with three tiers while the SMART checklist reacts, decomposes it into
weeks; a member comments on it from a phone; a revision is requested and approved and both
versions are visible."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from teams.models import Role
from tests import factories

from .conftest import ARTIFACTS, assert_accessible
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    ops = factories.team(org, "Operations")
    head = factories.member(org, Role.ADMIN, name="Hana Head")
    manager = factories.member(org, Role.MANAGER, name="Chen Manager", teams=[ops])
    ops.managers.add(manager)  # 陈经理 manages the operations team
    member = factories.member(org, Role.MEMBER, name="Zhang San", teams=[ops])
    strategy = factories.goal(org, head, title="2026 growth strategy", start_date=date(2026, 1, 1),
                              end_date=date(2026, 12, 31), rationale="Company priority", status="active")  # fmt: skip
    return {"org": org, "ops": ops, "head": head, "manager": manager, "member": member, "strategy": strategy}


def criterion(page, key: str):
    return page.locator(f"#smart-panel [data-criterion='{key}']")


def test_manager_sets_and_decomposes_a_goal_member_comments_and_a_revision_is_approved(
    page, browser, live_server, world
):
    sign_in(page, world["manager"].user.email)
    page.goto("/o/acme/goals/")
    assert_accessible(page)
    page.get_by_role("link", name="+ New goal").click()
    expect(criterion(page, "specific")).to_have_class(re.compile("missing"))
    assert_accessible(page)

    page.get_by_label("Title").fill("200,000 new registered users")
    page.get_by_label("Description").fill("Operations, this quarter.")
    expect(criterion(page, "specific")).to_have_class(re.compile(r"\bok\b"))
    expect(criterion(page, "measurable")).to_have_class(re.compile("missing"))
    page.get_by_label("Team").select_option(label="Operations")
    page.get_by_label("Serves (parent goal)").select_option(label="2026 growth strategy")
    page.get_by_label("Metric").fill("New registered users")
    page.get_by_label("Start").fill("2026-10-01")
    page.get_by_label("End").fill("2026-12-31")
    page.get_by_label("Base target").fill("160000")
    page.get_by_label("Challenge target").fill("200000")
    page.get_by_label("Stretch target").fill("240000")
    for key in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        expect(criterion(page, key)).to_have_class(re.compile(r"\bok\b"))
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"goal-form-{page.viewport_name}.png"), full_page=True)
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_test_id("goal-status")).to_have_text("Draft")
    assert_accessible(page)
    goal_url = page.url

    page.get_by_role("link", name="Decompose").click()
    expect(page.get_by_test_id("slice-table").locator("tbody tr")).to_have_count(14)
    assert_accessible(page)
    expect(page.get_by_test_id("difference")).to_have_class(re.compile("reconciled"))
    # The first week (1–4 October, a partial one) gets 4/92 of the quarter; nudge it up a little.
    first_week = page.locator("input[name='challenge_0']")
    current = Decimal(first_week.input_value().replace(",", ""))
    assert Decimal(8695) <= current <= Decimal(8696)
    first_week.fill(str(current + 14))
    page.locator("input[name='challenge_0']").press("Tab")  # a change is checked when the field is left
    expect(page.get_by_test_id("difference")).to_have_class(re.compile("mismatch"))
    assert_accessible(page)
    page.get_by_label("Reason for accepting the difference").fill("Campaign launch week")
    page.get_by_role("button", name="Save targets").click()
    expect(page).to_have_url(goal_url)
    page.get_by_role("button", name="Ask the team for input").click()
    expect(page.get_by_test_id("goal-status")).to_have_text("Open for team input")

    # A member comments from a phone, proposing other targets.
    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    member_page = phone.new_page()
    sign_in(member_page, world["member"].user.email)
    member_page.goto(goal_url)
    assert_accessible(member_page)
    member_page.locator("#id_body").fill("The referral campaigns can bring 80k users.")
    member_page.get_by_label("Propose base").fill("170000")
    member_page.get_by_label("Propose challenge").fill("210000")
    member_page.get_by_label("Propose stretch").fill("250000")
    member_page.get_by_role("button", name="Comment", exact=True).click()
    expect(member_page.get_by_test_id("proposals")).to_contain_text("Zhang San")
    assert_accessible(member_page)
    assert member_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    member_page.screenshot(path=str(ARTIFACTS / "goal-member-phone.png"), full_page=True)
    phone.close()

    page.reload()
    expect(page.get_by_test_id("proposals")).to_contain_text("250,000")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_test_id("goal-status")).to_have_text("Active")

    page.get_by_text("Request a revision").click()
    page.get_by_label("Reason").select_option(label="Epidemic / force majeure")
    page.get_by_label("What changed").fill("Offline channels closed for four weeks.")
    page.get_by_label("New base target").fill("140000")
    page.get_by_label("New challenge target").fill("180000")
    page.get_by_label("New stretch target").fill("220000")
    page.get_by_label("Effective from").fill("2026-11-16")
    page.get_by_role("button", name="Request revision").click()
    expect(page.get_by_test_id("revisions")).to_contain_text("Pending")
    assert_accessible(page)

    # The owner of the strategy goal approves.
    head_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    head_page = head_context.new_page()
    sign_in(head_page, world["head"].user.email)
    head_page.goto(goal_url)
    head_page.get_by_role("button", name="Approve").click()
    versions = head_page.get_by_test_id("versions")
    expect(versions.locator("tbody tr")).to_have_count(2)
    expect(versions).to_contain_text("Hana Head")
    assert_accessible(head_page)
    expect(head_page.get_by_test_id("targets").locator(".tiers").first).to_contain_text("180,000")
    head_page.screenshot(path=str(ARTIFACTS / "goal-revised-desktop.png"), full_page=True)
    head_context.close()


def test_a_manager_reads_another_teams_goal_without_controls_to_change_it(page, browser, live_server, world):
    """The operations manager opens the sales team's goal: it reads the same, with no Edit, no
    status buttons, no decomposition and no supporting-metric form; their own team's goal has them."""
    org = world["org"]
    sales = factories.team(org, "Sales", managers=[factories.member(org, Role.MANAGER, name="Sales Manager")])
    theirs = factories.goal(org, world["head"], title="Q4 deal value", team=sales, scope="team",
                            parent=world["strategy"], start_date=date(2026, 10, 1), end_date=date(2026, 12, 31),
                            status="active")  # fmt: skip
    mine = factories.goal(org, world["head"], title="200,000 new users", team=world["ops"], scope="team",
                          parent=world["strategy"], start_date=date(2026, 10, 1), end_date=date(2026, 12, 31),
                          status="active")  # fmt: skip
    sign_in(page, world["manager"].user.email)
    page.goto(f"/o/acme/goals/{theirs.pk}/")
    expect(page.get_by_role("heading", name="Q4 deal value")).to_be_visible()
    expect(page.get_by_test_id("goal-status")).to_have_text("Active")
    for name in ("Edit", "Decompose", "Close as achieved", "Close as missed", "Cancel goal"):
        for role in ("link", "button"):
            expect(page.get_by_role(role, name=name, exact=True)).to_have_count(0)
    expect(page.get_by_text("Add a supporting metric")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / f"goal-other-team-{page.viewport_name}.png"), full_page=True)
    page.goto(f"/o/acme/goals/{mine.pk}/")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Cancel goal")).to_be_visible()
