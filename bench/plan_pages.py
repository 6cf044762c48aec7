"""Issue 14 (pickers and plan rows): the plan table of the 500-initiative plan, the goal and team
Gantts and the weekly and monthly reviews, in-process on the `seed_scale` data already in the
database DATABASE_URL names (run `manage.py seed_scale` first), one request at a time, median of
`--repeat` (default 10) after one warm-up request.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/N .venv/bin/python bench/plan_pages.py

Signs in as a manager of the big plan's team and as a plain member of it."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from goals.models import Goal, Scope
    from teams.models import Membership, Organization, Role

    settings.ALLOWED_HOSTS = ["*"]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 10
    org = Organization.objects.get(slug="scale")
    goal = Goal.objects.filter(org=org, scope=Scope.TEAM).order_by("pk").first()
    if goal is None or goal.team is None:
        raise SystemExit("No scale data: run manage.py seed_scale first.")
    team = goal.team
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    manager = team.managers.filter(is_active=True).order_by("pk").first()  # manages the big plan's team
    member = Membership.objects.filter(org=org, role=Role.MEMBER, teams=team).order_by("pk").first()
    pages = [
        ("plan table, 500 initiatives", reverse("goal_plan", args=[org.slug, goal.pk])),
        ("goal Gantt", reverse("goal_gantt", args=[org.slug, goal.pk])),
        ("team Gantt", reverse("team_gantt", args=[org.slug, team.pk])),
        ("weekly review", reverse("weekly_review", args=[org.slug, team.pk])),
        ("monthly review", reverse("monthly_review", args=[org.slug, team.pk])),
    ]
    print(
        f"manager {manager.user.email if manager else None}, member {member.user.email if member else None}"
    )
    print(f"org {org.slug}: {Membership.objects.filter(org=org).count()} memberships; goal {goal.pk} "
          f"({goal.initiatives.count()} initiatives); team {team.pk}")  # fmt: skip
    print("| page | role | median ms | max ms | queries | bytes |")
    print("|---|---|--:|--:|--:|--:|")
    for role, who in (("manager", manager), ("member", member)):
        if who is None:
            raise SystemExit(f"No {role} in the big plan's team.")
        client = Client()
        client.force_login(who.user)
        for label, url in pages:
            first = client.get(url)
            if first.status_code != 200:
                print(f"| {label} | {role} | {first.status_code} | | | |")
                continue
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            print(f"| {label} | {role} | {statistics.median(times):.0f} | {max(times):.0f} | "
                  f"{len(ctx.captured_queries)} | {len(response.content):,} |")  # fmt: skip


if __name__ == "__main__":
    main()
