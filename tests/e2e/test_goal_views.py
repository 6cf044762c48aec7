"""What a person sees of goals on a phone and in 中文: the goal page, My work and the indicators fit
a 360 px screen; strategy goals show progress rolled up from their sub-goals; the team Gantt names
its initiatives under their goal and marks overdue work in words; the monthly review's chart ticks
on days, never on 00:00 / 12:00."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from goals.models import Scope, Status
from plans import services as plan_services
from plans.services import InitiativeInput
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tracking import services

from .conftest import ARTIFACTS, assert_accessible, assert_no_raw_values, assert_nothing_squeezed
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    ops = factories.team(org, "Operations")
    head = factories.member(org, Role.ADMIN, name="Hana Head")
    manager = factories.member(org, Role.MANAGER, name="Chen Manager", teams=[ops])
    ops.managers.add(manager)
    member = factories.member(org, Role.MEMBER, name="Zhang San", teams=[ops])
    today = org_today(org)
    start, end = today - timedelta(days=30), today + timedelta(days=60)
    strategy = factories.goal(org, head, title="Growth strategy: a larger, more active user base",
                              start_date=start, end_date=end, rationale="Company priority", status=Status.ACTIVE,
                              base=D(600000), challenge=D(720000), stretch=D(800000))  # fmt: skip
    users = factories.goal(org, manager, title="200,000 new registered users this quarter", parent=strategy,
                           team=ops, scope=Scope.TEAM, weight=D("0.25"), start_date=start, end_date=end,
                           base=D(160000), challenge=D(200000), stretch=D(240000), status=Status.ACTIVE)  # fmt: skip
    dau = factories.goal(org, manager, title="Daily active users +15%", parent=strategy, team=ops,
                         scope=Scope.TEAM, weight=D("0.1"), start_date=start, end_date=end, aggregation="latest",
                         base=D(10), challenge=D(15), stretch=D(20), status=Status.ACTIVE)  # fmt: skip
    for n in range(1, 31):
        day = today - timedelta(days=n)
        services.entry_create(org=org, actor=manager, data=services.EntryInput(
            goal_id=users.pk, value="2150", day=day.isoformat(), member_id=member.pk))  # fmt: skip
        services.entry_create(org=org, actor=manager, data=services.EntryInput(
            goal_id=dau.pk, value=str(D("12.5") + D(n) / 20), day=day.isoformat()))  # fmt: skip
    plan_services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Three online referral campaigns", goal=users, owner=member, start_date=start,
        due_date=today - timedelta(days=4), dimension_name="User acquisition"))  # fmt: skip
    plan_services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Five channel partners", goal=users, owner=member, start_date=today - timedelta(days=10),
        due_date=today + timedelta(days=20), dimension_name="User acquisition"))  # fmt: skip
    plan_services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Improve onboarding", goal=dau, owner=member, start_date=today, due_date=today + timedelta(days=14),
        dimension_name="User retention"))  # fmt: skip
    services.indicators_recompute(org=org, since=start)
    return {
        "org": org,
        "ops": ops,
        "manager": manager,
        "member": member,
        "strategy": strategy,
        "users": users,
    }


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def use_chinese(page) -> None:
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", re.compile("zh"))


def test_goal_page_my_work_and_indicators_fit_the_screen_in_both_languages(page, world):
    screen = page.viewport_size["width"]
    sign_in(page, world["member"].user.email)
    pages = {
        "goal": f"/o/acme/goals/{world['users'].pk}/",
        "strategy": f"/o/acme/goals/{world['strategy'].pk}/",
        "my-work": "/o/acme/tracking/me/",
        "indicators": "/o/acme/tracking/",
    }
    for language in ("en", "zh"):
        if language == "zh":
            use_chinese(page)
        for name, path in pages.items():
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            page.screenshot(
                path=str(ARTIFACTS / f"fit-{name}-{language}-{page.viewport_name}.png"), full_page=True
            )
            assert page_width(page) <= screen, (
                f"{name} ({language}) is {page_width(page)}px on a {screen}px screen"
            )
            assert_nothing_squeezed(page)
            assert_no_raw_values(page)
            assert_accessible(page)
        page.goto(pages["my-work"])
        # The key columns of My work are on screen, not hidden to the right.
        share = page.get_by_test_id("my-contribution").locator("td").filter(has_text="100.0%")
        expect(share).to_be_visible()
        assert share.bounding_box()["x"] + share.bounding_box()["width"] <= screen
        page.goto(pages["strategy"])
        progress = page.get_by_test_id("goal-progress")
        expect(progress).to_contain_text("%")
        expect(progress.get_by_test_id("rollup-note")).to_contain_text(
            "2 of 2 sub-goals" if language == "en" else "2 个子目标中已报数的 2 个"
        )


def test_team_gantt_names_initiatives_by_goal_and_says_overdue(page, world):
    if page.viewport_name == "phone":
        pytest.skip("the chart itself is a desktop view; its table is checked on the phone above")
    sign_in(page, world["manager"].user.email)
    page.goto(f"/o/acme/plans/teams/{world['ops'].pk}/gantt/")
    chart = page.get_by_test_id("gantt")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    ticks = chart.locator(".ytick text")
    expect(ticks.filter(has_text="Three online referral campaigns")).to_have_count(1)
    expect(ticks.filter(has_text="200,000 new registered users")).to_have_count(1)  # the goal's header row
    expect(chart).to_contain_text("overdue")
    table = page.get_by_test_id("gantt-table")
    # Plans count days in the server's time zone, the data was laid out in the organisation's.
    expect(table).to_contain_text(re.compile(r"Overdue by [345] days"))
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "team-gantt-desktop.png"), full_page=True)
    use_chinese(page)
    expect(page.get_by_test_id("gantt")).to_contain_text("已逾期")
    expect(page.get_by_test_id("gantt-table")).to_contain_text(re.compile(r"已逾期 [345] 天"))
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "team-gantt-desktop-zh.png"), full_page=True)


def test_monthly_chart_ticks_on_days_in_both_languages(page, world):
    sign_in(page, world["manager"].user.email)
    for language in ("en", "zh"):
        if language == "zh":
            use_chinese(page)
        page.goto(f"/o/acme/tracking/teams/{world['ops'].pk}/monthly/")
        chart = page.locator("[data-chart='trend']")
        expect(chart.locator("svg.main-svg").first).to_be_visible()
        labels = chart.locator(".xtick text").all_text_contents()
        assert labels, "the trend chart has date ticks"
        assert not [t for t in labels if ":" in t], f"time-of-day ticks on daily data: {labels}"
        assert all(re.fullmatch(r"(\d{4}-)?\d{2}-\d{2}", t) for t in labels), labels
        assert_accessible(page)
        page.screenshot(
            path=str(ARTIFACTS / f"monthly-trend-{language}-{page.viewport_name}.png"), full_page=True
        )
