"""The main flows in 中文, on a phone and a desktop, signed in through the page with the account's
language set to 中文: a manager sets a team goal with three tiers, decomposes it into weeks,
activates it and plans an initiative that the team Gantt names; a member logs the stand-up from
the landing page; the manager acknowledges the alert with a cause and a corrective action and
records the weekly review's decision; HR runs the payout, adjusts a line, an admin approves it and
HR downloads the XLSX; a colleague is nominated and the star shows on the honour board.

Every word the test looks for comes from the catalogue (`zh()` refuses a message with no 中文), so
an untranslated string fails here; every page visited passes axe's WCAG 2.1 AA rules and fits the
screen."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import translation
from playwright.sync_api import expect

from goals import selectors as goal_selectors
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tracking import services as tracking

from .conftest import (
    ARTIFACTS,
    VIEWPORTS,
    assert_accessible,
    assert_no_raw_values,
    assert_nothing_squeezed,
    pick_person,
)
from .test_payroll_widths import KEYS_VISIBLE
from .test_shell import assert_fits_the_screen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGE = "zh-hans"


def zh(message: str, context: str | None = None, **values) -> str:
    """The catalogue's 中文 for a message (with `context` for pgettext), filled with `values`.
    A message with Latin letters that comes back unchanged has no translation: that fails."""
    with translation.override(LANGUAGE):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    assert text != message or not re.search("[A-Za-z]", message), f"no 中文 in the catalogue for {message!r}"
    return text % values if values else text


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def screen(request) -> str:
    return request.param


@pytest.fixture
def zh_page(open_page, screen):
    """A page in the viewport under test whose browser asks for 中文 (the sign-in page is in 中文
    before anyone signs in)."""
    return open_page(screen, locale="zh-CN")


@pytest.fixture
def acme():
    """Acme's operations team (its manager and two members), HR and an admin, every account in 中文."""
    org = factories.organization(name="Acme Growth", slug="acme", creator=factories.user(name="创始人"))
    ops = factories.team(org, "运营团队")
    people = {
        "admin": factories.member(org, Role.ADMIN, name="李雷"),
        "hr": factories.member(org, Role.HR, name="王芳"),
        "manager": factories.member(org, Role.MANAGER, name="陈经理", teams=[ops]),
        "zhang": factories.member(org, Role.MEMBER, name="张三", teams=[ops]),
        "li": factories.member(org, Role.MEMBER, name="李四", teams=[ops]),
    }
    ops.managers.add(people["manager"])
    for membership in people.values():
        membership.user.language = LANGUAGE
        membership.user.save(update_fields=["language"])
    return {"org": org, "ops": ops, **people}


def field(scope, message: str, context: str | None = None):
    """The form field labelled with the 中文 of `message` (a required field's label ends in *)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(zh(message, context))}( \*)?$"))


def sign_in(page, membership, *, check_the_page: bool = False) -> None:
    """Signs in on the 中文 sign-in page, by its translated labels."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    if check_the_page:
        check(page, "sign-in")
    field(page, "E-mail").fill(membership.user.email)
    field(page, "Password").fill(factories.PASSWORD)
    page.get_by_role("button", name=zh("Sign in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/o/acme/$"))


# Latin words a 中文 page may show: names (the organisation's, the product's), codes and units.
NOT_ENGLISH = {"Acme", "Growth", "Stretch", "API", "SMART", "XLSX", "CSV", "CNY", "Webhook"}
NOT_ENGLISH |= {"PDF", "Markdown"}  # file formats, as XLSX and CSV (a retro's downloads)


def assert_no_english(page) -> None:
    """The page's words are in 中文: a Latin word that is not a name, a code or a unit is a
    string the catalogue does not translate (or a template that does not ask it to)."""
    words = set(re.findall(r"[A-Za-z]{3,}", page.locator("body").inner_text())) - NOT_ENGLISH
    assert not words, f"English on the 中文 page {page.url}: {sorted(words)}"


def check(page, name: str) -> None:
    """The page as it is now: in 中文, within the screen, no cell squeezed a character per line,
    no raw value, accessible; and a screenshot to look at."""
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"zh-{name}-{page.viewport_name}.png"), full_page=True)
    assert_fits_the_screen(page)
    assert_no_english(page)
    assert_no_raw_values(page)
    assert_nothing_squeezed(page)
    assert_accessible(page)


def test_manager_sets_decomposes_activates_and_plans_a_goal(zh_page, acme):
    page, org, ops = zh_page, acme["org"], acme["ops"]
    start, end = goal_selectors.period_dates(org=org, kind="quarter")
    year = goal_selectors.period_dates(org=org, kind="year")
    strategy = factories.goal(org, acme["admin"], title="年度增长战略", rationale="公司优先事项",
                              start_date=year[0], end_date=year[1], status="active")  # fmt: skip
    sign_in(page, acme["manager"], check_the_page=True)
    check(page, "home-manager")

    page.goto("/o/acme/goals/")
    check(page, "goals")
    page.get_by_role("link", name=f"+ {zh('New goal')}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("New goal"))
    field(page, "Title").fill("新增注册用户 200,000")
    field(page, "Description").fill("运营团队，本季度。")
    field(page, "Team").select_option(label="运营团队")
    field(page, "Serves (parent goal)").select_option(label=strategy.title)
    field(page, "Metric").fill("新增注册用户")
    field(page, "Unit").fill("人")
    # The period filled in the quarter's dates, as ISO values the date inputs show.
    expect(field(page, "Start")).to_have_value(start.isoformat())
    expect(field(page, "End")).to_have_value(end.isoformat())
    # Typed as a person writes them, with separators: the number fields keep the digits.
    for tier, typed in (
        ("Base target", "160,000"),
        ("Challenge target", "200,000"),
        ("Stretch target", "240,000"),
    ):
        field(page, tier).press_sequentially(typed)
        expect(field(page, tier)).to_have_value(typed.replace(",", ""))
    for key in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        expect(page.locator(f"#smart-panel [data-criterion='{key}']")).to_have_class(re.compile(r"\bok\b"))
    check(page, "goal-form")
    page.get_by_role("button", name=zh("Create draft")).click()
    expect(page.get_by_role("status")).to_contain_text(
        zh("Goal “%(title)s” created as a draft.", title="新增注册用户 200,000")
    )
    expect(page.get_by_test_id("goal-status")).to_have_text(zh("Draft"))
    targets = page.get_by_test_id("targets")
    for figure in ("160,000", "200,000", "240,000"):
        expect(targets).to_contain_text(figure)
    check(page, "goal-draft")
    goal_url = page.url

    page.get_by_role("link", name=zh("Decompose"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Decompose the targets"))
    weeks = page.get_by_test_id("slice-table").locator("tbody tr")
    expect(weeks.first).to_contain_text(zh("Week %(n)s", n=1))
    assert 13 <= weeks.count() <= 15
    expect(page.get_by_test_id("difference")).to_have_class(re.compile("reconciled"))
    check(page, "decompose")
    page.get_by_role("button", name=zh("Save targets")).click()
    expect(page).to_have_url(goal_url)
    page.get_by_role("button", name=zh("Activate")).click()
    expect(page.get_by_test_id("goal-status")).to_have_text(zh("Active"))
    check(page, "goal-active")

    page.goto("/o/acme/goals/")
    row = page.get_by_test_id("goal-tree").locator("article", has_text="新增注册用户 200,000")
    expect(row).to_contain_text(zh("Active"))
    expect(row).to_contain_text("200,000")
    expect(page.get_by_test_id("goal-tree").locator("article", has_text=strategy.title)).to_be_visible()
    check(page, "goal-tree")

    # The plan: an initiative with its owner, dates and budget.
    goal_id = int(goal_url.rstrip("/").rsplit("/", 1)[1])
    page.goto(f"/o/acme/plans/goals/{goal_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Action plan"))
    add = page.locator("form.plan-form").last
    field(add, "Goal dimension").fill("用户获取")
    field(add, "Initiative").fill("三场线上推荐活动")
    pick_person(field(add, "Owner"), "张三")
    today = org_today(org)  # work from today on, due within the goal's period: nothing overdue
    field(add, "Start").fill(today.isoformat())
    field(add, "Due").fill(min(today + timedelta(days=14), end).isoformat())
    field(add, "Budget").fill("5000")
    add.get_by_role("button", name=zh("Add to the plan")).click()
    plan = page.get_by_test_id("plan-table")
    campaign = plan.locator("tr", has_text="三场线上推荐活动")
    expect(campaign).to_contain_text("张三")
    expect(campaign).to_contain_text("用户获取")
    expect(campaign).to_contain_text("5,000.00")
    # Added in place (htmx): the confirmation shows here, and the plan's budget counts the row.
    expect(page.get_by_role("status")).to_contain_text(zh("Initiative added."))
    expect(page.get_by_test_id("plan-summary")).to_contain_text("5,000.00")
    check(page, "plan")

    page.goto(f"/o/acme/plans/teams/{ops.pk}/gantt/")
    expect(page.locator("main")).not_to_contain_text(zh("Initiative added."))  # said once, where it happened
    gantt = page.get_by_test_id("gantt")
    expect(gantt.locator("svg.main-svg").first).to_be_attached()
    expect(page.get_by_test_id("gantt-table")).to_contain_text("三场线上推荐活动")
    if page.viewport_name == "desktop":
        expect(gantt.locator(".ytick text").filter(has_text="三场线上推荐活动")).to_have_count(1)
    check(page, "team-gantt")


@pytest.fixture
def behind(acme):
    """A team goal about 10 % behind its pace, with the open alert that says so."""
    org, manager = acme["org"], acme["manager"]
    today = org_today(org)
    goal = factories.goal(org, manager, title="季度成交额", team=acme["ops"], scope="team", metric_name="成交额",
                          start_date=today - timedelta(days=45), end_date=today + timedelta(days=45),
                          base=D(900000), challenge=D(1000000), stretch=D(1200000), status="active")  # fmt: skip
    tracking.entries_save(org=org, actor=manager, rows=[tracking.EntryInput(
        goal_id=goal.pk, value="9600", day=(today - timedelta(days=n)).isoformat()) for n in range(1, 46)])  # fmt: skip
    tracking.indicators_recompute(org=org, since=goal.start_date)
    tracking.alerts_evaluate(org=org, goal_ids=[goal.pk])
    return goal


def test_member_checks_in_and_the_manager_acts_on_the_alert(zh_page, acme, behind):
    from tracking.models import Alert, MetricEntry, Standup

    page, ops = zh_page, acme["ops"]
    # The member logs today's stand-up, with a number, from the page they land on.
    sign_in(page, acme["zhang"])
    panel = page.get_by_test_id("home-standup")
    expect(panel.get_by_role("heading")).to_have_text(zh("Today's stand-up"))
    check(page, "home-member")
    field(panel, "Today").fill("为新客户群体准备方案")
    field(panel, "Blockers").fill("华东区竞争对手降价")
    panel.get_by_label("成交额").fill("9,600")
    panel.get_by_role("button", name=zh("Save stand-up")).click()
    expect(page.locator(".message-success")).to_contain_text(zh("Stand-up saved. Thank you!"))
    expect(panel).to_contain_text("为新客户群体准备方案")
    check(page, "home-member-saved")
    standup = Standup.objects.get()
    assert MetricEntry.objects.get(standup=standup).value == D(9600)

    # The manager opens the alert, gives its cause and a corrective action.
    sign_in(page, acme["manager"])
    alert = Alert.objects.get(goal=behind, state="open")
    page.goto(f"/o/acme/tracking/alerts/{alert.pk}/")
    expect(page.get_by_test_id("alert-state")).to_have_text(zh("Open"))
    # The data since the deviation began: each day's status stays in view beside its day.
    assert page.get_by_test_id("alert-history").locator("table").evaluate(KEYS_VISIBLE)
    check(page, "alert-open")
    form = page.get_by_test_id("acknowledge")
    field(form, "Cause").select_option("competition")
    field(form, "Cause in your words").fill("重点区域竞争加剧")
    field(form, "Corrective action").fill("在该区域增加推广预算，并开拓新的客户群体")
    pick_person(field(form, "Owner"), "陈经理")
    field(form, "Due").fill((org_today(acme["org"]) + timedelta(days=14)).isoformat())
    form.get_by_role("button", name=zh("Save cause and action")).click()
    expect(page.get_by_test_id("alert-state")).to_have_text(zh("Acknowledged"))
    expect(page.get_by_test_id("actions")).to_contain_text("在该区域增加推广预算")
    check(page, "alert-acknowledged")

    # The weekly review shows the blocker and the action, and keeps the decision.
    page.goto(f"/o/acme/tracking/teams/{ops.pk}/weekly/")
    expect(page.get_by_test_id("review-goals")).to_contain_text("季度成交额")
    expect(page.get_by_test_id("review-blockers")).to_contain_text("华东区竞争对手降价")
    expect(page.get_by_test_id("review-actions")).to_contain_text("在该区域增加推广预算")
    check(page, "weekly-review")
    page.locator("#review-decisions textarea").fill("下周调两名销售到华东区")
    page.locator("#review-decisions").get_by_role("button", name=zh("Save"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(zh("Review saved."))
    expect(page.locator("#review-decisions textarea")).to_have_value("下周调两名销售到华东区")
    check(page, "weekly-review-saved")


def test_hr_runs_the_payout_an_admin_approves_and_hr_exports_it(zh_page, acme, tmp_path):
    import openpyxl

    from incentives import services as incentives
    from incentives.services import SchemeInput

    page, org, hr, zhang = zh_page, acme["org"], acme["hr"], acme["zhang"]
    scheme = incentives.scheme_save(org=org, actor=hr, data=SchemeInput(
        name="超额激励方案", target_bonus=D(20000), threshold=D(60),
        bands=[["100", "120", "0.05"], ["120", None, "0.10"]]))  # fmt: skip
    incentives.scheme_assign(scheme=scheme, actor=hr, membership=zhang)
    today = org_today(org)
    incentives.salary_set(org=org, actor=hr, membership=zhang, base=D(30000),
                          effective_from=today - timedelta(days=400))  # fmt: skip
    goal = factories.goal(org, zhang, scope="personal", start_date=today.replace(day=1), end_date=today,
                          base=D(90), challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    tracking.entries_save(org=org, actor=zhang, rows=[tracking.EntryInput(goal_id=goal.pk, value="112")])
    tracking.indicators_recompute(org=org)

    sign_in(page, hr)
    page.goto("/o/acme/incentives/runs/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Payout runs"))
    check(page, "payout-runs")
    page.get_by_role("button", name=zh("Start the run")).click()
    expect(page.get_by_test_id("run-status")).to_have_text(zh("In review by HR"))
    line = page.get_by_test_id(f"line-{zhang.pk}")
    expect(line).to_contain_text("62,000.00")
    check(page, "payout-run")
    line.get_by_text("张三").click()
    adjust = page.get_by_test_id(f"adjust-{zhang.pk}")
    field(adjust, "Adjustment").fill("-500")
    field(adjust, "Reason").fill("迟交周报")
    adjust.get_by_role("button", name=zh("Adjust"), exact=True).click()
    expect(page.get_by_test_id("run-total")).to_have_text("61,500.00")
    check(page, "payout-run-adjusted")
    page.get_by_test_id("submit-run").click()
    expect(page.get_by_test_id("run-status")).to_have_text(zh("Submitted for approval"))
    run_url = page.url

    sign_in(page, acme["admin"])
    page.goto(run_url)
    page.get_by_test_id("approve-run").click()
    expect(page.get_by_test_id("run-status")).to_have_text(zh("Approved and locked"))
    check(page, "payout-run-approved")

    sign_in(page, hr)
    page.goto(run_url)
    with page.expect_download() as caught:
        page.get_by_test_id("export-xlsx").click()
    path = tmp_path / caught.value.suggested_filename
    caught.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [zh("Summary"), zh("Detail"), zh("Explanation")]
    detail = list(book[zh("Detail")].iter_rows(values_only=True))
    assert detail[0][1] == zh("Name", "person") and detail[0][9] == zh("Total")
    assert detail[1][1] == "张三" and D(str(detail[1][8])) == D(-500) and D(str(detail[1][9])) == D(61500)
    assert detail[1][10] == "迟交周报"
    summary = list(book[zh("Summary")].iter_rows(values_only=True))
    assert summary[-1][0] == zh("All teams") and D(str(summary[-1][6])) == D(61500)


def test_a_colleague_is_nominated_and_the_star_is_on_the_honour_board(zh_page, acme):
    from recognition import selectors as recognition

    page, org = zh_page, acme["org"]
    month = f"{recognition.current_month(org):%Y-%m}"

    sign_in(page, acme["li"])
    page.goto("/o/acme/recognition/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Recognition"))
    nominate = page.get_by_test_id("nomination-form")
    pick_person(field(nominate, "Colleague"), "张三")
    field(nominate, "Reason").fill("三场推荐活动按时完成，还帮忙解决了法务问题")
    nominate.get_by_role("button", name=zh("Nominate")).click()
    expect(page.locator(".message-success")).to_have_text(
        zh("Thank you: your nomination of %(name)s is in.", name="张三")
    )
    check(page, "recognition-member")

    sign_in(page, acme["manager"])
    page.goto("/o/acme/recognition/")
    candidate = page.get_by_test_id("candidate").filter(has_text="张三")
    expect(candidate).to_contain_text(zh("most nominated"))
    check(page, "recognition-manager")
    star = page.get_by_test_id("star-form")
    pick_person(field(star, "Star of the month"), "张三")
    field(star, "Citation").fill("三场推荐活动按时完成：新增用户 12,000。")
    star.get_by_role("button", name=zh("Select"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Honour board"))
    board = page.get_by_test_id("honour-month").filter(has=page.get_by_role("heading", name=month))
    expect(board.get_by_test_id("star")).to_contain_text("张三")
    expect(board.get_by_test_id("star")).to_contain_text("运营团队")
    check(page, "honour-board")
