"""Load for `make bench` (driven by bench/run.py, which owns the scenario table).

One user class is built for the scenario named by BENCH_SCENARIO; it GETs BENCH_PATH in a closed
loop (no think time: maximum throughput for the number of users). Environment:

* BENCH_SCENARIO   scenario name (used for the user class and the request name)
* BENCH_PATH       path to request, e.g. /o/scale/
* BENCH_SESSIONID  session cookie value; when set, every request carries it
* BENCH_BODY       JSON body: when set, the user POSTs it (201 or 200 is a success)
* BENCH_TOKEN      API token sent as `Authorization: Token …` (with BENCH_BODY)
* BENCH_PACE       requests a second per user: a steady load instead of a closed loop. Each user
                   starts at a random moment of its first interval and then sends on its own schedule
                   with exponentially distributed gaps (mean 1 / BENCH_PACE), so the users' requests
                   arrive like independent people's (close to a Poisson stream), not in lockstep
* BENCH_SUMMARY    file to write the final aggregated figures to, as JSON (optional)

Anything but a 200 counts as a failure. Redirects are never followed, so a logged-in page that
bounces to the sign-in form (expired or missing session) is reported as a failure, not as a fast
success.

Why BENCH_SUMMARY: locust's --csv files are rewritten by a background greenlet about once a
second and are not refreshed when the run stops, so the last second or so of requests can be
missing from `*_stats.csv`. The summary is taken from the final statistics after the users have
stopped, with locust's own percentile calculation.

The user class is a FastHttpUser (geventhttpclient): on a small machine locust shares the CPU
with the server, and the lighter client leaves more of it to gunicorn.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

import gevent
from locust import constant, events
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment

SESSION_COOKIE_NAME = "sessionid"


class ScenarioUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    path = "/"
    scenario = "scenario"
    session_id = ""

    body = ""
    token = ""

    def on_start(self) -> None:
        pace = _pace()
        if pace > 0:  # start at a random point of the first interval: users out of step from the start
            gevent.sleep(random.uniform(0, 1 / pace))
        self.headers = {"Accept-Language": "en"}
        if self.session_id:
            self.headers["Cookie"] = f"{SESSION_COOKIE_NAME}={self.session_id}"
        if self.token:
            self.headers["Authorization"] = f"Token {self.token}"
            self.headers["Content-Type"] = "application/json"

    def fetch(self) -> None:
        if self.body:
            request = self.client.post(
                self.path, name=self.scenario, data=self.body, headers=self.headers, catch_response=True
            )
        else:
            request = self.client.get(
                self.path,
                name=self.scenario,
                headers=self.headers,
                allow_redirects=False,
                catch_response=True,
            )
        with request as response:
            if response.status_code in (200, 201):
                response.success()
            elif 300 <= response.status_code < 400:
                location = response.headers.get("Location", "")
                response.failure(f"HTTP {response.status_code} redirect to {location}")
            else:
                response.failure(f"HTTP {response.status_code}")

    tasks = [fetch]


def _pace() -> float:
    return float(os.environ.get("BENCH_PACE", "0") or 0)


def _wait_time() -> Any:
    """BENCH_PACE requests a second per user (a steady load); without it a closed loop (saturation).

    Why not locust's constant_throughput: locust spawns all users within the same millisecond, and
    constant_throughput keeps each user's phase, so 20 users paced at 2.5 req/s sent bursts of 20
    simultaneous requests every 0.4 s. That measured the queue a burst builds on 2 cores (median 81 ms
    at 50 req/s on 2026-12-05, when one request takes 9 ms of CPU), not the latency at a steady load.
    Independent users with exponential think times make the aggregate close to a Poisson stream: the
    textbook model of many people using a site, burstier than an even spacing but never in lockstep.
    """
    pace = _pace()
    if pace <= 0:
        return constant(0)

    def poisson(user: Any) -> float:
        # Each user keeps its own schedule of arrivals with exponential gaps (like constant_throughput
        # keeps an even one), so the rate stays BENCH_PACE whatever the answers take.
        now = time.monotonic()
        due = getattr(user, "_due", now) + random.expovariate(pace)
        user._due = max(due, now)
        return max(0.0, due - now)

    return poisson


def _scenario_user() -> type[ScenarioUser]:
    name = os.environ.get("BENCH_SCENARIO", "").strip()
    path = os.environ.get("BENCH_PATH", "").strip()
    if not name or not path:
        raise SystemExit("bench/locustfile.py: set BENCH_SCENARIO and BENCH_PATH (bench/run.py does this)")
    class_name = "".join(part.capitalize() for part in name.replace("-", "_").split("_")) + "User"
    return type(
        class_name,
        (ScenarioUser,),
        {
            "abstract": False,
            "path": path,
            "scenario": name,
            "session_id": os.environ.get("BENCH_SESSIONID", ""),
            "body": os.environ.get("BENCH_BODY", ""),
            "token": os.environ.get("BENCH_TOKEN", ""),
            "wait_time": _wait_time(),
            "__module__": __name__,
        },
    )


SelectedUser = _scenario_user()


_environment: Environment | None = None


@events.init.add_listener  # type: ignore[untyped-decorator]
def _remember_environment(environment: Environment, **_kwargs: Any) -> None:
    global _environment
    _environment = environment


@events.quit.add_listener  # type: ignore[untyped-decorator]
def _write_summary(exit_code: int, **_kwargs: Any) -> None:
    target = os.environ.get("BENCH_SUMMARY", "").strip()
    if not target or _environment is None:
        return
    total = _environment.stats.total
    summary = {
        "scenario": SelectedUser.scenario,
        "path": SelectedUser.path,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.total_rps,
        "median_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "avg_ms": total.avg_response_time,
        "max_ms": total.max_response_time,
        "errors": [
            {"method": e.method, "name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in _environment.stats.errors.values()
        ],
        "exit_code": exit_code,
    }
    Path(target).write_text(json.dumps(summary, indent=2) + "\n")
