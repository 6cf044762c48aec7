"""An admin opens Settings → Integrations on a phone and a desktop, is refused a private address
next to the field, adds a webhook, sends it a test message and watches the result arrive, switches
it off, and reads the page in 中文."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from playwright.sync_api import expect

from teams.models import Role
from tests import factories
from tests.tracking.test_alerts import Receiver
from tracking import services
from tracking.models import Delivery, NotificationChannel

from .conftest import ARTIFACTS, assert_accessible
from .test_shell import assert_fits_the_screen, go_to_section, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    factories.team(org, "Sales")
    admin = factories.member(org, Role.ADMIN, name="Ada Admin")
    return {"org": org, "admin": admin}


def test_admin_manages_a_webhook_on_the_integrations_page(page, world, receiver, settings):
    sign_in(page, world["admin"].user.email)
    go_to_section(page, "Settings")  # on a phone, through the menu button
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Integrations").click()
    expect(page).to_have_url(re.compile(r"/o/acme/settings/integrations/$"))
    expect(page.get_by_test_id("channels")).to_contain_text("No webhooks yet")
    assert_accessible(page)

    # A private address is refused next to the field, and what was typed stays.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    page.get_by_label("Name").fill("Sales chat")
    page.get_by_label("Format").select_option("json")
    page.get_by_label("Webhook URL").fill("http://127.0.0.1:9/hook")
    page.get_by_role("button", name="Save", exact=True).click()
    url_field = page.locator(".field", has=page.locator("#id_url"))
    expect(url_field.locator(".field-error")).to_contain_text("127.0.0.1 is a private network address")
    expect(page.locator("#id_url")).to_have_value("http://127.0.0.1:9/hook")
    assert not NotificationChannel.objects.exists()
    assert_accessible(page)

    # The test receiver listens on 127.0.0.1: allowed, as an administrator of the server may.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    page.get_by_label("Webhook URL").fill(f"{receiver}/sales/TOKEN-123")
    page.get_by_label("Team").select_option(label="Sales")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("Webhook “Sales chat” saved")
    channel = NotificationChannel.objects.get()
    row = page.get_by_test_id(f"channel-{channel.pk}")
    expect(row).not_to_contain_text("TOKEN-123")
    expect(page.get_by_test_id(f"status-{channel.pk}")).to_have_text("○ never used")
    assert_fits_the_screen(page)
    assert_accessible(page)

    row.get_by_role("button", name=re.compile("Send a test message")).click()
    expect(page.get_by_test_id(f"status-{channel.pk}")).to_have_text("✓ working")
    expect(page.get_by_test_id(f"last-{channel.pk}")).to_contain_text("Test message")
    expect(page.get_by_test_id(f"last-{channel.pk}")).to_contain_text("sent")
    assert Receiver.received[0][2]["event"] == "test"
    page.screenshot(path=str(ARTIFACTS / f"integrations-{page.viewport_name}.png"), full_page=True)

    # A delivery still on its way shows its result when it arrives, without reloading the page.
    Receiver.fail = True
    with mock.patch("tracking.tasks.send_delivery.delay"):  # queued; no worker has taken it yet
        delivery = services.channel_test(channel=channel, actor=world["admin"])
    page.reload()
    expect(page.get_by_test_id(f"delivery-{delivery.pk}")).to_contain_text("queued")
    services.delivery_send(delivery_id=delivery.pk)
    expect(page.get_by_test_id(f"delivery-{delivery.pk}")).to_contain_text("failed", timeout=10000)
    expect(page.get_by_test_id(f"delivery-{delivery.pk}")).to_contain_text("HTTP 500")
    expect(page.get_by_test_id(f"status-{channel.pk}")).to_have_text("✗ failing: HTTP 500")
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"integrations-failed-{page.viewport_name}.png"), full_page=True)
    Receiver.fail = False
    page.get_by_test_id(f"delivery-{delivery.pk}").get_by_role("button", name=re.compile("Retry")).click()
    expect(page.get_by_test_id(f"status-{channel.pk}")).to_have_text("✓ working")
    assert Delivery.objects.get(pk=delivery.pk).state == "sent"

    page.get_by_test_id(f"channel-{channel.pk}").get_by_role("button", name=re.compile("Switch off")).click()
    expect(page.get_by_test_id(f"enabled-{channel.pk}")).to_have_text("off")
    expect(
        page.get_by_test_id(f"channel-{channel.pk}").get_by_role("button", name=re.compile("Send a test"))
    ).to_have_count(0)

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("navigation", name="设置").get_by_role("link", name="集成")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_test_id(f"status-{channel.pk}")).to_have_text("✓ 正常")
    expect(page.get_by_test_id(f"enabled-{channel.pk}")).to_have_text("已关闭")
    expect(page.get_by_test_id(f"last-{channel.pk}")).to_contain_text("测试消息")
    assert_fits_the_screen(page)
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"integrations-zh-{page.viewport_name}.png"), full_page=True)

    # Edit: the address is not shown again; delete asks first.
    page.get_by_test_id(f"channel-{channel.pk}").get_by_role("link", name=re.compile("编辑")).click()
    expect(page.locator("#id_url")).to_have_value("")
    expect(page.get_by_test_id("deliveries")).to_contain_text("测试消息")
    assert_fits_the_screen(page)
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"integration-edit-zh-{page.viewport_name}.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除 Webhook").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert not NotificationChannel.objects.exists()
    assert_accessible(page)
