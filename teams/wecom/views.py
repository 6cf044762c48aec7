"""WeCom's web sign-in (企业微信网页授权登录): the person scans or confirms in WeCom, which sends
them back with a code; Stretch gets the corp's access token with its secret (gettoken), turns
the code into the member's userid (auth/getuserinfo) and reads their name (user/get). Answers
with an errcode other than 0, or a visitor who is not a member (an openid, no userid), fail."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView, OAuth2LoginView
from django.http import HttpRequest

API = "https://qyapi.weixin.qq.com/cgi-bin"


def _get(url: str, params: dict[str, str]) -> dict[str, Any]:
    with get_adapter().get_requests_session() as sess:
        resp = sess.get(url, params=params)
        resp.raise_for_status()
        data = resp.json()
    if not isinstance(data, dict) or data.get("errcode", 0) != 0:
        code = data.get("errcode") if isinstance(data, dict) else "?"
        raise OAuth2Error(f"WeCom answered errcode {code}")
    return data


class WeComOAuth2Client(OAuth2Client):
    agent_id = ""

    def get_redirect_url(self, authorization_url: str, scope: Any, extra_params: dict[str, Any]) -> str:
        params = {
            "login_type": "CorpApp",
            "appid": self.consumer_key,
            "agentid": self.agent_id,
            "redirect_uri": self.callback_url,
        }
        if self.state:
            params["state"] = self.state
        return f"{authorization_url}?{urlencode(params)}"

    def get_access_token(
        self, code: str, pkce_code_verifier: str | None = None, extra_data: Any = None
    ) -> dict[str, Any]:
        token = _get(f"{API}/gettoken", {"corpid": self.consumer_key, "corpsecret": self.consumer_secret})
        identity = _get(f"{API}/auth/getuserinfo", {"access_token": token["access_token"], "code": code})
        if not identity.get("userid"):
            raise OAuth2Error("Not a member of the WeCom corp")
        return {
            "access_token": token["access_token"],
            "expires_in": token.get("expires_in"),
            "userid": identity["userid"],
        }


class WeComOAuth2Adapter(OAuth2Adapter):
    provider_id = "wecom"
    authorize_url = "https://login.work.weixin.qq.com/wwlogin/sso/login"
    access_token_url = f"{API}/gettoken"  # nosec - a URL
    client_class = WeComOAuth2Client

    def get_client(self, request: HttpRequest, app: Any) -> WeComOAuth2Client:
        client = super().get_client(request, app)
        client.agent_id = str(app.settings.get("agent_id", ""))
        return client

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        userid = kwargs["response"]["userid"]
        member = _get(f"{API}/user/get", {"access_token": token.token, "userid": userid})
        data = {"corpid": app.client_id, "userid": userid, "name": member.get("name", "")}
        return self.get_provider().sociallogin_from_response(request, data)


oauth2_login = OAuth2LoginView.adapter_view(WeComOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(WeComOAuth2Adapter)
