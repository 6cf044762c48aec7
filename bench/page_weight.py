"""Page weight: the bytes a phone downloads for the demo member's My pay (a chart page), measured
with Playwright (Debian's Chromium, 360×740), as production serves it and as `make run` serves it.

    .venv/bin/python bench/page_weight.py            # prints a Markdown section
    .venv/bin/python bench/page_weight.py --write    # and adds it to docs/benchmarks.md

Production: `collectstatic` with `config.settings.production` (WhiteNoise's
CompressedManifestStaticFilesStorage writes .gz next to each file), served by gunicorn with those
settings. `make run`: `runserver` with `config.settings.local` (WhiteNoise straight from the
finders). "Transferred" is what came over the wire: response headers plus the encoded (compressed)
body, from Playwright's `request.sizes()`; "decoded" is the body after decompression.

The demo organisation is seeded into the database BENCH_DATABASE (default `stretch_bench_weight`,
dropped and recreated) on PostgreSQL 127.0.0.1:5432; Redis is BENCH_REDIS_URL (default db 15)."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from inprocess import publish  # noqa: E402

DATABASE = os.environ.get("BENCH_DATABASE", "stretch_bench_weight")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SECRET_KEY = secrets.token_urlsafe(64)  # one for both servers, so the session signs in to both
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def environment(settings: str, static_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": SECRET_KEY,
        "STATIC_ROOT": str(static_root),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def demo_slug() -> str:
    """DEMO_ORG_SLUG from teams/demo.py, read without importing Django."""
    tree = ast.parse((ROOT / "teams" / "demo.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "DEMO_ORG_SLUG" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise LookupError("DEMO_ORG_SLUG not found in teams/demo.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - loopback
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"{command[0]} did not answer on {base}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def session_cookie(env: dict[str, str], email: str) -> dict[str, str]:
    """A signed-in session for `email`, made by Django itself (production marks the cookie Secure,
    which a browser would not send over plain http to the loopback)."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.test import Client\n"
        "from teams.models import User\n"
        f"c = Client(); c.force_login(User.objects.get(email={email!r}))\n"
        "print(settings.SESSION_COOKIE_NAME, c.cookies[settings.SESSION_COOKIE_NAME].value)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    name, value = out.stdout.split()[-2:]
    return {"name": name, "value": value}


def weigh(base: str, cookie: dict[str, str], path: str) -> tuple[int, int, list[tuple[str, int, int, str]]]:
    """(transferred, decoded, [(url, transferred, decoded, encoding)]) for one visit of `path`."""
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, int, int, str]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])  # fmt: skip
        context = browser.new_context(base_url=base, **PHONE)
        context.add_cookies([{**cookie, "url": base}])
        page = context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(path, wait_until="networkidle")
        if urllib.parse.urlsplit(page.url).path != path:
            raise RuntimeError(f"not signed in: {page.url}")
        for response in responses:
            sizes = response.request.sizes()
            transferred = sizes["responseHeadersSize"] + sizes["responseBodySize"]
            decoded = len(response.body()) if response.status < 300 else 0
            encoding = response.headers.get("content-encoding", "")
            rows.append((response.url.removeprefix(base), transferred, decoded, encoding))
        browser.close()
    return sum(r[1] for r in rows), sum(r[2] for r in rows), rows


def main() -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{DATABASE}"')
    conn.close()

    path = f"/o/{demo_slug()}/incentives/"  # My pay
    email = "member@stretch.demo"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        static_root = Path(tmp) / "static"
        prod = environment("config.settings.production", static_root)
        local = environment("config.settings.local", static_root)
        manage(local, "migrate", "--noinput", "-v", "0")
        manage(local, "seed_demo")
        manage(prod, "collectstatic", "--noinput", "-v", "0")
        cookie = session_cookie(prod, email)
        port = free_port()
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
        ]
        with serving(gunicorn, prod, port) as base:
            results.append(
                ("production (gunicorn, collectstatic, WhiteNoise compressed)", *weigh(base, cookie, path))
            )
        port = free_port()
        runserver = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        with serving(runserver, local, port) as base:
            results.append(
                ("`make run` (runserver, WhiteNoise from the finders)", *weigh(base, cookie, path))
            )

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {now} — page weight of My pay on a phone",
        "",
        "Command: `.venv/bin/python bench/page_weight.py --write` (the demo member `member@stretch.demo` "
        f"opens `{path}` in Chromium at 360×740; every response of the visit, until the network is idle).",
        "",
        "| served by | transferred | decoded | largest resource (transferred, encoding) |",
        "|---|---:|---:|---|",
    ]
    for label, transferred, decoded, rows in results:
        url, size, _decoded, encoding = max(rows, key=lambda r: r[1])
        lines.append(
            f"| {label} | {transferred:,} B | {decoded:,} B | `{url}` ({size:,} B, {encoding or 'identity'}) |"
        )
    lines.append("")
    publish("\n".join(lines))


if __name__ == "__main__":
    main()
