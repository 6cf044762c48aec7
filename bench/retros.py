"""Retrospectives at the issue's sizes, in-process against the floor page: the meeting page of a
retro with 200 cards from 30 participants (votes, actions), the goal-review preparation for a team
with 40 goals (the selector alone, and the page of that retro), and a knowledge-base search over
10,000 published entries (Chinese and English words), each against `/o/<org>/floor/`.

    .venv/bin/python bench/retros.py                      # prints a Markdown section
    .venv/bin/python bench/retros.py --write              # and adds it to docs/benchmarks.md
    ... --database stretch_bench_retros --redis redis://127.0.0.1:6379/15 --repeat 10
    ... --database <a seeded copy> --existing --only "meeting page"   # measure it as it is

Without --existing the database is recreated and migrated (default `stretch_bench_retros`, not the shared
`stretch_bench`). Timings are medians of one request at a time through Django's test client (no
HTTP server), with the median CPU time of this process, like bench/inprocess.py."""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from inprocess import analyze, git_revision, load_average, publish, use_database

WORDS_EN = ["conversion", "live stream", "promotion", "pricing", "onboarding", "churn", "referral", "region"]
WORDS_ZH = ["直播", "转化率", "促销", "定价", "新客", "流失", "渠道", "区域"]


def measure(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median wall ms, median CPU ms) after one warm-up."""
    run()
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def seed() -> dict[str, object]:
    from django.db import transaction

    from goals.periods import quarter_containing
    from retros import services
    from retros.models import Lesson, LessonKind
    from retros.services.knowledge import search_text
    from teams.models import Role
    from teams.selectors import org_today
    from tests import factories

    with transaction.atomic():
        org = factories.organization(name="Retro bench", slug="retro-bench")
        sales = factories.team(org, "Sales")
        boss = factories.member(org, Role.MANAGER, name="Bench Boss", teams=[sales])
        sales.managers.add(boss)
        people = [factories.member(org, Role.MEMBER, teams=[sales]) for _ in range(29)]
        this_start, _end = quarter_containing(org_today(org))
        start, end = quarter_containing(this_start - timedelta(days=1))
        for n in range(40):
            factories.goal(org, boss, team=sales, title=f"Bench goal {n}", start_date=start, end_date=end,
                           period_kind="quarter", base=Decimal(1000 + n), challenge=Decimal(1200 + n),
                           stretch=Decimal(1500 + n), status="active")  # fmt: skip
        retro = services.retro_start(
            team=sales, actor=boss, kind="quarter", period_start=start, period_end=end
        )
        participants = [boss, *people]
        for n in range(200):
            person = participants[n % 30]
            card = services.card_add(retro=retro, actor=person, kind="cause", category="execution",
                                     text=f"{WORDS_ZH[n % 8]} {WORDS_EN[n % 8]} card {n}")  # fmt: skip
            if n < 90:
                services.vote_toggle(card=card, actor=person)
        for n in range(10):
            services.action_add(retro=retro, actor=boss, description=f"Action {n}", owner=people[n],
                                due_date=end + timedelta(days=30))  # fmt: skip
        kinds = list(LessonKind.values)
        lessons = []
        for n in range(10_000):
            lesson = Lesson(org=org, team=sales, kind=kinds[n % 3], published=True, period_end=end,
                            text=f"{WORDS_ZH[n % 8]}{WORDS_ZH[(n // 8) % 8]} {WORDS_EN[(n // 3) % 8]} lesson {n}",
                            tags=f"{WORDS_EN[n % 8]}, q{n % 4 + 1}", metric_name="Deal value" if n % 2 else "")  # fmt: skip
            lesson.search_text = search_text(lesson)
            lessons.append(lesson)
        Lesson.objects.bulk_create(lessons, batch_size=1000)
    return {"org": org, "boss": boss, "retro": retro}


def existing() -> dict[str, object]:
    """The world seed() made, found in an already seeded database."""
    from retros.models import Retrospective
    from teams.models import Organization

    org = Organization.objects.get(slug="retro-bench")
    retro = Retrospective.objects.filter(org=org).order_by("pk").first()
    boss = retro.team.managers.order_by("pk").first()  # type: ignore[union-attr]
    return {"org": org, "boss": boss, "retro": retro}


def main() -> None:
    parser = argparse.ArgumentParser(description="Retros at scale against the floor page, in-process.")
    parser.add_argument("--database", default="stretch_bench_retros", help="recreated and migrated")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="add the section to docs/benchmarks.md")
    parser.add_argument("--existing", action="store_true", help="measure an already seeded database as it is")
    parser.add_argument("--only", help="measure only the rows whose name contains this")
    args = parser.parse_args()
    if args.existing:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.local", CELERY_TASK_ALWAYS_EAGER="false",
                          DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}", DEBUG="false")  # fmt: skip
    else:
        use_database(args.database)
    os.environ["REDIS_URL"] = args.redis
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from retros.selectors import goal_review

    started = time.perf_counter()
    world = existing() if args.existing else seed()
    seeded = time.perf_counter() - started
    if not args.existing:
        analyze()
    cache.clear()
    org, boss, retro = world["org"], world["boss"], world["retro"]
    client = Client()
    client.force_login(boss.user)  # type: ignore[attr-defined]
    slug = org.slug  # type: ignore[attr-defined]

    def page(path: str) -> Callable[[], object]:
        def run() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)  # noqa: S101 - a bench

        return run

    rows = [
        ("floor: an organisation page rendering only base.html", page(f"/o/{slug}/floor/")),
        ("meeting page: 200 cards from 30 participants, 40 goals in the review, 10 actions",
         page(f"/o/{slug}/retros/{retro.pk}/")),  # type: ignore[attr-defined]
        ("goal-review preparation alone (selector), team with 40 goals", lambda: goal_review(retro=retro)),
        ("knowledge search over 10,000 entries: 直播", page(f"/o/{slug}/retros/knowledge/?q=直播")),
        ("knowledge search over 10,000 entries: conversion", page(f"/o/{slug}/retros/knowledge/?q=conversion")),
        ("knowledge search, two words: 促销 region",
         page(f"/o/{slug}/retros/knowledge/?q=促销+region")),
    ]  # fmt: skip
    results = []
    for name, run in rows:
        if args.only and args.only not in name and not name.startswith("floor"):
            continue
        wall, cpu = measure(run, args.repeat)
        results.append((name, wall, cpu))
        print(f"  {name}: {wall:.1f} ms (CPU {cpu:.1f} ms)", flush=True)
    floor = results[0][1]
    command = (
        ".venv/bin/python bench/retros.py --write"
        + (f" --database {args.database}" if args.database != "stretch_bench_retros" else "")
        + (" --existing" if args.existing else "")
    )
    lines = [
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — retrospectives and the knowledge base, "
        f"in-process — {git_revision()}",
        "",
        f"Command: `{command}`. Load average before: {load_average()} (a shared 2-core machine: other "
        f"sessions were running, so the absolute figures are high and noisy; the ratios matter). "
        f"{'An existing database' if args.existing else f'Data seeded in {seeded:.0f} s'}: one team of 30 people (a manager, 29 members), 40 active goals last quarter, "
        "the quarter's retro with 200 cards (90 votes) and 10 actions, 10,000 published knowledge entries. "
        f"Median of {args.repeat} requests after a warm-up, the manager's view. The target is within 5× the floor.",
        "",
        "| what | ms | CPU ms | × floor |",
        "|---|--:|--:|--:|",
        *(f"| {name} | {wall:.1f} | {cpu:.1f} | {wall / floor:.1f}× |" for name, wall, cpu in results),
        "",
    ]
    publish("\n".join(lines))


if __name__ == "__main__":
    main()
