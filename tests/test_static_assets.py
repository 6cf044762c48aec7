"""Chart pages load a small plotly.js (only the trace types Stretch draws), only they load it, and
production serves it compressed: what a member on a phone downloads for My pay."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from whitenoise.middleware import WhiteNoiseMiddleware

from incentives import services as incentive_services
from teams.models import Role
from tests import factories
from tests.incentives.test_services import ARTICLE

PLOTLY = "vendor/plotly/plotly-basic.min.js"
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_the_vendored_plotly_is_the_partial_bundle_with_its_licence():
    path = Path(finders.find(PLOTLY))
    assert path.stat().st_size < 1_500_000  # the full plotly.min.js is 4.8 MB
    head = path.read_text(encoding="utf-8")[:200]
    assert "plotly.js (basic - minified)" in head and "MIT license" in head
    assert "MIT License" in (path.parent / "LICENSE").read_text()
    # The full bundle is no longer collected into the image.
    assert finders.find("plotly/plotly.min.js") is None


def test_only_chart_pages_load_plotly(org, admin):
    client = Client()
    client.force_login(admin.user)
    chart_page = client.get(reverse("system", args=[org.slug])).content.decode()
    assert f'<script src="/static/{PLOTLY}" defer></script>' in chart_page
    for name in ("org_home", "goals_index", "tracking_index", "team_directory"):
        assert "plotly" not in client.get(reverse(name, args=[org.slug])).content.decode(), name


def test_my_pay_loads_the_small_bundle_only_when_it_draws_the_payout_curve(org, members, member):
    client = Client()
    client.force_login(member.user)
    url = reverse("incentives_index", args=[org.slug])
    assert "plotly" not in client.get(url).content.decode()  # no scheme yet: no curve, no chart library
    team = factories.team(org, "Sales")
    member.teams.add(team)
    scheme = incentive_services.scheme_save(org=org, actor=members[Role.HR], data=ARTICLE)
    incentive_services.scheme_assign(scheme=scheme, actor=members[Role.HR], team=team)
    html = client.get(url).content.decode()
    assert 'data-chart="payout-curve"' in html
    assert f"/static/{PLOTLY}" in html and "plotly.min.js" not in html


def test_production_serves_the_chart_bundle_compressed_and_cached_forever(db, tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES, WHITENOISE_USE_FINDERS=False,
                           WHITENOISE_AUTOREFRESH=False):  # fmt: skip
        call_command("collectstatic", "--noinput", verbosity=0)
        from django.contrib.staticfiles.storage import staticfiles_storage

        url = staticfiles_storage.url(PLOTLY)
        serve = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
        # A browser offers br too: WhiteNoise sends Brotli when the brotli package made a .br file
        # (locust's dependencies bring it into a bench environment), gzip otherwise.
        browser = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd"))
        gzip = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate"))
        plain = serve(RequestFactory().get(url))
    assert url != f"/static/{PLOTLY}"  # hashed name
    assert gzip.status_code == 200 and gzip["Content-Encoding"] == "gzip"
    assert int(gzip["Content-Length"]) < 450_000
    assert browser.status_code == 200 and browser["Content-Encoding"] in ("gzip", "br")
    assert int(browser["Content-Length"]) < 450_000
    assert "immutable" in gzip["Cache-Control"] and "Accept-Encoding" in gzip["Vary"]
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    assert int(plain["Content-Length"]) > 1_000_000
    for response in (browser, gzip, plain):
        response.close()
