"""Pay tables fit the screen: My pay's approved payouts on a 360 px phone (in 中文 a narrow column
used to wrap one character per line) and the payout run's lines on a 1366 px desktop (the table
used to be wider than its card)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from incentives import services
from incentives.services import SchemeInput
from teams.models import Role
from tests import factories

from .conftest import ARTIFACTS, VIEWPORTS, assert_accessible
from .test_shell import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1366, "height": 900}}

# Every visible cell of a table: how many lines its text takes, and whether the table is wider
# than the box that holds it.
MEASURE = """(table) => {
  const wrap = table.closest('.table-wrap') || table.parentElement;
  const cells = [...table.querySelectorAll('th, td')].filter(c => c.offsetParent !== null && c.innerText.trim());
  const lines = cells.map(c => {
    const style = getComputedStyle(c);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
    const rows = new Set();
    const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement.checkVisibility() || !node.textContent.trim()) continue;  // e.g. a closed <details>
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 0) rows.add(Math.round(r.top));
    }
    return {text: c.innerText.trim().slice(0, 40), lines: rows.size, width: Math.round(c.getBoundingClientRect().width)};
  });
  return {tableWidth: table.scrollWidth, wrapWidth: wrap.clientWidth, cells: lines};
}"""


@pytest.fixture
def payroll():
    """A locked payout run of eight people (Chinese and English names, a bilingual team and
    scheme), so that My pay shows an approved payout."""
    from teams.selectors import org_today
    from tracking import services as tracking

    org = factories.organization(name="Acme Growth", slug="acme")
    hr = factories.member(org, Role.HR, name="周HR Zhou")
    admin = factories.member(org, Role.ADMIN, name="Admin 管理员")
    team = factories.team(org, "Operations 运营团队")
    people = [factories.member(org, Role.MEMBER, name=name, teams=[team]) for name in (
        "张三 Zhang San", "李四 Li Si", "王五 Wang Wu", "赵六 Zhao Liu", "钱七 Qian Qi", "孙八 Sun Ba",
        "Alexandra Montgomery-Smith", "欧阳娜娜 Ouyang Nana")]  # fmt: skip
    for number, person in enumerate(people, start=1):
        person.employee_number = f"SD{number:04d}"
        person.save()
    scheme = services.scheme_save(org=org, actor=hr, data=SchemeInput(
        name="超额激励方案 2026 / Over-achievement scheme 2026", target_bonus=D(15000), threshold=D(60),
        bands=[["100", "120", "0.05"], ["120", None, "0.10"]]))  # fmt: skip
    services.scheme_assign(scheme=scheme, actor=hr, team=team)
    today = org_today(org)
    start, end = today - timedelta(days=120), today - timedelta(days=30)
    for person in people:
        services.salary_set(org=org, actor=hr, membership=person, base=D("1234567.89"), effective_from=start)
    manager = factories.member(org, Role.MANAGER, name="陈经理 Chen", teams=[team])
    goal = factories.goal(org, manager, team=team, scope="team", start_date=start, end_date=today + timedelta(days=30),
                          base=D(90), challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    tracking.entries_save(org=org, actor=manager, rows=[tracking.EntryInput(goal_id=goal.pk, value="112")])
    tracking.indicators_recompute(org=org)
    run = services.run_start(org=org, actor=hr, start=start, end=end)  # computed inline (eager jobs)
    run.refresh_from_db()
    line = run.lines.get(membership=people[0])
    services.run_line_adjust(
        line=line, actor=hr, amount=D("123456.78"), reason="迟交周报 / late weekly report"
    )
    services.run_submit(run=run, actor=hr)
    services.run_approve(run=run, actor=admin)
    review = services.run_start(
        org=org, actor=hr, start=start - timedelta(days=90), end=start - timedelta(days=1)
    )
    return {"org": org, "hr": hr, "member": people[0], "run": run, "review": review}


def _context(browser, live_server, viewport: dict):
    return browser.new_context(base_url=live_server.url, locale="en-US", **viewport)


def _page_overflow(page) -> int:
    """How much wider than the screen the page is (a phone widens its layout to the content, so
    the width is compared to the screen's, not to window.innerWidth)."""
    return page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]


KEYS_VISIBLE = """(table) => {
  const wrap = table.closest('.table-wrap');
  const inside = (cell) => { const c = cell.getBoundingClientRect(), w = wrap.getBoundingClientRect();
                             return c.left >= w.left - 1 && c.right <= w.right + 1; };
  const row = table.querySelector('tbody tr');
  const check = () => inside(row.querySelector('.key-start')) && inside(row.querySelector('.key-end'));
  const atStart = check();
  wrap.scrollLeft = wrap.scrollWidth;
  const atEnd = check();
  wrap.scrollLeft = 0;
  return atStart && atEnd;
}"""


def _assert_keys_visible(page, table, where: str) -> None:
    """Wider than its card, the table scrolls inside it, and the name and the total stay in view."""
    overflow = _page_overflow(page)
    assert overflow <= 1, f"{where}: the page is {overflow}px wider than the screen"
    assert table.evaluate(KEYS_VISIBLE), f"{where}: the name or the total scrolled out of view"


def _assert_fits(page, table, where: str) -> dict:
    overflow = _page_overflow(page)
    assert overflow <= 1, f"{where}: the page is {overflow}px wider than the screen"
    found = table.evaluate(MEASURE)
    assert found["tableWidth"] <= found["wrapWidth"] + 1, (
        f"{where}: table {found['tableWidth']}px in {found['wrapWidth']}px"
    )
    return found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_my_pay_approved_payouts_fit_a_phone(browser, live_server, payroll, language):
    member = payroll["member"]
    member.user.language = language
    member.user.save()
    context = _context(browser, live_server, VIEWPORTS["phone"])
    page = context.new_page()
    try:
        sign_in(page, member.user.email)
        page.goto("/o/acme/incentives/")
        table = page.get_by_test_id("payslips").locator("table")
        expect(table).to_contain_text("1,234,567.89")
        page.get_by_test_id("payslips").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"payroll-my-pay-phone-{language}.png"), full_page=True)
        found = _assert_fits(page, table, f"My pay ({language})")
        squeezed = [c for c in found["cells"] if c["lines"] > 2 and len(c["text"]) > 1]
        assert not squeezed, f"cells wrap into more than two lines: {squeezed}"
        assert_accessible(page)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_payout_runs_lines_fit_their_card_on_a_desktop(browser, live_server, payroll, language):
    hr = payroll["hr"]
    hr.user.language = language
    hr.user.save()
    context = _context(browser, live_server, DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, hr.user.email)
        page.goto(f"/o/acme/incentives/runs/{payroll['run'].pk}/")
        table = page.get_by_test_id("run-lines").locator("table")
        expect(table).to_contain_text("SD0008")
        page.screenshot(path=str(ARTIFACTS / f"payroll-run-desktop-{language}.png"), full_page=True)
        _assert_fits(page, table, f"run lines ({language})")
        team_totals = page.get_by_test_id("team-totals").locator("table")
        _assert_fits(page, team_totals, f"team totals ({language})")
        assert_accessible(page)
        # Opening a line (its explanation and the adjust form of a run in review) keeps the table in its card.
        page.get_by_test_id(f"line-{payroll['member'].pk}").locator("summary").click()
        page.screenshot(path=str(ARTIFACTS / f"payroll-run-desktop-open-{language}.png"), full_page=True)
        _assert_keys_visible(page, table, f"run lines, a line opened ({language})")
        assert_accessible(page)
        # A run in review: the opened line carries the adjust form, which stays inside the card too.
        page.goto(f"/o/acme/incentives/runs/{payroll['review'].pk}/")
        line = page.get_by_test_id(f"line-{payroll['member'].pk}")
        line.locator("summary").click()
        expect(page.get_by_test_id(f"adjust-{payroll['member'].pk}")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"payroll-run-review-desktop-{language}.png"), full_page=True)
        _assert_fits(
            page,
            page.get_by_test_id("run-lines").locator("table"),
            f"run in review, line opened ({language})",
        )
        assert_accessible(page)
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "language"), [("phone", "zh-hans"), ("desktop", "en")])
def test_hr_edits_commission_bands_as_rows(browser, live_server, viewport, language):
    """HR adds a band row (htmx), types an overlapping band and reads why next to it, fixes it,
    removes a band and saves; rates read 5 %, never 0.05."""

    org = factories.organization(name="Acme Growth", slug="acme")
    hr = factories.member(org, Role.HR, name="周HR Zhou")
    hr.user.language = language
    hr.user.save()
    scheme = services.scheme_save(org=org, actor=hr, data=SchemeInput(
        name="Article", target_bonus=D(20000), threshold=D(60),
        bands=[["100", "120", "0.05"], ["120", None, "0.10"]]))  # fmt: skip
    context = _context(browser, live_server, VIEWPORTS[viewport] if viewport == "phone" else DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, hr.user.email)
        page.goto(f"/o/acme/incentives/schemes/{scheme.pk}/")
        editor = page.get_by_test_id("band-editor")
        expect(editor.locator('input[name="bands-0-rate"]')).to_have_value("5")
        expect(editor.locator('input[name="bands-1-rate"]')).to_have_value("10")
        editor.locator('input[name="bands-2-start"]').fill("130")
        editor.locator('input[name="bands-2-rate"]').fill("15")
        editor.locator('button[name="add_band"]').click()
        expect(page.get_by_test_id("band-row-3")).to_be_visible()  # swapped in place by htmx
        expect(page.get_by_test_id("band-editor").locator('input[name="bands-2-start"]')).to_have_value("130")
        assert page.evaluate("document.activeElement.name") == "bands-3-start"
        page.get_by_role("button", name={"en": "Save scheme", "zh-hans": "保存方案"}[language]).last.click()
        row = page.get_by_test_id("band-row-2")
        expect(row).to_contain_text(
            {"en": "The band before it has no end", "zh-hans": "上一个区间没有上限"}[language]
        )
        expect(row.locator('input[name="bands-2-rate"]')).to_have_value("15")
        overflow = _page_overflow(page)
        assert overflow <= 1, f"the scheme page is {overflow}px wider than the screen"
        _assert_fits(page, page.get_by_test_id("band-editor").locator("table"), f"band editor ({viewport})")
        page.get_by_test_id("band-editor").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"payroll-bands-{viewport}-{language}.png"), full_page=True)
        assert_accessible(page)
        page.get_by_test_id("band-row-2").locator('input[type="checkbox"]').check()
        page.get_by_role("button", name={"en": "Save scheme", "zh-hans": "保存方案"}[language]).last.click()
        expect(page.locator(".message-success")).to_be_visible()
        assert_accessible(page)
        scheme.refresh_from_db()
        assert scheme.bands == [["100", "120", "0.05"], ["120", None, "0.1"]]
        assert "0.05" not in page.locator("body").inner_text()
        assert not errors, errors
    finally:
        context.close()
