"""A payout run computed by a real Celery worker against the real broker (Redis in CI): the page's
progress reaches 100 %, and the same job sent twice more (a retry, a second scheduler) writes no
second line."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal as D

import pytest

from incentives import services, tasks
from incentives.models import PayoutLine, PayoutRun, RunStatus
from incentives.services import SchemeInput
from teams.models import Role
from tests import factories
from tests.test_worker import _start, _stop, _wait_for, queue  # noqa: F401 - the fixture

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_computes_the_run_once(queue):  # noqa: F811
    org = factories.organization(slug="payroll-worker")
    hr = factories.member(org, Role.HR)
    team = factories.team(org, "Ops")
    people = [factories.member(org, teams=[team]) for _ in range(12)]
    scheme = services.scheme_save(org=org, actor=hr, data=SchemeInput(name="Flat", target_bonus=D(1000)))
    services.scheme_assign(scheme=scheme, actor=hr, team=team)
    for n, person in enumerate(people):
        services.salary_set(
            org=org, actor=hr, membership=person, base=D(10000 + n), effective_from=date(2026, 1, 1)
        )
    workers = [_start("worker", queue) for _ in range(2)]
    try:
        run = services.run_start(org=org, actor=hr, start=date(2026, 7, 1), end=date(2026, 9, 30))
        done = _wait_for(lambda: PayoutRun.objects.get(pk=run.pk).status == RunStatus.REVIEW, timeout=60)
        for _ in range(2):
            tasks.payout_run_compute.delay(run_id=run.pk)
        time.sleep(3)  # the duplicates run meanwhile
    finally:
        logs = [_stop(w) for w in workers]
    assert done, logs
    run.refresh_from_db()
    assert run.total == run.base_total + run.bonus_total + run.commission_total
    assert run.people == run.done == 12 and run.percent_done == 100
    assert run.status == RunStatus.REVIEW and run.attempt == 1  # the duplicates found the run taken
    assert PayoutLine.objects.filter(run=run).count() == 12
    assert run.base_total == sum(D(10000 + n) for n in range(12))
