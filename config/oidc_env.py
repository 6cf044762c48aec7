"""Generic OpenID Connect providers from the environment (docs/authentication.md).

The first provider is ``OIDC_SERVER_URL`` / ``OIDC_CLIENT_ID`` / ``OIDC_CLIENT_SECRET`` /
``OIDC_PROVIDER_ID`` / ``OIDC_NAME``; more are numbered, ``OIDC_2_SERVER_URL`` …
``OIDC_9_NAME``, the same five names with the number after ``OIDC_``. A provider is configured
when its issuer URL and client id are both set; the sign-in page shows one button per provider.
A function of the environment it is given, so that settings call it and tests feed it any."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

MAX_PROVIDERS = 9
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _prefix(number: int) -> str:
    return "OIDC_" if number == 1 else f"OIDC_{number}_"


def openid_connect_apps(environ: Mapping[str, str]) -> list[dict[str, Any]]:
    """allauth's ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]`` from the environment.
    Refuses (ImproperlyConfigured, naming the variable) a half-configured provider, an id that
    cannot be part of a URL, and two providers with the same id."""
    apps: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for number in range(1, MAX_PROVIDERS + 1):
        prefix = _prefix(number)
        server_url = environ.get(f"{prefix}SERVER_URL", "").strip()
        client_id = environ.get(f"{prefix}CLIENT_ID", "").strip()
        if not server_url and not client_id:
            continue
        if not (server_url and client_id):
            missing = f"{prefix}CLIENT_ID" if server_url else f"{prefix}SERVER_URL"
            raise ImproperlyConfigured(f"{missing} must be set too ({prefix}… configures one provider).")
        if not server_url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"{prefix}SERVER_URL must be an http(s) URL (the issuer).")
        default_id = "company" if number == 1 else f"company{number}"
        provider_id = environ.get(f"{prefix}PROVIDER_ID", "").strip() or default_id
        if not PROVIDER_ID.match(provider_id):
            raise ImproperlyConfigured(
                f"{prefix}PROVIDER_ID must be lower-case letters, digits, - or _ (it is part of URLs)."
            )
        if provider_id in seen:
            raise ImproperlyConfigured(
                f"{prefix}PROVIDER_ID “{provider_id}” is already the id of {seen[provider_id]}…"
            )
        seen[provider_id] = prefix
        default_name = "Company account" if number == 1 else f"Company account {number}"
        apps.append(
            {
                "provider_id": provider_id,
                "name": environ.get(f"{prefix}NAME", "").strip() or default_name,
                "client_id": client_id,
                "secret": environ.get(f"{prefix}CLIENT_SECRET", ""),
                "settings": {"server_url": server_url},
            }
        )
    return apps
