"""The sign-in pages in 中文: the password form and its refusals, the second-factor code page,
two-factor enrolment, the organisation's sign-in settings, the confirmation before a single
sign-on and its refusals — every word on them comes from the zh-hans catalogue."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from teams import services
from tests.factories import PASSWORD
from tests.teams.test_mfa import enrol
from tests.teams.test_sso import LOGIN_URL, finish, identity, idp, start  # noqa: F401 - idp is a fixture

pytestmark = pytest.mark.django_db

# Latin words a 中文 page may show: names, codes, units, and what the person or provider typed.
NOT_ENGLISH = {"Stretch", "Acme", "SSO", "API", "TOTP", "DNS", "TXT", "Walk", "Person", "Admin", "Member"}
NOT_ENGLISH |= {"Zhang", "San", "Founder", "org", "Org", "example", "acme", "com", "EN", "QR"}
NOT_ENGLISH |= {"Google", "Microsoft", "Authenticator", "FreeOTP"}  # authenticator apps


def english_words(html: str) -> set[str]:
    """Latin words in the page's visible text (not in tags, scripts, e-mail addresses, codes)."""
    text = re.sub(r"<(script|style|svg|code|pre)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\S+@\S+|https?://\S+|_stretch-verification\S*|stretch-verification=\S+", " ", text)
    return set(re.findall(r"\b[A-Za-z]{3,}\b", text)) - NOT_ENGLISH


def zh_client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        user.language = "zh-hans"
        user.save(update_fields=["language"])
        client.force_login(user)
    return client


def assert_zh(response, *phrases: str) -> None:
    html = response.content.decode()
    assert 'lang="zh-Hans"' in html
    for phrase in phrases:
        assert phrase in html, phrase
    assert not english_words(html), f"English on {response.request['PATH_INFO']}: {english_words(html)}"


def test_the_password_sign_in_and_its_refusals_in_chinese(org, member):
    client = zh_client()
    assert_zh(client.get(reverse("login")), "登录 Stretch", "邮箱", "密码", "忘记密码？")
    wrong = client.post(reverse("login"), {"username": member.user.email, "password": "wrong"})
    assert_zh(wrong, "邮箱与密码不匹配")
    for _ in range(10):
        client.post(reverse("login"), {"username": member.user.email, "password": "wrong"})
    assert_zh(
        client.post(reverse("login"), {"username": member.user.email, "password": PASSWORD}),
        "登录失败次数过多",
    )


def test_two_factor_enrolment_and_the_code_page_in_chinese(org, member):
    client = zh_client(member.user)
    assert_zh(client.get(reverse("mfa_settings")), "双重验证")
    enrol(client)
    signing_in = zh_client()
    response = signing_in.post(reverse("login"), {"username": member.user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert_zh(signing_in.get(reverse("mfa_authenticate")))
    assert_zh(signing_in.post(reverse("mfa_authenticate"), {"code": "000000"}))


def test_the_sign_in_settings_in_chinese(idp, org, admin):  # noqa: F811
    services.org_domain_add(org=org, domain="acme.example", actor=admin.user)
    assert_zh(zh_client(admin.user).get(reverse("sign_in_settings", args=[org.slug])), "双重验证")


def test_single_sign_on_confirmation_and_refusals_in_chinese(idp, org):  # noqa: F811
    client = zh_client()
    page = client.get(reverse("login"))
    assert_zh(page, "使用 Acme SSO 登录")
    assert_zh(client.get(LOGIN_URL))  # the confirmation page a GET shows
    idp.identity = identity("new@acme.example", verified=False)
    assert_zh(finish(client, start(client)))
    idp.identity = identity("stranger@elsewhere.example", sub="sub-2")
    assert_zh(finish(client, start(client)))
