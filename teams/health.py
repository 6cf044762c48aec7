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
