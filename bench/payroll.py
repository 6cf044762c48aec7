"""Payroll at scale, in-process against PostgreSQL: a payout run for the 5,000 people of the
`scale` organisation (what the Celery job runs), its XLSX and CSV exports (with their peak Python
memory, to show they stream), and the run's page and API list on 5,000 lines.

    .venv/bin/python bench/payroll.py            # prints a Markdown section; --write adds it to docs/benchmarks.md

Uses the database `stretch_bench_payroll` (recreated), PostgreSQL on 127.0.0.1:5432 and Redis db 15."""

from __future__ import annotations

import time
import tracemalloc
from datetime import date
from decimal import Decimal

from inprocess import publish, timed, use_database


def main() -> None:
    use_database("stretch_bench_payroll")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from incentives import exports, services
    from incentives.models import PayoutRun, RunStatus
    from teams.models import Role
    from teams.scale import seed_scale

    started = time.perf_counter()
    org = seed_scale().org
    seed_total = time.perf_counter() - started
    hr = org.memberships.filter(role=Role.HR).first()
    admins = list(org.memberships.filter(role=Role.ADMIN)[:2])
    start, end = date(2026, 10, 1), date(2026, 12, 31)

    def compute() -> None:
        PayoutRun.objects.filter(org=org).delete()
        run = PayoutRun.objects.create(org=org, start=start, end=end, started_by=hr, language="en")
        services.run_compute(run_id=run.pk)

    run_times = timed(compute)
    run = PayoutRun.objects.get(org=org)
    people = run.lines.count()
    services.run_line_adjust(line=run.lines.first(), actor=hr, amount=Decimal(100),
                             reason="Benchmark")  # fmt: skip
    services.run_submit(run=run, actor=admins[0])
    services.run_approve(run=run, actor=admins[1])
    run.refresh_from_db()

    def xlsx() -> None:
        handle = exports.xlsx_file(run)  # the whole workbook, written to its temporary file
        size[0] = handle.seek(0, 2)
        handle.close()

    size = [0]
    xlsx_times = timed(xlsx)
    csv_bytes = [0]

    def csv_export() -> None:
        csv_bytes[0] = sum(len(chunk) for chunk in exports.csv_chunks(run))

    csv_times = timed(csv_export)
    tracemalloc.start()
    exports.xlsx_file(run).close()
    xlsx_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    for _chunk in exports.csv_chunks(run):
        pass
    csv_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    client = Client()
    client.force_login(hr.user)
    pages = {}
    for label, url in (
        (
            "run page (first 100 of the lines, totals per team, history)",
            f"/o/{org.slug}/incentives/runs/{run.pk}/",
        ),
        ("run lines API (first 50)", f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/lines/"),
        ("runs list page", f"/o/{org.slug}/incentives/runs/"),
    ):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            answer = client.get(url)
        if answer.status_code != 200:
            raise SystemExit(f"{url} answered {answer.status_code}")
        queries = len(ctx.captured_queries)  # now: the next request clears the connection's query log
        pages[label] = (timed(lambda url=url: client.get(url), repeat=5)[0], queries)

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    lines = [
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — payroll at scale, in-process",
        "",
        f"Command: `.venv/bin/python bench/payroll.py --write` ({pg}; 2-core machine; the `scale` organisation "
        f"topped up to {people:,} people with salaries, the article's scheme on members and managers, attainment "
        "from the 2,000 goals' snapshots).",
        "",
        "| what | figure |",
        "|---|--:|",
        f"| `seed_scale`, everything (teams, goals, plans, tracking, payroll) | {seed_total:.1f} s |",
        f"| payout run for {people:,} people: the job's whole work, lines written (median / max of 3) | "
        f"{run_times[0]:.2f} s / {run_times[1]:.2f} s |",
        f"| XLSX export of the locked run, 3 sheets, {size[0] / 1024:,.0f} KiB (median / max of 3) | "
        f"{xlsx_times[0]:.2f} s / {xlsx_times[1]:.2f} s |",
        f"| CSV export, {csv_bytes[0] / 1024:,.0f} KiB | {csv_times[0]:.2f} s |",
        f"| peak Python memory while writing the XLSX / the CSV (streamed) | {xlsx_peak / 2**20:.1f} MiB / "
        f"{csv_peak / 2**20:.1f} MiB |",
        *(f"| {label}: one request (median of 5), {queries} queries | {seconds * 1000:.0f} ms |"
          for label, (seconds, queries) in pages.items()),
        "",
        "Target (issue 6): the run and its XLSX export each well under 10 s for 5,000 people.",
        "",
    ]  # fmt: skip
    if run.status != RunStatus.LOCKED:
        raise SystemExit("the run did not lock")
    publish("\n".join(lines))


if __name__ == "__main__":
    main()
