"""Container health probe (the Dockerfile's HEALTHCHECK); exits 0 when healthy, 1 when not.

What is probed depends on the role docker/entrypoint.sh recorded in STRETCH_ROLE_FILE:
- web: GET /healthz on this container's gunicorn must answer 200 (database and broker reachable);
- worker: this container's Celery worker must answer a ping through the broker;
- anything else, or no role recorded (beat, one-off commands such as `manage` or `migrate`):
  healthy while the process runs, since the container stops when it exits.

Standard library only on the web path: the image has no curl."""

from __future__ import annotations

import http.client
import os
import socket
import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent.parent
ROLE_FILE = Path(os.environ.get("STRETCH_ROLE_FILE", "/tmp/stretch-role"))  # noqa: S108 (written by the entrypoint)


def probe_host() -> str:
    """A Host header Django accepts: the first concrete entry of ALLOWED_HOSTS, else localhost."""
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def check_web() -> bool:
    port = int(os.environ.get("PORT", "8000") or 8000)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=8)
    try:
        connection.request("GET", "/healthz", headers={"Host": probe_host()})
        response = connection.getresponse()
        body = response.read(500).decode("utf-8", "replace")
    except OSError as error:
        print(f"web: {error}")
        return False
    finally:
        connection.close()
    print(f"web: {response.status} {body}")
    return response.status == 200


def check_worker() -> bool:
    sys.path.insert(0, str(APP_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from config.celery import app

    node = f"celery@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=5.0)
    print(f"worker: {node} {replies}")
    return any(node in reply for reply in replies)


def main() -> int:
    try:
        role = ROLE_FILE.read_text().strip()
    except OSError:
        role = ""
    if role == "web":
        return 0 if check_web() else 1
    if role == "worker":
        return 0 if check_worker() else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
