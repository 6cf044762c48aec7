"""The identity providers this deployment configured (read from settings: no query, no network).
Separate from teams.sso so that services can ask without importing the adapters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ProviderButton:
    """One configured identity provider, as the sign-in page offers it."""

    provider_id: str
    name: str
    login_url: str


# allauth's own providers Stretch routes (teams.urls), their button names and where they sign in.
OAUTH2_PROVIDERS: dict[str, tuple[Any, str]] = {
    "feishu": (_("Feishu"), "https://open.feishu.cn"),
    "dingtalk": (_("DingTalk"), "https://login.dingtalk.com"),
    "wecom": (_("WeCom"), "https://login.work.weixin.qq.com"),
}


def configured_providers() -> list[ProviderButton]:
    """The providers the deployment configured (settings only: no query, no network)."""
    buttons = []
    for provider, config in getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).items():
        if provider in OAUTH2_PROVIDERS and any(app.get("client_id") for app in config.get("APPS", [])):
            name, _origin = OAUTH2_PROVIDERS[provider]
            url = reverse(f"{provider}_login")
            buttons.append(ProviderButton(provider_id=provider, name=str(name), login_url=url))
        if provider != "openid_connect":
            continue
        for app in config.get("APPS", []):
            if not (app.get("client_id") and app.get("settings", {}).get("server_url")):
                continue
            provider_id = app["provider_id"]
            url = reverse("openid_connect_login", kwargs={"provider_id": provider_id})
            buttons.append(
                ProviderButton(provider_id=provider_id, name=app.get("name") or provider_id, login_url=url)
            )
    return buttons


def provider_origins() -> list[str]:
    """The origins of the configured providers (from their issuer URLs)."""
    origins = []
    for provider, config in getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).items():
        if provider in OAUTH2_PROVIDERS:
            origins.append(OAUTH2_PROVIDERS[provider][1])
        if provider != "openid_connect":
            continue
        for app in config.get("APPS", []):
            url = urlsplit(app.get("settings", {}).get("server_url") or "")
            if url.scheme in ("http", "https") and url.netloc:
                origins.append(f"{url.scheme}://{url.netloc}")
    return sorted(set(origins))


R = TypeVar("R", bound=HttpResponseBase)


def allow_provider_redirects(response: R) -> R:
    """A page whose form starts a sign-in is redirected on to the provider: the browser checks
    that redirect against the page's Content-Security-Policy form-action, which therefore names
    the providers' origins (and only on these pages)."""
    origins = provider_origins()
    if origins:
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response
