"""Feishu (飞书) and DingTalk (钉钉) through allauth's providers, and WeCom (企业微信) through
Stretch's own (teams.wecom), with their answers recorded in the
shapes their open platforms document (the HTTP calls go to a fake session, not the internet).
Neither tells Stretch a verified e-mail, so they follow the same rules as any identity: connected
after signing in (from the profile), then they sign that account in; a new one gets nothing."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client, override_settings
from django.urls import reverse

from teams.models import Role, User
from tests import factories

pytestmark = pytest.mark.django_db

PROVIDERS = {
    "feishu": {"APPS": [{"client_id": "cli_a1b2c3", "secret": "feishu-secret-not-real"}]},
    "dingtalk": {"APPS": [{"client_id": "dingabc123", "secret": "dingtalk-secret-not-real"}]},
    "wecom": {
        "APPS": [
            {
                "client_id": "ww1234567890abcd",
                "secret": "wecom-secret-not-real",
                "settings": {"agent_id": "1000002"},
            }
        ]
    },
}

# Recorded answer shapes (open.feishu.cn authen v1; api.dingtalk.com v1.0 oauth2 / contact).
FEISHU = {
    "POST https://open.feishu.cn/open-apis/auth/v3/app_access_token/internal/": {
        "code": 0, "msg": "ok", "app_access_token": "a-6b2c0c1b5a", "expire": 7140,
    },
    "POST https://open.feishu.cn/open-apis/authen/v1/access_token": {
        "code": 0, "msg": "success",
        "data": {
            "access_token": "u-7f1bcd13fc", "token_type": "Bearer", "expires_in": 7140,
            "refresh_token": "ur-t9HHgRCjMqGqIU9v", "refresh_expires_in": 2591940,
            "name": "张三", "open_id": "ou_caecc734c2e3328a62489fe0648c4b98", "tenant_key": "736588c92lxf175d",
        },
    },
    "GET https://open.feishu.cn/open-apis/authen/v1/user_info": {
        "code": 0, "msg": "success",
        "data": {
            "name": "张三", "en_name": "Zhang San", "avatar_big": "https://example.invalid/a.png",
            "open_id": "ou_caecc734c2e3328a62489fe0648c4b98", "union_id": "on_d89jhsdhjsajkda7828enjdj328ydhhw3u43yjhdj",
            "email": "zhangsan@acme.example", "user_id": "5d9bdxxx", "mobile": "+86130002883xx",
            "tenant_key": "736588c92lxf175d", "employee_no": "111222333",
        },
    },
}  # fmt: skip
DINGTALK = {
    "POST https://api.dingtalk.com/v1.0/oauth2/userAccessToken": {
        "accessToken": "abcd1234", "refreshToken": "efgh5678", "expireIn": 7200, "corpId": "ding9f50b15bccd16741",
    },
    "GET https://api.dingtalk.com/v1.0/contact/users/me": {
        "nick": "张三", "avatarUrl": "https://example.invalid/a.png", "mobile": "150xxxx9144",
        "openId": "123", "unionId": "z21HjQliSzpw0YWxxxxx", "email": "zhangsan@acme.example", "stateCode": "86",
    },
}  # fmt: skip
# qyapi.weixin.qq.com: gettoken, auth/getuserinfo (a member: userid), user/get.
WECOM = {
    "GET https://qyapi.weixin.qq.com/cgi-bin/gettoken": {
        "errcode": 0, "errmsg": "ok", "access_token": "accesstoken000001", "expires_in": 7200,
    },
    "GET https://qyapi.weixin.qq.com/cgi-bin/auth/getuserinfo": {
        "errcode": 0, "errmsg": "ok", "userid": "zhangsan", "user_ticket": "USER_TICKET", "expires_in": 1800,
    },
    "GET https://qyapi.weixin.qq.com/cgi-bin/user/get": {
        "errcode": 0, "errmsg": "ok", "userid": "zhangsan", "name": "张三", "department": [1, 2],
        "position": "产品经理", "status": 1, "main_department": 1,
    },
}  # fmt: skip
RECORDED = {
    "feishu": (FEISHU, "ou_caecc734c2e3328a62489fe0648c4b98"),
    "dingtalk": (DINGTALK, "123"),
    "wecom": (WECOM, "ww1234567890abcd:zhangsan"),
}
SECRETS = {
    "feishu": "feishu-secret-not-real",
    "dingtalk": "dingtalk-secret-not-real",
    "wecom": "wecom-secret-not-real",
}


@dataclass
class FakeResponse:
    body: dict[str, Any]
    status_code: int = 200

    def json(self) -> dict[str, Any]:
        return copy.deepcopy(self.body)  # allauth's DingTalk client pops keys from it

    def raise_for_status(self) -> None:
        pass

    @property
    def content(self) -> bytes:
        return repr(self.body).encode()


@dataclass
class FakeSession:
    answers: dict[str, dict[str, Any]]
    sent: list[dict[str, Any]] = field(default_factory=list)

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *args: Any) -> None:
        pass

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        self.sent.append({"method": method, "url": url, **kwargs})
        return FakeResponse(self.answers[f"{method.upper()} {url}"])

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> FakeResponse:
        return self.request("POST", url, **kwargs)


@pytest.fixture(params=["feishu", "dingtalk", "wecom"])
def provider(request, monkeypatch):
    answers, uid = RECORDED[request.param]
    session = FakeSession(answers)
    monkeypatch.setattr("teams.sso.SocialAccountAdapter.get_requests_session", lambda self: session)
    with override_settings(SOCIALACCOUNT_PROVIDERS=PROVIDERS):
        yield request.param, uid, session


def sign_in(client: Client, name: str, process: str = "login"):
    response = client.post(reverse(f"{name}_login"), {"process": process})
    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    assert authorize.hostname in ("open.feishu.cn", "login.dingtalk.com", "login.work.weixin.qq.com")
    state = parse_qs(authorize.query)["state"][0]
    code = {"dingtalk": "authCode"}.get(name, "code")  # DingTalk calls the code authCode
    return client.get(reverse(f"{name}_callback"), {code: "recorded-code", "state": state})


def test_the_sign_in_page_offers_feishu_dingtalk_and_wecom():
    with override_settings(SOCIALACCOUNT_PROVIDERS=PROVIDERS):
        page = Client().get(reverse("login"))
    assert "Sign in with Feishu" in page.content.decode()
    assert "Sign in with DingTalk" in page.content.decode()
    assert "Sign in with WeCom" in page.content.decode()
    assert "https://open.feishu.cn" in page["Content-Security-Policy"]


def test_connect_from_the_profile_then_sign_in(provider, org):
    name, uid, session = provider
    person = factories.member(org, Role.MEMBER, email="zhang@acme.example")
    client = Client()
    client.force_login(person.user)
    assert sign_in(client, name, process="connect")["Location"] == reverse("profile")
    assert SocialAccount.objects.get(user=person.user).uid == uid

    fresh = Client()
    response = sign_in(fresh, name)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert fresh.session["_auth_user_id"] == str(person.user.pk)
    assert SECRETS[name] in repr(session.sent)  # the app secret went to the token endpoint


def test_a_new_identity_without_a_verified_e_mail_gets_nothing(provider, org):
    name, _uid, _session = provider
    factories.member(org, Role.MEMBER, email="zhangsan@acme.example")  # the same address, not enough
    users = User.objects.count()
    client = Client()
    response = sign_in(client, name)
    assert response.status_code == 400
    assert 'data-reason="unverified_email"' in response.content.decode() or 'data-reason="no_email"' in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == users


def test_wecom_asks_for_the_corp_app_and_refuses_a_visitor_who_is_not_a_member(monkeypatch, org):
    answers = {**WECOM, "GET https://qyapi.weixin.qq.com/cgi-bin/auth/getuserinfo": {
        "errcode": 0, "errmsg": "ok", "openid": "oAAAAAAA", "external_userid": "wmAAAAAAA"}}  # fmt: skip
    session = FakeSession(answers)
    monkeypatch.setattr("teams.sso.SocialAccountAdapter.get_requests_session", lambda self: session)
    with override_settings(SOCIALACCOUNT_PROVIDERS=PROVIDERS):
        client = Client()
        start = client.post(reverse("wecom_login"), {"process": "login"})
        query = parse_qs(urlsplit(start["Location"]).query)
        assert (query["appid"], query["agentid"], query["login_type"]) == (
            ["ww1234567890abcd"],
            ["1000002"],
            ["CorpApp"],
        )
        response = client.get(reverse("wecom_callback"), {"code": "c", "state": query["state"][0]})
    assert response.status_code == 400
    assert "did not complete" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wecom_error_code_is_a_failed_sign_in(monkeypatch, org):
    answers = {
        **WECOM,
        "GET https://qyapi.weixin.qq.com/cgi-bin/auth/getuserinfo": {
            "errcode": 40029,
            "errmsg": "invalid code",
        },
    }
    monkeypatch.setattr(
        "teams.sso.SocialAccountAdapter.get_requests_session", lambda self: FakeSession(answers)
    )
    with override_settings(SOCIALACCOUNT_PROVIDERS=PROVIDERS):
        client = Client()
        start = client.post(reverse("wecom_login"), {"process": "login"})
        state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
        response = client.get(reverse("wecom_callback"), {"code": "used-code", "state": state})
    assert response.status_code == 400
    assert 'data-reason="auth_error:unknown:OAuth2Error"' in response.content.decode()
