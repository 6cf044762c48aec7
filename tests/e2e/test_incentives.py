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

from .conftest import ARTIFACTS
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
    page.get_by_test_id("slider").fill("112")
    expect(page.get_by_test_id("explanation")).to_contain_text(
        "Commission 12 points × 5% × ¥20,000 = ¥12,000."
    )
    expect(page.get_by_test_id("total")).to_have_text("62,000.00")
    page.get_by_test_id("slider").fill("80")
    expect(page.get_by_test_id("explanation")).to_contain_text("Performance bonus 50% of ¥20,000 = ¥10,000.")
    page.screenshot(path=str(ARTIFACTS / f"incentives-what-if-{page.viewport_name}.png"), full_page=True)
