"""The key under which `results.goal_period_results` keeps its answer in the shared cache.

It carries the organisation's progress version (goals.progress_cache), which every save of the
apps' rows moves on (a value, a stand-up, a goal, a target version, a snapshot…), and so do the
bulk writes of values, snapshots and period targets and every recompute; plus the goals asked, the
period and the organisation's today (the pace and the snapshot as of the period's end depend on
it). So the next read after any such write computes afresh; what is kept is language-independent
(numbers, dates and codes)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from goals.progress_cache import progress_version, whole_get, whole_key, whole_set

T = TypeVar("T")

LAYOUT = 1  # of a cached GoalPeriodResult: a release that changes it reads none of the old ones


def results_key(
    *, org_id: int, ids: list[int], start: date, end: date, slice_kind: str | None, today: date
) -> str:
    wanted = hashlib.sha1(",".join(map(str, sorted(ids))).encode(), usedforsecurity=False).hexdigest()
    flavour = f"results{LAYOUT}:{start}:{end}:{slice_kind or ''}:{today}:{wanted}"
    return whole_key(org_id=org_id, version=progress_version(org_id=org_id), flavour=flavour)


def kept(key: str, compute: Callable[[], T]) -> T:
    """What is kept under `key`, else `compute()` (then kept)."""
    found = whole_get(key)
    if isinstance(found, dict):
        return found  # type: ignore[return-value]
    found = compute()
    whole_set(key, found)
    return found
