"""Settings → Integrations: alert channels (webhooks) an admin can add, edit, switch off, test,
delete and watch — with the honest status of each and the last delivery, its error and a retry —
on the page and through the API. Private addresses are refused when a channel is saved."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import socket
import urllib.parse
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries
from tests.teams.test_api import assert_error
from tests.tracking.deal import fall_behind, sales_deal
from tracking import channels, services
from tracking.models import Alert, Delivery, NotificationChannel

from .test_alerts import Receiver

# user, membership, channels, their last deliveries, org switcher, inbox badge, the form's teams
INTEGRATIONS_PAGE_QUERIES = 7  # assert_queries prints the SQL when this changes
# user, membership, the channel, its recent deliveries, org switcher, inbox badge, the form's teams
INTEGRATION_EDIT_QUERIES = 7
PUBLIC = "93.184.216.34"  # what the fake resolver answers for the public names below
REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def resolver(monkeypatch):
    """Names resolve without a network: *.example.com to a public address, intranet.example.net
    to a private one; addresses resolve to themselves."""
    names = {"hooks.example.com": PUBLIC, "open.feishu.cn": PUBLIC, "intranet.example.net": "10.1.2.3"}

    def fake(host, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], 0))]
        if host and host.endswith(".invalid"):
            raise socket.gaierror("Name or service not known")
        return REAL_GETADDRINFO(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def private_off(settings, resolver):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def channels_url(org, path="") -> str:
    return f"/api/v1/orgs/{org.slug}/notification-channels/{path}"


def field_block(page: str, name: str) -> str:
    """The markup of one form field: its label, input and the errors shown next to it."""
    before, after = page.split(f'id="id_{name}"', 1)
    start = re.split(r'<div class="field[ "]', before)[-1]
    return start + re.split(r'<div class="field[ "]', after, maxsplit=1)[0].split("</form>")[0]


def page_url(name: str, org, *args) -> str:
    return reverse(name, args=[org.slug, *args])


def add(
    org, admin, name="Sales chat", kind="slack", url="https://hooks.example.com/services/T0/B0/SECRET", **kw
):
    return services.channel_save(org=org, actor=admin, name=name, kind=kind, url=url, **kw)


@pytest.fixture
def sales(org):
    return factories.team(org, "Sales")


@pytest.fixture
def lagging_goal(org, manager, sales):
    """A goal about 10 % behind, so that evaluating the rules raises one alert for the Sales team."""
    today = org_today(org)
    goal = factories.goal(org, manager, team=sales, title="Quarterly deal value", start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900), challenge=D(1000), stretch=D(1200),
                          status="active")  # fmt: skip
    services.entries_save(org=org, actor=manager, rows=[services.EntryInput(
        goal_id=goal.pk, value="9.6", day=(today - timedelta(days=n)).isoformat()) for n in range(46)])  # fmt: skip
    services.indicators_recompute(org=org, since=today - timedelta(days=45))
    return goal


REFUSED = [
    ("http://127.0.0.1:9/hook", "127.0.0.1"),
    ("http://localhost:8000/hook", "127.0.0.1"),
    ("http://10.0.0.5/hook", "10.0.0.5"),
    ("http://192.168.1.20/hook", "192.168.1.20"),
    ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
    ("http://[::1]:8080/hook", "::1"),
    ("http://224.0.0.1/hook", "224.0.0.1"),
    ("http://240.0.0.1/hook", "240.0.0.1"),
    ("http://0.0.0.0/hook", "0.0.0.0"),  # noqa: S104 - an address refused, not bound
    ("https://intranet.example.net/hook", "10.1.2.3"),  # a name that resolves to a private address
]


# --- Refused when saved ---------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "address"), REFUSED)
def test_private_addresses_are_refused_when_a_channel_is_saved(org, admin, private_off, url, address):
    with pytest.raises(ValidationError) as caught:
        add(org, admin, url=url)
    assert address in " ".join(caught.value.message_dict["url"])
    assert "private" in " ".join(caught.value.message_dict["url"])
    assert not NotificationChannel.objects.exists()


def test_the_form_and_the_api_refuse_a_private_or_non_http_address_next_to_the_field(org, admin, private_off):
    client = login(admin)
    for url in (
        "http://127.0.0.1:9/hook",
        "ftp://hooks.example.com/x",
        "javascript:alert(1)",
        "hooks.example.com",
    ):
        response = client.post(page_url("integrations", org), {"name": "Ops", "kind": "json", "url": url})
        assert response.status_code == 400, url
        url_field = field_block(response.content.decode(), "url")
        assert "has-error" in url_field and ("private" in url_field or "http(s)" in url_field), url
        assert f'value="{url}"' in url_field.replace("&amp;", "&").replace("&#x27;", "'"), (
            url
        )  # kept as typed
        body = assert_error(api(admin).post(channels_url(org), {"name": "Ops", "kind": "json", "url": url},
                                            format="json"), 400, type_="validation_error", attr="url")  # fmt: skip
        assert url not in ("http://127.0.0.1:9/hook",) or "127.0.0.1" in body["errors"][0]["detail"]
    assert not NotificationChannel.objects.exists()
    # An address on the internet is fine; so is a name that does not resolve today (tried when sent).
    assert client.post(page_url("integrations", org), {"name": "Ops", "kind": "json",
                                                       "url": "https://hooks.example.com/x"}).status_code == 302  # fmt: skip
    add(org, admin, name="Later", url="https://not-yet.invalid/hook")
    assert NotificationChannel.objects.count() == 2


def test_editing_to_a_private_address_is_refused_and_changes_nothing(org, admin, private_off):
    channel = add(org, admin)
    response = login(admin).post(page_url("integration_edit", org, channel.pk),
                                 {"name": "Renamed", "kind": "slack", "url": "http://10.0.0.5/hook"})  # fmt: skip
    assert response.status_code == 400 and "10.0.0.5" in response.content.decode()
    patched = api(admin).patch(channels_url(org, f"{channel.pk}/"), {"url": "http://[::1]/x"}, format="json")
    assert_error(patched, 400, type_="validation_error", attr="url")
    channel.refresh_from_db()
    assert channel.name == "Sales chat" and channel.url == "https://hooks.example.com/services/T0/B0/SECRET"


def test_private_addresses_are_allowed_when_the_setting_says_so(org, admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    assert add(org, admin, url="http://127.0.0.1:9/hook").pk


def test_the_sender_checks_the_same_way_when_a_name_moves_to_a_private_address(
    org, admin, manager, lagging_goal, private_off, monkeypatch, django_capture_on_commit_callbacks
):
    add(org, admin, url="https://hooks.example.com/x")
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: (
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))] if host == "hooks.example.com" else real(host, *a, **k)))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org)
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and "private address" in delivery.last_error


# --- The page -------------------------------------------------------------------------------------
def test_the_integrations_page_lists_channels_with_an_honest_status(org, admin, sales, receiver, resolver,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    quiet = add(
        org, admin, name="Quiet", url="https://hooks.example.com/services/T0/B0/TOKEN123", team_id=sales.pk
    )
    good = add(org, admin, name="Good", kind="json", url=f"{receiver}/good")
    client = login(admin)
    page = client.get(page_url("integrations", org)).content.decode()
    assert "TOKEN123" not in page and "https://hooks.example.com/…" in page  # the token stays masked
    for channel in (quiet, good):
        assert "never used" in page.split(f'data-testid="status-{channel.pk}"')[1].split("</td>")[0]
    assert "Sales" in page.split(f'data-testid="channel-{quiet.pk}"')[1].split("</tr>")[0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url("integration_test", org, good.pk))
    page = client.get(page_url("integrations", org)).content.decode()
    assert "working" in page.split(f'data-testid="status-{good.pk}"')[1].split("</td>")[0]
    last = page.split(f'data-testid="last-{good.pk}"')[1].split("</td>")[0]
    assert "Test message" in last and "sent" in last
    Receiver.fail = True
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url("integration_test", org, good.pk))
    page = client.get(page_url("integrations", org)).content.decode()
    assert "failing: HTTP 500" in page.split(f'data-testid="status-{good.pk}"')[1].split("</td>")[0]
    last = page.split(f'data-testid="last-{good.pk}"')[1].split("</td>")[0]
    assert "failed" in last and "HTTP 500" in last and "Retry" in last


def test_settings_navigation_leads_to_integrations_for_admins_only(org, admin, manager):
    settings_page = login(admin).get(reverse("org_settings", args=[org.slug])).content.decode()
    assert page_url("integrations", org) in settings_page
    assert login(manager).get(page_url("integrations", org)).status_code == 403


def test_an_admin_adds_and_edits_a_channel_and_the_token_stays_unless_retyped(org, admin, sales, resolver):
    client = login(admin)
    created = client.post(page_url("integrations", org), {"name": "Ops", "kind": "feishu", "secret": "s1",
                                                          "url": "https://open.feishu.cn/open-apis/bot/v2/hook/abc"})  # fmt: skip
    assert created.status_code == 302
    channel = NotificationChannel.objects.get()
    edit = client.get(page_url("integration_edit", org, channel.pk)).content.decode()
    assert "abc" not in edit and "https://open.feishu.cn/…" in edit  # the address is not shown in full
    saved = client.post(page_url("integration_edit", org, channel.pk),
                        {"name": "Sales alerts", "kind": "feishu", "url": "", "secret": "", "team": sales.pk})  # fmt: skip
    assert saved.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.team, channel.secret) == ("Sales alerts", sales, "s1")
    assert channel.url == "https://open.feishu.cn/open-apis/bot/v2/hook/abc"
    client.post(page_url("integration_edit", org, channel.pk),
                {"name": "Sales alerts", "kind": "slack", "url": "https://hooks.example.com/new", "clear_secret": "1"})  # fmt: skip
    channel.refresh_from_db()
    assert (channel.kind, channel.url, channel.secret, channel.team) == (
        "slack",
        "https://hooks.example.com/new",
        "",
        None,
    )
    bad = client.post(page_url("integration_edit", org, channel.pk), {"name": "", "kind": "slack", "url": ""})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()


def test_a_switched_off_channel_receives_nothing(org, admin, manager, sales, lagging_goal, receiver,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    off = add(org, admin, name="Off", kind="json", url=f"{receiver}/off")
    on = add(org, admin, name="On", kind="json", url=f"{receiver}/on")
    client = login(admin)
    assert client.post(page_url("integration_enabled", org, off.pk), {"enabled": "0"}).status_code == 302
    off.refresh_from_db()
    assert not off.enabled
    page = client.get(page_url("integrations", org)).content.decode()
    assert "off" in page.split(f'data-testid="enabled-{off.pk}"')[1].split("</td>")[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org)
    assert Alert.objects.count() == 1
    assert [path for path, _h, _b in Receiver.received] == ["/on"]
    assert (
        not Delivery.objects.filter(channel=off).exists() and Delivery.objects.get(channel=on).state == "sent"
    )
    # Nor is a test message sent to it: switch it on first.
    response = client.post(page_url("integration_test", org, off.pk), follow=True)
    assert "Switch the channel on" in response.content.decode() and len(Receiver.received) == 1
    client.post(page_url("integration_enabled", org, off.pk), {"enabled": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url("integration_test", org, off.pk))
    assert [path for path, _h, _b in Receiver.received] == ["/on", "/off"]


def test_a_delivery_queued_before_the_switch_off_is_not_sent(
    org, admin, receiver, django_capture_on_commit_callbacks
):
    channel = add(org, admin, kind="json", url=f"{receiver}/hook")
    delivery = services.channel_test(channel=channel, actor=admin)  # queued; the job runs after commit
    services.channel_set_enabled(channel=channel, actor=admin, enabled=False)
    assert services.delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.state == "failed" and "switched off" in delivery.last_error and Receiver.received == []


def test_a_test_message_is_a_real_delivery_through_the_job(
    org, admin, receiver, django_capture_on_commit_callbacks
):
    channel = add(org, admin, name="Ops", kind="json", url=f"{receiver}/ops", secret="s3cret")
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page_url("integration_test", org, channel.pk))
    # The delivery is queued once, after the commit (the API's data version also moves then).
    queued = [c for c in callbacks if "send_delivery" in repr(c)]
    assert response.status_code == 302 and Receiver.received == [] and len(queued) == 1
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.alert is None
    pending = client.get(page_url("delivery_status", org, delivery.pk), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in pending.content.decode() and "queued" in pending.content.decode()
    queued[0]()
    path, headers, body = Receiver.received[0]
    assert path == "/ops" and body["event"] == "test" and "Stretch test message" in body["text"]
    assert headers["X-Stretch-Signature"].startswith("sha256=")  # signed like any delivery
    done = client.get(
        page_url("delivery_status", org, delivery.pk), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in done and "sent" in done  # the page stops polling
    api_list = (
        api(admin).get(f"/api/v1/orgs/{org.slug}/notification-deliveries/", {"channel": channel.pk}).json()
    )
    assert api_list["results"][0]["id"] == delivery.pk and api_list["results"][0]["state"] == "sent"
    assert api_list["results"][0]["is_test"] is True


def test_a_failed_test_message_is_tried_once_and_shown_at_once(
    org, admin, receiver, django_capture_on_commit_callbacks
):
    Receiver.fail = True
    channel = add(org, admin, kind="slack", url=f"{receiver}/slack")
    with django_capture_on_commit_callbacks(execute=True):
        services.channel_test(channel=channel, actor=admin)
    delivery = Delivery.objects.get()
    assert len(Receiver.received) == 1 and delivery.state == "failed" and delivery.last_error == "HTTP 500"
    channel.refresh_from_db()
    assert channel.failing_since is not None and channel.last_error == "HTTP 500"


def test_retry_a_failed_delivery_from_the_page(org, admin, manager, lagging_goal, receiver,
                                               django_capture_on_commit_callbacks):  # fmt: skip
    Receiver.fail = True
    channel = add(org, admin, kind="slack", url=f"{receiver}/slack")
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org)
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and len(Receiver.received) == 6
    Receiver.fail = False
    client = login(admin)
    page = client.get(page_url("integrations", org)).content.decode()
    assert page_url("delivery_retry", org, delivery.pk) in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page_url("delivery_retry", org, delivery.pk)).status_code == 302
    delivery.refresh_from_db()
    channel.refresh_from_db()
    assert (
        delivery.state == "sent"
        and len(Receiver.received) == 7
        and "deal value" in Receiver.received[-1][2]["text"]
    )
    assert channel.failing_since is None
    page = client.get(page_url("integrations", org)).content.decode()
    assert "working" in page.split(f'data-testid="status-{channel.pk}"')[1].split("</td>")[0]
    # A delivery that was sent is not sent again.
    again = client.post(page_url("delivery_retry", org, delivery.pk), follow=True)
    assert "Only a failed delivery" in again.content.decode() and len(Receiver.received) == 7


def test_the_edit_page_lists_recent_deliveries_with_a_retry(
    org, admin, receiver, django_capture_on_commit_callbacks
):
    Receiver.fail = True
    channel = add(org, admin, kind="slack", url=f"{receiver}/slack")
    with django_capture_on_commit_callbacks(execute=True):
        services.channel_test(channel=channel, actor=admin)
    page = login(admin).get(page_url("integration_edit", org, channel.pk)).content.decode()
    deliveries = page.split('data-testid="deliveries"')[1]
    assert "Test message" in deliveries and "HTTP 500" in deliveries and "Retry" in deliveries


def test_delete_asks_first_and_removes_the_channel(org, admin, resolver):
    channel = add(org, admin)
    client = login(admin)
    edit = client.get(page_url("integration_edit", org, channel.pk)).content.decode()
    forms = [
        tag
        for tag in re.findall(r"<form[^>]*>", edit)
        if page_url("integration_delete", org, channel.pk) in tag
    ]
    assert len(forms) == 1 and "data-confirm=" in forms[0]
    assert client.get(page_url("integration_delete", org, channel.pk)).status_code == 405
    assert client.post(page_url("integration_delete", org, channel.pk)).status_code == 302
    assert not NotificationChannel.objects.exists()


# --- Permissions ----------------------------------------------------------------------------------
def test_only_admins_manage_integrations_and_other_organisations_see_404(org, other_org, admin, manager, outsider,
                                                                         resolver):  # fmt: skip
    channel = add(org, admin)
    delivery = services.channel_test(channel=channel, actor=admin)
    theirs = add(other_org, outsider, name="Theirs")
    their_delivery = services.channel_test(channel=theirs, actor=outsider)
    routes = [("integration_edit", channel.pk, "get"), ("integration_enabled", channel.pk, "post"),
              ("integration_test", channel.pk, "post"), ("integration_delete", channel.pk, "post"),
              ("delivery_status", delivery.pk, "get"), ("delivery_retry", delivery.pk, "post")]  # fmt: skip
    for member_role in (Role.MANAGER, Role.MEMBER, Role.HR, Role.VIEWER):
        client = login(factories.member(org, member_role))
        for name, pk, method in routes:
            assert getattr(client, method)(page_url(name, org, pk)).status_code == 403, (member_role, name)
    client = login(admin)
    foreign = {"integration_edit": theirs.pk, "integration_enabled": theirs.pk, "integration_test": theirs.pk,
               "integration_delete": theirs.pk, "delivery_status": their_delivery.pk,
               "delivery_retry": their_delivery.pk}  # fmt: skip
    for name, _pk, method in routes:
        assert getattr(client, method)(page_url(name, org, foreign[name])).status_code == 404, name
    for path, method in [(f"{theirs.pk}/", "get"), (f"{theirs.pk}/", "patch"), (f"{theirs.pk}/test/", "post"),
                         (f"{theirs.pk}/", "delete")]:  # fmt: skip
        assert getattr(api(admin), method)(channels_url(org, path), {}, format="json").status_code == 404, (
            path
        )
    deliveries = f"/api/v1/orgs/{org.slug}/notification-deliveries/"
    assert api(admin).get(f"{deliveries}{their_delivery.pk}/").status_code == 404
    assert api(admin).post(f"{deliveries}{their_delivery.pk}/retry/").status_code == 404
    assert api(manager).get(deliveries).status_code == 403
    assert (
        api(manager).patch(channels_url(org, f"{channel.pk}/"), {"enabled": False}, format="json").status_code
        == 403
    )
    assert NotificationChannel.objects.filter(enabled=True).count() == 2


# --- API ------------------------------------------------------------------------------------------
def test_the_api_edits_switches_off_tests_lists_and_retries(org, admin, sales, receiver,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    created = api(admin).post(channels_url(org), {"name": "Ops", "kind": "json", "url": f"{receiver}/ops"},
                              format="json")  # fmt: skip
    assert created.status_code == 201 and created.json()["status"] == "never_used"
    pk = created.json()["id"]
    patched = api(admin).patch(
        channels_url(org, f"{pk}/"), {"name": "Sales ops", "team": sales.pk}, format="json"
    )
    assert (
        patched.status_code == 200
        and patched.json()["name"] == "Sales ops"
        and patched.json()["team"] == sales.pk
    )
    channel = NotificationChannel.objects.get()
    assert channel.url == f"{receiver}/ops" and channel.kind == "json"  # what was not sent stays
    off = api(admin).patch(channels_url(org, f"{pk}/"), {"enabled": False}, format="json")
    assert off.json()["enabled"] is False
    assert_error(api(admin).post(channels_url(org, f"{pk}/test/")), 400, type_="validation_error")
    api(admin).patch(channels_url(org, f"{pk}/"), {"enabled": True}, format="json")
    Receiver.fail = True
    with django_capture_on_commit_callbacks(execute=True):
        queued = api(admin).post(channels_url(org, f"{pk}/test/"))
    assert (
        queued.status_code == 202 and queued.json()["is_test"] is True and queued.json()["state"] == "pending"
    )
    delivery_url = f"/api/v1/orgs/{org.slug}/notification-deliveries/{queued.json()['id']}/"
    failed = api(admin).get(delivery_url).json()
    assert failed["state"] == "failed" and failed["last_error"] == "HTTP 500"
    assert api(admin).get(channels_url(org, f"{pk}/")).json()["status"] == "failing"
    Receiver.fail = False
    with django_capture_on_commit_callbacks(execute=True):
        retried = api(admin).post(delivery_url + "retry/")
    assert retried.status_code == 202 and api(admin).get(delivery_url).json()["state"] == "sent"
    assert api(admin).get(channels_url(org, f"{pk}/")).json()["status"] == "working"
    assert_error(api(admin).post(delivery_url + "retry/"), 400, type_="validation_error")
    assert api(admin).delete(channels_url(org, f"{pk}/")).status_code == 204
    assert not NotificationChannel.objects.exists() and not Delivery.objects.exists()


def test_the_openapi_schema_describes_the_new_endpoints():
    from django.test import Client

    schema = Client().get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    paths = schema["paths"]
    channel = "/api/v1/orgs/{org_slug}/notification-channels/{id}/"
    assert {"get", "patch", "put", "delete"} <= set(paths[channel])
    test = paths["/api/v1/orgs/{org_slug}/notification-channels/{id}/test/"]["post"]
    assert "202" in test["responses"] and "requestBody" not in test
    assert "/api/v1/orgs/{org_slug}/notification-deliveries/" in paths
    retry = paths["/api/v1/orgs/{org_slug}/notification-deliveries/{id}/retry/"]["post"]
    assert "202" in retry["responses"]
    components = schema["components"]["schemas"]
    assert {"status", "last_delivery_at"} <= set(components["Channel"]["properties"])
    assert {"state", "what", "attempts", "last_error", "is_test"} <= set(components["Delivery"]["properties"])


# --- Query counts ---------------------------------------------------------------------------------
def test_the_integrations_page_and_the_api_lists_do_not_grow_with_channels(
    org, admin, manager, sales, resolver
):
    client = login(admin)

    def grow(n: int) -> None:
        for i in range(n):
            channel = add(
                org, admin, name=f"Chat {NotificationChannel.objects.count()} {i}", team_id=sales.pk
            )
            services.channel_test(channel=channel, actor=admin)
            Delivery.objects.create(channel=channel, event=f"m{i}", text="Earned afternoon tea", state="failed",
                                    last_error="HTTP 500")  # fmt: skip
            goal = factories.goal(org, manager, team=sales)
            alert = Alert.objects.create(org=org, kind="lagging_behind", dedupe_key=f"grow:{goal.pk}", goal=goal,
                                         team=sales, raised_on=goal.start_date, deviation_pct=D(12))  # fmt: skip
            for target in (channel, first):  # the last delivery of the new channel; more on the first one
                Delivery.objects.create(channel=target, alert=alert, event="escalated:x", state="sent")

    first = add(org, admin, name="First")

    def pinned() -> None:
        assert_queries(INTEGRATIONS_PAGE_QUERIES, client, page_url("integrations", org))
        for url in (channels_url(org), f"/api/v1/orgs/{org.slug}/notification-deliveries/"):
            assert_queries(3, api(admin), url)  # membership+org, count, page

    grow(1)
    pinned()
    grow(15)
    pinned()
    edit = page_url("integration_edit", org, first.pk)
    assert "(escalated)" in client.get(edit).content.decode()
    assert_queries(INTEGRATION_EDIT_QUERIES, client, edit)  # 16 deliveries, the same as 1


def test_a_delivery_between_retries_says_so_and_is_polled_slowly(org, admin, resolver):
    channel = add(org, admin)
    delivery = Delivery.objects.create(channel=channel, event="m1", text="Earned afternoon tea", attempts=2,
                                       last_error="HTTP 502")  # fmt: skip
    page = login(admin).get(page_url("integrations", org)).content.decode()
    last = page.split(f'data-testid="last-{channel.pk}"')[1].split("</td>")[0]
    assert "Earned afternoon tea" in last and "retrying" in last and "2 attempts failed: HTTP 502" in last
    assert 'hx-trigger="every 30s"' in last and page_url("delivery_status", org, delivery.pk) in last
    assert "never used" in page.split(f'data-testid="status-{channel.pk}"')[1].split("</td>")[0]


def test_webhooks_to_private_addresses_are_blocked_unless_allowed(org, member, admin, manager, settings, django_capture_on_commit_callbacks):  # fmt: skip
    goal = sales_deal(org, manager, member).goal
    services.channel_save(org=org, actor=admin, name="Inside", kind="json", url="http://127.0.0.1:9/hook")
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    fall_behind(org, manager, goal)
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org)
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == 1 and "private address" in delivery.last_error
    assert NotificationChannel.objects.get().failing_since is not None


def test_channel_urls_are_masked_in_the_api(org, admin):
    services.channel_save(org=org, actor=admin, name="Ops", kind="wecom",
                          url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY")  # fmt: skip
    body = api(admin).get(f"/api/v1/orgs/{org.slug}/notification-channels/").json()
    assert (
        "SECRET-KEY" not in str(body) and body["results"][0]["url_masked"] == "https://qyapi.weixin.qq.com/…"
    )


def test_signatures_follow_the_platforms_documentation():
    secret, seconds = "SEC123", 1_700_000_000
    # Feishu: HMAC-SHA256 with key "timestamp\\nsecret" over an empty message, base64.
    expected = base64.b64encode(
        hmac.new(f"{seconds}\n{secret}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    request = channels.build(kind="feishu", url="https://open.feishu.cn/hook/x", secret=secret, text="t", event={},
                             now_seconds=seconds)  # fmt: skip
    assert (
        b'"sign": "' + expected.encode() + b'"' in request.body
        and b'"timestamp": "1700000000"' in request.body
    )
    # DingTalk: HMAC-SHA256 with key secret over "timestamp_ms\\nsecret", base64, URL-encoded.
    millis = seconds * 1000
    digest = base64.b64encode(
        hmac.new(secret.encode(), f"{millis}\n{secret}".encode(), hashlib.sha256).digest()
    )
    request = channels.build(kind="dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=a",
                             secret=secret, text="t", event={}, now_seconds=seconds)  # fmt: skip
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
    assert (
        query["timestamp"] == [str(millis)]
        and query["sign"] == [digest.decode()]
        and query["access_token"] == ["a"]
    )
