"""`make api-check`: the served API against its own published schema (schemathesis).

1. A dedicated database (``<DATABASE_URL's name>_api_check`` on PostgreSQL, else
   ``var/api_check.sqlite3``) is created afresh, migrated and seeded with the demo organisation, so
   the writes schemathesis makes (POST/PATCH/DELETE) never touch anything else.
2. Personal API tokens are made for the demo's manager (manager@stretch.demo) and admin.
3. gunicorn serves the project on a free loopback port over that database (jobs run inline).
4. schemathesis runs every operation of ``/api/schema/`` with the manager's token (5 examples per
   operation), then the operations a manager may not use with the admin's (3 examples), with the
   demo's organisation slug, all checks and a fixed seed.

Exits non-zero when schemathesis finds a server error or a schema violation. Options:
``API_CHECK_EXAMPLES`` (examples per operation in both passes), ``API_CHECK_SEED`` (default 20261204), ``API_CHECK_ARGS``
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
ADMIN_EMAIL = "admin@stretch.demo"
# What a manager may not do (403 for them), so a second, smaller pass checks it as the demo's admin.
ADMIN_ONLY_PATHS = r"/(bonus-schemes|payout-runs|payouts|salaries|money-grants|notification-channels|notification-deliveries|invitations|service-tokens|alert-rules)/"

KEY_SCRIPT = """
from django.contrib.auth import get_user_model
from teams.services.accounts import api_token_create
user = get_user_model().objects.get(email={email!r})
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


def schemathesis(origin: str, token: str, selection: list[str], env: dict[str, str]) -> int:
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
            "--seed",
            env.get("API_CHECK_SEED", "20261204"),
            *selection,
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
            *shlex.split(env.get("API_CHECK_ARGS", "")),
        ]
        if "API_CHECK_EXAMPLES" in env:
            command += ["--max-examples", env["API_CHECK_EXAMPLES"]]
        return subprocess.run(command, env=env, cwd=tmp, check=False).returncode  # its cache stays in tmp


def main() -> int:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        CELERY_TASK_ALWAYS_EAGER="true",  # no worker here: jobs run inside the request
        # Thousands of generated requests with one token: the answers are under test, not the limit
        # (its 429 and headers are in the schema and covered by tests/teams/test_api_sync.py).
        API_RATE_LIMIT="1000000/min",
    )
    say("A dedicated database, migrated and seeded with the demo")
    env["DATABASE_URL"] = fresh_database(env)
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True)

    def token_for(email: str) -> str:
        command = [*manage, "shell", "-c", KEY_SCRIPT.format(email=email)]
        done = subprocess.run(command, env=env, check=True, cwd=ROOT, capture_output=True, text=True)
        return done.stdout.split()[-1]  # the key is the last thing printed

    passes = [
        (f"every operation as the demo's manager ({MANAGER_EMAIL})", token_for(MANAGER_EMAIL), [], "5"),
        (
            f"the operations only an admin may use, as {ADMIN_EMAIL}",
            token_for(ADMIN_EMAIL),
            ["--include-path-regex", ADMIN_ONLY_PATHS],
            "3",
        ),
    ]

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
        status = 0
        for title, token, selection, examples in passes:
            say(f"schemathesis: {title}")
            status |= schemathesis(origin, token, [*selection, "--max-examples", examples], env)
        return status
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
