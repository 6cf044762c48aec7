"""A real Celery worker (and beat) process, against the same database and broker as the tests:
PostgreSQL + Redis in CI, SQLite + the filesystem broker without configuration."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from teams.models import Heartbeat
from teams.tasks import heartbeat

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def queue():
    """A queue of our own, so no other worker on this machine takes our jobs."""
    name = f"stretch-test-{uuid.uuid4().hex[:8]}"
    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.update(task_always_eager=False, task_default_queue=name)
    yield name
    app.conf.update(**saved)


def _start(kind: str, queue: str, **extra_env: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra_env,
    }
    args = [sys.executable, "-m", "celery", "-A", "config", kind, "--loglevel=WARNING"]
    if kind == "worker":
        args += ["--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    else:
        args += ["--schedule", str(Path(settings.VAR_DIR) / f"beat-{queue}")]
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def _wait_for(predicate, timeout: float = 40.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_a_queued_job_runs_in_a_real_worker(queue):
    assert not settings.CELERY_BROKER_URL.startswith("memory")
    worker = _start("worker", queue)
    try:
        heartbeat.delay()
        ran = _wait_for(lambda: Heartbeat.objects.exists())
    finally:
        output = _stop(worker)
    assert ran, f"the worker did not record a heartbeat; its output:\n{output}"
    beat = Heartbeat.objects.get()
    assert beat.worker  # written by the worker process, which names its host
    connection.close()


def test_beat_schedules_the_heartbeat_and_the_worker_records_it(queue):
    worker = _start("worker", queue, HEARTBEAT_INTERVAL_SECONDS="2")
    beat = _start("beat", queue, HEARTBEAT_INTERVAL_SECONDS="2")
    try:
        ran = _wait_for(lambda: Heartbeat.objects.count() >= 2, timeout=60)
    finally:
        beat_output = _stop(beat)
        worker_output = _stop(worker)
    assert ran, (
        f"beat+worker wrote {Heartbeat.objects.count()} heartbeats\nbeat:\n{beat_output}\nworker:\n{worker_output}"
    )
    slots = list(Heartbeat.objects.values_list("slot", flat=True))
    assert len(slots) == len(set(slots))  # one row per slot, never a duplicate
