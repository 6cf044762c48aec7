"""The stand-up POST in-process (issue 14): the CPU time of this process for each of `--repeat`
POSTs of bench/run.py's stand-up body with the manager's API token (DRF's APIClient, no HTTP
server), against an existing seed_scale database; prints the median and the SQL queries of one.

    .venv/bin/python bench/standup_post.py --database wt_x [--repeat 50] [--profile]

The first POST of the day creates the stand-up; the others update it (as under locust, which posts
the same value again; --vary alternates it, so that each POST changes the value). The CPU
time is this process's (the Python side): PostgreSQL and Redis work in their own processes.
Set REDIS_URL to a Redis db of your own (default db 15)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGER = "person0100@scale.stretch"  # bench/run.py's BENCH_USER


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="an existing database holding seed_scale data")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--vary", action="store_true", help="a different value each POST (an update that changes the value)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument over the POSTs (installed separately)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        CELERY_TASK_ALWAYS_EAGER="false",
        DEBUG="false",
        API_RATE_LIMIT="1000000/min",
    )
    import django

    django.setup()
    from django.db import connection
    from rest_framework.test import APIClient

    from goals.models import Goal, Status
    from teams.models import Membership, User
    from teams.scale import SCALE_ORG_SLUG
    from teams.selectors import org_today
    from teams.services import api_token_create

    user = User.objects.get(email=MANAGER)
    member = Membership.objects.select_related("org").get(user=user, org__slug=SCALE_ORG_SLUG)
    goal = (
        Goal.objects.filter(org=member.org, status=Status.ACTIVE, scope="team", team__in=member.teams.all())
        .order_by("id")
        .first()
    )
    if goal is None:
        raise SystemExit(f"{MANAGER} has no active team goal in {args.database}")
    _token, key = api_token_create(user=user, name="bench standup_post")
    client = APIClient(SERVER_NAME="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/orgs/{SCALE_ORG_SLUG}/standups/"
    body = {
        "day": org_today(member.org).isoformat(), "yesterday": "Visited customers", "today": "Proposal",
        "blockers": "", "mood": 4, "values": [{"goal": goal.pk, "value": "12"}],
    }  # fmt: skip

    posted = iter(range(10**6))

    def post() -> None:
        if args.vary:
            body["values"][0]["value"] = str(12 + next(posted) % 2)
        response = client.post(url, body, format="json")
        if response.status_code != 201:
            raise SystemExit(f"POST answered {response.status_code}: {response.content[:500]!r}")

    post()  # warm-up (and the day's stand-up exists from here on: every POST below updates it)
    queries: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        post()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    cpu, wall = [], []
    for _ in range(args.repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        post()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    for sql in queries:
        print(f"  {sql[:200]}")
    print(
        f"stand-up POST (update{', value changed' if args.vary else ''}) in-process, goal {goal.pk}, {args.repeat} POSTs: "
        f"median CPU {1000 * statistics.median(cpu):.1f} ms, median wall {1000 * statistics.median(wall):.1f} ms, "
        f"{len(queries)} queries"
    )


if __name__ == "__main__":
    main()
