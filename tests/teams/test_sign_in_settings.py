"""Settings → Sign-in: verified domains with auto-join, and single sign-on required with one
break-glass admin — the rules, the audit trail, and what a person signing in notices."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from teams import services
from teams.models import AuditEntry, Membership, OrgDomain, Role, User
from tests import factories
from tests.factories import PASSWORD
from tests.teams.test_sso import finish, identity, idp, signed_in_user, start  # noqa: F401 - idp is a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def dns(monkeypatch):
    """The TXT records the fake DNS answers with, by name."""
    records: dict[str, list[str]] = {}
    monkeypatch.setattr("teams.services.sign_in.txt_records", lambda name: records.get(name, []))
    return records


def verified_domain(org, admin, name="acme.example", *, auto_join=True, dns_records=None) -> OrgDomain:
    record = services.org_domain_add(org=org, domain=name, actor=admin.user)
    OrgDomain.objects.filter(pk=record.pk).update(verified_at="2026-01-01T00:00Z")
    record.refresh_from_db()
    if auto_join:
        services.org_domain_set_auto_join(record=record, auto_join=True, actor=admin.user)
    return record


# --- Domains ------------------------------------------------------------------------------------
def test_a_domain_is_verified_by_its_dns_txt_record_and_audited(org, admin, dns):
    record = services.org_domain_add(org=org, domain=" @ACME.example. ", actor=admin.user)
    assert record.domain == "acme.example"
    with pytest.raises(ValidationError, match="No TXT record _stretch-verification.acme.example"):
        services.org_domain_verify(record=record, actor=admin.user)
    record.refresh_from_db()
    assert record.verified_at is None
    with pytest.raises(ValidationError, match="Verify the domain"):
        services.org_domain_set_auto_join(record=record, auto_join=True, actor=admin.user)

    dns["_stretch-verification.acme.example"] = ["v=spf1 -all", f"stretch-verification={record.token}"]
    services.org_domain_verify(record=record, actor=admin.user)
    services.org_domain_set_auto_join(record=record, auto_join=True, actor=admin.user)
    record.refresh_from_db()
    assert record.verified_at is not None and record.auto_join
    actions = list(
        AuditEntry.objects.filter(org=org, target_type="orgdomain").values_list("action", flat=True)
    )
    assert sorted(actions) == ["domain.add", "domain.auto_join", "domain.verify"]


def test_another_organisations_token_does_not_verify(org, admin, other_org, dns):
    mine = services.org_domain_add(org=org, domain="acme.example", actor=admin.user)
    dns["_stretch-verification.acme.example"] = ["stretch-verification=someone-elses-token"]
    with pytest.raises(ValidationError):
        services.org_domain_verify(record=mine, actor=admin.user)


def test_public_mail_domains_and_claimed_domains_are_refused(org, admin, other_org):
    other_admin = factories.member(other_org, Role.ADMIN)
    services.org_domain_add(org=other_org, domain="acme.example", actor=other_admin.user)
    with pytest.raises(ValidationError, match="already claimed"):
        services.org_domain_add(org=org, domain="Acme.Example", actor=admin.user)
    with pytest.raises(ValidationError, match="Anyone can have an address at qq.com"):
        services.org_domain_add(org=org, domain="qq.com", actor=admin.user)
    with pytest.raises(ValidationError, match="Enter a domain"):
        services.org_domain_add(org=org, domain="not a domain", actor=admin.user)


def test_the_settings_page_adds_a_domain_and_shows_its_record(org, admin, client_for):
    client = client_for(admin)
    url = reverse("sign_in_settings", kwargs={"org_slug": org.slug})
    assert client.get(url).status_code == 200
    response = client.post(reverse("domain_add", kwargs={"org_slug": org.slug}), {"domain": "acme.example"})
    assert response.status_code == 302
    record = OrgDomain.objects.get(org=org)
    page = client.get(url).content.decode()
    assert record.record_name in page and record.record_value in page
    assert "Not verified yet" in page

    bad = client.post(reverse("domain_add", kwargs={"org_slug": org.slug}), {"domain": "gmail.com"})
    assert bad.status_code == 400
    assert "Anyone can have an address at gmail.com" in bad.content.decode()
    assert 'value="gmail.com"' in bad.content.decode()  # the form keeps what was typed


def test_another_organisations_domain_is_not_found(org, admin, other_org, client_for):
    other_admin = factories.member(other_org, Role.ADMIN)
    theirs = services.org_domain_add(org=other_org, domain="other.example", actor=other_admin.user)
    url = reverse("domain_action", kwargs={"org_slug": org.slug, "domain_id": theirs.pk})
    assert client_for(admin).post(url, {"action": "remove"}).status_code == 404
    assert OrgDomain.objects.filter(pk=theirs.pk).exists()


# --- Auto-join ----------------------------------------------------------------------------------
def test_a_verified_e_mail_at_a_verified_auto_join_domain_joins_as_member(idp, org, admin):  # noqa: F811
    verified_domain(org, admin)
    idp.identity = identity("wang@acme.example", sub="kc-7")
    client = Client()
    response = finish(client, start(client))
    assert response.status_code == 302
    user = User.objects.get(email="wang@acme.example")
    assert signed_in_user(client) == user
    assert user.display_name == "Zhang San"
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.org, membership.role) == (org, Role.MEMBER)
    assert AuditEntry.objects.filter(org=org, action="member.auto_join", actor=user).exists()
    assert SocialAccount.objects.get(user=user).uid == "kc-7"


@pytest.mark.parametrize("state", ["unverified domain", "auto-join off", "unverified e-mail"])
def test_no_auto_join_without_a_verified_domain_auto_join_and_a_verified_e_mail(idp, org, admin, state):  # noqa: F811
    record = verified_domain(org, admin, auto_join=state != "auto-join off")
    if state == "unverified domain":
        OrgDomain.objects.filter(pk=record.pk).update(verified_at=None)
    idp.identity = identity("wang@acme.example", verified=state != "unverified e-mail")
    client = Client()
    response = finish(client, start(client))
    assert response.status_code == 400
    reason = "unverified_email" if state == "unverified e-mail" else "not_invited"
    assert f'data-reason="{reason}"' in response.content.decode()
    assert not User.objects.filter(email="wang@acme.example").exists()
    assert signed_in_user(client) is None


# --- SSO required -------------------------------------------------------------------------------
def test_sso_required_needs_a_provider_and_an_active_admin_as_break_glass(idp, org, admin, member):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        services.org_sign_in_update(org=org, sso_required=True, break_glass_admin=None, actor=admin.user)
    assert "break_glass_admin" in refused.value.error_dict
    with pytest.raises(ValidationError):
        services.org_sign_in_update(
            org=org, sso_required=True, break_glass_admin=member.user, actor=admin.user
        )
    with override_settings(SOCIALACCOUNT_PROVIDERS={}), pytest.raises(ValidationError) as none:
        services.org_sign_in_update(
            org=org, sso_required=True, break_glass_admin=admin.user, actor=admin.user
        )
    assert "sso_required" in none.value.error_dict
    services.org_sign_in_update(org=org, sso_required=True, break_glass_admin=admin.user, actor=admin.user)
    entry = AuditEntry.objects.get(org=org, action="org.sign_in")
    assert entry.changes["sso_required"] == [False, True]
    assert entry.changes["break_glass_admin_id"] == [None, admin.user.pk]


def password_sign_in(email: str) -> tuple[Client, object]:
    client = Client()
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    return client, response


def test_sso_required_turns_password_sign_in_off_except_for_the_break_glass_admin(idp, org, admin, member):  # noqa: F811
    services.org_sign_in_update(org=org, sso_required=True, break_glass_admin=admin.user, actor=admin.user)
    client, response = password_sign_in(member.user.email)
    assert response.status_code == 200
    assert "Acme requires signing in with your company account" in response.content.decode()
    assert "Sign in with Acme SSO" in response.content.decode()
    assert signed_in_user(client) is None

    client, response = password_sign_in(admin.user.email)
    assert response.status_code == 302
    assert signed_in_user(client) == admin.user

    services.org_sign_in_update(org=org, sso_required=False, break_glass_admin=None, actor=admin.user)
    client, response = password_sign_in(member.user.email)
    assert response.status_code == 302


def test_after_the_refused_password_the_next_company_sign_in_links_that_account(idp, org, admin, member):  # noqa: F811
    services.org_sign_in_update(org=org, sso_required=True, break_glass_admin=admin.user, actor=admin.user)
    idp.identity = identity("someone@corp.example", sub="kc-member")
    client, _ = password_sign_in(member.user.email)
    response = finish(client, start(client))
    assert response.status_code == 302
    assert signed_in_user(client) == member.user
    assert SocialAccount.objects.get(uid="kc-member").user == member.user

    # Without the password first, the same kind of identity gets nothing.
    idp.identity = identity("else@corp.example", sub="kc-else")
    fresh = Client()
    assert 'data-reason="not_invited"' in finish(fresh, start(fresh)).content.decode()
    assert not SocialAccount.objects.filter(uid="kc-else").exists()


def test_a_wrong_password_links_nothing(idp, org, admin, member):  # noqa: F811
    services.org_sign_in_update(org=org, sso_required=True, break_glass_admin=admin.user, actor=admin.user)
    client = Client()
    client.post(reverse("login"), {"username": member.user.email, "password": "wrong-password-1"})
    idp.identity = identity("x@corp.example", sub="kc-x")
    assert 'data-reason="not_invited"' in finish(client, start(client)).content.decode()
    assert not SocialAccount.objects.filter(uid="kc-x").exists()


def test_the_settings_form_saves_and_shows_errors(idp, org, admin, member, client_for):  # noqa: F811
    client = client_for(admin)
    url = reverse("sign_in_settings", kwargs={"org_slug": org.slug})
    refused = client.post(url, {"sso_required": "on", "break_glass_admin": ""})
    assert refused.status_code == 400
    assert "Choose the admin who may still sign in with a password." in refused.content.decode()
    saved = client.post(url, {"sso_required": "on", "break_glass_admin": str(admin.user.pk)})
    assert saved.status_code == 302
    org.refresh_from_db()
    assert org.sso_required and org.break_glass_admin == admin.user
