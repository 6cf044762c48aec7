"""The identity providers this deployment configured (read from settings: no query, no network).
Separate from teams.sso so that services can ask without importing the adapters."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse


@dataclass(frozen=True)
class ProviderButton:
    """One configured identity provider, as the sign-in page offers it."""

    provider_id: str
    name: str
    login_url: str


def configured_providers() -> list[ProviderButton]:
    """The providers the deployment configured (settings only: no query, no network)."""
    buttons = []
    for provider, config in getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).items():
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
