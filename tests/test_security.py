"""Content Security Policy without inline scripts, on every kind of page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from teams import services

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def inline_scripts(html: str) -> list[str]:
    found = []
    for attrs, body in SCRIPT_TAG.findall(html):
        if "src=" in attrs or 'type="application/json"' in attrs:
            continue
        if body.strip():
            found.append(body.strip()[:80])
    return found


@pytest.mark.parametrize(
    "url_name",
    [
        "org_home",
        "team_directory",
        "org_settings",
        "team_list",
        "member_list",
        "member_invite",
        "system",
        "goals_index",
        "plans_index",
        "tracking_index",
        "incentives_index",
        "retros_index",
    ],
)
def test_org_pages_have_a_strict_csp_and_no_inline_script(org, admin, url_name):
    services.heartbeat_record()
    client = Client()
    client.force_login(admin.user)
    response = client.get(reverse(url_name, args=[org.slug]))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert inline_scripts(response.content.decode()) == []
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/password/reset/", "/api/docs/", "/o/missing/"]
)
def test_public_pages_have_no_inline_script(db, path):
    response = Client().get(path)
    assert "Content-Security-Policy" in response
    assert inline_scripts(response.content.decode()) == []


def test_every_asset_is_served_by_the_app(org, admin):
    client = Client()
    client.force_login(admin.user)
    html = client.get(reverse("system", args=[org.slug])).content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+\.(?:js|css|svg))"', html):
        assert url.startswith("/static/"), url
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js', html)
    assert "/static/vendor/plotly/plotly-basic.min.js" in html
