# ruff: noqa: S608 - the table names come from the models, never from input
"""Backups as docs/operations.md describes them: the demo organisation's PostgreSQL database is
dumped with `pg_dump -Fc`, restored with `pg_restore` into a new database, and the restore holds the
same goals, values and payout runs; the embedded SQLite file is copied with `sqlite3 .backup`,
which (unlike copying the file) keeps what is still in the write-ahead log."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from goals.models import Goal
from incentives.models import PayoutLine, PayoutRun
from teams.models import Organization
from tracking.models import Alert, MetricEntry, Standup

DOC = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def _queries() -> dict[str, str]:
    """What must read back the same: counts and a few figures, one SQL query each."""
    goal, entry = Goal._meta.db_table, MetricEntry._meta.db_table
    run, line = PayoutRun._meta.db_table, PayoutLine._meta.db_table
    return {
        "organisations": f"SELECT string_agg(slug, ',' ORDER BY slug) FROM {Organization._meta.db_table}",
        "goals": f"SELECT count(*) FROM {goal}",
        "goal titles": f"SELECT string_agg(title, '|' ORDER BY id) FROM {goal}",
        "values": f"SELECT count(*) FROM {entry}",
        "sum of values": f"SELECT sum(value) FROM {entry}",
        "newest value": f"SELECT max(day) FROM {entry}",
        "payout runs": f"SELECT string_agg(id || ':' || status || ':' || total, ',' ORDER BY id) FROM {run}",
        "payout lines": f"SELECT count(*) FROM {line}",
        "paid in all": f"SELECT sum(total) FROM {line}",
        "adjustments": f"SELECT string_agg(adjustment || ' ' || adjustment_reason, '|' ORDER BY id) FROM {line} "
        "WHERE adjustment <> 0",
        "stand-ups": f"SELECT count(*) FROM {Standup._meta.db_table}",
        "alerts": f"SELECT count(*) FROM {Alert._meta.db_table}",
    }


def _read(cursor) -> dict[str, object]:
    found = {}
    for name, sql in _queries().items():
        cursor.execute(sql)
        found[name] = cursor.fetchone()[0]
    return found


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump and pg_restore")
def test_the_demo_database_dumped_and_restored_reads_back_the_same(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backup is checked when the suite runs on PostgreSQL (CI)")
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert PayoutRun.objects.exists() and MetricEntry.objects.exists()
    with connection.cursor() as cursor:
        before = _read(cursor)
    assert before["goals"] > 0 and before["values"] > 0 and before["payout lines"] > 0
    source = connection.settings_dict["NAME"]
    env = _pg_env(connection.settings_dict)
    dump = tmp_path / "stretch.dump"
    # The commands of docs/operations.md.
    subprocess.run(
        ["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source], env=env, check=True, timeout=300
    )
    restored = f"{source}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored, str(dump)], env=env,
                       check=True, timeout=300)  # fmt: skip
        import psycopg2

        given = connection.settings_dict
        again = psycopg2.connect(dbname=restored, user=given["USER"] or None, password=given["PASSWORD"] or None,
                                 host=given["HOST"] or None, port=given["PORT"] or None)  # fmt: skip
        try:
            with again.cursor() as cursor:
                after = _read(cursor)
        finally:
            again.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
    assert after == before
    assert "pg_dump -Fc" in DOC.read_text(encoding="utf-8") and "pg_restore" in DOC.read_text(
        encoding="utf-8"
    )


@pytest.mark.skipif(not shutil.which("sqlite3"), reason="needs the sqlite3 shell")
def test_the_sqlite_backup_command_keeps_what_is_still_in_the_write_ahead_log(tmp_path):
    """The embedded database runs in WAL mode (config/settings/base.py): recent writes sit in the
    -wal file until a checkpoint, so copying the .sqlite3 file alone can lose them; `.backup` does
    not, and the copy opens on its own."""
    live = tmp_path / "stretch.sqlite3"
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep everything in the log, as between checkpoints
    writer.execute("CREATE TABLE goals (id INTEGER PRIMARY KEY, title TEXT)")
    writer.executemany("INSERT INTO goals (title) VALUES (?)", [(f"Goal {n}",) for n in range(500)])
    writer.commit()  # the web process still has it open
    assert Path(f"{live}-wal").stat().st_size > 0
    backup = tmp_path / "backup.sqlite3"
    subprocess.run(
        ["sqlite3", str(live), f".backup '{backup}'"], check=True, timeout=60
    )  # docs/operations.md
    naive = tmp_path / "copied.sqlite3"
    shutil.copyfile(live, naive)
    writer.close()
    restored = sqlite3.connect(backup)
    assert restored.execute("SELECT count(*), max(title) FROM goals").fetchone() == (500, "Goal 99")
    restored.close()
    copied = sqlite3.connect(naive)
    with pytest.raises(sqlite3.OperationalError):  # the plain copy lost the table with its rows
        copied.execute("SELECT count(*) FROM goals").fetchone()
    copied.close()
    assert ".backup" in DOC.read_text(encoding="utf-8")
