"""Load for `make soak` (driven by bench/soak.py, which prepares the plan and checks the outcome).

Three kinds of user share one run (locust spreads the users by weight; one integrator):

* MemberUser (weight 3): a plain member with a personal API token. Posts stand-ups (API, one per
  member and day: the same day again is an update, so the user remembers the last text it got a
  201 for, per day) with one metric value, and single values with a unique `external_id`.
* ManagerUser (weight 1): a team manager signed in with a session cookie. Reads the team's
  dashboard, weekly and monthly reviews and the organisation home page.
* IntegratorUser (exactly one): an admin's API token pushing bulk values (100 a request, each with
  a unique `external_id`) to the values API.

Every identity is used by one locust user only, so the order of one member's stand-ups is known
and the count is exact. Environment: SOAK_PLAN (JSON written by bench/soak.py: members, managers,
integrator, the stand-up days), SOAK_OUT (JSON file written when locust stops: per-request-type
statistics, errors, and everything that was sent with its answer).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import between, events
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment

PLAN: dict[str, Any] = json.loads(Path(os.environ["SOAK_PLAN"]).read_text())
SLUG = PLAN["slug"]
BULK_SIZE = int(PLAN.get("bulk_size", 100))
_member_ids = itertools.count()
_manager_ids = itertools.count()
_batches = itertools.count()

# What was sent: the checks in bench/soak.py compare the database with it.
# standups[(member, day)] = list of (text, value, acknowledged) in the order they were sent.
STANDUPS: dict[str, list[tuple[str, str, bool]]] = {}
# values[external_id] = (value, acknowledged)
VALUES: dict[str, tuple[str, bool]] = {}


def _check(response: Any, ok: tuple[int, ...]) -> bool:
    if response.status_code in ok:
        response.success()
        return True
    response.failure(f"HTTP {response.status_code}")
    return False


class MemberUser(FastHttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        n = next(_member_ids)
        if n >= len(PLAN["members"]):
            raise RuntimeError("more member users than prepared members: every member must be used once")
        self.me = PLAN["members"][n]
        self.headers = {
            "Authorization": f"Token {self.me['token']}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        }
        self.seq = 0

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def standup(self) -> None:
        seq = self._next()
        day = PLAN["days"][seq % len(PLAN["days"])]
        text = f"soak m{self.me['member']} #{seq}"
        value = str(seq)
        body = {
            "day": day, "yesterday": "Soak yesterday", "today": text, "blockers": "", "mood": 4,
            "values": [{"goal": self.me["goal"], "value": value}],
        }  # fmt: skip
        path = f"/api/v1/orgs/{SLUG}/standups/"
        sent = STANDUPS.setdefault(f"{self.me['member']}|{day}", [])
        sent.append((text, value, False))  # recorded before sending: a request cut short still counts
        with self.client.post(
            path, name="POST stand-up (API)", data=json.dumps(body), headers=self.headers, catch_response=True
        ) as response:
            ok = _check(response, (201,))
        sent[-1] = (text, value, ok)

    def value(self) -> None:
        seq = self._next()
        external_id = f"soak-v-{self.me['member']}-{seq}"
        value = f"{random.randint(1, 500)}.5"  # noqa: S311 - load data
        body = {"goal": self.me["goal"], "value": value, "day": PLAN["today"], "external_id": external_id}
        path = f"/api/v1/orgs/{SLUG}/metric-entries/"
        VALUES[external_id] = (value, False)
        with self.client.post(
            path, name="POST value (API)", data=json.dumps(body), headers=self.headers, catch_response=True
        ) as response:
            ok = _check(response, (201,))
        VALUES[external_id] = (value, ok)

    tasks = {standup: 1, value: 2}


class ManagerUser(FastHttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        me = PLAN["managers"][next(_manager_ids) % len(PLAN["managers"])]
        self.team = me["team"]
        self.headers = {"Cookie": f"sessionid={me['session']}", "Accept-Language": "en"}

    def _get(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            _check(response, (200,))

    def dashboard(self) -> None:
        self._get(f"/o/{SLUG}/tracking/teams/{self.team}/", "GET team dashboard")

    def weekly(self) -> None:
        self._get(f"/o/{SLUG}/tracking/teams/{self.team}/weekly/", "GET weekly review")

    def monthly(self) -> None:
        self._get(f"/o/{SLUG}/tracking/teams/{self.team}/monthly/", "GET monthly review")

    def home(self) -> None:
        self._get(f"/o/{SLUG}/", "GET home")

    tasks = {dashboard: 3, weekly: 2, monthly: 2, home: 1}


class IntegratorUser(FastHttpUser):
    fixed_count = 1
    wait_time = between(1, 2)

    def on_start(self) -> None:
        me = PLAN["integrator"]
        self.goals = me["goals"]
        self.headers = {
            "Authorization": f"Token {me['token']}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        }

    def bulk(self) -> None:
        batch = next(_batches)
        rows = []
        for i in range(BULK_SIZE):
            rows.append(
                {
                    "goal": self.goals[(batch * BULK_SIZE + i) % len(self.goals)],
                    "day": PLAN["today"],
                    "value": str(random.randint(1, 9999)),  # noqa: S311 - load data
                    "external_id": f"soak-b-{batch}-{i}",
                }
            )
        path = f"/api/v1/orgs/{SLUG}/metric-entries/bulk/"
        for row in rows:
            VALUES[row["external_id"]] = (row["value"], False)
        with self.client.post(
            path, name="POST bulk values (API)", data=json.dumps({"entries": rows}), headers=self.headers,
            catch_response=True,
        ) as response:  # fmt: skip
            ok = _check(response, (200,))
        for row in rows:
            VALUES[row["external_id"]] = (row["value"], ok)

    tasks = [bulk]


_environment: Environment | None = None


@events.init.add_listener  # type: ignore[untyped-decorator]
def _remember_environment(environment: Environment, **_kwargs: Any) -> None:
    global _environment
    _environment = environment


@events.quit.add_listener  # type: ignore[untyped-decorator]
def _write_outcome(exit_code: int, **_kwargs: Any) -> None:
    if _environment is None:
        return
    stats = _environment.stats

    def figures(entry: Any) -> dict[str, Any]:
        return {
            "name": entry.name, "method": entry.method, "requests": entry.num_requests,
            "failures": entry.num_failures, "rps": entry.total_rps,
            "p50_ms": entry.get_response_time_percentile(0.5), "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99), "max_ms": entry.max_response_time,
        }  # fmt: skip

    outcome = {
        "entries": [figures(e) for e in stats.entries.values()],
        "total": figures(stats.total),
        "errors": [
            {"method": e.method, "name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in stats.errors.values()
        ],
        "standups": STANDUPS,
        "values": VALUES,
        "exit_code": exit_code,
    }
    Path(os.environ["SOAK_OUT"]).write_text(json.dumps(outcome) + "\n")
