"""Which background job is alive: a job that computes a payout run or imports a file holds a
PostgreSQL session advisory lock on its object while it works. The database drops the lock when
the job's connection ends, so a worker killed mid-job (SIGKILL, the time limit, a lost machine)
leaves the lock free, and the beat sweep knows for certain that nobody is working on the object
(no guess from the clock). Other databases (the embedded SQLite) have no such lock: there the
sweeps fall back on the time limit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

# One namespace per kind of job, so a run and an import with the same id never share a lock.
JOB_KINDS = {"payout_run": 1, "import": 2}


def job_locks_supported() -> bool:
    return connection.vendor == "postgresql"


def _key(kind: str, object_id: int) -> int:
    return (0x5354 << 48) | (JOB_KINDS[kind] << 40) | int(object_id)


@contextmanager
def job_lock(kind: str, object_id: int) -> Iterator[bool]:
    """Try to hold the job lock of an object for the block: yields True when this connection
    holds it (nobody else works on the object), False when another job (or sweep) does. Without
    advisory locks it always yields True."""
    if not job_locks_supported():
        yield True
        return
    key = _key(kind, object_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:  # the connection is gone, and the lock with it
                pass
