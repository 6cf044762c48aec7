"""`make api-check`: the served API against its own published schema (schemathesis).

1. A dedicated database (``<DATABASE_URL's name>_api_check`` on PostgreSQL, else
   ``var/api_check.sqlite3``) is created afresh, migrated and seeded with the demo organisation, so
   the writes schemathesis makes (POST/PATCH/DELETE) never touch anything else.
2. A personal API token is made for the demo's manager (manager@stretch.demo).
3. gunicorn serves the project on a free loopback port over that database (jobs run inline).
4. schemathesis runs every operation of ``/api/schema/`` with the manager's token, the demo's
   organisation slug, all checks, a fixed seed and a bounded number of examples per operation.

Exits non-zero when schemathesis finds a server error or a schema violation. Options:
``API_CHECK_EXAMPLES`` (default 5), ``API_CHECK_SEED`` (default 20261204), ``API_CHECK_ARGS``
(extra schemathesis arguments, e.g. ``--include-path-regex goals``).
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PY = sys.executable
MANAGER_EMAIL = "manager@stretch.demo"

TOKEN_SCRIPT = f"""
from django.contrib.auth import get_user_model
from teams.services.accounts import api_token_create
user = get_user_model().objects.get(email={MANAGER_EMAIL!r})
print(api_token_create(user=user, name="api-check")[1])
"""

CONFIG = """
[parameters]
"path.org_slug" = "demo"

# A request that fits the schema may still be refused with 400 (its documented answer): when it names
# an id that does not exist in the organisation (a team, goal or member: the set of valid ids is data,
# not schema) or breaks a business rule OpenAPI cannot state (an end before a start, a closed goal,
# a stand-up older than 7 days). Every other check keeps its defaults.
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
"""

# Every check runs but one: negative_data_rejection ("schema-violating request accepted"). The API
# reads input the way DRF and django-filter do, leniently, and integrators rely on it: an empty or
# unreadable filter value means "no filter" (`?until=`, `?top_level=null`), a number is taken where
# the schema says a decimal string (`"base": 0`), 0/1 where it says a boolean. Such requests are
# answered, not refused. Every answer is still checked for server errors and against the schema.
LENIENT = ["--exclude-checks", "negative_data_rejection"]


def say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def fresh_database(env: dict[str, str]) -> str:
    """Create the dedicated database afresh; return its URL."""
    base = env.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        path = ROOT / "var" / "api_check.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg2  # the project's PostgreSQL driver

    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'stretch'}_api_check"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url} after {seconds:.0f} s")


def main() -> int:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        CELERY_TASK_ALWAYS_EAGER="true",  # no worker here: jobs run inside the request
    )
    say("A dedicated database, migrated and seeded with the demo")
    env["DATABASE_URL"] = fresh_database(env)
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    token = subprocess.run(
        [*manage, "shell", "-c", TOKEN_SCRIPT], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    ).stdout.split()[-1]  # the key is the last thing printed

    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    say(f"gunicorn on {origin}")
    # Thousands of refused requests are expected: the server's log goes to a file, and only its
    # errors are shown at the end.
    log_path = ROOT / "var" / "api_check-server.log"
    log_path.parent.mkdir(exist_ok=True)
    log = log_path.open("wb")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--timeout", "60", "--log-level", "warning", "--access-logfile", "/dev/null"]
        # The API's answers are under test, not gunicorn's URL-length guard (414 for a URL over 4 KB).
        + ["--limit-request-line", "0"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"{origin}/api/schema/?format=json", server)
        say("schemathesis")
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "schemathesis.toml"
            config.write_text(CONFIG)
            command = [
                str(BIN / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"{origin}/api/schema/?format=json",
                "--url",
                origin,
                "--header",
                f"Authorization:Token {token}",
                "--checks",
                "all",
                *LENIENT,
                "--seed",
                env.get("API_CHECK_SEED", "20261204"),
                "--max-examples",
                env.get("API_CHECK_EXAMPLES", "5"),
                "--workers",
                "1",
                "--generation-database",
                "none",
                "--no-color",
                *shlex.split(env.get("API_CHECK_ARGS", "")),
            ]
            return subprocess.run(command, env=env, cwd=tmp, check=False).returncode  # its cache stays in tmp
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        errors = [line for line in log_path.read_text(errors="replace").splitlines() if " ERROR " in line]
        say(f"server log ({log_path}): {len(errors)} errors")
        print("\n".join(errors[:50]), flush=True)


if __name__ == "__main__":
    sys.exit(main())
