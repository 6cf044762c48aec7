"""The integrator's reads over HTTP (issue 19), each against the API floor: gunicorn with 2 sync
workers on the seed_scale data in PostgreSQL, requests over loopback with a manager's API token,
the median and p90 of 30 requests after 5 warm-ups. The last step of `make bench`.

    .venv/bin/python bench/http_api.py --write            # stretch_bench as `make bench` left it (seeds it if empty)
    .venv/bin/python bench/http_api.py --database wt_x    # an existing seed_scale database
    .venv/bin/python bench/http_api.py --database wt_x --reseed --seed-args "--people 60 --teams 6"

Reads: the API floor (`GET /api/v1/floor/`, authenticated, answers `{}`); 20 goals; one goal; the
whole nested tree; every goal flat (the NDJSON export, and the cursor list in pages of 1,000
following `next`); the 20 goals again with `If-None-Match` (304). An endpoint that answers 404
(not built yet on this branch) is skipped with a note. With --write the section goes to the top of
docs/benchmarks.md's results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: services, seeding, gunicorn)

ROOT = bench.ROOT
DOC = ROOT / "docs" / "benchmarks.md"
MARKER = "Newest first; each run adds a section.\n\n"
WARMUPS, MEASURED = 5, 30
ORG = bench.SCALE_ORG_SLUG
API = f"/api/v1/orgs/{ORG}"


@dataclass
class Measured:
    name: str
    what: str
    path: str
    times: list[float] = field(default_factory=list)  # ms
    status: int = 0
    size: int = 0
    rows: int | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p90(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, int(round(0.9 * len(ordered))) - 1)]


def get(port: int, path: str, token: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict]:
    """One GET on a new loopback connection (gunicorn's sync workers close after each answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Authorization": f"Token {token}", **(headers or {})})
        response = connection.getresponse()
        body = response.read()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def relative(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def cursor_pages(port: int, first: str, token: str) -> tuple[int, int, int]:
    """Follow `next` from the first cursor page: (status, bytes, rows)."""
    path: str | None = first
    size = rows = 0
    while path:
        status, body, _headers = get(port, path, token)
        if status != 200:
            return status, size, rows
        page = json.loads(body)
        size += len(body)
        rows += len(page.get("results", []))
        path = relative(page["next"]) if page.get("next") else None
    return 200, size, rows


def measure(port: int, token: str, item: Measured, *, etag: str = "", cursor: bool = False) -> Measured:
    headers = {"If-None-Match": etag} if etag else None
    for n in range(WARMUPS + MEASURED):
        started = time.perf_counter()
        if cursor:
            status, size, rows = cursor_pages(port, item.path, token)
        else:
            status, body, _ = get(port, item.path, token, headers)
            size = len(body)
            rows = body.count(b"\n") if item.path.endswith("ndjson") and status == 200 else None
        elapsed = (time.perf_counter() - started) * 1000
        item.status, item.size, item.rows = status, size, rows
        if status == 404 or (status >= 400 and n == 0):
            item.note = f"skipped: answered {status} (endpoint or cursor mode not on this branch yet)"
            return item
        if n >= WARMUPS:
            item.times.append(elapsed)
    return item


def token_and_goal(env: dict[str, str]) -> tuple[str, int]:
    """An API token of a manager of the scale organisation, and one of its goals."""
    code = (
        "from teams.models import Membership; from teams.services import api_token_create; "
        "from goals.models import Goal; "
        f"m = Membership.objects.filter(org__slug='{ORG}', role='manager', is_active=True).order_by('pk').first(); "
        "print(api_token_create(user=m.user, name='http bench')[1], "
        f"Goal.objects.filter(org__slug='{ORG}').order_by('pk').first().pk)"
    )
    out = subprocess.run(
        [str(bench.PYTHON), "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, check=True, text=True, capture_output=True,
    ).stdout  # fmt: skip
    key, goal = out.strip().splitlines()[-1].split()
    return key, int(goal)


def seeded(env: dict[str, str]) -> bool:
    code = f"from teams.models import Organization; print(Organization.objects.filter(slug='{ORG}').exists())"
    done = subprocess.run(
        [str(bench.PYTHON), "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, check=False, text=True, capture_output=True,
    )  # fmt: skip
    return done.returncode == 0 and done.stdout.strip().endswith("True")


def render(results: list[Measured], floor: Measured, command: str, load: str, data: str) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True, check=False).stdout.strip()  # fmt: skip
    lines = [
        f"### {when} — API over HTTP (issue 19) — {commit}",
        "",
        f"`{command}`; gunicorn with 2 sync workers, loopback, a manager's API token; median and p90 "
        f"of {MEASURED} after {WARMUPS} warm-ups. Data: {data}. Load average before: {load}.",
        "",
        "| read | request | median ms | p90 ms | × floor | status | bytes | rows |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for item in results:
        if not item.times:
            lines.append(f"| {item.what} | `{item.path}` | — | — | — | {item.status} | — | {item.note} |")
            continue
        ratio = item.median / floor.median if floor.times and floor.median else 0
        rows = "" if item.rows is None else f"{item.rows:,}"
        lines.append(
            f"| {item.what} | `{item.path}` | {item.median:.1f} | {item.p90:.1f} | {ratio:.1f} | "
            f"{item.status} | {item.size:,} | {rows} |"
        )
    lines.append(
        f"\nMachine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}."
    )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default=bench.DB_NAME, help="a seed_scale database (default stretch_bench)"
    )
    parser.add_argument("--redis-db", type=int, default=bench.REDIS_DB)
    parser.add_argument(
        "--reseed", action="store_true", help="drop and recreate the database, then seed_scale"
    )
    parser.add_argument(
        "--seed-args", default="", help='arguments for seed_scale, e.g. "--people 60 --teams 6"'
    )
    parser.add_argument("--write", action="store_true", help="add the section to docs/benchmarks.md")
    args = parser.parse_args()

    bench.ensure_services()
    bench.DB_NAME, bench.REDIS_DB = args.database, args.redis_db
    bench.SEED_ARGS[:] = shlex.split(args.seed_args)
    env = bench.app_env()
    env.update(WEB_CONCURRENCY="2", GUNICORN_THREADS="1", API_RATE_LIMIT="1000000/min")
    if args.reseed or not seeded(env):
        bench.recreate_database()
        data = bench.prepare_data(env)
    else:
        data = f"seed_scale data already in {args.database}"
    token, goal = token_and_goal(env)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())

    port = bench.free_port()
    cmd = bench.gunicorn_command(port)
    bench.RESULTS_DIR.mkdir(exist_ok=True)
    with open(bench.RESULTS_DIR / "gunicorn-http-api.log", "wb") as log_file:
        server = subprocess.Popen(cmd, cwd=ROOT, env=dict(env, PORT=str(port)), stdout=log_file,
                                  stderr=subprocess.STDOUT)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while bench.http_status(f"http://127.0.0.1:{port}/healthz") != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        "[bench] gunicorn did not come up; see bench-results/gunicorn-http-api.log"
                    )
                time.sleep(0.5)
            floor = measure(port, token, Measured("floor", "API floor", "/api/v1/floor/"))
            _status, _body, headers = get(port, f"{API}/goals/?page_size=20", token)
            results = [
                floor,
                measure(port, token, Measured("list20", "list 20 goals", f"{API}/goals/?page_size=20")),
                measure(port, token, Measured("one", "one goal", f"{API}/goals/{goal}/")),
                measure(port, token, Measured("tree", "nested tree, every goal", f"{API}/goals/tree/")),
                measure(
                    port,
                    token,
                    Measured(
                        "export", "every goal flat (NDJSON export)", f"{API}/goals/export/?format=ndjson"
                    ),
                ),  # fmt: skip
                measure(
                    port,
                    token,
                    Measured(
                        "cursor",
                        "every goal flat (cursor pages of 1,000)",
                        f"{API}/goals/?cursor=&page_size=1000",
                    ),
                    cursor=True,
                ),  # fmt: skip
                measure(
                    port,
                    token,
                    Measured("304", "list 20 goals again, unchanged (304)", f"{API}/goals/?page_size=20"),
                    etag=headers.get("etag", ""),
                ),  # fmt: skip
            ]
        finally:
            bench.stop(server, "gunicorn")
    command = (
        "make bench" if os.environ.get("MAKELEVEL") else shlex.join(["bench/http_api.py", *sys.argv[1:]])
    )
    section = render(results, floor, command.strip(), load, data)
    print(section)
    if args.write:
        text = DOC.read_text()
        DOC.write_text(text.replace(MARKER, MARKER + section + "\n", 1))
        bench.log(f"wrote {DOC.relative_to(ROOT)}")
    return 0 if floor.times else 1


if __name__ == "__main__":
    sys.exit(main())
