"""Several OpenID Connect providers configured from the environment (config.oidc_env): numbered
variables, one sign-in button each, and a clear refusal of a configuration that cannot work."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from config.oidc_env import openid_connect_apps

pytestmark = pytest.mark.django_db

KEYCLOAK = {
    "OIDC_SERVER_URL": "https://sso.acme.example/realms/acme",
    "OIDC_CLIENT_ID": "stretch",
    "OIDC_CLIENT_SECRET": "s1",
    "OIDC_PROVIDER_ID": "keycloak",
    "OIDC_NAME": "Acme Keycloak",
}
ENTRA = {
    "OIDC_2_SERVER_URL": "https://login.microsoftonline.com/tenant-1/v2.0",
    "OIDC_2_CLIENT_ID": "app-2",
    "OIDC_2_CLIENT_SECRET": "s2",
    "OIDC_2_PROVIDER_ID": "entra",
    "OIDC_2_NAME": "Microsoft Entra ID",
}


def test_numbered_variables_configure_one_provider_each():
    apps = openid_connect_apps({**KEYCLOAK, **ENTRA, "OIDC_3_SERVER_URL": "", "UNRELATED": "x"})
    assert [(a["provider_id"], a["name"], a["client_id"], a["secret"]) for a in apps] == [
        ("keycloak", "Acme Keycloak", "stretch", "s1"),
        ("entra", "Microsoft Entra ID", "app-2", "s2"),
    ]
    assert apps[1]["settings"] == {"server_url": "https://login.microsoftonline.com/tenant-1/v2.0"}
    # A numbered provider alone (no first one) works too, with default id and name.
    only = openid_connect_apps({"OIDC_4_SERVER_URL": "https://id.authing.example", "OIDC_4_CLIENT_ID": "c"})
    assert [(a["provider_id"], a["name"]) for a in only] == [("company4", "Company account 4")]
    assert openid_connect_apps({}) == []


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"OIDC_2_SERVER_URL": "https://sso.example"}, "OIDC_2_CLIENT_ID"),
        ({"OIDC_CLIENT_ID": "c"}, "OIDC_SERVER_URL"),
        ({"OIDC_SERVER_URL": "sso.example", "OIDC_CLIENT_ID": "c"}, "OIDC_SERVER_URL"),
        ({**KEYCLOAK, "OIDC_PROVIDER_ID": "Acme SSO"}, "OIDC_PROVIDER_ID"),
        ({**KEYCLOAK, **ENTRA, "OIDC_2_PROVIDER_ID": "keycloak"}, "OIDC_2_PROVIDER_ID"),
    ],
)
def test_a_configuration_that_cannot_work_is_refused_naming_the_variable(environ, names):
    with pytest.raises(ImproperlyConfigured, match=names):
        openid_connect_apps(environ)


def test_the_sign_in_page_shows_one_button_per_provider():
    providers = {
        "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": openid_connect_apps({**KEYCLOAK, **ENTRA})}
    }
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        page = Client().get(reverse("login"))
    html = page.content.decode()
    buttons = re.findall(r"<button[^>]*>Sign in with ([^<]+)</button>", html)
    assert buttons == ["Acme Keycloak", "Microsoft Entra ID"]
    for provider_id in ("keycloak", "entra"):
        assert reverse("openid_connect_login", kwargs={"provider_id": provider_id}) in html
    csp = page["Content-Security-Policy"]
    assert "https://sso.acme.example" in csp and "https://login.microsoftonline.com" in csp
