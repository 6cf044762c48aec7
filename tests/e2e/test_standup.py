"""A member logs the daily stand-up on a phone, straight from the page they land on after signing in,
in three interactions or fewer — in English and in 中文."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tracking.models import MetricEntry, Standup

from .conftest import ARTIFACTS, assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOST_INTERACTIONS = 3

WORDS = {
    "en": {"locale": "en-US", "today": "Today", "save": "Save stand-up", "saved": "Stand-up saved",
           "edit": "Edit today's stand-up"},
    "zh-hans": {"locale": "zh-CN", "today": "今天", "save": "保存站会", "saved": "站会已保存",
                "edit": "修改今天的站会"},
}  # fmt: skip


class Interactions:
    """What a person does on the page, counted: each click and each field filled is one."""

    def __init__(self) -> None:
        self.count = 0

    def fill(self, locator, text: str) -> None:
        locator.fill(text)
        self.count += 1

    def click(self, locator) -> None:
        locator.click()
        self.count += 1


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    ops = factories.team(org, "Operations")
    manager = factories.member(org, Role.MANAGER, name="Sun Manager", teams=[ops])
    ops.managers.add(manager)
    member = factories.member(org, Role.MEMBER, name="张三", teams=[ops])
    today = org_today(org)
    goal = factories.goal(org, manager, title="200,000 new users", team=ops, metric_name="New users",
                          start_date=today - timedelta(days=20), end_date=today + timedelta(days=70),
                          base=D(180000), challenge=D(200000), stretch=D(230000), status="active")  # fmt: skip
    return {"org": org, "member": member, "goal": goal}


def sign_in_by_field_names(page, email: str) -> None:
    """Signs in whatever the page's language (the labels are translated, the names are not)."""
    page.goto("/")
    page.locator("input[name='username']").fill(email)
    page.locator("input[name='password']").fill(factories.PASSWORD)
    page.locator("form button[type='submit']").last.click()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_member_logs_the_standup_from_the_landing_page_in_three_interactions(open_page, world, language):
    words = WORDS[language]
    user = world["member"].user
    user.language = language
    user.save(update_fields=["language"])
    page = open_page("phone", locale=words["locale"])
    sign_in_by_field_names(page, user.email)
    expect(page).to_have_url(re.compile(r"/o/acme/$"))

    panel = page.get_by_test_id("home-standup")
    expect(panel).to_be_visible()
    assert_accessible(page)
    did = Interactions()
    did.fill(panel.get_by_label(words["today"], exact=True), "Proposal for a new customer segment")
    if language == "en":  # today's number is optional: one more field, still within the limit
        did.fill(panel.get_by_label("New users"), "1,850")
    page.screenshot(path=str(ARTIFACTS / f"standup-home-filled-{language}.png"), full_page=True)
    did.click(panel.get_by_role("button", name=words["save"]))

    expect(page.locator(".message-success")).to_contain_text(words["saved"])
    assert did.count <= MOST_INTERACTIONS
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    # Logged today: the landing page shows it and offers to edit it instead of a new form.
    expect(panel).to_contain_text("Proposal for a new customer segment")
    expect(panel.get_by_role("link", name=words["edit"])).to_be_visible()
    expect(panel.get_by_role("button", name=words["save"])).to_have_count(0)
    standup = Standup.objects.get()
    assert standup.member == world["member"] and standup.day == org_today(world["org"])
    values = list(MetricEntry.objects.filter(standup=standup).values_list("value", flat=True))
    assert values == ([D(1850)] if language == "en" else [])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone"
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"standup-home-saved-{language}.png"), full_page=True)
