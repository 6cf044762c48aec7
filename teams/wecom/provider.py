"""The WeCom provider: a member of the company's WeCom (企业微信) corp, identified by the corp id
and their userid. WeCom vouches for no e-mail address Stretch could use, so the identity is only
ever connected to an existing account (docs/authentication.md)."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from .views import WeComOAuth2Adapter


class WeComAccount(ProviderAccount):
    def to_str(self) -> str:
        return str(
            self.account.extra_data.get("name") or self.account.extra_data.get("userid") or super().to_str()
        )


class WeComProvider(OAuth2Provider):
    id = "wecom"
    name = "WeCom"
    account_class = WeComAccount
    oauth2_adapter_class = WeComOAuth2Adapter

    def extract_uid(self, data: dict[str, Any]) -> str:
        return f"{data['corpid']}:{data['userid']}"  # a userid is unique only inside its corp

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"name": data.get("name")}

    def get_default_scope(self) -> list[str]:
        return ["snsapi_base"]


provider_classes = [WeComProvider]
