"""`make soak`: 50 concurrent users for 5 minutes against gunicorn and a real Celery worker (and
beat) on PostgreSQL and Redis, then check that nothing was lost, doubled or answered with a 5xx.

    .venv/bin/python bench/soak.py                          # 50 users, 5 minutes, writes docs
    .venv/bin/python bench/soak.py --users 5 --minutes 0.3 --no-doc    # smoke run

Data preparation, gunicorn, free ports, sign-in and the machine description come from
bench/run.py (`make bench`): the database is recreated and seeded with `seed_scale` (50 teams,
5,000 people after the payroll top-up), then analysed. The mix of users is in bench/soak_locustfile.py. Checks, after the worker has drained
the queue:

1. no 5xx: none in locust's answers, none in the gunicorn access log;
2. every value that got a success is stored with the value sent (by its unique external_id), and
   no value is stored that was never sent;
3. every stand-up (one per member and day: a repeat updates it) holds the text and value of the
   last POST that got a 201 for that member and day;
4. every alert, notification and delivery exists once per key;
5. the worker drained the queue.

Exit status 0 when every check passes, 1 otherwise. Raw output goes to bench-results/soak-*.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402 - bench/run.py: services, data, gunicorn, sign-in, report helpers

ROOT = bench.ROOT
OUT = bench.RESULTS_DIR
LOCUSTFILE = "bench/soak_locustfile.py"
START, END = "<!-- soak:start -->", "<!-- soak:end -->"


def log(message: str) -> None:
    print(f"[soak] {message}", flush=True)


def sql(query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with bench.pg_connect(bench.DB_NAME) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        rows = cur.fetchall()
    conn.close()
    return rows


# --- The plan: who the users are ------------------------------------------------------------------
def org_today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # seed_scale: Asia/Shanghai


def make_plan(env: dict[str, str], base: str, users: int) -> dict[str, object]:
    today = org_today()
    days = [today - dt.timedelta(days=k) for k in range(6)]  # stand-ups may go back 7 days
    (org_id,) = sql("SELECT id FROM teams_organization WHERE slug = %s", (bench.SCALE_ORG_SLUG,))[0]
    # Plain members, each with an active team goal whose period covers the stand-up days.
    members = sql(
        "SELECT DISTINCT ON (m.id) m.id, u.email, g.id FROM teams_membership m "
        "JOIN teams_user u ON u.id = m.user_id JOIN teams_membership_teams mt ON mt.membership_id = m.id "
        "JOIN goals_goal g ON g.team_id = mt.team_id AND g.status = 'active' AND g.scope = 'team' "
        "AND g.start_date <= %s AND g.end_date >= %s "
        "WHERE m.org_id = %s AND m.role = 'member' ORDER BY m.id, g.id LIMIT %s",
        (days[-1], today, org_id, users),
    )
    managers = sql(
        "SELECT DISTINCT ON (m.id) m.id, u.email, tm.team_id FROM teams_membership m "
        "JOIN teams_user u ON u.id = m.user_id JOIN teams_team_managers tm ON tm.membership_id = m.id "
        "WHERE m.org_id = %s AND m.role = 'manager' ORDER BY m.id, tm.team_id LIMIT %s",
        (org_id, max(1, users // 4 + 1)),
    )
    integrator_goals = [
        r[0]
        for r in sql(
            "SELECT id FROM goals_goal WHERE org_id = %s AND status = 'active' AND start_date <= %s "
            "AND end_date >= %s ORDER BY id LIMIT 50",
            (org_id, today, today),
        )
    ]
    admin = sql(
        "SELECT u.email FROM teams_membership m JOIN teams_user u ON u.id = m.user_id "
        "WHERE m.org_id = %s AND m.role = 'admin' ORDER BY m.id LIMIT 1",
        (org_id,),
    )[0][0]
    if len(members) < users or not managers or not integrator_goals:
        raise SystemExit(f"[soak] the seeded data has {len(members)} members with goals (need {users})")
    tokens = api_tokens(env, [str(admin), *(str(m[1]) for m in members)])
    sessions = []
    for _id, email, team in managers:
        bench.BENCH_USER = str(email)  # bench.sign_in signs in as BENCH_USER
        sessions.append({"member": _id, "team": team, "session": bench.sign_in(base)})
    return {
        "slug": bench.SCALE_ORG_SLUG,
        "today": today.isoformat(),
        "days": [d.isoformat() for d in days],
        "members": [{"member": m[0], "goal": m[2], "token": tokens[str(m[1])]} for m in members],
        "managers": sessions,
        "integrator": {"token": tokens[str(admin)], "goals": integrator_goals},
    }


def api_tokens(env: dict[str, str], emails: list[str]) -> dict[str, str]:
    """Personal API tokens for many people in one Django start (bench.api_token makes one)."""
    code = (
        "import json, sys; from teams.models import User; from teams.services import api_token_create; "
        f"emails = {emails!r}; "
        "print(json.dumps({e: api_token_create(user=User.objects.get(email=e), name='soak')[1] for e in emails}))"
    )
    out = subprocess.run(
        [str(bench.PYTHON), "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, check=True, text=True, capture_output=True,
    ).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


# --- Processes ----------------------------------------------------------------------------------
def cpu_ms(pids: list[int], with_children: bool = False) -> float:
    """User + system CPU of the processes (and of their reaped children), in milliseconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
        total += int(fields[11]) + int(fields[12])
        if with_children:
            total += int(fields[13]) + int(fields[14])
    return total * 1000 / ticks


def tree_cpu_ms(root: int) -> float:
    return cpu_ms([root], with_children=True) + cpu_ms(bench.child_pids(root))


def celery(kind: str, env: dict[str, str], logfile: Path) -> subprocess.Popen[bytes]:
    args = [str(bench.PYTHON), "-m", "celery", "-A", "config", kind, "--loglevel=INFO"]
    if kind == "beat":
        args += ["--schedule", str(OUT / "soak-celerybeat-schedule")]
    log("$ " + shlex.join(args))
    handle = open(logfile, "wb")  # noqa: SIM115 - the process owns it until stopped
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def drain(env: dict[str, str], timeout: float) -> tuple[bool, float]:
    """Wait until the broker holds no queued or unacknowledged job and the worker runs none."""
    client = bench.redis_client(bench.REDIS_DB)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if client.llen("celery") == 0 and client.hlen("unacked") == 0:
            active = subprocess.run(
                [str(bench.PYTHON), "-m", "celery", "-A", "config", "inspect", "active", "--json"],
                cwd=ROOT, env=env, text=True, capture_output=True, check=False,
            ).stdout  # fmt: skip
            try:
                replies = json.loads(active.strip().splitlines()[-1])
            except (ValueError, IndexError):
                replies = None
            if isinstance(replies, dict) and replies and not any(replies.values()):
                return True, time.monotonic() - started
        time.sleep(2)
    return False, time.monotonic() - started


# --- Checks -------------------------------------------------------------------------------------
def check_values(sent: dict[str, list[object]]) -> tuple[bool, str]:
    stored = {
        str(k): str(v)
        for k, v in sql(
            "SELECT external_id, value FROM tracking_metricentry WHERE external_id LIKE 'soak-%%'"
        )
    }
    acked = {k: str(v[0]) for k, v in sent.items() if v[1]}
    missing = [k for k in acked if k not in stored]
    wrong = [k for k in acked if k in stored and float(stored[k]) != float(acked[k])]
    unknown = [k for k in stored if k not in sent]
    extra = [k for k in stored if k in sent and k not in acked]  # sent, no success seen, stored anyway
    ok = not (missing or wrong or unknown)
    text = (
        f"{len(acked)} values acknowledged, {len(stored)} stored with a soak external id: "
        f"{len(missing)} missing, {len(wrong)} with another value, {len(unknown)} never sent"
        + (f", {len(extra)} stored without a success seen (cut off)" if extra else "")
    )
    if missing or wrong or unknown:
        text += f" (e.g. {(missing + wrong + unknown)[:5]})"
    return ok, text


def check_standups(sent: dict[str, list[list[object]]], members: list[int]) -> tuple[bool, str]:
    rows = sql(
        "SELECT s.member_id, s.day, s.today, e.value FROM tracking_standup s "
        "LEFT JOIN tracking_metricentry e ON e.standup_id = s.id "
        "WHERE s.member_id = ANY(%s) AND s.today LIKE 'soak %%'",
        (members,),
    )
    stored: dict[str, list[tuple[str, str]]] = {}
    for member, day, text, value in rows:
        stored.setdefault(f"{member}|{day}", []).append((str(text), "" if value is None else f"{value:f}"))
    bad = []
    acked = sum(1 for attempts in sent.values() for a in attempts if a[2])
    for key, attempts in sent.items():
        last_ok = max((i for i, a in enumerate(attempts) if a[2]), default=-1)
        # What may be stored: the last acknowledged one, or one sent after it whose answer was lost.
        allowed = {(str(a[0]), str(a[1])) for a in attempts[max(last_ok, 0) :]}
        got = [(t, v.rstrip("0").rstrip(".") if "." in v else v) for t, v in stored.get(key, [])]
        if last_ok < 0 and not got:
            continue  # never acknowledged, not stored
        if len(got) != 1 or got[0] not in allowed:
            bad.append((key, got, sorted(allowed)[:3]))
    unknown = [k for k in stored if k not in sent]
    ok = not bad and not unknown
    text = (
        f"{acked} stand-up POSTs acknowledged for {len(sent)} member-days; {len(stored)} member-days stored: "
        f"{len(bad)} not the last acknowledged text and value, {len(unknown)} never sent"
    )
    if bad:
        text += f" (e.g. {bad[:3]})"
    return ok, text


def check_alerts(since: dt.datetime) -> tuple[bool, str]:
    duplicates = {
        "alerts": "SELECT org_id, dedupe_key FROM tracking_alert GROUP BY 1, 2 HAVING count(*) > 1",
        "notifications": "SELECT recipient_id, alert_id, kind FROM tracking_notification "
        "WHERE alert_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1",
        "deliveries": "SELECT channel_id, alert_id, event FROM tracking_delivery "
        "WHERE alert_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1",
    }
    found = {name: len(sql(query)) for name, query in duplicates.items()}
    # The key is built by the code under test: also look for the same deviation raised twice in
    # this run (one day, so one period) under different keys.
    found["same goal/metric/person and rule raised twice in the run"] = len(
        sql(
            "SELECT kind, goal_id, supporting_metric_id, member_id FROM tracking_alert WHERE created_at >= %s "
            "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1",
            (since,),
        )
    )
    raised = sql("SELECT count(*) FROM tracking_alert WHERE created_at >= %s", (since,))[0][0]
    total = sql("SELECT count(*) FROM tracking_alert")[0][0]
    notified = sql("SELECT count(*) FROM tracking_notification WHERE created_at >= %s", (since,))[0][0]
    ok = not any(found.values())
    text = (
        f"{raised} alerts raised during the run ({total} in all), {notified} notifications; duplicates per key: "
        + ", ".join(f"{name} {count}" for name, count in found.items())
    )
    return ok, text


def count_5xx(outcome: dict[str, object], server_log: bench.ServerLog) -> tuple[bool, str]:
    errors: list[dict[str, object]] = outcome["errors"]  # type: ignore[assignment]
    locust_5xx = sum(
        int(str(e["occurrences"])) for e in errors if bench.clean_error(str(e["error"])).startswith("HTTP 5")
    )
    log_5xx = sum(n for code, n in server_log.statuses.items() if code.startswith("5"))
    return locust_5xx == 0 and log_5xx == 0, (
        f"{locust_5xx} in locust's answers, {log_5xx} in the gunicorn access log, "
        f"{server_log.tracebacks} tracebacks in the gunicorn log"
    )


# --- Report -------------------------------------------------------------------------------------
SOAK_INTRO = f"""## Soak

`make soak` (`bench/soak.py`): 50 concurrent users for 5 minutes against gunicorn
(`gunicorn.conf.py`) and a real Celery worker and beat on PostgreSQL and Redis, all on loopback,
with the `seed_scale` organisation. The mix (`bench/soak_locustfile.py`, think time 1–3 s):
members posting stand-ups (with a value) and single values through the API with their tokens
(weight 3), managers reading their team's dashboard, weekly and monthly reviews and the home page
with a session (weight 1), and one integrator pushing 100 values a request to the bulk values API
with an admin's token. After the worker has drained the queue the run checks: no 5xx (locust and
the gunicorn access log); every value that got a success stored once with its value (unique
external ids); every member-day's stand-up holding the last text and value that got a 201; every
alert, notification and delivery once per key, and no deviation (rule, goal, metric, person) raised
twice in the run under different keys. It exits non-zero when a check fails.
CPU per request is the gunicorn master's and workers' user+system time (from /proc) over the
locust phase, divided by the requests served.

{START}
{END}
"""


def render(args: argparse.Namespace, outcome: dict[str, object], checks: list[tuple[str, bool, str]],
           machine_rows: list[tuple[str, str]], cpu: dict[str, float], command: str) -> str:  # fmt: skip
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"### {now} — {bench.git_revision()}", "", "```", command, "```", ""]
    lines += ["| Machine | |", "|---|---|", *(f"| {k} | {v} |" for k, v in machine_rows), ""]
    lines += [
        "| request type | requests | req/s | p50 ms | p95 ms | p99 ms | failures |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    entries: list[dict[str, object]] = [*outcome["entries"], outcome["total"]]  # type: ignore[list-item]
    for e in entries:
        name = "all" if e["name"] == "Aggregated" else str(e["name"])
        lines.append(
            f"| {name} | {e['requests']} | {float(str(e['rps'])):.1f} | {e['p50_ms']:.0f} | {e['p95_ms']:.0f} "  # type: ignore[str-format]
            f"| {e['p99_ms']:.0f} | {e['failures']} |"  # type: ignore[str-format]
        )
    total = outcome["total"]
    requests = max(1, int(total["requests"]))  # type: ignore[index]
    lines += [
        "",
        f"CPU: gunicorn {cpu['gunicorn']:.0f} ms in all, **{cpu['gunicorn'] / requests:.1f} ms per request**; "
        f"Celery worker {cpu['worker']:.0f} ms; wall {cpu['wall']:.0f} s; queue drained {cpu['drain']:.0f} s "
        "after locust stopped.",
        "",
        "| check | result | |",
        "|---|---|---|",
        *(f"| {name} | {'pass' if ok else '**FAIL**'} | {text} |" for name, ok, text in checks),
    ]
    errors: list[dict[str, object]] = outcome["errors"]  # type: ignore[assignment]
    if errors:
        lines += ["", "Failures seen by locust:", ""]
        lines += [f"- {e['occurrences']} × {e['name']}: {bench.clean_error(str(e['error']))}" for e in errors]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text = bench.DOC.read_text() if bench.DOC.exists() else ""
    if START not in text:
        text = text.rstrip("\n") + "\n\n" + SOAK_INTRO
    head, tail = text.split(START, 1)
    bench.DOC.write_text(head + START + "\n\n" + section + "\n" + tail.lstrip("\n"))
    log(f"wrote {bench.DOC.relative_to(ROOT)}")


# --- Main ---------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--minutes", type=float, default=5.0, help="how long locust runs (default 5)")
    parser.add_argument("--database", default="stretch_soak", help="PostgreSQL database, recreated")
    parser.add_argument("--redis-db", type=int, default=14, help="Redis database number, flushed")
    parser.add_argument("--workers", type=int, default=bench.WORKERS, help="gunicorn workers (default 4)")
    parser.add_argument("--drain-timeout", type=float, default=600, help="seconds to wait for the queue")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    return parser.parse_args()


def main() -> int:  # noqa: PLR0915 - one linear script
    args = parse_args()
    bench.DB_NAME, bench.REDIS_DB = args.database, args.redis_db
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(exist_ok=True)
    load_before = bench.load_average()
    bench.ensure_services()
    bench.recreate_database()
    env = dict(bench.app_env(), CELERY_TASK_ALWAYS_EAGER="false")
    seeded = bench.prepare_data(env)
    port = bench.free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn_log = open(OUT / "soak-gunicorn.log", "wb")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        bench.gunicorn_command(port), cwd=ROOT, env=dict(env, PORT=str(port), WEB_CONCURRENCY=str(args.workers)),
        stdout=gunicorn_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = celery("worker", env, OUT / "soak-worker.log")
    beat = celery("beat", env, OUT / "soak-beat.log")
    try:
        deadline = time.monotonic() + 60
        while bench.http_status(f"{base}/healthz") != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("[soak] gunicorn did not come up; see bench-results/soak-gunicorn.log")
            time.sleep(0.5)
        plan = make_plan(env, base, args.users)
        plan_file, out_file = OUT / "soak-plan.json", OUT / "soak-outcome.json"
        plan_file.write_text(json.dumps(plan))
        out_file.unlink(missing_ok=True)
        seconds = max(1, round(args.minutes * 60))
        cmd = [
            str(bench.BIN / "locust"), "-f", LOCUSTFILE, "--headless", "-u", str(args.users), "-r", str(max(1, args.users // 5)),
            "-t", f"{seconds}s", "--stop-timeout", "30", "--host", base, "--only-summary", "--exit-code-on-error", "0",
        ]  # fmt: skip
        since = dt.datetime.now(dt.UTC)
        before = {
            "gunicorn": tree_cpu_ms(server.pid),
            "worker": tree_cpu_ms(worker.pid),
            "t": time.monotonic(),
        }
        log(f"locust: {args.users} users for {seconds} s against {base}")
        with open(OUT / "soak-locust.log", "w") as handle:
            subprocess.run(
                cmd, cwd=ROOT, env=dict(os.environ, SOAK_PLAN=str(plan_file), SOAK_OUT=str(out_file)),
                stdout=handle, stderr=subprocess.STDOUT, check=False,
            )  # fmt: skip
        cpu = {
            "gunicorn": tree_cpu_ms(server.pid) - before["gunicorn"],
            "wall": time.monotonic() - before["t"],
        }
        if not out_file.exists():
            raise SystemExit("[soak] locust wrote no outcome; see bench-results/soak-locust.log")
        outcome = json.loads(out_file.read_text())
        log("locust done; waiting for the worker to drain the queue")
        drained, waited = drain(env, args.drain_timeout)
        cpu["drain"] = waited
        cpu["worker"] = tree_cpu_ms(worker.pid) - before["worker"]
        machine_rows = bench.machine(args.workers, load_before)
        machine_rows[-3] = ("gunicorn", f"{machine_rows[-3][1].split(',')[0]}, {args.workers} sync workers")
        machine_rows.insert(-1, ("Celery", "1 worker (prefork, default concurrency) + beat, Redis broker"))
    finally:
        for process, what in ((beat, "beat"), (worker, "worker"), (server, "gunicorn")):
            bench.stop(process, what)
        gunicorn_log.close()

    server_log = bench.read_server_log(OUT / "soak-gunicorn.log")
    members = [int(m["member"]) for m in plan["members"]]  # type: ignore[attr-defined]
    checks = [
        ("no server errors (5xx)", *count_5xx(outcome, server_log)),
        ("every value stored", *check_values(outcome["values"])),
        ("every stand-up stored", *check_standups(outcome["standups"], members)),
        ("every alert once", *check_alerts(since)),
        (
            "worker drained the queue",
            drained,
            f"in {waited:.0f} s" if drained else f"not within {waited:.0f} s",
        ),
    ]
    command = (
        f".venv/bin/python bench/soak.py --users {args.users} --minutes {args.minutes:g}"
        f" --database {args.database} --redis-db {args.redis_db}"
        f"  # {seeded}; locust: {shlex.join(['.venv/bin/locust', *cmd[1:]])}"
    )
    section = render(args, outcome, checks, machine_rows, cpu, command)
    print()
    print(section)
    if not args.no_doc:
        write_doc(section)
    failed = [name for name, ok, _ in checks if not ok]
    if failed:
        log("FAILED: " + "; ".join(failed))
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
