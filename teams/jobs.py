"""What background jobs need to survive a worker killed mid-job (see docs/reliability.md):

- `job_lock`: a PostgreSQL session lock held while a worker does one job. The database drops it
  the moment a killed worker's connection goes, so the job, delivered again by the broker (late
  acknowledgement), can tell a dead owner (take the work over) from a live one (leave it), and
  beat's sweeps (payout runs, imports) know for certain that nobody works on a stuck object;
- `pause_point`: a named place inside a job where a test (or bench/faults.py) makes the worker
  stop, so that it can be killed there. It does nothing unless STRETCH_FAULT_DIR is set."""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

FAULT_DIR_ENV = "STRETCH_FAULT_DIR"


def job_locks_supported() -> bool:
    """Whether the database has session locks (PostgreSQL). Without them (the embedded SQLite) the
    sweeps fall back on the clock: a job far past the time limit is taken as dead."""
    return connection.vendor == "postgresql"


def lock_key(kind: str, pk: int) -> tuple[int, int]:
    """The two keys of a job's advisory lock: one namespace per kind of job, then the object."""
    return zlib.crc32(kind.encode()) & 0x7FFFFFFF, pk


@contextmanager
def job_lock(kind: str, pk: int) -> Iterator[bool | None]:
    """Hold the lock of job (`kind`, `pk`) for the `with` block. Yields True when this worker is
    the only one on the job (whoever had it before is dead), False when a live worker holds it,
    and None when the database has no such locks (SQLite): the caller then keeps its old rule."""
    if not job_locks_supported():
        yield None
        return
    key = lock_key(kind, pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def pause_point(name: str) -> None:
    """Test hook. When STRETCH_FAULT_DIR is set and the file `<name>.armed` exists in it, the
    first worker to get here removes it, writes `<name>.paused` and waits (to be killed) until that
    file is removed or STRETCH_FAULT_SLEEP seconds have passed."""
    folder = os.environ.get(FAULT_DIR_ENV)
    if not folder:
        return
    armed = Path(folder) / f"{name}.armed"
    try:
        armed.unlink()  # only one process wins the pause
    except FileNotFoundError:
        return
    paused = Path(folder) / f"{name}.paused"
    paused.write_text(str(os.getpid()))
    until = time.monotonic() + float(os.environ.get("STRETCH_FAULT_SLEEP", "120"))
    while paused.exists() and time.monotonic() < until:
        time.sleep(0.1)
