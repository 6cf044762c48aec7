"""Tracking at scale, in-process against PostgreSQL: seeding 1,000,000 values and 100,000
stand-ups (COPY), a full indicator recompute against one hand-written SQL aggregation (the floor),
the incremental recompute after one stand-up, alert evaluation, and bulk value import.

    .venv/bin/python bench/tracking.py            # prints a Markdown section; --write adds it to docs/benchmarks.md

Uses the database `stretch_bench` (recreated), PostgreSQL on 127.0.0.1:5432 and Redis db 15."""

from __future__ import annotations

import time
from datetime import timedelta

from inprocess import publish, timed, use_database

FLOOR_SQL = """
SELECT g.id, COALESCE(SUM(e.value), 0) AS actual,
       v.challenge * (LEAST(%(day)s, g.end_date) - g.start_date + 1)::numeric
                   / (g.end_date - g.start_date + 1) AS expected,
       COALESCE(SUM(e.value), 0) / NULLIF(v.challenge, 0) * 100 AS attainment
FROM goals_goal g
JOIN goals_targetversion v ON v.goal_id = g.id
 AND v.number = (SELECT max(number) FROM goals_targetversion w WHERE w.goal_id = g.id)
LEFT JOIN tracking_metricentry e ON e.goal_id = g.id AND e.supporting_metric_id IS NULL
 AND e.day BETWEEN g.start_date AND %(day)s
WHERE g.org_id = %(org)s AND g.status = 'active' AND g.start_date <= %(day)s
GROUP BY g.id, v.challenge, g.start_date, g.end_date
"""


def main() -> None:
    use_database("stretch_bench")
    import django

    django.setup()
    from django.db import connection, transaction

    from teams.scale import seed_scale
    from teams.selectors import org_today
    from tracking import scale, services
    from tracking.models import MetricEntry, Standup

    started = time.perf_counter()
    result = seed_scale()
    seed_total = time.perf_counter() - started
    org = result.org
    entries, standups = MetricEntry.objects.filter(org=org).count(), Standup.objects.filter(org=org).count()
    # The tracking part alone, again on its own (reset, then seed just the values and stand-ups).
    scale.reset_tracking_scale(org)
    import random

    started = time.perf_counter()
    with transaction.atomic():
        scale.seed_tracking_scale(org, random.Random(1))
    tracking_seed = time.perf_counter() - started
    today = org_today(org)

    full = timed(lambda: services.indicators_recompute(org=org, day=today))
    written = services.indicators_recompute(org=org, day=today)

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, {"day": today, "org": org.pk})
            cursor.fetchall()

    floor_time = timed(floor)
    alerts = timed(lambda: services.alerts_evaluate(org=org, day=today))

    member = org.memberships.filter(role="member", teams__isnull=False).first()
    from tracking.selectors import contributing_goals

    goal = contributing_goals(member=member)[0]

    def one_standup() -> None:
        services.standup_submit(member=member, actor=member, data=services.StandupInput(
            day=today, today="Benchmark", values=(services.EntryInput(goal_id=goal.pk, value="12"),)))  # fmt: skip

    submit = timed(one_standup)

    def incremental() -> None:  # what the worker runs after that stand-up commits
        services.indicators_recompute(org=org, goal_ids=[goal.pk], since=today)
        services.alerts_evaluate(org=org, goal_ids=[goal.pk])

    incr = timed(incremental)
    admin = org.memberships.filter(role="admin").first()
    goals = list(org.goals.filter(status="active", start_date__lte=today).exclude(scope="strategy")[:50])
    rows = [services.EntryInput(goal_id=goals[n % len(goals)].pk, value=str(n % 97 + 1),
                                day=(today - timedelta(days=n % 30)).isoformat(), external_id=f"bench-{n}")
            for n in range(5000)]  # fmt: skip
    started = time.perf_counter()
    services.entries_save(org=org, actor=admin, rows=rows)
    first_push = time.perf_counter() - started
    started = time.perf_counter()
    services.entries_save(org=org, actor=admin, rows=rows)
    repeat_push = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    lines = [
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — tracking at scale, in-process",
        "",
        f"Command: `.venv/bin/python bench/tracking.py --write` ({pg}; 2-core machine; the `scale` "
        f"organisation: 500 people, 2,000 active goals, {entries:,} metric values, {standups:,} stand-ups).",
        "",
        "| what | figure |",
        "|---|--:|",
        f"| `seed_scale`, everything (teams, goals, plans, tracking) | {seed_total:.1f} s |",
        f"| tracking seed alone: {entries:,} values + {standups:,} stand-ups by COPY, then today's indicators | "
        f"{tracking_seed:.1f} s ({(entries + standups) / tracking_seed:,.0f} rows/s) |",
        f"| full indicator recompute, {written:,} snapshots (median / max of 3) | {full[0] * 1000:.0f} ms / "
        f"{full[1] * 1000:.0f} ms |",
        f"| the same aggregation as one hand-written SQL query (the floor) | {floor_time[0] * 1000:.0f} ms / "
        f"{floor_time[1] * 1000:.0f} ms |",
        f"| ratio recompute ÷ floor | {full[0] / floor_time[0]:.1f}× |",
        f"| alert evaluation, whole organisation | {alerts[0] * 1000:.0f} ms |",
        f"| one stand-up with a value (the web request's service call) | {submit[0] * 1000:.1f} ms |",
        f"| incremental recompute + alerts for the goal it touched (the worker's job) | {incr[0] * 1000:.1f} ms |",
        f"| bulk push of 5,000 values with external ids | {first_push * 1000:.0f} ms "
        f"({5000 / first_push:,.0f} values/s) |",
        f"| the same push again (idempotent: nothing stored) | {repeat_push * 1000:.0f} ms "
        f"({5000 / repeat_push:,.0f} values/s) |",
        "",
        "The floor computes only the lagging sums with a straight-line expectation; the recompute also "
        "reads the decomposed targets and revisions, forecasts from the last four weeks, computes tiers, "
        "leading and risk states and upserts every snapshot.",
        "",
    ]
    publish("\n".join(lines))


if __name__ == "__main__":
    main()
