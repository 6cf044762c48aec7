"""In a browser: a person of a verified auto-join domain signs in with the company's identity
provider (a fake OpenID Connect provider on 127.0.0.1) and lands in the organisation; someone
nobody invited is told why not. On a phone and a desktop; axe-core on the pages they see."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from teams import services
from teams.models import Membership, OrgDomain, Role
from tests import factories
from tests.oidc_provider import serve_provider

from .conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idp():
    with serve_provider() as provider, override_settings(SOCIALACCOUNT_PROVIDERS=provider.settings()):
        yield provider


@pytest.fixture
def org():
    org = factories.organization(name="Acme Growth", slug="acme")
    admin = factories.member(org, Role.ADMIN, name="Ada Admin")
    record = services.org_domain_add(org=org, domain="acme.example", actor=admin.user)
    OrgDomain.objects.filter(pk=record.pk).update(verified_at="2026-01-01T00:00Z", auto_join=True)
    return org


def test_sign_in_with_the_company_account_joins_a_verified_domain(page, idp, org):
    idp.identity = {"sub": "kc-9", "email": "wang.wu@acme.example", "email_verified": True, "name": "王五"}
    page.goto("/accounts/login/")
    button = page.get_by_role("button", name="Sign in with Acme SSO")
    expect(button).to_be_visible()
    assert_accessible(page)
    button.click()
    expect(page).to_have_url(re.compile(r"/o/acme/"))
    membership = Membership.objects.get(user__email="wang.wu@acme.example")
    assert (membership.org, membership.role) == (org, Role.MEMBER)


def test_someone_nobody_invited_is_told_why(page, idp, org):
    idp.identity = {
        "sub": "x-1",
        "email": "visitor@elsewhere.example",
        "email_verified": True,
        "name": "Visitor",
    }
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "No organisation in Stretch has invited visitor@elsewhere.example"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Back to sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
