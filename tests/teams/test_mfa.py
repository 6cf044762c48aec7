"""Two-factor authentication: enrolment (TOTP and recovery codes), sign-in with a code and with a
recovery code after a password or a single sign-on, the refusals (wrong, replayed, used-up codes),
and the organisation setting that requires it of admins and HR (pages and API tokens)."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from teams import selectors, services
from teams.models import ApiToken, AuditEntry
from tests.factories import PASSWORD
from tests.teams.test_sso import finish, identity, idp, signed_in_user, start  # noqa: F401 - idp is a fixture

pytestmark = pytest.mark.django_db

SETTINGS = reverse("mfa_settings")


def code_for(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def enrol(client: Client) -> tuple[str, list[str]]:
    page = client.get(SETTINGS).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post(SETTINGS, {"action": "activate", "code": code_for(secret)})
    assert response.status_code == 200, response.content.decode()
    codes = re.findall(r"<li><code>([^<]+)</code></li>", response.content.decode())
    return secret, codes


def password_sign_in(email: str) -> tuple[Client, object]:
    client = Client()
    return client, client.post(reverse("login"), {"username": email, "password": PASSWORD})


def test_enrolment_needs_a_right_code_and_shows_recovery_codes_once(member, client_for):
    client = client_for(member)
    page = client.get(SETTINGS).content.decode()
    assert "<svg" in page  # the QR code
    wrong = client.post(SETTINGS, {"action": "activate", "code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert not selectors.mfa_enabled(user=member.user)

    _secret, codes = enrol(client)
    assert selectors.mfa_enabled(user=member.user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not re.findall(r"<li><code>", client.get(SETTINGS).content.decode())  # not shown again


def test_sign_in_asks_for_a_code_after_the_password(member, client_for):
    secret, _codes = enrol(client_for(member))
    client, response = password_sign_in(member.user.email)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user(client) is None
    assert "authenticator app" in client.get(reverse("mfa_authenticate")).content.decode()

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200 and signed_in_user(client) is None
    code = code_for(secret)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert signed_in_user(client) == member.user

    # The same code a second time (someone who watched it typed) is refused.
    again, _ = password_sign_in(member.user.email)
    again.post(reverse("mfa_authenticate"), {"code": code})
    assert signed_in_user(again) is None


def test_an_expired_code_is_refused(member, client_for):
    secret, _codes = enrol(client_for(member))
    client, _ = password_sign_in(member.user.email)
    client.post(reverse("mfa_authenticate"), {"code": code_for(secret, -3)})  # 90 seconds old
    assert signed_in_user(client) is None
    assert client.post(reverse("mfa_authenticate"), {"code": code_for(secret)}).status_code == 302
    assert signed_in_user(client) == member.user


def test_a_recovery_code_signs_in_once(member, client_for):
    _secret, codes = enrol(client_for(member))
    client, _ = password_sign_in(member.user.email)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert signed_in_user(client) == member.user

    again, _ = password_sign_in(member.user.email)
    again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert signed_in_user(again) is None


def test_the_code_page_without_a_password_first_sends_back_to_sign_in():
    response = Client().get(reverse("mfa_authenticate"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")


def test_single_sign_on_also_asks_for_the_code(idp, org, member, client_for):  # noqa: F811
    secret, _codes = enrol(client_for(member))
    SocialAccount.objects.create(user=member.user, provider="acme", uid="sub-1")
    idp.identity = identity(member.user.email)
    client = Client()
    response = finish(client, start(client))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user(client) is None
    client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert signed_in_user(client) == member.user


def test_an_organisation_can_require_it_of_admins_and_hr(org, admin, members, client_for):
    services.org_sign_in_update(
        org=org, sso_required=False, break_glass_admin=None, mfa_required=True, actor=admin.user
    )
    entry = AuditEntry.objects.get(org=org, action="org.sign_in")
    assert entry.changes == {"mfa_required": [False, True]}
    home = reverse("org_home", kwargs={"org_slug": org.slug})
    hr = members["hr"]
    for person in (admin, hr):
        response = client_for(person).get(home)
        assert response.status_code == 302 and response["Location"].startswith(SETTINGS), person.role
    assert client_for(members["member"]).get(home).status_code == 200  # members are not asked

    client = client_for(hr)
    refused = client.post(reverse("api_tokens"), {"name": "payroll export", "expires_in_days": ""})
    assert refused.status_code == 400
    assert "requires two-factor authentication for admins and HR" in refused.content.decode()
    assert not ApiToken.objects.filter(user=hr.user).exists()

    secret, _codes = enrol(client)
    assert client.get(home).status_code == 200
    assert (
        client.post(reverse("api_tokens"), {"name": "payroll export", "expires_in_days": ""}).status_code
        == 200
    )
    assert ApiToken.objects.filter(user=hr.user).exists()
    # …and it cannot be turned off while required.
    off = client.post(SETTINGS, {"action": "deactivate", "code": code_for(secret, 1)})
    assert off.status_code == 400
    assert selectors.mfa_enabled(user=hr.user)


def test_it_can_be_turned_off_with_a_code_when_not_required(member, client_for):
    client = client_for(member)
    secret, _codes = enrol(client)
    assert client.post(SETTINGS, {"action": "deactivate", "code": "000000"}).status_code == 400
    assert selectors.mfa_enabled(user=member.user)
    assert client.post(SETTINGS, {"action": "deactivate", "code": code_for(secret, -1)}).status_code == 200
    assert not selectors.mfa_enabled(user=member.user)


def test_tokens_made_before_the_setting_stop_working_for_admins_and_hr_until_they_enrol(
    org, admin, members, client_for
):
    """The setting is checked on every API request, not only when a token is made: a token an
    admin or HR person made before the organisation required two-factor authentication is refused
    (403, saying why) until they turn it on; other people's tokens and service tokens carry on."""
    goals = f"/api/v1/orgs/{org.slug}/goals/"
    hr = members["hr"]
    _token, hr_key = services.api_token_create(user=hr.user, name="payroll export")
    _token, member_key = services.api_token_create(user=members["member"].user, name="crm push")
    _token, service_key = services.service_token_create(org=org, actor=admin, name="bi", scope="read")

    def get(key: str):
        return Client(HTTP_AUTHORIZATION=f"Token {key}").get(goals)

    assert get(hr_key).status_code == 200
    services.org_sign_in_update(
        org=org, sso_required=False, break_glass_admin=None, mfa_required=True, actor=admin.user
    )
    refused = get(hr_key)
    assert refused.status_code == 403
    assert "requires two-factor authentication for admins and HR" in refused.json()["detail"]
    assert client_for(admin).get(goals).status_code == 403  # a session is asked the same
    assert get(member_key).status_code == 200
    assert get(service_key).status_code == 200

    enrol(client_for(hr))
    assert get(hr_key).status_code == 200
