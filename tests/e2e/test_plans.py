"""A manager builds a plan inline and opens the Gantt; an owner updates progress from a phone."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from teams.models import Role
from tests import factories

from .conftest import ARTIFACTS
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    ops = factories.team(org, "Operations")
    manager = factories.member(org, Role.MANAGER, name="Chen Manager", teams=[ops])
    owner = factories.member(org, Role.MEMBER, name="Zhang San", teams=[ops])
    goal = factories.goal(org, manager, title="200,000 new registered users", team=ops, scope="team",
                          start_date=date(2026, 10, 1), end_date=date(2026, 12, 31), status="active")  # fmt: skip
    return {"manager": manager, "owner": owner, "goal": goal}


def test_manager_builds_the_plan_and_owner_reports_progress(page, browser, live_server, world):
    sign_in(page, world["manager"].user.email)
    page.goto(f"/o/acme/plans/goals/{world['goal'].pk}/")
    for title, dimension, start, due, priority in [
        ("3 online referral campaigns", "User acquisition", "2026-10-01", "2026-10-28", "P0 · critical"),
        ("5 channel partners", "User acquisition", "2026-10-08", "2026-11-11", "P1 · high"),
    ]:
        page.locator("#id_dimension_name").fill(dimension)
        page.locator("#id_title").fill(title)
        page.locator("#id_owner").select_option(label="Zhang San")
        page.locator("#id_start_date").fill(start)
        page.locator("#id_due_date").fill(due)
        page.locator("#id_priority").select_option(label=priority)
        page.get_by_role("button", name="Add to the plan").click()
        expect(page.get_by_test_id("plan-table")).to_contain_text(title)
    table = page.get_by_test_id("plan-table")
    expect(table).to_contain_text("weeks 1–4")
    # A bad row is explained in place and nothing is added.
    page.locator("#id_title").fill("Bad row")
    page.locator("#id_owner").select_option(label="Zhang San")
    page.locator("#id_start_date").fill("2026-11-01")
    page.locator("#id_due_date").fill("2026-10-01")
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.locator(".field-error, .form-errors").first).to_contain_text(
        "The due date must not be before the start."
    )
    expect(table.locator("tbody tr")).to_have_count(2)
    # Edit a row in place: move the partners' due date (the original stays visible as a slip).
    page.locator("tr", has_text="5 channel partners").get_by_role("link", name="Edit").click()
    row_form = page.locator("tr.editing")
    row_form.locator("input[name='due_date']").fill("2026-11-18")
    row_form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("plan-table")).to_contain_text("was 11-11")
    deps = page.get_by_test_id("dependencies")
    deps.locator("#id_predecessor").select_option(label="3 online referral campaigns")
    deps.locator("#id_successor").select_option(label="5 channel partners")
    deps.get_by_role("button", name="Add dependency").click()
    expect(page.get_by_test_id("dependencies")).to_contain_text(
        "“3 online referral campaigns” → “5 channel partners”"
    )
    # The partners start on 8 October, before the campaigns end: the plan warns.
    expect(page.get_by_test_id("conflicts")).to_contain_text("Starts before a predecessor finishes.")
    deps = page.get_by_test_id("dependencies")
    deps.locator("#id_predecessor").select_option(label="5 channel partners")
    deps.locator("#id_successor").select_option(label="3 online referral campaigns")
    deps.get_by_role("button", name="Add dependency").click()
    expect(page.locator(".messages .message-error")).to_contain_text("This would create a cycle")
    expect(page.get_by_test_id("dependencies").locator("li")).to_have_count(1)
    page.get_by_role("link", name="Gantt chart").click()
    expect(page.locator("#gantt .main-svg").first).to_be_attached()
    page.screenshot(path=str(ARTIFACTS / f"gantt-{page.viewport_name}.png"), full_page=True)

    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    owner_page = phone.new_page()
    sign_in(owner_page, world["owner"].user.email)
    owner_page.goto("/o/acme/plans/")
    mine = owner_page.get_by_test_id("my-initiatives")
    expect(mine).to_contain_text("3 online referral campaigns")
    mine.locator("input[name='progress']").first.fill("60")
    mine.get_by_role("button", name="Update").first.click()
    expect(owner_page.locator(".messages")).to_contain_text("Progress saved.")  # back on the list, next item
    expect(owner_page).to_have_url(re.compile(r"/o/acme/plans/$"))
    owner_page.get_by_test_id("my-initiatives").get_by_role("link", name="3 online referral campaigns").click()
    expect(owner_page.get_by_test_id("plan-table")).to_contain_text("60%")
    assert owner_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    owner_page.screenshot(path=str(ARTIFACTS / "plan-owner-phone.png"), full_page=True)
    phone.close()
