"""The person picker (teams.people_picker) on a 360 px phone in 中文, with the keyboard alone: a
manager types part of a name into the owner box of the plan, moves to the match with the arrow
keys, chooses it with Enter and adds the initiative; axe finds nothing wrong with the matches open
or closed, and the page never lists the organisation's people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from plans.models import Initiative
from teams.models import Role, Team
from teams.selectors import org_today
from tests import factories

from .conftest import ARTIFACTS, assert_accessible
from .test_main_flows_zh import LANGUAGE, check, field, sign_in, zh

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_picks_an_owner_with_the_keyboard_on_a_phone_in_chinese(open_page):
    org = factories.organization(name="Acme Growth", slug="acme", creator=factories.user(name="创始人"))
    ops = factories.team(org, "运营团队")
    manager = factories.member(org, Role.MANAGER, name="陈经理", teams=[ops])
    ops.managers.add(manager)
    zhang = factories.member(org, Role.MEMBER, name="张三", teams=[ops])
    for n in range(30):  # more people than a picker shows at once
        factories.member(org, Role.MEMBER, name=f"成员{n:02d}", teams=[ops])
    factories.member(org, Role.VIEWER, name="张只读")  # a viewer cannot own an initiative
    manager.user.language = LANGUAGE
    manager.user.save(update_fields=["language"])
    today = org_today(org)
    goal = factories.goal(org, manager, team=ops, scope="team", title="新增注册用户", status="active",
                          start_date=today - timedelta(days=7), end_date=today + timedelta(days=80))  # fmt: skip

    page = open_page("phone", locale="zh-CN")
    sign_in(page, manager)
    page.goto(f"/o/acme/plans/goals/{goal.pk}/")
    add = page.locator("form.plan-form").last
    box = field(add, "Owner")
    expect(box).to_have_attribute("role", "combobox")
    expect(page.locator("option", has_text="成员01")).to_have_count(0)  # no <option> per person

    field(add, "Initiative").fill("三场线上推荐活动")
    box.focus()
    box.press_sequentially("张")
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    matches = listbox.locator("[role='option']:not([aria-disabled='true'])")
    expect(matches.filter(has_text="张三")).to_have_count(1)
    expect(matches).to_have_count(
        1
    )  # 张只读 is a viewer: the server would refuse them, so they are not offered
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", matches.first.get_attribute("id"))
    # The matches fit the phone's screen.
    shown = matches.first.bounding_box()
    assert shown is not None and shown["x"] >= 0 and shown["x"] + shown["width"] <= 360
    assert_accessible(page)  # with the matches open
    box.press("Enter")
    expect(box).to_have_value("张三")
    expect(box).to_have_attribute("aria-expanded", "false")

    # Escape closes the matches; typing again forgets the choice until a person is chosen.
    box.press("End")
    box.press("Backspace")
    expect(listbox).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.press_sequentially("三")
    expect(matches).to_have_count(1)
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("张三")

    field(add, "Start").fill(today.isoformat())
    field(add, "Due").fill((today + timedelta(days=14)).isoformat())
    add.get_by_role("button", name=zh("Add to the plan")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("plan-table")).to_contain_text("三场线上推荐活动")
    check(page, "people-picker")
    assert Initiative.objects.get(goal=goal).owner == zhang


def test_an_admin_picks_two_managers_by_pinyin_with_the_keyboard_on_a_phone(open_page):
    """The team form's managers (several people): typed as pinyin initials or in full, each chosen
    with the arrows and Enter becomes a chip; a chip goes with its button (Tab, Enter); a refused
    form keeps the chips; the page lists no one."""
    org = factories.organization(name="Acme Growth", slug="acme", creator=factories.user(name="创始人"))
    admin = factories.member(org, Role.ADMIN, name="李雷")
    zhang = factories.member(org, Role.MANAGER, name="张三")
    li = factories.member(org, Role.MANAGER, name="李四")
    factories.member(org, Role.MEMBER, name="王五")
    for n in range(30):
        factories.member(org, Role.MEMBER, name=f"成员{n:02d}")
    admin.user.language = LANGUAGE
    admin.user.save(update_fields=["language"])

    page = open_page("phone", locale="zh-CN")
    sign_in(page, admin)
    page.goto("/o/acme/settings/teams/")
    form = page.locator("form", has=page.get_by_role("button", name=zh("Create team")))
    box = field(form, "Managers")
    expect(box).to_have_attribute("role", "combobox")
    expect(page.get_by_text("成员01")).to_have_count(0)  # no checkbox per person
    chips = form.locator("[data-picker-chips] [data-chip]")
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    matches = listbox.locator("[role='option']:not([aria-disabled='true'])")

    def choose(typed: str, name: str) -> None:
        box.press_sequentially(typed)
        expect(matches.filter(has_text=name)).to_have_count(1)
        expect(matches).to_have_count(1)
        expect(box).to_have_attribute("aria-expanded", "true")
        box.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", matches.first.get_attribute("id"))
        box.press("Enter")
        expect(chips.filter(has_text=name)).to_have_count(1)
        expect(box).to_have_value("")  # ready for the next person
        expect(box).to_be_focused()

    box.focus()
    choose("zs", "张三")  # pinyin initials
    assert_accessible(page)
    choose("wangwu", "王五")  # full pinyin
    box.press_sequentially("ls")
    expect(matches.filter(has_text="李四")).to_have_count(1)
    assert_accessible(page)  # with the matches open over the chips
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.fill("")
    # 王五 goes again: Tab from the box back to its chip's button (Shift+Tab), Enter.
    remove = chips.filter(has_text="王五").get_by_role("button")
    expect(remove).to_have_attribute("aria-label", zh("Remove %(name)s") % {"name": "王五"})
    box.press("Shift+Tab")
    expect(remove).to_be_focused()
    page.keyboard.press("Enter")
    expect(chips.filter(has_text="王五")).to_have_count(0)
    expect(box).to_be_focused()
    choose("lisi", "李四")
    expect(chips).to_have_count(2)
    shown = chips.last.bounding_box()
    assert shown is not None and shown["x"] >= 0 and shown["x"] + shown["width"] <= 360

    # Refused (no name): the two managers are still chosen.
    form.get_by_role("button", name=zh("Create team")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".field-errors").first).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name=zh("Create team")))
    chips = form.locator("[data-picker-chips] [data-chip]")
    expect(chips).to_have_count(2)
    form.screenshot(path=str(ARTIFACTS / "people-picker-chips-phone.png"))
    field(form, "Name").fill("运营团队")
    form.get_by_role("button", name=zh("Create team")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("运营团队")
    check(page, "people-picker-managers")
    team = Team.objects.get(org=org, name="运营团队")
    assert {m.pk for m in team.managers.all()} == {zhang.pk, li.pk}
