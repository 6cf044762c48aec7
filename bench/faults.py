"""Kill a worker in the middle of each kind of background job, many times, and count how often the
job still completed exactly once (not in CI's time budget: CI runs each kill once).

    DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/N .venv/bin/python bench/faults.py [--rounds 20]

It runs tests/test_worker_faults.py with STRETCH_FAULTS_REPEAT=<rounds> (every test of it that
many times in one session, one worker start per kill), reads the outcome of each round from the
JUnit report and adds a table of the counts to docs/reliability.md, after the faults start marker
of the section "Worker killed mid-job" (newest first). `-k EXPR` runs only some of the kills."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- faults:start -->", "<!-- faults:end -->"
JOBS = {
    "test_incremental_recompute": "incremental recompute (values arrive)",
    "test_nightly_recompute": "nightly recompute",
    "test_alert_evaluation": "alert evaluation (raise, notify, deliver)",
    "test_alert_escalation": "alert escalation",
    "test_alert_fan_out": "alert handed to its channels (fan-out)",
    "test_delivery": "delivery (webhook POST)",
    "test_payout_run": "payout run",
    "test_file_import": "file import",
    "test_reminders": "stand-up reminders",
    "test_instant_rewards": "instant rewards",
    "test_the_worker_carries_on_after_postgresql_cut_its_connection": "a job after PostgreSQL cut every session",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("-k", dest="only", default="", help="only the tests pytest -k selects")
    args = parser.parse_args()
    report = Path(tempfile.mkdtemp()) / "faults.xml"
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_worker_faults.py",
               f"--junitxml={report}", *(["-k", args.only] if args.only else [])]  # fmt: skip
    subprocess.run(
        command, cwd=ROOT, env={**os.environ, "STRETCH_FAULTS_REPEAT": str(args.rounds)}, check=False
    )
    minutes = (time.monotonic() - started) / 60
    passed: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - our own pytest report
        name = re.sub(r"\[.*\]$", "", case.get("name", ""))
        if case.find("skipped") is not None:
            continue
        (failed if case.find("failure") is not None or case.find("error") is not None else passed)[name] += 1
    rows = [
        "| worker killed during / fault | rounds | completed exactly once | lost or doubled |",
        "|---|---:|---:|---:|",
        *(f"| {label} | {passed[t] + failed[t]} | {passed[t]} | {failed[t]} |" for t, label in JOBS.items()
          if passed[t] + failed[t]),
    ]  # fmt: skip
    section = "\n".join([
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {args.rounds} rounds, {minutes:.1f} min "
        f"(`python bench/faults.py --rounds {args.rounds}{f' -k {args.only!r}' if args.only else ''}`).",
        "",
        *rows,
        "",
    ])  # fmt: skip
    text = DOC.read_text()  # each run adds its table after the start marker, newest first
    if START not in text:
        text += f"\n{START}\n{END}\n"
    at = text.index(START) + len(START) + 1
    text = text[:at] + section + text[at:]
    DOC.write_text(text)
    print("\n".join(rows))
    return 0 if not sum(failed.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
