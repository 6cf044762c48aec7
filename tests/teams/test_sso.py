"""Sign-in with the company's identity: the whole OpenID Connect flow against a fake provider on
127.0.0.1 (discovery, authorize, token, userinfo; an ID token signed with a test key), and every
refusal — a forged state, a replayed callback, an unverified e-mail, an e-mail nobody invited, an
e-mail that matches an existing account, a deactivated account."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client, override_settings
from django.urls import reverse

from teams.models import Role, User
from tests import factories
from tests.oidc_provider import CLIENT_SECRET, serve_provider

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("openid_connect_login", kwargs={"provider_id": "acme"})


@pytest.fixture
def idp():
    with serve_provider() as provider, override_settings(SOCIALACCOUNT_PROVIDERS=provider.settings()):
        yield provider


def start(client: Client, process: str = "login") -> dict[str, str]:
    """Press the provider's button; follow the redirect to the provider, which consents at once
    and sends the browser back with a code. Returns the callback's query (code, state)."""
    response = client.post(LOGIN_URL, {"process": process})
    assert response.status_code == 302, response.content
    authorize = response["Location"]
    assert authorize.startswith(f"{urlsplit(authorize).scheme}://127.0.0.1")
    back = requests.get(authorize, allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.path == reverse("openid_connect_callback", kwargs={"provider_id": "acme"})
    return {k: v[0] for k, v in parse_qs(callback.query).items()}


def finish(client: Client, query: dict[str, str]):
    return client.get(reverse("openid_connect_callback", kwargs={"provider_id": "acme"}), query)


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def identity(email: str, *, verified: bool = True, sub: str = "sub-1") -> dict[str, object]:
    return {"sub": sub, "email": email, "email_verified": verified, "name": "Zhang San"}


def test_the_sign_in_page_offers_a_button_only_for_configured_providers(idp):
    page = Client().get(reverse("login"))
    assert b"Sign in with Acme SSO" in page.content
    assert LOGIN_URL.encode() in page.content
    # The browser checks the redirect to the provider against the page's form-action.
    assert f"form-action 'self' {idp.base_url}" in page["Content-Security-Policy"]
    with override_settings(SOCIALACCOUNT_PROVIDERS={}):
        page = Client().get(reverse("login"))
    assert b"Sign in with" not in page.content
    assert b"company account" not in page.content


def test_connect_after_password_sign_in_then_sign_in_with_the_provider(idp, org):
    person = factories.member(org, Role.MEMBER, name="Zhang San", email="zhang@acme.example")
    idp.identity = identity("zhang@corp.example", sub="kc-42")  # the company may know another address

    client = Client()
    client.force_login(person.user)
    profile = client.get(reverse("profile"))
    assert b"Connect your Acme SSO account" in profile.content
    response = finish(client, start(client, process="connect"))
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    account = SocialAccount.objects.get(user=person.user)
    assert (account.provider, account.uid) == ("acme", "kc-42")
    assert b"connected. You can sign in with it." in client.get(reverse("profile")).content

    fresh = Client()
    response = finish(fresh, start(fresh))
    assert response.status_code == 302
    assert signed_in_user(fresh) == person.user
    assert fresh.get(response["Location"], follow=True).status_code == 200
    # The provider was spoken to as OpenID Connect says, with the secret, the redirect URI and PKCE.
    assert {"GET /.well-known/openid-configuration", "GET /authorize", "POST /token", "GET /userinfo"} <= set(
        idp.requests
    )
    token_request = idp.token_requests[-1]
    assert token_request["grant_type"] == "authorization_code"
    assert token_request["code_verifier"]
    assert token_request["redirect_uri"].endswith("/accounts/sso/oidc/acme/login/callback/")
    # Tokens are not kept.
    assert not account.socialtoken_set.exists()


def test_a_forged_state_is_refused(idp, org):
    person = factories.member(org, Role.MEMBER, email="li@acme.example")
    SocialAccount.objects.create(user=person.user, provider="acme", uid="sub-1")
    idp.identity = identity("li@acme.example")
    client = Client()
    query = start(client)
    response = finish(client, {**query, "state": "forged"})
    assert response.status_code == 400
    assert b"did not complete" in response.content
    assert signed_in_user(client) is None
    assert "POST /token" not in idp.requests  # the code was never exchanged


def test_a_replayed_callback_is_refused(idp, org):
    person = factories.member(org, Role.MEMBER, email="li@acme.example")
    SocialAccount.objects.create(user=person.user, provider="acme", uid="sub-1")
    idp.identity = identity("li@acme.example")
    client = Client()
    query = start(client)
    assert finish(client, query).status_code == 302
    assert signed_in_user(client) == person.user

    thief = Client()  # the same code and state, sent again from another browser
    response = finish(thief, query)
    assert response.status_code == 400
    assert b"did not complete" in response.content
    assert signed_in_user(thief) is None


def test_a_matching_e_mail_alone_never_signs_into_an_existing_account(idp, org):
    person = factories.member(org, Role.ADMIN, email="boss@acme.example")
    idp.identity = identity("boss@acme.example", verified=True)
    client = Client()
    response = finish(client, start(client))
    assert response.status_code == 400
    assert b"Sign in with its password first" in response.content
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.filter(user=person.user).exists()


def test_an_unverified_e_mail_is_refused(idp, org):
    idp.identity = identity("new@acme.example", verified=False)
    client = Client()
    response = finish(client, start(client))
    assert response.status_code == 400
    assert b"has not verified the e-mail address new@acme.example" in response.content
    assert not User.objects.filter(email="new@acme.example").exists()
    assert signed_in_user(client) is None


def test_a_person_nobody_invited_gets_no_account(idp, org):
    idp.identity = identity("stranger@elsewhere.example")
    client = Client()
    response = finish(client, start(client))
    assert response.status_code == 400
    assert b"No organisation in Stretch has invited stranger@elsewhere.example" in response.content
    assert not User.objects.filter(email="stranger@elsewhere.example").exists()
    assert not SocialAccount.objects.exists()


def test_a_deactivated_account_cannot_sign_in_with_its_identity(idp, org):
    person = factories.member(org, Role.MEMBER, email="gone@acme.example")
    SocialAccount.objects.create(user=person.user, provider="acme", uid="sub-1")
    User.objects.filter(pk=person.user.pk).update(is_active=False)
    idp.identity = identity("gone@acme.example")
    client = Client()
    response = finish(client, start(client))
    assert response.status_code == 400
    assert b'data-reason="inactive"' in response.content
    assert signed_in_user(client) is None


def test_an_identity_connected_to_someone_else_is_not_moved(idp, org):
    owner = factories.member(org, Role.MEMBER, email="owner@acme.example")
    SocialAccount.objects.create(user=owner.user, provider="acme", uid="sub-1")
    other = factories.member(org, Role.MEMBER, email="other@acme.example")
    idp.identity = identity("owner@acme.example")
    client = Client()
    client.force_login(other.user)
    finish(client, start(client, process="connect"))
    assert SocialAccount.objects.get(uid="sub-1").user == owner.user


def test_the_login_endpoint_needs_a_post_and_a_configured_provider(idp):
    page = Client().get(LOGIN_URL)  # a GET only asks for confirmation (no sign-in from a link)
    assert page.status_code == 200 and b"Continue" in page.content
    assert "GET /authorize" not in idp.requests
    missing = Client().post(reverse("openid_connect_login", kwargs={"provider_id": "nope"}))
    assert missing.status_code == 404


def test_the_secret_is_never_logged(idp, org, caplog):
    idp.identity = identity("stranger@elsewhere.example")
    client = Client()
    with caplog.at_level("DEBUG"):
        finish(client, start(client))
    assert "sso refused provider=acme reason=not_invited" in caplog.text
    assert CLIENT_SECRET not in caplog.text


def test_an_expired_or_unknown_authorization_code_is_refused(idp, org):
    person = factories.member(org, Role.MEMBER, email="li@acme.example")
    SocialAccount.objects.create(user=person.user, provider="acme", uid="sub-1")
    idp.identity = identity("li@acme.example")
    client = Client()
    query = start(client)
    idp.codes.clear()  # the provider has forgotten the code (expired)
    response = finish(client, query)
    assert response.status_code == 400
    assert b"did not complete" in response.content
    assert signed_in_user(client) is None


def test_the_idle_timeout_also_ends_a_single_sign_on_session(idp, org, settings):
    person = factories.member(org, Role.MEMBER, email="li@acme.example")
    SocialAccount.objects.create(user=person.user, provider="acme", uid="sub-1")
    idp.identity = identity("li@acme.example")
    client = Client()
    finish(client, start(client))
    assert client.get(reverse("profile")).status_code == 200
    session = client.session
    session["_last_activity"] = int(session["_last_activity"]) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert signed_in_user(client) is None
