"""An admin opens Settings → Pay access on a phone and a desktop, is told a reason is needed, grants
a manager sight of their teams' pay and revokes it; the manager reads Team pay in between."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from incentives import services
from incentives.models import MoneyGrant
from teams.models import Role
from tests import factories

from .conftest import assert_accessible, pick_person
from .test_shell import assert_fits_the_screen, go_to_section, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    admin = factories.member(org, Role.ADMIN, name="Ada Admin")
    hr = factories.member(org, Role.HR, name="Hanna HR")
    lead = factories.member(org, Role.MANAGER, name="Lena Lead")
    sales = factories.team(org, "Sales", managers=[lead])
    seller = factories.member(org, Role.MEMBER, name="Sam Seller", teams=[sales])
    services.salary_set(org=org, actor=hr, membership=seller, base=D(30000), effective_from=date(2026, 1, 1))
    return {"org": org, "admin": admin, "lead": lead}


def test_admin_grants_and_revokes_pay_access(page, world, open_page):
    sign_in(page, world["admin"].user.email)
    go_to_section(page, "Settings")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Pay access").click()
    expect(page).to_have_url(re.compile(r"/o/acme/settings/pay-access/$"))
    expect(page.get_by_test_id("grants")).to_contain_text("No manager sees pay yet")
    assert_fits_the_screen(page)
    assert_accessible(page)

    pick_person(page.get_by_role("combobox", name="Manager"), "Lena Lead")
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.locator("#grant_reason_error")).to_contain_text("required")
    expect(page.get_by_role("combobox", name="Manager")).to_have_value("Lena Lead")  # what was chosen stays
    expect(page.locator("form input[data-picker-value]")).to_have_value(str(world["lead"].pk))
    assert_accessible(page)
    page.locator("#grant_reason").fill("Salary review Q4")
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("Lena Lead now sees the pay of their teams")
    grant = MoneyGrant.objects.get()
    row = page.get_by_test_id(f"grant-{grant.pk}")
    expect(row).to_contain_text("Salary review Q4")
    expect(row).to_contain_text("in force")
    assert_fits_the_screen(page)
    assert_accessible(page)

    lead_page = open_page(page.viewport_name)
    sign_in(lead_page, world["lead"].user.email)
    lead_page.goto("/o/acme/incentives/team-pay/")
    expect(lead_page.get_by_test_id("team-pay")).to_contain_text("30,000.00")
    assert_fits_the_screen(lead_page)
    assert_accessible(lead_page)

    row.get_by_label("Reason for revoking").fill("Review done")
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.locator(".message-success")).to_contain_text("no longer sees the pay")
    expect(page.get_by_test_id(f"grant-{grant.pk}")).to_contain_text("revoked")
    lead_page.reload()
    expect(lead_page.get_by_test_id("not-granted")).to_be_visible()
    expect(lead_page.get_by_test_id("team-pay")).not_to_contain_text("30,000.00")
