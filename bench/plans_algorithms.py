"""Time the plan algorithms (critical path, conflicts, cycle check) on 10,000 generated
initiatives. Run: .venv/bin/python bench/plans_algorithms.py"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from plans.schedule import Task, critical_path, dependency_conflicts, find_cycle, overloads  # noqa: E402


def main() -> None:
    rng = random.Random(7)
    tasks, edges = [], []
    for i in range(10000):
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
        tasks.append(Task(i, "t", start, start + timedelta(days=rng.randrange(1, 30)), owner_id=rng.randrange(500),
                          priority=rng.choice(["P0", "P1", "P2", "P3"])))  # fmt: skip
        if i and rng.random() < 0.5:
            edges.append((rng.randrange(i), i))
    for name, run in [
        ("critical path", lambda: critical_path(tasks, edges)),
        ("owner overloads", lambda: overloads(tasks, {}, default=Decimal(3), horizon=date(2026, 12, 31))),
        ("dependency conflicts", lambda: dependency_conflicts(tasks, edges)),
        ("cycle check for one new link", lambda: find_cycle(edges, (9999, 0))),
    ]:
        times = []
        for _ in range(7):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"| {name} | 10,000 initiatives, {len(edges)} links | {statistics.median(times):.0f} ms | {max(times):.0f} ms |"
        )


if __name__ == "__main__":
    main()
