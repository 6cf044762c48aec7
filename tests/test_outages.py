"""Outages: with the job queue (Redis) stopped a stand-up is still saved (201 from the API, the page
saves it) and its recompute waits in the outbox until the queue is back, never lost; /healthz says
what is degraded; after PostgreSQL restarts (every connection cut) the next request works with no
manual action."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app
from teams import services as team_services
from teams.models import OutboxJob
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.test_deploy import free_port
from tests.test_worker import ROOT, _database_url, _wait_for
from tracking.models import IndicatorSnapshot, Standup

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _point_broker_at(url: str, *, eager: bool) -> None:
    app.conf.update(broker_url=url, task_always_eager=eager)
    app._pool = None  # the connection pools were made for the old URL
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings):
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    settings.CELERY_BROKER_URL = CLOSED_PORT  # what /healthz probes
    _point_broker_at(CLOSED_PORT, eager=False)

    def back() -> None:
        _point_broker_at(saved[0], eager=saved[1])
        settings.CELERY_BROKER_URL = saved[0]

    yield back
    back()


@pytest.fixture
def goal(org, manager, member):
    team = factories.team(org, "Sales", managers=[manager])
    member.teams.add(team)
    today = org_today(org)
    return factories.goal(org, manager, team=team, title="Deal value", start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900), challenge=D(1000), stretch=D(1200),
                          status="active")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_standup_is_saved_while_the_queue_is_down_and_recomputed_when_it_is_back(
    org, member, goal, broker_down
):
    today = org_today(org)
    client = APIClient()
    client.force_authenticate(member.user)
    body = {
        "day": today.isoformat(),
        "today": "Proposal for Acme",
        "values": [{"goal": goal.pk, "value": "480"}],
    }
    response = client.post(f"/api/v1/orgs/{org.slug}/standups/", body, format="json")
    assert response.status_code == 201, response.content
    assert Standup.objects.filter(member=member, day=today).exists()
    # The page saves it too.
    page = login(member).post(reverse("standup", args=[org.slug]), {"day": today.isoformat(), "today": "Call",
                                                                    f"value_{goal.pk}": "500"})  # fmt: skip
    assert page.status_code == 302 and Standup.objects.get(member=member, day=today).today == "Call"
    # The recomputes wait in the outbox; nothing was computed.
    waiting = list(OutboxJob.objects.values_list("task", flat=True))
    assert waiting and set(waiting) == {"tracking.tasks.recompute_goals"}
    assert not IndicatorSnapshot.objects.filter(goal=goal, actual__gt=0).exists()
    health = login(member).get("/healthz")
    assert health.status_code == 503 and health.json()["outbox"]["pending"] == len(waiting)
    assert any("queue" in reason for reason in health.json()["degraded"])
    # Still down: the drain keeps them.
    OutboxJob.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert team_services.outbox_drain() == 0 and OutboxJob.objects.count() == len(waiting)
    # The queue is back, and jobs waited for 5 minutes: /healthz says degraded until they are sent.
    broker_down()
    health = login(member).get("/healthz").json()
    assert health["status"] == "degraded" and health["outbox"]["oldest_seconds"] >= 300
    assert team_services.outbox_drain() == len(waiting)  # beat's job (jobs run inline in the tests)
    assert not OutboxJob.objects.exists()
    snapshot = IndicatorSnapshot.objects.get(goal=goal, day=today, metric_key=0)
    assert snapshot.actual == D(500)
    assert login(member).get("/healthz").json()["status"] == "ok"
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_job_sent_after_commit_leaves_nothing_in_the_outbox(org, member, goal):
    client = APIClient()
    client.force_authenticate(member.user)
    body = {"day": org_today(org).isoformat(), "today": "x", "values": [{"goal": goal.pk, "value": "480"}]}
    assert client.post(f"/api/v1/orgs/{org.slug}/standups/", body, format="json").status_code == 201
    assert not OutboxJob.objects.exists()
    assert IndicatorSnapshot.objects.filter(goal=goal).exists()


@pytest.mark.django_db
def test_a_job_sent_after_commit_removes_its_row_and_sends_the_drain_when_older_jobs_wait(monkeypatch):
    from teams.services import outbox

    sent: list[str] = []
    monkeypatch.setattr(outbox, "_publish", lambda name, kwargs: sent.append(name))
    monkeypatch.setattr(outbox.tasks.outbox_drain, "delay", lambda: sent.append("drain"))
    name, kwargs = "tracking.tasks.recompute_goals", {"org_id": 1, "goal_ids": [2], "since": None}
    job = OutboxJob.objects.create(task=name, kwargs=kwargs)
    outbox._send_after_commit(job.pk, name, kwargs)
    assert sent == [name] and not OutboxJob.objects.exists()  # nothing older waits: no drain
    stuck = OutboxJob.objects.create(task=name, kwargs=kwargs)  # kept while the queue was down
    OutboxJob.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    job = OutboxJob.objects.create(task=name, kwargs=kwargs)
    outbox._send_after_commit(job.pk, name, kwargs)
    assert sent == [name, name, "drain"] and list(OutboxJob.objects.values_list("pk", flat=True)) == [
        stuck.pk
    ]


@pytest.mark.django_db(transaction=True)
def test_the_next_request_works_after_postgresql_cut_every_connection(org, member, goal, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL restart")
    token = team_services.api_token_create(user=member.user, name="probe")[1]
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false",
           "DATABASE_URL": _database_url(), "DB_CONN_MAX_AGE": "600"}  # fmt: skip
    log = (tmp_path / "web.log").open("w+")
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                            "--workers", "1", "--threads", "1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip

    def get(path: str) -> tuple[int, dict]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"}
        )  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - the test server
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    try:
        assert _wait_for(lambda: _answers(get), timeout=30), (tmp_path / "web.log").read_text()
        assert get(f"/api/v1/orgs/{org.slug}/standups/")[0] == 200  # the server now holds a connection
        with connection.cursor() as cursor:  # a restart cuts every session but ours
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1  # the web server's
        status, body = get(f"/api/v1/orgs/{org.slug}/standups/")  # no manual action, no error
        assert status == 200 and "results" in body, body
        health = get("/healthz")
        assert health[0] == 200 and health[1]["database"]["ok"], health
    finally:
        web.terminate()
        web.wait(timeout=20)
    connection.close()


def _answers(get) -> bool:
    try:
        return get("/healthz")[0] == 200
    except OSError:
        return False
