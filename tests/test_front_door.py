"""`make run` on a fresh clone: the embedded default (SQLite + Celery's filesystem broker, nothing
configured) seeds the demo at the first try, the jobs the seed queued are there for the worker
(which really runs them), the demo's indicators are computed, and errors show the product's own
pages rather than Django's technical page."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_deploy import ROOT, clean_env, run

PY = sys.executable


def local_env(var: Path, **overrides: str) -> dict[str, str]:
    """What `make run` sees on a laptop: no DATABASE_URL, no REDIS_URL, a var/ that does not exist."""
    return clean_env(DJANGO_SETTINGS_MODULE="config.settings.local", STRETCH_VAR_DIR=str(var), **overrides)


def _queued(var: Path) -> list[Path]:
    return [p for p in (var / "celery" / "queue").iterdir() if p.is_file()]


@pytest.mark.worker
def test_a_fresh_clone_seeds_the_demo_and_the_worker_runs_what_the_seed_queued(tmp_path):
    var = tmp_path / "var"  # does not exist yet, as on a fresh clone
    env = local_env(var)
    migrate = run([PY, "manage.py", "migrate", "--noinput"], env, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    seed = run([PY, "manage.py", "seed_demo"], env, timeout=300)
    assert seed.returncode == 0, seed.stderr[-3000:]
    assert "manager@stretch.demo" in seed.stdout  # the logins are printed

    with sqlite3.connect(var / "stretch.sqlite3") as db:
        snapshots = db.execute("select count(*) from tracking_indicatorsnapshot").fetchone()[0]
    assert snapshots > 0, "the demo's indicators were not computed by the first seed"
    queued = _queued(var)
    assert queued, "the seed queued no job (it should have, after commit)"

    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _queued(var) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = _queued(var)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert not left, f"{len(left)} of {len(queued)} queued jobs were not taken:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-5000:]
    assert "succeeded" in output


def test_the_embedded_default_shows_the_products_own_error_pages(tmp_path):
    """No DEBUG set: a missing page is the product's 404, not a list of every URL pattern."""
    script = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from django.test import Client; r = Client().get('/no-such-page/');"
        "print(r.status_code); print(r.content.decode())"
    )
    result = run([PY, "-c", script], local_env(tmp_path / "var"), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    status, body = result.stdout.split("\n", 1)
    assert status == "404"
    assert "URLconf" not in body and "urlpatterns" not in body
    assert "Stretch" in body and "<html" in body  # the product's page, with its shell


def test_the_embedded_default_shares_its_cache_between_processes(tmp_path):
    """Web and worker are separate processes under `make run`: a cache that lives inside one of them
    would keep a signed-out session alive in the other."""
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = run([PY, "-c", "import django; django.setup();" + script], local_env(tmp_path / "var"))
    assert result.returncode == 0, result.stderr
    assert "locmem" not in result.stdout.lower()
