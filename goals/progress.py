"""Progress of goals against their challenge target, in percent, and its roll-up through the cascade.

Goals know only the final result of a closed goal. Live progress comes from the tracking app,
which registers a provider here (dependencies point one way: goals never imports tracking).

Roll-up (a strategy goal has no values of its own; its sub-goals do):
- a goal's progress is its own when it has one (measured by its indicators, or its final result);
  otherwise it is the weighted mean of its sub-goals' progress, recursively through any depth;
- the weights are the sub-goals' ``Goal.weight``, normalised over the sub-goals that report: they
  need not add up to 1 (0.25 and 0.1 count as 71 % and 29 %), and a sub-goal without a figure is
  left out rather than counted as zero — the page says how many report ("2 of 3 sub-goals");
- cancelled sub-goals do not count;
- the status of a goal without its own is the most serious status among its sub-goals (off track,
  then at risk, then on track), and says which sub-goal it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from teams.models import Organization

from .models import OPEN_STATUSES, Direction, Goal, Status, TargetVersion
from .progress_cache import entries_get, entries_set, entry_keys, progress_version


class VersionFacts(NamedTuple):
    """What progress needs of a target version (a tuple: a roll-up makes thousands)."""

    number: int
    challenge: Decimal
    effective_from: date


@dataclass(frozen=True)
class GoalFacts:
    """What progress needs of a goal: read as plain rows (`values()`), so that a page that rolls
    up thousands of goals builds no model instances."""

    pk: int
    parent_id: int | None
    status: str
    direction: str
    weight: Decimal
    title: str
    result_value: Decimal | None
    versions: tuple[VersionFacts, ...]  # oldest first

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def goal_facts(goals: Iterable[Goal]) -> list[GoalFacts]:
    """GoalFacts of model instances: their prefetched versions when they carry them, else one query."""
    goal_list = list(goals)
    if all("versions" in getattr(g, "_prefetched_objects_cache", {}) for g in goal_list):
        versions = {
            g.pk: [(v.number, v.challenge, v.effective_from) for v in g.versions.all()] for g in goal_list
        }
    else:
        versions = _version_rows([g.pk for g in goal_list])
    return [
        GoalFacts(pk=g.pk, parent_id=g.parent_id, status=g.status, direction=g.direction, weight=g.weight,
                  title=g.title, result_value=g.result_value,
                  versions=tuple(VersionFacts(*row) for row in sorted(versions.get(g.pk, []))))
        for g in goal_list
    ]  # fmt: skip


def ids_in(field: str, ids: list[int]) -> Q:
    """`field IN ids` for thousands of ids: on PostgreSQL one array parameter (Django would bind and
    check each id on its own, a cost that grows with the roll-up), elsewhere the plain lookup."""
    if len(ids) > 100 and connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
    return Q(**{f"{field}__in": ids})


def _version_rows(goal_ids: Sequence[int]) -> dict[int, list[tuple[int, Decimal, date]]]:
    found: dict[int, list[tuple[int, Decimal, date]]] = defaultdict(list)
    rows = TargetVersion.objects.filter(ids_in("goal_id", list(goal_ids))).order_by("goal_id", "number")
    for goal_id, number, challenge, effective_from in rows.values_list(
        "goal_id", "number", "challenge", "effective_from"
    ):
        found[goal_id].append((number, challenge, effective_from))
    return found


ProgressProvider = Callable[[list[GoalFacts]], dict[int, Decimal]]
progress_providers: list[ProgressProvider] = []

PERCENT = Decimal("0.1")
# Indicator statuses by how much attention they need (the tracking app's codes).
SEVERITY = {"off_track": 3, "at_risk": 2, "on_track": 1}


@dataclass(frozen=True)
class Measure:
    """What is known of one goal's own progress (from its final result, or a provider)."""

    attainment: Decimal | None  # percent of the challenge target in force
    status: str = ""  # the indicator status code ("on_track", "at_risk", "off_track", "no_data"); "" unknown
    status_label: str = ""
    reason: str = ""  # why the status, one sentence
    target: Decimal | None = None  # the challenge target the attainment is measured against
    version: int | None = None  # the target version in force
    day: date | None = None  # as of
    source: str = "measured"  # "measured" (indicators) or "result" (a closed goal's final result)
    tier_reached: str = ""  # "none", "base", "challenge" or "stretch" ("" unknown)
    tier_projected: str = ""  # the tier the forecast reaches by the period's end
    computed_at: datetime | None = None  # when the recompute that produced this ran


MeasureProvider = Callable[[list[GoalFacts]], dict[int, Measure]]
measure_providers: list[MeasureProvider] = []
# {status code: label in the active language}: the tracking app's indicator statuses. A cached
# roll-up keeps codes only and labels them when read (goals.progress_cache).
status_label_providers: list[Callable[[], Mapping[str, str]]] = []


def status_labels() -> dict[str, str]:
    found: dict[str, str] = {}
    for provider in status_label_providers:
        found.update(provider())
    return found


def attainment(*, actual: Decimal, target: Decimal, direction: str) -> Decimal | None:
    """Actual against target in percent (for "lower is better", target / actual)."""
    if direction == Direction.DOWN:
        return None if actual <= 0 else (target / actual * 100).quantize(PERCENT)
    return None if target == 0 else (actual / target * 100).quantize(PERCENT)


def from_results(goals: list[GoalFacts]) -> dict[int, Decimal]:
    progress: dict[int, Decimal] = {}
    for goal in goals:
        if goal.result_value is None or not goal.versions:
            continue
        value = attainment(
            actual=goal.result_value, target=goal.versions[-1].challenge, direction=goal.direction
        )
        if value is not None:
            progress[goal.pk] = value
    return progress


def goal_measures(goals: Iterable[Goal | GoalFacts]) -> dict[int, Measure]:
    """{goal id: its own measure}: final results of closed goals, then what providers know."""
    given = list(goals)
    models = [g for g in given if isinstance(g, Goal)]
    goal_list = [g for g in given if isinstance(g, GoalFacts)] + (goal_facts(models) if models else [])
    measures = {
        pk: Measure(attainment=value, source="result") for pk, value in from_results(goal_list).items()
    }
    for measure_provider in measure_providers:
        measures.update(measure_provider(goal_list))
    for provider in progress_providers:
        measures.update({pk: Measure(attainment=value) for pk, value in provider(goal_list).items()})
    return measures


def goal_progress(goals: Iterable[Goal | GoalFacts]) -> dict[int, Decimal]:
    """{goal id: percent of the challenge target}, for the goals that have a figure of their own."""
    return {pk: m.attainment for pk, m in goal_measures(goals).items() if m.attainment is not None}


@dataclass(frozen=True)
class Attainment:
    """A goal's progress as shown: its own, or rolled up from its sub-goals (``source``)."""

    percent: Decimal | None
    source: str  # "measured", "result", "children" or "none"
    own: Measure | None = None
    children: int = 0  # sub-goals that count (not cancelled)
    reporting: int = 0  # of which have a figure
    rollup: Decimal | None = None  # the sub-goals' weighted progress (also when the goal has its own)
    weight_reporting: Decimal = Decimal(0)
    weight_total: Decimal = Decimal(0)
    status: str = ""
    status_label: str = ""
    reason: str = ""

    @property
    def rolled_up(self) -> bool:
        return self.source == "children"

    def as_dict(self) -> dict[str, object]:
        """For the API: the figure, where it comes from and how complete the roll-up is."""
        own = self.own
        return {
            "percent": None if self.percent is None else str(self.percent),
            "source": self.source,
            "status": self.status or None,
            "status_label": self.status_label or None,
            "status_reason": str(self.reason) or None,
            "target": None if own is None or own.target is None else str(own.target),
            "target_version": None if own is None else own.version,
            "as_of": None if own is None or own.day is None else own.day.isoformat(),
            "tier_reached": (own.tier_reached or None) if own is not None else None,
            "tier_projected": (own.tier_projected or None) if own is not None else None,
            "recomputed_at": None if own is None or own.computed_at is None else _instant(own.computed_at),
            "rollup": None
            if not self.children
            else {
                "percent": None if self.rollup is None else str(self.rollup),
                "children": self.children,
                "reporting": self.reporting,
                "weight_reporting": str(self.weight_reporting),
                "weight_total": str(self.weight_total),
            },
        }


def _instant(moment: datetime) -> str:
    """A recompute's time as the API writes datetimes (ISO 8601 in the current time zone, UTC as `Z`)."""
    text = timezone.localtime(moment).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@dataclass(frozen=True)
class Node:
    pk: int
    parent_id: int | None
    weight: Decimal
    title: str
    cancelled: bool = False


def cascade(nodes: dict[int, Node], own: dict[int, Measure], wanted: Iterable[int]) -> dict[int, Attainment]:
    """Pure roll-up over a goal tree (see the module's docstring). ``nodes`` must hold every goal
    below the wanted ones; ``own`` the measures known."""
    children_of: dict[int, list[int]] = defaultdict(list)
    for node in nodes.values():
        if node.parent_id is not None and node.parent_id in nodes and not node.cancelled:
            children_of[node.parent_id].append(node.pk)
    done: dict[int, Attainment] = {}

    def resolve(root: int) -> None:
        # Iterative post-order walk (no recursion limit; a cycle in bad data is cut, not looped).
        stack: list[tuple[int, bool]] = [(root, False)]
        visiting: set[int] = set()
        while stack:
            pk, expanded = stack.pop()
            if pk in done:
                continue
            if not expanded:
                if pk in visiting:
                    continue
                visiting.add(pk)
                stack.append((pk, True))
                stack.extend((child, False) for child in children_of.get(pk, []) if child not in done)
                continue
            kids = [c for c in children_of.get(pk, []) if c in done]
            done[pk] = _combine(own.get(pk), [done[c] for c in kids], [nodes[c] for c in kids])

    for pk in wanted:
        if pk in nodes:
            resolve(pk)
    return {pk: done[pk] for pk in wanted if pk in done}


def _combine(own: Measure | None, results: list[Attainment], children: list[Node]) -> Attainment:
    if not children:  # a leaf (most goals): its own measure as it is (what the general case gives)
        if own is None:
            return Attainment(percent=None, source="none")
        status = _known(own.status)
        if own.attainment is None and not status:
            return Attainment(percent=None, source="none", own=own)
        return Attainment(percent=own.attainment, source=own.source if own.attainment is not None else "none",
                          own=own, status=status, status_label=own.status_label if status else "",
                          reason=own.reason)  # fmt: skip
    reporting = [(c, r.percent) for c, r in zip(children, results, strict=True) if r.percent is not None]
    weight = sum((c.weight for c, _p in reporting), Decimal(0))
    rollup = (
        (sum((c.weight * p for c, p in reporting), Decimal(0)) / weight).quantize(PERCENT)
        if weight > 0
        else None
    )
    base = Attainment(
        percent=None, source="none", own=own, children=len(children), reporting=len(reporting), rollup=rollup,
        weight_reporting=weight, weight_total=sum((c.weight for c in children), Decimal(0)),
    )  # fmt: skip
    own_status = _known(own.status) if own is not None else ""
    if own is not None and (own.attainment is not None or (rollup is None and own_status)):
        # Its own figure (or, without values, its own status: e.g. at risk by its plan).
        return replace(base, percent=own.attainment, source=own.source if own.attainment is not None else "none",
                       status=own_status, status_label=own.status_label if own_status else "", reason=own.reason)  # fmt: skip
    if rollup is None:
        return base
    if own is not None and own_status:
        return replace(base, percent=rollup, source="children", status=own_status, status_label=own.status_label,
                       reason=own.reason)  # fmt: skip
    worst: tuple[Node, Attainment] | None = None
    for child, result in zip(children, results, strict=True):
        if SEVERITY.get(result.status, 0) > (SEVERITY.get(worst[1].status, 0) if worst else 0):
            worst = (child, result)
    if worst is None:
        return replace(base, percent=rollup, source="children")
    child, result = worst
    # Worded only if shown: a roll-up over thousands of goals shows a few of them.
    reason = deferred_text(_sub_goal_reason, child.title, result.reason, result.status)
    return replace(base, percent=rollup, source="children", status=result.status, status_label=result.status_label,
                   reason=reason)  # fmt: skip


def _sub_goal_reason(title: str, reason: str, status: str) -> str:
    # Every status's label is worded only when the sub-goal gives no reason of its own.
    said = reason or status_labels().get(status, status)
    return _("Sub-goal “%(title)s”: %(reason)s") % {"title": title, "reason": said}


def _call(function: Callable[..., str], *args: object) -> str:
    return function(*args)


# Text computed when it is first used (e.g. a status reason: a roll-up reads thousands of goals and
# shows a few); behaves as a str in templates, JSON and comparisons.
deferred_text = lazy(_call, str)


def _known(status: str) -> str:
    return status if status in SEVERITY else ""


def goal_attainment(
    *, org: Organization, goals: Iterable[Goal] = (), goal_ids: Iterable[int] = (), cached: bool = True
) -> dict[int, Attainment]:
    """{goal id: progress as shown} for the given goals (or ids), rolled up from everything below
    them. From the shared cache when nothing it is computed from has changed since (one cache
    read, no query: goals.progress_cache); else three queries whatever the number of goals."""
    wanted = list(dict.fromkeys([*(g.pk for g in goals), *goal_ids]))
    if not wanted:
        return {}
    if not cached:  # a read of the whole tree (see goals.api)
        return _compute_attainment(org=org, wanted=wanted)
    keys = entry_keys(org_id=org.pk, version=progress_version(org_id=org.pk), goal_ids=wanted)
    found = entries_get(keys)
    labels = status_labels() if found else {}
    shown = {pk: _thaw(entry, labels) for pk, entry in found.items()}
    missing = [pk for pk in wanted if pk not in shown]
    if missing:
        computed = _compute_attainment(org=org, wanted=missing)
        entries_set(keys, {pk: _freeze(value) for pk, value in computed.items()})
        shown.update(computed)
    return {pk: shown[pk] for pk in wanted if pk in shown}


def _compute_attainment(*, org: Organization, wanted: list[int] | None) -> dict[int, Attainment]:
    """Three queries whatever the number of goals: the organisation's goals (the tree), the
    target versions of the goals involved, and the providers' read of the indicators — all read
    as plain rows, never as model instances. `wanted` None: every goal of the organisation."""
    everything = {
        row[0]: row
        for row in Goal.objects.filter(org=org)
        .order_by()
        .values_list("pk", "parent_id", "status", "direction", "weight", "title", "result_value")
    }
    if wanted is None:
        wanted = list(everything)
    below: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id, status, *_rest in everything.values():
        if parent_id is not None and status != Status.CANCELLED:
            below[parent_id].append(pk)
    needed: set[int] = set()
    stack = [pk for pk in wanted if pk in everything]
    while stack:
        pk = stack.pop()
        if pk not in needed:
            needed.add(pk)
            stack.extend(below.get(pk, []))
    versions = _version_rows(sorted(needed))
    loaded = [
        GoalFacts(pk=pk, parent_id=parent_id, status=status, direction=direction, weight=weight, title=title,
                  result_value=result, versions=tuple(VersionFacts(*v) for v in versions.get(pk, [])))
        for pk, parent_id, status, direction, weight, title, result in (everything[pk] for pk in sorted(needed))
    ]  # fmt: skip
    nodes = {
        g.pk: Node(pk=g.pk, parent_id=g.parent_id, weight=g.weight, title=g.title,
                   cancelled=g.status == Status.CANCELLED)
        for g in loaded
    }  # fmt: skip
    return cascade(nodes, goal_measures(loaded), wanted)


# --- What the cache keeps: numbers, codes and the recipes of reasons (never a translated word) --
@dataclass(frozen=True)
class _Recipe:
    """A reason worded when shown: the arguments of ``deferred_text``."""

    args: tuple[object, ...]


def _freeze_text(text: object) -> object:
    if isinstance(text, Promise):
        reduced: Any = text.__reduce__()
        func, args = reduced[1][0], reduced[1][1]
        if func is _call:
            return _Recipe(tuple(_freeze_text(arg) for arg in args))
    return text  # a plain string (language-independent), or a lazy text that pickles itself


def _thaw_text(text: Any) -> Any:
    if isinstance(text, _Recipe):
        return deferred_text(*(_thaw_text(arg) for arg in text.args))
    return text


def _freeze(value: Attainment) -> tuple[object, ...]:
    own = value.own
    frozen_own = None if own is None else (own.attainment, own.status, _freeze_text(own.reason), own.target,
        own.version, own.day, own.source, own.tier_reached, own.tier_projected, own.computed_at)  # fmt: skip
    return (value.percent, value.source, frozen_own, value.children, value.reporting, value.rollup,
            (value.weight_reporting, value.weight_total), value.status, _freeze_text(value.reason))  # fmt: skip


def _label(status: str, labels: Mapping[str, str]) -> str:
    return labels.get(status, status) if status else ""


def _thaw(entry: tuple[Any, ...], labels: Mapping[str, str]) -> Attainment:
    percent, source, frozen_own, children, reporting, rollup, weights, status, reason = entry  # fmt: skip
    own = None
    if frozen_own is not None:
        value, own_status, own_reason, target, version, day, own_source, tier, projected, at = frozen_own
        own = Measure(attainment=value, status=own_status, status_label=_label(own_status, labels),
                      reason=_thaw_text(own_reason), target=target, version=version, day=day, source=own_source,
                      tier_reached=tier, tier_projected=projected, computed_at=at)  # fmt: skip
    return Attainment(percent=percent, source=source, own=own, children=children, reporting=reporting, rollup=rollup,
                      weight_reporting=weights[0], weight_total=weights[1], status=status,
                      status_label=_label(status, labels), reason=_thaw_text(reason))  # fmt: skip
