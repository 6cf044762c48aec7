"""An admin opens the API tokens page on a phone and a desktop, makes an organisation service token
that may only push metric values, copies its key (shown once), and revokes it; a member is offered
personal tokens only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from teams.models import ApiToken, Role
from tests import factories

from .conftest import assert_accessible
from .test_shell import assert_fits_the_screen, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    admin = factories.member(org, Role.ADMIN, name="Ada Admin")
    member = factories.member(org, Role.MEMBER, name="Max Member")
    return {"org": org, "admin": admin, "member": member}


def test_admin_makes_and_revokes_a_service_token(page, world):
    sign_in(page, world["admin"].user.email)
    page.goto("/accounts/tokens/")
    expect(page.get_by_test_id("service-tokens")).to_contain_text("No service tokens yet")
    assert_accessible(page)
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_label("Acts for").select_option(label="Acme Growth: a service token")
    page.get_by_label("Scope").select_option("metrics:write")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#new-token-key").inner_text()
    assert key.startswith("st_")
    token = ApiToken.objects.get(name="CRM sync")
    assert token.org == world["org"] and token.scope == "metrics:write"
    table = page.get_by_test_id("service-tokens")
    expect(table).to_contain_text("Read, and push metric values and imports")
    expect(table).to_contain_text("Ada Admin")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.once("dialog", lambda dialog: dialog.accept())
    table.get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("service-tokens")).to_contain_text("revoked")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_member_is_offered_personal_tokens_only(page, world):
    sign_in(page, world["member"].user.email)
    page.goto("/accounts/tokens/")
    expect(page.get_by_label("Scope")).to_be_visible()
    expect(page.get_by_label("Acts for")).to_have_count(0)
    expect(page.get_by_test_id("service-tokens")).to_have_count(0)
    assert_accessible(page)
