"""What the in-process benchmarks (bench/tracking.py, bench/payroll.py) share: a PostgreSQL
database of their own (recreated and migrated), Redis db 15, median timings, and adding their
Markdown section to docs/benchmarks.md."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "Newest first; each run adds a section.\n\n"


def use_database(name: str) -> None:
    """Point Django at `name` (recreated and migrated) before django.setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL="redis://127.0.0.1:6379/15",
        CELERY_TASK_ALWAYS_EAGER="false",
        DEBUG="false",
    )
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)


def timed(run: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """(median, max) seconds of `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def publish(text: str) -> None:
    """Print the section; with --write, add it at the top of docs/benchmarks.md's results."""
    print(text)
    if "--write" in sys.argv:
        doc = ROOT / "docs" / "benchmarks.md"
        doc.write_text(doc.read_text().replace(MARKER, MARKER + text + "\n", 1))
