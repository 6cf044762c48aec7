"""A member moves the what-if slider on a phone and sees the pay and its explanation change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from incentives import services
from incentives.services import SchemeInput
from teams.models import Role
from tests import factories

from .conftest import ARTIFACTS, assert_accessible, pick_person
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_moves_the_what_if_slider(page, browser, live_server):
    org = factories.organization(name="Acme Growth", slug="acme")
    hr = factories.member(org, Role.HR)
    member = factories.member(org, Role.MEMBER, name="张三")
    scheme = services.scheme_save(org=org, actor=hr, data=SchemeInput(
        name="Sales 2026", target_bonus=D(20000), threshold=D(60),
        bands=[["100", "120", "0.05"], ["120", None, "0.10"]]))  # fmt: skip
    services.scheme_assign(scheme=scheme, actor=hr, membership=member)
    services.salary_set(org=org, actor=hr, membership=member, base=D(30000), effective_from=date(2026, 1, 1))
    sign_in(page, member.user.email)
    page.goto("/o/acme/incentives/")
    expect(page.get_by_test_id("payout-curve").locator("svg.main-svg").first).to_be_visible()
    assert_accessible(page)
    page.get_by_test_id("slider").fill("112")
    expect(page.get_by_test_id("explanation")).to_contain_text(
        "Commission 12 points × 5% × ¥20,000 = ¥12,000."
    )
    expect(page.get_by_test_id("total")).to_have_text("62,000.00")
    page.get_by_test_id("slider").fill("80")
    expect(page.get_by_test_id("explanation")).to_contain_text("Performance bonus 50% of ¥20,000 = ¥10,000.")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"incentives-what-if-{page.viewport_name}.png"), full_page=True)


def test_hr_builds_the_scheme_runs_adjusts_and_exports_after_approval(page, browser, live_server, tmp_path):
    """The whole payroll path in the browser: HR builds the article's scheme, assigns it and sets a
    salary, moves the what-if slider, starts the run, adjusts one line with a reason and submits;
    an admin approves; HR downloads the XLSX, whose totals the test reads back."""
    import openpyxl

    from teams.selectors import org_today
    from tracking import services as tracking

    org = factories.organization(name="Acme Growth", slug="acme")
    hr = factories.member(org, Role.HR, name="HR 王芳")
    admin = factories.member(org, Role.ADMIN, name="Admin 李雷")
    member = factories.member(org, Role.MEMBER, name="张三")
    today = org_today(org)
    goal = factories.goal(org, member, scope="personal", start_date=today.replace(day=1), end_date=today,
                          base=D(90), challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    tracking.entries_save(org=org, actor=member, rows=[tracking.EntryInput(goal_id=goal.pk, value="112")])
    tracking.indicators_recompute(org=org)

    sign_in(page, hr.user.email)
    page.goto("/o/acme/incentives/schemes/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Article scheme 2026")
    page.get_by_label("Target bonus (amount)").fill("20000")
    page.get_by_label("Cap (× target bonus)").fill("3")
    page.get_by_role("button", name="Save scheme").click()
    expect(page.locator(".message-success")).to_contain_text("Article scheme 2026")
    scheme = page.get_by_test_id("schemes").locator("article", has_text="Article scheme 2026")
    pick_person(scheme.get_by_label("Person"), "张三")
    scheme.get_by_role("button", name="Assign").click()
    salaries = page.get_by_test_id("salaries")
    pick_person(salaries.get_by_label("Person"), "张三")
    salaries.get_by_label("Base salary").fill("30000")
    salaries.get_by_label("Effective from").fill("2026-01-01")
    salaries.get_by_role("button", name="Save").click()
    expect(page.locator(".message-success")).to_contain_text("Salary saved")
    assert_accessible(page)

    page.goto(f"/o/acme/incentives/?member={member.pk}")
    expect(page.get_by_test_id("attainment")).to_have_text("112.0%")
    page.get_by_test_id("slider").fill("130")
    expect(page.get_by_test_id("explanation")).to_contain_text(
        "Commission 10 points × 10% × ¥20,000 = ¥20,000."
    )
    # 30,000 + 20,000 + (20 × 5% + 10 × 10%) × 20,000
    expect(page.get_by_test_id("total")).to_have_text("90,000.00")
    assert_accessible(page)

    page.get_by_role("link", name="Payout runs").click()
    page.get_by_role("button", name="Start the run").click()
    expect(page.get_by_test_id("run-status")).to_have_text("In review by HR")
    line = page.get_by_test_id(f"line-{member.pk}")
    expect(line).to_contain_text("62,000.00")
    assert_accessible(page)
    line.get_by_text("张三").click()
    adjust = page.get_by_test_id(f"adjust-{member.pk}")
    adjust.get_by_label("Adjustment").fill("-500")
    adjust.get_by_role("button", name="Adjust").click()  # no reason: the browser holds the form back
    expect(adjust.get_by_label("Reason")).to_be_focused()
    expect(page.get_by_test_id("run-total")).to_have_text("62,000.00")
    adjust.get_by_label("Adjustment").fill("-500")
    adjust.get_by_label("Reason").fill("迟交周报 / late weekly report")
    adjust.get_by_role("button", name="Adjust").click()
    expect(page.get_by_test_id("run-total")).to_have_text("61,500.00")
    assert_accessible(page)
    page.get_by_test_id("submit-run").click()
    expect(page.get_by_test_id("run-status")).to_have_text("Submitted for approval")
    run_url = page.url

    page.context.clear_cookies()
    sign_in(page, admin.user.email)
    page.goto(run_url)
    page.get_by_test_id("approve-run").click()
    expect(page.get_by_test_id("run-status")).to_have_text("Approved and locked")
    expect(page.get_by_test_id(f"adjust-{member.pk}")).to_have_count(0)  # locked: nothing to change
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, hr.user.email)
    page.goto(run_url)
    with page.expect_download() as caught:
        page.get_by_test_id("export-xlsx").click()
    path = tmp_path / caught.value.suggested_filename
    caught.value.save_as(path)
    book = openpyxl.load_workbook(path)
    detail = list(book["Detail"].iter_rows(values_only=True))
    assert detail[1][1] == "张三" and D(str(detail[1][9])) == D("61500")
    assert D(str(detail[1][8])) == D("-500") and detail[1][10] == "迟交周报 / late weekly report"
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[-1][0] == "All teams" and D(str(summary[-1][6])) == D("61500")
    page.screenshot(path=str(ARTIFACTS / f"incentives-run-{page.viewport_name}.png"), full_page=True)
