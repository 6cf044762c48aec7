"""Test helpers for teams.jobs: a job lock held by another, live worker."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def live_owner(kind: str, pk: int) -> Iterator[None]:
    """Hold job (`kind`, `pk`)'s lock from another database session, as a worker still at the job
    does (PostgreSQL only: elsewhere the jobs keep their old rule and nothing is needed)."""
    if connection.vendor != "postgresql":
        yield
        return
    import psycopg2

    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", (zlib.crc32(kind.encode()) & 0x7FFFFFFF, pk))
        yield
    finally:
        other.close()
