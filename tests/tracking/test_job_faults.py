"""Jobs under faults (issue 13, item 2): a row deleted while a recompute runs is skipped and the
rest is written; a transient database error (a restart, a dropped connection, a serialization
failure) makes the job try again with backoff instead of losing it; a job whose object was deleted
first does nothing and says so at INFO, not as an error."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from decimal import Decimal as D
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from config.celery import app
from goals.models import Goal, SupportingMetric
from teams.selectors import org_today
from tests import factories
from tests.tracking.deal import sales_deal
from tracking import services, tasks
from tracking.models import ImportJob, IndicatorSnapshot, MetricEntry, Notification
from tracking.services import EntryInput
from tracking.services import imports as import_module
from tracking.services import indicators as indicator_module

pytestmark = pytest.mark.django_db(transaction=True)


def _elsewhere(work) -> None:
    """Run `work` on another database connection (another request or job), to the end."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)


@pytest.fixture
def retries_run():
    """Let Celery's eager mode run a job's retries (it raises Retry at once when eager jobs propagate
    their errors, as the unit tests otherwise want)."""
    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


@pytest.fixture
def deal(org, manager, member):
    deal = sales_deal(org, manager, member)
    metric = SupportingMetric.objects.create(
        goal=deal.goal, kind="leading", name="Customer visits", weekly_target=D(10)
    )
    risk = SupportingMetric.objects.create(goal=deal.goal, kind="risk", name="Complaints", threshold=D(2))
    today = org_today(org)
    services.entries_save(org=org, actor=manager, rows=[
        EntryInput(goal_id=deal.goal.pk, value="9.6", day=(today - timedelta(days=n)).isoformat()) for n in range(5)
    ] + [EntryInput(goal_id=deal.goal.pk, supporting_metric_id=metric.pk, value="2", day=today.isoformat())])  # fmt: skip
    return deal.goal, metric, risk


def _delete_during_recompute(monkeypatch, work) -> None:
    """Let the recompute read its goals and metrics, then run `work` on another connection before
    it writes (the window in which the outside check deleted a supporting metric)."""
    original = indicator_module.plan_risk

    def plan_risk_then_delete(**kwargs):
        _elsewhere(work)
        return original(**kwargs)

    monkeypatch.setattr(indicator_module, "plan_risk", plan_risk_then_delete)


def test_a_supporting_metric_deleted_during_the_recompute_is_skipped_and_the_rest_written(
    org, deal, monkeypatch
):
    goal, metric, risk = deal
    IndicatorSnapshot.objects.all().delete()
    _delete_during_recompute(monkeypatch, lambda: SupportingMetric.objects.filter(pk=metric.pk).delete())
    written = tasks.recompute_goals.delay(org_id=org.pk, goal_ids=[goal.pk]).get()
    keys = set(
        IndicatorSnapshot.objects.filter(goal=goal, day=org_today(org)).values_list("metric_key", flat=True)
    )
    assert keys == {0, risk.pk}  # the goal and the metric that still exists; nothing of the deleted one
    assert written == 2


def test_a_goal_deleted_during_the_recompute_is_skipped(org, deal, manager, member, monkeypatch):
    goal, _metric, _risk = deal
    other = factories.goal(org, manager, team=goal.team, title="Visits", start_date=goal.start_date,
                           end_date=goal.end_date, base=D(9), challenge=D(10), stretch=D(12), status="active")  # fmt: skip
    IndicatorSnapshot.objects.all().delete()
    _delete_during_recompute(monkeypatch, lambda: Goal.objects.filter(pk=goal.pk).delete())
    tasks.recompute_goals.delay(org_id=org.pk, goal_ids=[goal.pk, other.pk]).get()
    assert set(IndicatorSnapshot.objects.values_list("goal_id", flat=True)) == {other.pk}


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
        OperationalError("could not serialize access due to concurrent update"),
    ],
)
def test_a_transient_database_error_retries_the_recompute_instead_of_losing_it(org, deal, error, retries_run):
    goal, _metric, _risk = deal
    real = services.indicators_recompute
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise error
        return real(**kwargs)

    with mock.patch.object(services, "indicators_recompute", side_effect=flaky):
        written = tasks.recompute_goals.delay(org_id=org.pk, goal_ids=[goal.pk]).get()
    assert len(calls) == 2 and written == 3
    assert IndicatorSnapshot.objects.filter(goal=goal, day=org_today(org)).count() == 3


def test_retries_are_bounded_and_back_off():
    for task in (tasks.recompute_goals, tasks.recompute_all, tasks.evaluate_alerts, tasks.deliver_alert,
                 tasks.send_delivery, tasks.email_notification, tasks.remind_standups):  # fmt: skip
        assert OperationalError in task.autoretry_for and InterfaceError in task.autoretry_for, task.name
        assert task.retry_backoff and 0 < task.max_retries <= 8, task.name


def test_a_database_that_stays_down_fails_the_job_after_the_bounded_retries(org, retries_run):
    down = mock.patch.object(services, "indicators_recompute", side_effect=OperationalError("down"))
    with down as recompute, pytest.raises(OperationalError):
        tasks.recompute_goals.delay(org_id=org.pk, goal_ids=[1]).get()
    assert recompute.call_count == tasks.recompute_goals.max_retries + 1


def test_an_email_whose_notification_was_deleted_first_is_a_quiet_no_op(org, member, caplog):
    notification = Notification.objects.create(org=org, recipient=member, kind="reminder", dedupe_key="r:1")
    notification.delete()
    with caplog.at_level(logging.INFO):
        assert not tasks.email_notification.delay(notification_id=notification.pk).get()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_notification_deleted_while_its_email_is_prepared_is_a_quiet_no_op(org, member, caplog):
    """Deleted between the job's claim and its read (the DoesNotExist the outside check logged at
    ERROR): logged at INFO, nothing sent, nothing raised."""
    notification = Notification.objects.create(org=org, recipient=member, kind="reminder", dedupe_key="r:1")
    with (
        mock.patch.object(services, "notification_email", side_effect=Notification.DoesNotExist("gone")),
        caplog.at_level(logging.INFO),
    ):
        assert tasks.email_notification.delay(notification_id=notification.pk).get() is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("gone" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)


@pytest.mark.parametrize(
    ("task", "kwargs"),
    [
        (tasks.deliver_alert, {"alert_id": 987654}),
        (tasks.send_delivery, {"delivery_id": 987654}),
        (tasks.import_values, {"job_id": 987654}),
        (tasks.recompute_goals, {"org_id": 987654, "goal_ids": [1]}),
    ],
)
def test_jobs_whose_object_is_gone_do_nothing_without_an_error(task, kwargs, caplog):
    with caplog.at_level(logging.INFO):
        task.delay(**kwargs).get()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_transient_database_error_hands_the_import_back_and_the_retry_stores_it(
    org, member, deal, retries_run
):
    goal, _metric, _risk = deal
    real, calls = import_module.entries_validate, []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    day = (org_today(org) - timedelta(days=10)).isoformat()
    with mock.patch.object(import_module, "entries_validate", side_effect=flaky):
        job = services.import_start(org=org, actor=member, filename="values.csv",
                                    content=f"goal,day,value\n{goal.pk},{day},1850\n".encode())  # fmt: skip
    job = ImportJob.objects.get(pk=job.pk)
    assert len(calls) == 2 and job.state == "done" and job.created == 1
    assert MetricEntry.objects.filter(goal=goal, day=day).count() == 1


def test_deleting_a_metric_while_a_recompute_writes_for_it_waits_and_removes_its_snapshots(
    org, manager, deal
):
    """The other order: the recompute holds the metric (it is writing its snapshots) when someone
    deletes it. The deletion waits for the recompute to commit, then removes the metric with the
    new snapshots — neither side fails on the foreign key."""
    import threading
    import time

    from django.db import transaction

    from goals import services as goal_services

    goal, metric, _risk = deal
    failures: list[BaseException] = []

    def delete() -> None:
        try:
            goal_services.supporting_metric_delete(
                metric=SupportingMetric.objects.get(pk=metric.pk), actor=manager
            )
        except BaseException as error:  # noqa: BLE001 - asserted below
            failures.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        assert indicator_module._still_there(SupportingMetric, {metric.pk}) == {metric.pk}
        IndicatorSnapshot.objects.create(org=org, goal=goal, supporting_metric=metric, metric_key=metric.pk,
                                         kind="leading", day=org_today(org) + timedelta(days=1), computed_at=timezone.now())  # fmt: skip
        deleter = threading.Thread(target=delete)
        deleter.start()
        time.sleep(1)  # the deletion reaches the metric's row and waits
    deleter.join(30)
    assert failures == [] and not SupportingMetric.objects.filter(pk=metric.pk).exists()
    assert not IndicatorSnapshot.objects.filter(metric_key=metric.pk).exists()
