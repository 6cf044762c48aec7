"""Forms in 中文 keep their dates and what was typed: a goal saved untouched keeps its period, a
refused weekly review keeps its decisions, the period fills in the dates, the time zone is found
by typing, on a phone and a desktop."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from teams.models import Role
from tests import factories

from .conftest import ARTIFACTS, assert_accessible, pick_person
from .test_shell import assert_fits_the_screen, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def chinese(membership) -> None:
    membership.user.language = "zh-hans"
    membership.user.save(update_fields=["language"])


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    ops = factories.team(org, "Operations")
    admin = factories.member(org, Role.ADMIN, name="Ada Admin")
    manager = factories.member(org, Role.MANAGER, name="陈经理", teams=[ops])
    ops.managers.add(manager)
    goal = factories.goal(org, manager, team=ops, title="新增注册用户 200,000", start_date=date(2027, 1, 1),
                          end_date=date(2027, 3, 31), rationale="增长优先")  # fmt: skip
    return {"org": org, "ops": ops, "admin": admin, "manager": manager, "goal": goal}


def test_a_goal_saved_untouched_in_chinese_keeps_its_dates(page, world):
    chinese(world["manager"])
    sign_in(page, world["manager"].user.email)
    page.goto(f"/o/acme/goals/{world['goal'].pk}/edit/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_label("开始日期")).to_have_value("2027-01-01")
    expect(page.get_by_label("结束日期")).to_have_value("2027-03-31")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"zh-goal-edit-{page.viewport_name}.png"), full_page=True)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/o/acme/goals/{world['goal'].pk}/$"))
    expect(page.get_by_role("status")).to_contain_text("目标已保存")
    assert_fits_the_screen(page)
    assert_accessible(page)
    world["goal"].refresh_from_db()
    assert (world["goal"].start_date, world["goal"].end_date) == (date(2027, 1, 1), date(2027, 3, 31))


def test_the_initiative_and_payout_forms_show_their_dates_in_chinese(page, world):
    from plans import services as plan_services

    chinese(world["manager"])
    goal = world["goal"]
    plan_services.initiative_create(
        org=world["org"], actor=world["manager"],
        data=plan_services.InitiativeInput(title="线上推荐活动", goal=goal, owner=world["manager"],
                                           start_date=date(2027, 1, 4), due_date=date(2027, 1, 31)),
    )  # fmt: skip
    sign_in(page, world["manager"].user.email)
    item = goal.initiatives.get()
    page.goto(f"/o/acme/plans/initiatives/{item.pk}/edit/")
    expect(page.get_by_label("开始日期")).to_have_value("2027-01-04")
    expect(page.get_by_label("完成时间")).to_have_value("2027-01-31")
    assert_accessible(page)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/o/acme/plans/goals/{goal.pk}/"))
    assert_accessible(page)
    item.refresh_from_db()
    assert (item.start_date, item.due_date) == (date(2027, 1, 4), date(2027, 1, 31))


def test_the_payout_run_asks_for_its_period_with_dates_in_chinese(page, world):
    hr = factories.member(world["org"], Role.HR, name="何人力")
    chinese(hr)
    sign_in(page, hr.user.email)
    page.goto("/o/acme/incentives/runs/")
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    expect(page.get_by_label("开始日期")).to_have_value(iso)  # the period, not 调出 (a budget transfer)
    expect(page.get_by_label("结束日期")).to_have_value(iso)
    expect(page.get_by_text("调出")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / f"zh-payout-runs-{page.viewport_name}.png"), full_page=True)
    assert_fits_the_screen(page)
    assert_accessible(page)


def test_choosing_a_period_fills_in_its_dates_in_chinese(page, world):
    from goals import selectors

    chinese(world["manager"])
    sign_in(page, world["manager"].user.email)
    page.goto("/o/acme/goals/new/")
    quarter = selectors.period_dates(org=world["org"], kind="quarter")
    month = selectors.period_dates(org=world["org"], kind="month")
    expect(page.get_by_label("开始日期")).to_have_value(quarter[0].isoformat())  # the default period, filled
    assert_accessible(page)
    page.get_by_label("周期").select_option(label="月度")
    expect(page.get_by_label("开始日期")).to_have_value(month[0].isoformat())
    expect(page.get_by_label("结束日期")).to_have_value(month[1].isoformat())
    page.get_by_label("开始日期").fill("2027-05-20")  # a chosen day: its period
    page.get_by_label("周期").select_option(label="季度")
    expect(page.get_by_label("开始日期")).to_have_value("2027-04-01")
    expect(page.get_by_label("结束日期")).to_have_value("2027-06-30")
    expect(page.locator("#smart-panel [data-criterion='time_bound']")).to_have_class(re.compile(r"\bok\b"))
    page.get_by_label("周期").select_option(label="自定义日期")  # custom: the dates stay as they are
    expect(page.get_by_label("开始日期")).to_have_value("2027-04-01")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"zh-goal-period-{page.viewport_name}.png"), full_page=True)


def test_a_long_weekly_review_decision_is_kept_with_the_reason_in_chinese(page, world):
    chinese(world["manager"])
    sign_in(page, world["manager"].user.email)
    page.goto(f"/o/acme/tracking/teams/{world['ops'].pk}/weekly/")
    decisions = page.locator("#review-decisions textarea")
    typed = "决定：华东区加大推广预算，新增客户群体。" + "细节" * 2600
    decisions.fill(typed)
    page.locator("#review-decisions").get_by_role("button", name="保存").click()
    expect(page.locator("#review-decisions .field-error")).to_contain_text("5000")
    expect(decisions).to_have_value(typed)  # nothing typed is lost
    expect(decisions).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"zh-review-refused-{page.viewport_name}.png"), full_page=True)
    decisions.fill(typed[:4000])
    page.locator("#review-decisions").get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("会议记录已保存")
    expect(decisions).to_have_value(typed[:4000])
    assert_accessible(page)


def test_the_time_zone_is_found_by_typing_and_an_unknown_one_is_refused(page, world):
    chinese(world["admin"])
    sign_in(page, world["admin"].user.email)
    page.goto("/o/acme/settings/")
    zone = page.get_by_label("时区")
    expect(zone).to_have_attribute("list", re.compile("options"))
    zone.fill("")
    zone.press_sequentially("Mars/Olympus")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#id_timezone_error")).to_contain_text("Mars/Olympus")
    expect(page.get_by_label("时区")).to_have_value("Mars/Olympus")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"zh-timezone-refused-{page.viewport_name}.png"), full_page=True)
    page.get_by_label("时区").fill("asia/tokyo")
    page.get_by_label("时区").press("Enter")  # the keyboard alone submits the form
    expect(page.get_by_role("status")).to_contain_text("组织设置已保存")
    expect(page.get_by_label("时区")).to_have_value("Asia/Tokyo")
    assert_fits_the_screen(page)
    assert_accessible(page)


def test_a_refused_salary_and_alert_rule_keep_what_was_typed_in_chinese(page, world, browser, live_server):
    hr = factories.member(world["org"], Role.HR, name="何人力")
    chinese(hr)
    sign_in(page, hr.user.email)
    page.goto("/o/acme/incentives/schemes/")
    salary = page.locator("form[action$='/salaries/']")
    pick_person(salary.get_by_role("combobox", name="人员"), "陈经理")
    salary.get_by_label("基础薪资").fill("-5")
    salary.get_by_label("生效日期").fill("2027-01-01")
    salary.get_by_role("button", name="保存").click()
    salary = page.locator("form[action$='/salaries/']")
    expect(salary.locator(".field-error")).to_contain_text("薪资不能为负数")
    expect(salary.get_by_label("基础薪资")).to_have_value("-5")
    expect(salary.get_by_label("生效日期")).to_have_value("2027-01-01")
    expect(salary.get_by_role("combobox", name="人员")).to_have_value("陈经理")  # the person chosen stays
    expect(salary.locator("input[data-picker-value]")).to_have_value(str(world["manager"].pk))
    salary.scroll_into_view_if_needed()
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"zh-salary-refused-{page.viewport_name}.png"), full_page=True)
    assert_fits_the_screen(page)

    admin_context = browser.new_context(base_url=live_server.url, viewport=page.viewport_size)
    admin_page = admin_context.new_page()
    chinese(world["admin"])
    sign_in(admin_page, world["admin"].user.email)
    admin_page.goto("/o/acme/tracking/channels/")
    rule = admin_page.locator("#rule-lagging_behind form")
    rule.locator("input[name='threshold']").fill("abc")
    rule.get_by_role("button", name="保存").click()
    rule = admin_page.locator("#rule-lagging_behind form")
    expect(rule.locator(".field-error")).to_contain_text("滞后指标落后于预期：请输入数字")
    expect(rule.locator("input[name='threshold']")).to_have_value("abc")
    expect(admin_page.get_by_text("预警规则“滞后指标落后于预期”已保存")).to_have_count(0)
    assert_accessible(admin_page)
    admin_page.screenshot(
        path=str(ARTIFACTS / f"zh-alert-rule-refused-{page.viewport_name}.png"), full_page=True
    )
    admin_context.close()
