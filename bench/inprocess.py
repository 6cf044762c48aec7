"""In-process benchmarks. Run as a script: every page of the large organisation against the floor
page, for a manager and a member (`make bench` runs it first; usage above `MANAGER`). As a module, what
the other in-process benchmarks (bench/tracking.py, bench/payroll.py) share: a PostgreSQL
database of their own (recreated and migrated), Redis db 15, median timings, and adding their
Markdown section to docs/benchmarks.md."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "Newest first; each run adds a section.\n\n"


def use_database(name: str) -> None:
    """Point Django at `name` (recreated and migrated) before django.setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL="redis://127.0.0.1:6379/15",
        CELERY_TASK_ALWAYS_EAGER="false",
        DEBUG="false",
    )
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)


def timed(run: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """(median, max) seconds of `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def publish(text: str) -> None:
    """Print the section; with --write, add it at the top of docs/benchmarks.md's results."""
    print(text)
    if "--write" in sys.argv:
        doc = ROOT / "docs" / "benchmarks.md"
        doc.write_text(doc.read_text().replace(MARKER, MARKER + text + "\n", 1))


# --- Every page against the floor (`make bench`, first part) ------------------------------------
# Usage:
#   .venv/bin/python bench/inprocess.py                       # recreate `stretch_bench`, seed_scale, ANALYZE, measure
#   .venv/bin/python bench/inprocess.py --database wt_x       # measure an existing seed_scale database as it is
#   ... --write                                               # also add the section to docs/benchmarks.md
#   ... --only dashboard,goals-api --repeat 10
# Each page is requested in-process (Django's test client, no HTTP server) one request at a time,
# after one warm-up request, `--repeat` times (fewer for a page slower than a second: at least 3);
# the figure is the median wall time, with the median CPU time of this process (the Python side:
# PostgreSQL and Redis work in their own processes), and the ratio to the floor page measured in
# the same run.

MANAGER = "person0100@scale.stretch"  # a manager (every tenth person of seed_scale is one)
MEMBER = "person0101@scale.stretch"  # a member: no team of their own to manage
HR = "person0002@scale.stretch"  # payout runs are for HR and admins only

# (name, path with {placeholders}, who: "both" or one email). The floor comes first.
PAGES: list[tuple[str, str, str]] = [
    ("floor: an organisation page rendering only base.html", "/o/{org}/floor/", "both"),
    ("organisation home", "/o/{org}/", "both"),
    ("goal tree page (strategy and team levels)", "/o/{org}/goals/", "both"),
    (
        "goal tree page, every level (?levels=all: the first 300 of 2,000 goals)",
        "/o/{org}/goals/?levels=all",
        "both",
    ),
    (
        "goal tree page, every level, all 2,000 goals (?levels=all&rows=all)",
        "/o/{org}/goals/?levels=all&rows=all",
        "both",
    ),
    ("goal tree API, 500 nodes (?max_depth=1)", "/api/v1/orgs/{org}/goals/tree/?max_depth=1", "both"),
    ("goals API list (first 50 of 2,000)", "/api/v1/orgs/{org}/goals/", "both"),
    ("team dashboard (team with the most active goals)", "/o/{org}/tracking/teams/{dash_team}/", "both"),
    ("weekly review (that team)", "/o/{org}/tracking/teams/{dash_team}/weekly/", "both"),
    ("monthly review (that team)", "/o/{org}/tracking/teams/{dash_team}/monthly/", "both"),
    ("plan table, 500 initiatives", "/o/{org}/plans/goals/{plan_goal}/", "both"),
    ("goal Gantt (that goal)", "/o/{org}/plans/goals/{plan_goal}/gantt/", "both"),
    ("team Gantt (that goal's team)", "/o/{org}/plans/teams/{plan_team}/gantt/", "both"),
    (
        "initiatives API list (that goal, 50 of 500)",
        "/api/v1/orgs/{org}/initiatives/?goal={plan_goal}",
        "both",
    ),
    ("payout run page (HR)", "/o/{org}/incentives/runs/{payout_run}/", HR),
    ("my pay (incentives home)", "/o/{org}/incentives/", "both"),
    ("bonus schemes and salaries (HR)", "/o/{org}/incentives/schemes/", HR),
    ("recognition wall", "/o/{org}/recognition/", "both"),
]


def _placeholders(org: object) -> dict[str, str]:
    from django.db.models import Count

    from goals.models import Goal
    from incentives.models import PayoutRun
    from plans.models import Initiative

    plan = Initiative.objects.filter(goal__org=org).values("goal_id", "goal__team_id").annotate(n=Count("*"))
    biggest = plan.order_by("-n", "goal_id").first() or {}
    dash = (
        Goal.objects.filter(org=org, status="active", team__isnull=False).values("team_id")
        .annotate(n=Count("*")).order_by("-n", "team_id").first() or {}
    )  # fmt: skip
    run = PayoutRun.objects.filter(org=org).annotate(n=Count("lines")).order_by("-n", "pk").first()
    return {
        "org": str(org.slug),  # type: ignore[attr-defined]
        "plan_goal": str(biggest.get("goal_id")), "plan_team": str(biggest.get("goal__team_id")),
        "dash_team": str(dash.get("team_id")), "payout_run": str(run.pk if run else None),
    }  # fmt: skip


def ensure_payout_run(org: object) -> None:
    """seed_scale gives the 5,000 people salaries and a scheme but starts no payout run: start one
    for the last quarter that has ended (HR's `HR`, through the services, as the page and its job
    would), compute its lines here rather than in a Celery worker, and adjust one line so the page
    shows an adjustment and its history. Left in review: the state where every line carries its
    adjustment form, the page's heaviest. An existing run is kept as it is."""
    from datetime import timedelta
    from decimal import Decimal
    from unittest import mock

    from incentives import services
    from incentives.models import PayoutRun, RunStatus
    from incentives.services import runs as run_services
    from teams.models import Membership
    from teams.selectors import org_today

    if PayoutRun.objects.filter(org=org, lines__isnull=False).exists():
        return
    hr = Membership.objects.select_related("user").get(org=org, user__email=HR)
    today = org_today(org)  # type: ignore[arg-type]
    end = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1) - timedelta(days=1)
    start = end.replace(month=end.month - 2, day=1)
    print(f"payout run {start}–{end} for the seed_scale people …", flush=True)
    run = PayoutRun.objects.filter(org=org, start=start, end=end, status=RunStatus.QUEUED).first()
    if run is None:  # (a queued one is left by an interrupted bench)
        with mock.patch.object(run_services, "_queue_compute"):  # no worker here: computed just below
            run = services.run_start(org=org, actor=hr, start=start, end=end, language="en")  # type: ignore[arg-type]
    services.run_compute(run_id=run.pk)
    line = run.lines.order_by("team", "name", "id").first()
    if line is not None:
        services.run_line_adjust(line=line, actor=hr, amount=Decimal(100), reason="Benchmark")
    analyze()


def measure_pages(repeat: int, only: set[str] | None) -> tuple[list[dict[str, object]], dict[str, str]]:
    import gc

    from django.test import Client

    from teams.models import Organization, User
    from teams.scale import SCALE_ORG_SLUG

    org = Organization.objects.get(slug=SCALE_ORG_SLUG)
    values = _placeholders(org)
    clients: dict[str, Client] = {}
    for email in (MANAGER, MEMBER, HR):
        clients[email] = Client()
        clients[email].force_login(User.objects.get(email=email))
    rows: list[dict[str, object]] = []
    for index, (name, raw, who) in enumerate(PAGES):
        key = raw.split("?")[0]
        if only and index and not any(word in name or word in key for word in only):
            continue
        path = raw.format(**values)
        if "/None/" in path:  # e.g. no plan in the data
            print(f"  {name}: nothing to measure in this data", flush=True)
            continue
        row: dict[str, object] = {"name": name, "path": path}
        for role, email in (("manager", MANAGER), ("member", MEMBER)):
            if who not in ("both", email):
                email = who if role == "manager" else ""
            if not email:
                continue
            client = clients[email]
            status = client.get(path).status_code  # warm-up (and the cache filled, where there is one)
            walls, cpus = [], []
            budget = time.perf_counter() + 20
            for n in range(repeat):
                gc.collect()
                wall, cpu = time.perf_counter(), time.process_time()
                client.get(path)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                if n >= 2 and time.perf_counter() > budget:
                    break
            row[role] = (status, statistics.median(walls) * 1000, statistics.median(cpus) * 1000, len(walls))
        rows.append(row)
        print(f"  {name}: " + ", ".join(f"{r} {row[r][1]:.1f} ms" for r in ("manager", "member") if r in row),
              flush=True)  # fmt: skip
    return rows, values


def pages_section(rows: list[dict[str, object]], data: str, command: str) -> str:
    import datetime as dt

    floor = rows[0]
    lines = [
        f"### Pages in-process — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} — {git_revision()}",
        "",
        f"Data: {data}. Load average before: {load_average()}. Command: `{command}`.",
        "Median wall time of one request at a time (Django's test client, no HTTP server), the median "
        "CPU time of the Python process for that request, and the ratio to the floor page measured in "
        f"the same run. Manager: `{MANAGER}`; member: `{MEMBER}`; the payout run page is for HR "
        f"(`{HR}`). The target is every page within 5× the floor.",
        "",
        "| page | manager ms | CPU ms | × floor | member ms | CPU ms | × floor |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        cells = []
        for role in ("manager", "member"):
            got = row.get(role)
            if got is None:
                cells += ["", "", ""]
                continue
            status, wall, cpu, _n = got  # type: ignore[misc]
            base = floor.get(role) or floor["manager"]
            ratio = wall / base[1]  # type: ignore[index]
            shown = f"{wall:.1f}" if status == 200 else f"{wall:.1f} (HTTP {status})"
            cells += [shown, f"{cpu:.1f}", f"{ratio:.1f}×"]
        lines.append(f"| {row['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def git_revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    rev = git("rev-parse", "--short", "HEAD") or "unknown"
    return rev + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def load_average() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def analyze() -> None:
    """Fresh planner statistics after a bulk load: autovacuum may be off (or not yet run), and
    without statistics PostgreSQL plans the big tables as if they were empty."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(
        description="Every page in-process against the floor page, for a manager and a member."
    )
    parser.add_argument(
        "--database", help="an existing database holding seed_scale data (default: recreate stretch_bench)"
    )
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", default="", help="comma-separated words of page names or paths")
    parser.add_argument("--write", action="store_true", help="add the section to docs/benchmarks.md")
    args = parser.parse_args()
    if args.database:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings.local", CELERY_TASK_ALWAYS_EAGER="false", DEBUG="false",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        )  # fmt: skip
    else:
        use_database("stretch_bench")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db.models import Count

    from goals.models import Goal
    from teams.models import Membership, Organization
    from teams.scale import SCALE_ORG_SLUG, seed_scale
    from tracking.models import MetricEntry

    if not args.database:
        print("seed_scale …", flush=True)
        seed_scale()
    analyze()
    ensure_payout_run(Organization.objects.get(slug=SCALE_ORG_SLUG))
    cache.clear()  # nothing left from an earlier run or another version of the code
    org_filter = {"org__slug": SCALE_ORG_SLUG}
    roles = dict(Membership.objects.filter(**org_filter).values_list("role").annotate(n=Count("*")))
    data = (
        f"`seed_scale` in PostgreSQL, then `ANALYZE`: {sum(roles.values()):,} people "
        f"({', '.join(f'{n:,} {role}' for role, n in sorted(roles.items()))}) in 50 teams, "
        f"{Goal.objects.filter(**org_filter).count():,} goals, "
        f"{MetricEntry.objects.filter(**org_filter).count():,} metric values"
    )
    only = {w.strip() for w in args.only.split(",") if w.strip()} or None
    rows, _values = measure_pages(args.repeat, only)
    command = ".venv/bin/python bench/inprocess.py" + (
        f" --database {args.database}" if args.database else ""
    )
    publish(pages_section(rows, data, command))


if __name__ == "__main__":
    main()
