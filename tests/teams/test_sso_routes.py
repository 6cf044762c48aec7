"""The URL walker (tests/test_url_permissions.py) walks the sign-in routes with no identity
provider configured, where they answer 404. This walks the same routes — every route under
/accounts/sso/ that the walker finds, and allauth's sign-in, code and sign-out steps — with every
kind of provider configured (the OpenID Connect one a fake on 127.0.0.1), for an anonymous
visitor and a signed-in member: public pages, never refused, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from teams.models import Role
from tests import factories
from tests.oidc_provider import serve_provider
from tests.test_url_permissions import ROUTES, methods_of

pytestmark = pytest.mark.django_db

OAUTH2 = {
    "feishu": {"APPS": [{"client_id": "cli_a1", "secret": "s"}]},
    "dingtalk": {"APPS": [{"client_id": "ding1", "secret": "s"}]},
    "wecom": {"APPS": [{"client_id": "ww1", "secret": "s", "settings": {"agent_id": "1000002"}}]},
}
SIGN_IN_STEPS = {"login", "account_login", "mfa_authenticate", "logout"}


def sign_in_routes():
    routes = []
    for route in ROUTES:
        if route.name in SIGN_IN_STEPS:
            routes.append(route)
        elif route.params in ((), ("provider_id",)) and not route.name.startswith("<unnamed"):
            url = reverse(route.name, kwargs={"provider_id": "acme"} if route.params else {})
            if url.startswith("/accounts/sso/"):
                routes.append(route)
    return routes


ROUTES_TO_WALK = sign_in_routes()


def test_the_walk_finds_every_provider_route():
    names = {r.name for r in ROUTES_TO_WALK}
    for provider in ("openid_connect", "feishu", "dingtalk", "wecom"):
        assert f"{provider}_login" in names, provider
        assert f"{provider}_callback" in names, provider
    assert names >= SIGN_IN_STEPS


@pytest.mark.parametrize("route", ROUTES_TO_WALK, ids=str)
@pytest.mark.parametrize("principal", ["anonymous", "member"])
def test_sign_in_routes_with_providers_configured(route, principal, org):
    with serve_provider() as idp, override_settings(SOCIALACCOUNT_PROVIDERS={**idp.settings(), **OAUTH2}):
        client = Client()
        if principal == "member":
            client.force_login(factories.member(org, Role.MEMBER).user)
        url = reverse(route.name, kwargs={"provider_id": "acme"} if route.params else {})
        for method in methods_of(route):
            response = getattr(client, method)(url)
            where = f"{method.upper()} {url} as {principal}"
            assert response.status_code < 500, f"{where}: server error {response.status_code}"
            assert response.status_code not in (401, 403, 404), f"{where}: refused ({response.status_code})"
