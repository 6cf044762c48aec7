"""The real path, in a real Celery worker against the real broker (Redis in CI): values arrive,
the worker recomputes the indicators, raises the alert and posts it to every webhook — and a
retried or duplicated job raises and posts nothing twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal as D
from http.server import HTTPServer

import pytest
from django.db import connection

from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.test_worker import _start, _stop, _wait_for, queue  # noqa: F401 - the fixture
from tracking import services, tasks
from tracking.models import Alert, Delivery, IndicatorSnapshot

from .test_alerts import Receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    Receiver.received, Receiver.fail = [], False
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_worker_raises_one_alert_and_posts_it_once_to_each_platform(queue, receiver):  # noqa: F811
    org = factories.organization(slug="worker-org")
    admin = factories.member(org, Role.ADMIN)
    sales = factories.team(org, "Sales")
    manager = factories.member(org, Role.MANAGER, teams=[sales])
    today = org_today(org)
    goal = factories.goal(org, manager, team=sales, title="Quarterly deal value", start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900), challenge=D(1000), stretch=D(1200),
                          status="active")  # fmt: skip
    for kind in ("feishu", "dingtalk", "wecom", "slack", "json"):
        services.channel_save(org=org, actor=admin, name=kind, kind=kind, url=f"{receiver}/{kind}",
                              secret="s" if kind in ("feishu", "dingtalk", "json") else "", team_id=sales.pk)  # fmt: skip
    # Two workers on the same queue, so duplicated jobs really run side by side; the receiver
    # listens on 127.0.0.1, which alert webhooks may only call with this setting on.
    workers = [_start("worker", queue, WEBHOOK_ALLOW_PRIVATE_NETWORKS="true") for _ in range(2)]
    try:
        # Values pushed by a CRM: the recompute and the alert follow in the worker, after commit.
        services.entries_save(org=org, actor=manager, rows=[services.EntryInput(
            goal_id=goal.pk, value="9.6", day=(today - timedelta(days=n)).isoformat(), external_id=f"crm-{n}")
            for n in range(46)])  # fmt: skip
        raised = _wait_for(lambda: Delivery.objects.filter(state="sent").count() == 5, timeout=60)
        # The same jobs again, twice each, as a retry or a second scheduler would send them.
        for _ in range(2):
            tasks.recompute_goals.delay(org_id=org.pk, goal_ids=[goal.pk], since=goal.start_date.isoformat())
            tasks.evaluate_alerts.delay(org_id=org.pk)
        alert = Alert.objects.filter(goal=goal, kind="lagging_behind").first()
        if alert is not None:
            tasks.deliver_alert.delay(alert_id=alert.pk)
        idle = _wait_for(
            lambda: IndicatorSnapshot.objects.filter(goal=goal, day=goal.start_date).exists(), timeout=60
        )
        tasks.evaluate_alerts.delay(org_id=org.pk)
        time.sleep(4)  # let the duplicates run through the solo worker before counting
    finally:
        output = "\n".join(_stop(worker) for worker in workers)
    assert raised and idle, f"the worker did not raise and deliver the alert; its output:\n{output}"
    assert Alert.objects.filter(goal=goal, kind="lagging_behind").count() == 1
    assert Delivery.objects.count() == 5 and len(Receiver.received) == 5
    paths = sorted(path.strip("/") for path, _h, _b in Receiver.received)
    assert paths[0].startswith("dingtalk?timestamp=") and paths[1:] == ["feishu", "json", "slack", "wecom"]
    connection.close()
