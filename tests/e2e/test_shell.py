"""A member signs in, switches language to 中文 and back, and visits every top-level section, on a
phone-sized and a desktop viewport."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from teams import services
from teams.models import Role
from tests import factories

from .conftest import ARTIFACTS, assert_accessible, assert_no_raw_values, assert_nothing_squeezed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECTIONS = [
    ("Goals", "目标"),
    ("Plans", "计划"),
    ("Tracking", "跟踪"),
    ("Incentives", "激励"),
    ("Retros", "复盘"),
    ("Teams", "团队"),
    ("Overview", "概览"),
]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    ops = factories.team(org, "Operations")
    member = factories.member(org, Role.MEMBER, name="Zhang San", teams=[ops])
    admin = factories.member(org, Role.ADMIN, name="Ada Admin")
    return {"org": org, "member": member, "admin": admin}


def sign_in(page, email: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def nav_link(page, name: str):
    return page.get_by_role("navigation", name=re.compile("Sections|栏目")).get_by_role(
        "link", name=name, exact=True
    )


def sections_menu_button(page):
    return page.get_by_role("navigation", name=re.compile("Sections|栏目")).get_by_role(
        "button", name=re.compile("Menu|菜单")
    )


def go_to_section(page, name: str) -> None:
    """Follows a main navigation link; on a phone, the menu button opens the navigation first."""
    if page.viewport_name == "phone":
        sections_menu_button(page).click()
    nav_link(page, name).click()


def assert_within_the_screen(page, links) -> None:
    width = page.viewport_size["width"]
    assert links.count() > 0
    for i in range(links.count()):
        link = links.nth(i)
        expect(link).to_be_visible()
        box = link.bounding_box()
        name = link.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{name!r} is off-screen: {box}"


def assert_fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the {page.viewport_name} screen"


def test_member_signs_in_switches_language_and_visits_every_section(page, world):
    page.goto("/accounts/login/")
    assert_accessible(page)
    sign_in(page, world["member"].user.email)
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Growth")
    assert_fits_the_screen(page)
    assert_accessible(page)

    for english, _chinese in SECTIONS:
        go_to_section(page, english)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Acme Growth" if english == "Overview" else english
        )
        expect(nav_link(page, english)).to_have_attribute("aria-current", "page")
        assert_fits_the_screen(page)
        assert_accessible(page)
    # Members do not see the admin pages.
    expect(nav_link(page, "Settings")).to_have_count(0)

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    for _english, chinese in SECTIONS:
        go_to_section(page, chinese)
        expect(nav_link(page, chinese)).to_have_attribute("aria-current", "page")
        assert_fits_the_screen(page)
        assert_nothing_squeezed(page)
        assert_no_raw_values(page)
        assert_accessible(page)
    page.screenshot(path=str(Path(ARTIFACTS) / f"zh-overview-{page.viewport_name}.png"), full_page=True)

    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav_link(page, "Overview")).to_be_visible()

    # The choice is remembered on the account: a fresh sign-in keeps English.
    world["member"].user.refresh_from_db()
    assert world["member"].user.language == "en"


def test_admin_pages_work_with_htmx_and_charts(page, world):
    services.heartbeat_record()
    factories.member(world["org"], Role.HR, name="Helen Hr")
    sign_in(page, world["admin"].user.email)
    go_to_section(page, "Settings")
    expect(page.get_by_role("heading", level=2, name="Organisation")).to_be_visible()

    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Members").click()
    rows = page.locator("#member-rows tr")
    expect(rows).to_have_count(4)  # founder, member, admin, HR
    page.get_by_placeholder("Search name or e-mail").fill("helen")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Helen Hr")
    assert "q=helen" in page.url  # the filter is in the address, so it can be shared and reloaded
    assert_accessible(page)

    page.get_by_role("navigation", name="Settings").get_by_role("link", name="System health").click()
    expect(page.get_by_test_id("heartbeat-status")).to_contain_text(re.compile(r"now|ago"))
    expect(page.locator("#heartbeat-chart .main-svg").first).to_be_attached()  # plotly drew the chart
    assert_fits_the_screen(page)
    assert_accessible(page)


def test_every_section_and_sub_section_is_on_the_screen_and_reachable_by_keyboard(page, world):
    sign_in(page, world["admin"].user.email)
    nav = page.get_by_role("navigation", name="Sections")
    button = sections_menu_button(page)
    if page.viewport_name == "phone":
        # Collapsed: the menu button and the current section, nothing hidden off to the side.
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(nav.get_by_role("link", name="Retros")).to_be_hidden()
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
    else:
        expect(button).to_be_hidden()  # the desktop has room for every section
    links = nav.get_by_role("link")
    # Overview, goals, plans, tracking, inbox, incentives, retros, people, teams, settings.
    expect(links).to_have_count(10)
    expect(nav.get_by_role("link", name="People")).to_be_visible()
    assert_within_the_screen(page, links)
    assert nav.evaluate("n => n.scrollWidth - n.clientWidth") <= 0
    assert_fits_the_screen(page)
    assert_accessible(page)  # with the menu open on a phone
    page.screenshot(path=str(ARTIFACTS / f"sections-open-{page.viewport_name}.png"))

    # Sub-sections wrap instead of scrolling sideways.
    for url, label in (("/o/acme/recognition/", "Recognition"), ("/o/acme/settings/", "Settings")):
        page.goto(url)
        subnav = page.get_by_role("navigation", name=label, exact=True)
        assert_within_the_screen(page, subnav.get_by_role("link"))
        assert subnav.evaluate("n => n.scrollWidth - n.clientWidth") <= 0
        assert_fits_the_screen(page)
        assert_accessible(page)

    if page.viewport_name == "phone":
        # Keyboard only: Tab reaches the menu button, Enter opens it, the links show their focus.
        page.goto("/o/acme/")
        for _ in range(12):
            page.keyboard.press("Tab")
            if button.evaluate("b => b === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reached the menu button")
        page.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Tab")
        focused = nav.get_by_role("link", name="Overview")
        expect(focused).to_be_focused()
        outline = focused.evaluate(
            "a => { const s = getComputedStyle(a); return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline
        page.screenshot(path=str(ARTIFACTS / "sections-keyboard-phone.png"))
        page.keyboard.press("Escape")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(button).to_be_focused()


def test_without_javascript_every_section_is_on_the_phone_screen(open_page, world):
    page = open_page("phone", java_script_enabled=False)
    sign_in(page, world["admin"].user.email)
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    expect(sections_menu_button(page)).to_be_hidden()  # nothing to press: the links wrap instead
    links = page.get_by_role("navigation", name="Sections").get_by_role("link")
    expect(links).to_have_count(10)
    assert_within_the_screen(page, links)
    assert_fits_the_screen(page)


def test_admin_invites_a_member_who_sets_a_password(page, world, browser, live_server):
    sign_in(page, world["admin"].user.email)
    page.goto("/o/acme/settings/members/invite/")
    page.get_by_label("E-mail").fill("wangwu@example.com")
    page.get_by_label("Name").fill("王五")
    page.get_by_label("Operations").check()
    assert_accessible(page)
    page.get_by_role("button", name="Invite", exact=True).click()
    link = page.get_by_test_id("invitation").locator("code").inner_text()
    assert_fits_the_screen(page)
    assert_accessible(page)
    assert "/accounts/welcome/" in link

    newcomer = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    other = newcomer.new_page()
    assert link.startswith(live_server.url)
    other.goto(link)
    expect(other.get_by_role("heading", name="Welcome to Stretch")).to_be_visible()
    assert_accessible(other)
    other.locator("#id_new_password1").fill("a-fresh-password-42")
    other.get_by_label("New password confirmation").fill("a-fresh-password-42")
    other.get_by_role("button", name="Save and continue").click()
    expect(other).to_have_url(re.compile(r"/o/acme/$"))
    expect(other.get_by_role("heading", level=1)).to_have_text("Acme Growth")
    newcomer.close()
