"""Health probes for /healthz and the system page."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection


def database_status() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"; the reason is reported
        return {"ok": False, "vendor": connection.vendor, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 1)}


def broker_status() -> dict[str, Any]:
    """Whether the Celery broker accepts connections (Redis: a PING; filesystem broker: its
    queue folder is writable)."""
    url: str = settings.CELERY_BROKER_URL
    started = time.perf_counter()
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".healthz"
            probe.write_text("ok")
            probe.unlink()
        except OSError as error:
            return {"ok": False, "transport": "filesystem", "error": error.__class__.__name__}
        return {"ok": True, "transport": "filesystem", "ms": round((time.perf_counter() - started) * 1000, 1)}
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except Exception as error:  # any failure means "down"
        return {"ok": False, "transport": "redis", "error": error.__class__.__name__}
    return {"ok": True, "transport": "redis", "ms": round((time.perf_counter() - started) * 1000, 1)}


# Jobs normally leave the outbox within a second; older ones mean the queue was (or is) down.
OUTBOX_STALE_SECONDS = 120


def outbox_status() -> dict[str, Any]:
    """The jobs waiting in the outbox (teams.services.outbox) for the queue."""
    from .selectors import outbox_backlog

    try:
        backlog = outbox_backlog()
    except Exception as error:  # the database is down: database_status says so
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": backlog["oldest_seconds"] < OUTBOX_STALE_SECONDS, **backlog}


def degraded_reasons(database: dict[str, Any], broker: dict[str, Any], outbox: dict[str, Any]) -> list[str]:
    """What does not work right now, in words for the operator (empty when all is well)."""
    reasons = []
    if not database["ok"]:
        reasons.append("database unreachable")
    if not broker["ok"]:
        reasons.append("job queue unreachable: changes are saved, their jobs wait in the outbox")
    if database["ok"] and outbox.get("pending") and not outbox["ok"]:
        reasons.append(
            f"outbox backlog: {outbox['pending']} jobs, the oldest {outbox['oldest_seconds']} s old"
        )
    return reasons
