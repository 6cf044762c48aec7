"""Stuck work in tracking (issue 13, item 3), swept by beat every minute: an import whose worker
died is checked again from the start (a bounded number of times, then failed with a message the
uploader reads); a delivery whose lease expired (its worker died while posting) or whose retry
never came is sent again. Live work is left alone, and two sweeps at once act once."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from config.beat import beat_schedule
from teams.jobs import job_lock
from tests.concurrency import Holding, at_once
from tests.conftest import login
from tests.tracking.test_alerts import Receiver
from tests.tracking.test_import import goal  # noqa: F401 - fixture
from tracking import services, tasks
from tracking.models import Delivery, ImportJob, MetricEntry, NotificationChannel
from tracking.services import imports as import_module

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stuck_import(org, member, goal):  # noqa: F811
    """An import whose worker was killed while it checked the rows: running, and nobody holds it."""
    day = timezone.localdate().isoformat()
    content = f"goal,day,value,external_id\n{goal.pk},{day},1850,bi-1\n{goal.pk},{day},1200,bi-2\n".encode()
    job = ImportJob.objects.create(org=org, created_by=member, filename="values.csv", content=content, total=2,
                                   state=ImportJob.State.RUNNING, processed=1)  # fmt: skip
    # Long enough ago for the clock's rule too (SQLite has no job locks).
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=3))
    return job


def test_an_import_whose_worker_died_is_checked_again_and_stored_once(stuck_import, member, org):
    assert tasks.sweep_stuck_work.delay().get() == 1
    stuck_import.refresh_from_db()
    assert stuck_import.state == "done" and stuck_import.created == 2 and MetricEntry.objects.count() == 2
    assert tasks.sweep_stuck_work.delay().get() == 0
    page = login(member).get(reverse("import_job", args=[org.slug, stuck_import.pk])).content.decode()
    assert "Imported: 2 new" in page


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="job locks are PostgreSQL's"
)
def test_an_import_a_live_worker_is_checking_is_left_alone(stuck_import):
    with Holding(lambda: job_lock("import", stuck_import.pk)):
        assert services.imports_sweep() == 0
    stuck_import.refresh_from_db()
    assert stuck_import.state == "running"


def test_an_import_that_keeps_stopping_fails_with_a_message(stuck_import, member, org):
    with mock.patch.object(import_module, "import_values") as job:  # every job dies before it starts
        for _ in range(import_module.IMPORT_REQUEUES):
            ImportJob.objects.filter(pk=stuck_import.pk).update(state="running")
            assert services.imports_sweep() == 1
        ImportJob.objects.filter(pk=stuck_import.pk).update(state="running")
        assert services.imports_sweep() == 0
    assert job.delay.call_count == import_module.IMPORT_REQUEUES
    stuck_import.refresh_from_db()
    assert stuck_import.state == "failed" and not MetricEntry.objects.exists()
    page = login(member).get(reverse("import_job", args=[org.slug, stuck_import.pk])).content.decode()
    assert "The import was stopped 4 times before it finished" in page


def test_two_sweeps_at_once_check_an_import_once(stuck_import):
    with mock.patch.object(import_module, "import_values") as job:
        results = at_once(services.imports_sweep, services.imports_sweep)
    assert sorted(results) == [0, 1] and job.delay.call_count == 1


@pytest.fixture
def leased(org, receiver):
    """A delivery whose worker died while posting it: pending, its lease run out."""
    channel = NotificationChannel.objects.create(org=org, name="Ops", kind="json", url=f"{receiver}/ops")
    return Delivery.objects.create(
        channel=channel, event="instant-reward:1", text="Operations met its weekly target", payload={"event": "x"},
        lease_until=timezone.now() - timedelta(seconds=5), updated_at=timezone.now() - timedelta(minutes=1),
    )  # fmt: skip


def test_a_delivery_whose_lease_expired_is_sent_again_once(leased):
    assert tasks.sweep_stuck_work.delay().get() == 1
    leased.refresh_from_db()
    assert leased.state == "sent" and leased.attempts == 2  # the stopped attempt counts
    assert len(Receiver.received) == 1
    assert services.deliveries_sweep() == 0


def test_a_delivery_being_posted_is_left_alone(leased):
    Delivery.objects.filter(pk=leased.pk).update(lease_until=timezone.now() + timedelta(seconds=30))
    assert services.deliveries_sweep() == 0 and Receiver.received == []


def test_a_delivery_whose_retry_never_came_is_sent_again(leased):
    Delivery.objects.filter(pk=leased.pk).update(lease_until=None, attempts=1)
    assert services.deliveries_sweep() == 0  # its retry (30 s after the first try) may still come
    Delivery.objects.filter(pk=leased.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    assert services.deliveries_sweep() == 1
    leased.refresh_from_db()
    assert leased.state == "sent" and len(Receiver.received) == 1


def test_a_delivery_out_of_attempts_fails_instead(leased):
    Delivery.objects.filter(pk=leased.pk).update(attempts=5)
    assert services.deliveries_sweep() == 0
    leased.refresh_from_db()
    assert leased.state == "failed" and "stopped" in leased.last_error and Receiver.received == []


def test_two_sweeps_at_once_send_a_delivery_once(leased):
    results = at_once(services.deliveries_sweep, services.deliveries_sweep)
    assert sorted(results) == [0, 1] and len(Receiver.received) == 1


def test_the_sweep_runs_every_minute():
    entry = beat_schedule()["sweep-stuck-work"]
    assert entry["task"] == "tracking.tasks.sweep_stuck_work" and entry["schedule"] <= 60
