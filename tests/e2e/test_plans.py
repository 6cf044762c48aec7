"""A manager builds a plan inline and opens the Gantt; an owner updates progress from a phone."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from teams.models import Role
from tests import factories

from .conftest import ARTIFACTS, add_person, assert_accessible, pick_person
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    ops = factories.team(org, "Operations")
    manager = factories.member(org, Role.MANAGER, name="Chen Manager", teams=[ops])
    ops.managers.add(manager)  # 陈经理 manages the operations team
    owner = factories.member(org, Role.MEMBER, name="张三", teams=[ops])
    for name in ("李四", "王五", "赵六"):
        factories.member(org, Role.MEMBER, name=name, teams=[ops])
    goal = factories.goal(org, manager, title="200,000 new registered users", team=ops, scope="team",
                          start_date=date(2026, 10, 1), end_date=date(2026, 12, 31), status="active")  # fmt: skip
    return {"manager": manager, "owner": owner, "goal": goal}


def test_manager_builds_the_plan_and_owner_reports_progress(page, browser, live_server, world):
    sign_in(page, world["manager"].user.email)
    page.goto(f"/o/acme/plans/goals/{world['goal'].pk}/")
    assert_accessible(page)
    # The article's action plan, row by row: dimension, initiative, owner, when, resource needs.
    article = [
        ("User acquisition", "3 online referral campaigns", "张三", "2026-10-01", "2026-10-28", "5000",
         ["Design"], "P0 · critical"),
        ("User acquisition", "5 channel partners", "李四", "2026-10-08", "2026-11-11", "", ["Legal support"],
         "P1 · high"),
        ("User retention", "Improve onboarding", "王五", "2026-10-15", "2026-11-04", "", ["Product development"],
         "P1 · high"),
        ("User retention", "Community operations", "赵六", "2026-10-01", None, "", ["Customer-service staff"],
         "P2 · normal"),
    ]  # fmt: skip
    for dimension, title, owner, start, due, budget, needs, priority in article:
        add = page.locator("form.plan-form").last  # the add form (swapped in again after each row)
        add.locator("#id_dimension_name").fill(dimension)
        add.locator("#id_title").fill(title)
        pick_person(add.locator("#id_owner"), owner)
        add.locator("#id_start_date").fill(start)
        if due:
            add.locator("#id_due_date").fill(due)
        else:
            add.get_by_label("Ongoing").check()
        add.locator("#id_budget").fill(budget)
        for need in needs:
            add.get_by_label(need, exact=True).check()
        add.locator("#id_priority").select_option(label=priority)
        add.get_by_role("button", name="Add to the plan").click()
        expect(page.get_by_test_id("plan-table")).to_contain_text(title)
    table = page.get_by_test_id("plan-table")
    expect(table.locator("tbody tr")).to_have_count(4)
    assert_accessible(page)
    for when, row_title in [("weeks 1–4", "3 online referral campaigns"), ("weeks 2–6", "5 channel partners"),
                            ("weeks 3–5", "Improve onboarding"), ("ongoing", "Community operations")]:  # fmt: skip
        expect(table.locator("tr", has_text=row_title)).to_contain_text(when)
    campaigns = table.locator("tr", has_text="3 online referral campaigns")
    expect(campaigns).to_contain_text("5,000.00 CNY")
    expect(campaigns).to_contain_text("Design")
    expect(table.locator("tr", has_text="5 channel partners")).to_contain_text("Legal support")
    expect(table.locator("tr", has_text="Improve onboarding")).to_contain_text("Product development")
    expect(table.locator("tr", has_text="Community operations")).to_contain_text("Customer-service staff")
    # A bad row is explained in place and nothing is added.
    page.locator("#id_title").fill("Bad row")
    pick_person(page.locator("#id_owner"), "张三")
    page.locator("#id_start_date").fill("2026-11-01")
    page.locator("#id_due_date").fill("2026-10-01")
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.locator(".field-error, .form-errors").first).to_contain_text(
        "The due date must not be before the start."
    )
    assert_accessible(page)
    expect(table.locator("tbody tr")).to_have_count(4)
    # Edit a row in place: move the partners' due date (the original stays visible as a slip).
    page.locator("tr", has_text="5 channel partners").get_by_role("link", name="Edit").click()
    row_form = page.locator("tr.editing")
    expect(row_form).to_be_visible()
    assert_accessible(page)
    row_form.locator("input[name='due_date']").fill("2026-11-18")
    row_form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("plan-table")).to_contain_text("was 11-11")
    deps = page.get_by_test_id("dependencies")
    # The two ends are picked by typing part of a title (an initiative picker, not a <select>).
    pick_person(deps.get_by_role("combobox", name="Finish"), "3 online referral campaigns")
    pick_person(deps.get_by_role("combobox", name="before starting"), "5 channel partners")
    deps.get_by_role("button", name="Add dependency").click()
    expect(page.get_by_test_id("dependencies")).to_contain_text(
        "“3 online referral campaigns” → “5 channel partners”"
    )
    # The partners start on 8 October, before the campaigns end: the plan warns.
    expect(page.get_by_test_id("conflicts")).to_contain_text("Starts before a predecessor finishes.")
    assert_accessible(page)
    deps = page.get_by_test_id("dependencies")
    pick_person(deps.get_by_role("combobox", name="Finish"), "5 channel partners")
    pick_person(deps.get_by_role("combobox", name="before starting"), "3 online referral campaigns")
    deps.get_by_role("button", name="Add dependency").click()
    expect(page.locator(".messages .message-error")).to_contain_text("This would create a cycle")
    expect(page.get_by_test_id("dependencies").locator("li")).to_have_count(1)
    # Budget moves pick their two initiatives by typing too; the source offers only those with budget.
    move = page.get_by_test_id("budget")
    source = move.get_by_role("combobox", name="From")
    source.click()
    source.fill("channel")
    expect(page.locator("#move-source_options")).to_contain_text("No initiative found")
    pick_person(source, "3 online referral campaigns")
    pick_person(move.get_by_role("combobox", name="To"), "5 channel partners")
    move.get_by_placeholder("Amount").fill("1000")
    move.get_by_placeholder("Reason").fill("Partners need design work")
    page.screenshot(path=str(ARTIFACTS / f"plan-pickers-{page.viewport_name}.png"), full_page=False)
    move.get_by_role("button", name="Move").click()
    expect(page.locator(".messages")).to_contain_text("Budget moved.")
    assert_accessible(page)
    page.get_by_role("link", name="Gantt chart").click()
    expect(page.locator("#gantt .main-svg").first).to_be_attached()
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"gantt-{page.viewport_name}.png"), full_page=True)

    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    owner_page = phone.new_page()
    sign_in(owner_page, world["owner"].user.email)
    owner_page.goto("/o/acme/plans/")
    mine = owner_page.get_by_test_id("my-initiatives")
    expect(mine).to_contain_text("3 online referral campaigns")
    assert_accessible(owner_page)
    mine.locator("input[name='progress']").first.fill("60")
    mine.get_by_role("button", name="Update").first.click()
    expect(owner_page.locator(".messages")).to_contain_text("Progress saved.")  # back on the list, next item
    expect(owner_page).to_have_url(re.compile(r"/o/acme/plans/$"))
    owner_page.get_by_test_id("my-initiatives").get_by_role(
        "link", name="3 online referral campaigns"
    ).click()
    expect(owner_page.get_by_test_id("plan-table")).to_contain_text("60%")
    assert_accessible(owner_page)
    assert owner_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    owner_page.screenshot(path=str(ARTIFACTS / "plan-owner-phone.png"), full_page=True)
    phone.close()


def test_manager_forms_a_squad_and_sets_a_capacity(page, world):
    """专项小组 with people from two teams, then a person's capacity; both pages fit a phone."""
    design = factories.team(world["goal"].org, "Design")
    factories.member(world["goal"].org, Role.MEMBER, name="Designer Wu", teams=[design])
    sign_in(page, world["manager"].user.email)
    page.goto("/o/acme/plans/")
    page.get_by_role("link", name="Squads").click()
    assert_accessible(page)
    page.locator("#id_name").fill("Onboarding squad")
    pick_person(page.locator("#id_lead"), "王五")  # searched as you type, as the members
    add_person(page.locator("#id_members"), "Designer Wu")
    add_person(page.locator("#id_members"), "张三")
    page.get_by_role("button", name="Create the squad").click()
    expect(page.locator(".messages")).to_contain_text("Squad “Onboarding squad” created.")
    squad = page.locator("section.card", has_text="Onboarding squad").first
    expect(squad).to_contain_text("Lead: 王五")
    expect(squad).to_contain_text("Designer Wu")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.goto("/o/acme/plans/people/")
    row = page.locator("tr", has_text="张三")
    row.locator("input[name='load']").fill("4.5")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Capacity saved.")
    expect(page.locator("tr", has_text="张三").locator("input[name='load']")).to_have_value("4.50")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
