"""Deletions and the data version, for incremental sync and conditional GET (teams.api_sync,
teams.api_http; docs/api.md, "Mirroring an organisation").

* Each app registers the resources an integrator mirrors: ``track_deletions`` (a post_delete
  signal writes a ``Tombstone``) or ``register_resource`` + ``record_deletions`` from its services.
* The data version, part of every ETag: every write to the apps' tables moves it (an execute
  wrapper, below: saves, bulk upserts, updates, deletions, raw SQL); ``data_changed(org_id=…)``
  moves it by hand (a cached figure recomputed without a write).
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connections, models, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete

from .counters import counter_incr
from .models import Membership, Tombstone


# --- Tombstones -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tracked:
    resource: str
    may_read: Callable[[Membership], bool]


RESOURCES: dict[str, Tracked] = {}


def everyone(member: Membership) -> bool:
    return True


def register_resource(resource: str, *, may_read: Callable[[Membership], bool] = everyone) -> None:
    """A resource whose deletions the feed lists; `may_read` says who may read them (e.g. only the
    people who see money). Its app writes the tombstones: ``track_deletions`` (a signal, for
    models deleted a few rows at a time) or ``record_deletions`` (from the services that delete
    many rows at once, which a post_delete listener would slow down: Django stops fast-deleting
    a model that has one)."""
    RESOURCES[resource] = Tracked(resource=resource, may_read=may_read)


def record_deletions(*, org_id: int, resource: str, ids: Iterable[int]) -> None:
    rows = [Tombstone(org_id=org_id, resource=resource, object_id=pk) for pk in ids]
    if rows:
        Tombstone.objects.bulk_create(rows, batch_size=1000)
        data_changed(org_id=org_id)


def track_deletions(
    model: type[models.Model],
    *,
    resource: str,
    org_of: Callable[[Any], int | None] = lambda obj: obj.org_id,
    may_read: Callable[[Membership], bool] = everyone,
) -> None:
    """Write a tombstone for every deleted `model` row (also those deleted by a cascade)."""
    register_resource(resource, may_read=may_read)

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        org_id = org_of(instance)
        if org_id is not None and instance.pk is not None:
            Tombstone.objects.create(org_id=org_id, resource=resource, object_id=instance.pk)
            data_changed(org_id=org_id)

    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"tombstone:{resource}")


# --- The data version (part of every ETag) ----------------------------------------------------
# A conditional GET answers 304 from the versions alone (teams.api_http): no row is read. So every
# write to the apps' tables must move a version — not only save(), but bulk upserts, .update(),
# deletions (also Django's fast deletes and cascades), many-to-many changes and raw SQL. A database
# execute wrapper on every connection sees each such statement and moves:
#   * the organisation of the row, for a save() of a row with `org_id` (the instance is on the stack);
#   * else the organisation the request or job declared (`enter_org`, `writes_for`), for a table
#     whose rows belong to one organisation (a request of one organisation writes its own rows);
#   * otherwise the version of all organisations (correct, only coarser): people's accounts, and
#     writes of a job that declared nothing.
# It moves it after the statement and again after the transaction commits (once per transaction),
# so no tag computed before the commit outlives it.
TRACKED_APPS = frozenset(
    {"teams", "goals", "plans", "tracking", "incentives", "recognition", "retros", "people"}
)
# Tables no ETag-covered answer shows: bookkeeping, and API tokens (`last_used_at` is touched once a
# minute per token; the tag names the token and its scope, and a revoked token never gets past
# authentication).
UNTRACKED_MODELS = frozenset(
    {"Heartbeat", "OutboxJob", "AuditEntry", "Tombstone", "LoginAttempt", "ApiToken"}
)

_WRITING_FOR: ContextVar[int | None] = ContextVar("stretch_writing_for", default=None)
_STATEMENT = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|TRUNCATE|COPY)\b", re.IGNORECASE)
_TABLES: dict[str, bool] = {}  # tracked table -> its rows belong to one organisation


def version_key(org_id: int | None) -> str:
    return f"api:data-version:{org_id if org_id is not None else 'all'}"


def _fresh_start() -> int:
    """A missing version (never set, evicted, Redis flushed) starts at a random number, so a tag
    computed before it went missing can never match again."""
    return secrets.randbelow(2**48) + 1


def _bump(key: str) -> None:
    counter_incr(key, start=_fresh_start())  # one Redis round trip (teams.counters)


def data_changed(*, org_id: int | None) -> None:
    """Move the data version (of one organisation, or of all when None) now and after commit, so
    no conditional GET answers 304 for data written since it was validated. A transaction queues
    one bump after commit however many times it is called (see _moved)."""
    _moved(transaction.get_connection(), org_id)


def set_writing_for(org_id: int | None) -> Token[int | None]:
    """Declare whose rows this request (or job) writes: `enter_org` does, LanguageMiddleware resets."""
    return _WRITING_FOR.set(org_id)


def reset_writing_for(token: Token[int | None]) -> None:
    _WRITING_FOR.reset(token)


@contextmanager
def writes_for(org_id: int) -> Iterator[None]:
    """A job or a service writing one organisation's rows in bulk outside a request: its writes
    move that organisation's version instead of everyone's."""
    token = _WRITING_FOR.set(org_id)
    try:
        yield
    finally:
        _WRITING_FOR.reset(token)


def _tracked_tables() -> dict[str, bool]:
    """Each tracked table, and whether its rows belong to one organisation: it carries `org_id`,
    or it is a child table of an app above teams (a goal's target version, an initiative's
    dependency…). A table of teams without `org_id` (people's accounts) belongs to every
    organisation the person is in."""
    if not _TABLES:
        found: dict[str, bool] = {}
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.app_label in TRACKED_APPS and model.__name__ not in UNTRACKED_MODELS:
                has_org = any(f.attname == "org_id" for f in meta.concrete_fields)
                found[meta.db_table] = has_org or meta.app_label != "teams"
        _TABLES.update(found)
    return _TABLES


_SAVE_BASE = models.Model.save_base.__code__


def _saved_instance() -> Any:
    """The model instance whose save() issued the current statement, or None."""
    frame = sys._getframe(2)
    for _depth in range(60):
        if frame is None:
            return None
        if frame.f_code is _SAVE_BASE:
            return frame.f_locals.get("self")
        frame = frame.f_back
    return None


def _org_of_write(table: str) -> int | None:
    instance = _saved_instance()
    if instance is not None:
        if type(instance).__name__ == "Organization" and instance._meta.app_label == "teams":
            return instance.pk if isinstance(instance.pk, int) else None
        org_id = getattr(instance, "org_id", None)
        if isinstance(org_id, int):
            return org_id
    return _WRITING_FOR.get() if _tracked_tables().get(table) else None


def _moved(connection: Any, org_id: int | None) -> None:
    key = version_key(org_id)
    _bump(key)
    if connection.in_atomic_block:
        # Once per transaction (and savepoint: a rolled-back savepoint drops its callbacks).
        current = set(connection.savepoint_ids)
        for sids, func, _robust in connection.run_on_commit:
            if getattr(func, "stretch_version_key", None) == key and sids <= current:
                return

        def after_commit() -> None:
            _bump(key)

        after_commit.stretch_version_key = key  # type: ignore[attr-defined]
        connection.on_commit(after_commit)


def watch_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """The execute wrapper: run the statement, then move the version its write touched."""
    result = execute(sql, params, many, context)
    if not isinstance(sql, str):
        return result
    head = sql[:12].lstrip()[:6].upper()
    if head in ("INSERT", "UPDATE", "DELETE"):
        match = _STATEMENT.match(sql)
        if match is not None and match.group(1) in _tracked_tables():
            _moved(context["connection"], _org_of_write(match.group(1)))
        elif match is None and any(table in sql for table in _tracked_tables()):
            _moved(context["connection"], None)
    elif head != "SELECT" and _WRITE_WORD.search(sql) and any(table in sql for table in _tracked_tables()):
        _moved(context["connection"], None)  # raw SQL of another shape (a CTE that writes, TRUNCATE, COPY)
    return result


def _install(connection: Any, **kwargs: Any) -> None:
    if watch_writes not in connection.execute_wrappers:
        # First (the outermost): `connection.execute_wrapper()` blocks pop() their own from the end.
        connection.execute_wrappers.insert(0, watch_writes)


def connect_data_version() -> None:
    """Every write to the apps' tables moves the data version (see above): on every connection,
    also those opened later."""
    connection_created.connect(_install, weak=False, dispatch_uid="api-data-version-watch")
    for connection in connections.all(initialized_only=True):
        _install(connection)


def version_keys(org_id: int | None) -> list[str]:
    """The cache keys of the versions an organisation's ETags carry: its own and everyone's."""
    return [version_key(org_id), version_key(None)]


def data_versions(org_id: int | None) -> tuple[Any, Any]:
    keys = version_keys(org_id)
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _fresh_start(), timeout=None)
            found[key] = cache.get(key)
    return found.get(keys[0]), found.get(keys[1])
