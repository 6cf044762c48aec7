"""Deletions and the data version, for incremental sync and conditional GET (teams.api_sync,
teams.api_http; docs/api.md, "Mirroring an organisation").

* Each app registers the resources an integrator mirrors: ``track_deletions`` (a post_delete
  signal writes a ``Tombstone``) or ``register_resource`` + ``record_deletions`` from its services.
* ``data_changed(org_id=…)`` moves the organisation's data version, part of every ETag: every
  save() of the apps' rows does, and so must writes that bypass save() (bulk upserts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

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
TRACKED_APPS = frozenset(
    {"teams", "goals", "plans", "tracking", "incentives", "recognition", "retros", "people"}
)
UNTRACKED_MODELS = frozenset({"Heartbeat", "OutboxJob", "AuditEntry", "Tombstone", "LoginAttempt"})


def version_key(org_id: int | None) -> str:
    return f"api:data-version:{org_id if org_id is not None else 'all'}"


def _bump(key: str) -> None:
    counter_incr(key)


@dataclass(frozen=True)
class _BumpAfterCommit:
    """The after-commit half of data_changed; equal for equal keys, so a transaction queues one."""

    key: str

    def __call__(self) -> None:
        _bump(self.key)


def data_changed(*, org_id: int | None) -> None:
    """Move the data version (of one organisation, or of all when None) now and after commit, so
    no conditional GET answers 304 for data written since it was validated. A transaction queues
    one bump after commit however many rows it saves (later calls find theirs queued: one Redis
    round trip less each); the hook lives in the transaction's own commit hooks, so a rolled-back
    savepoint takes it along and the next call queues it again."""
    bump = _BumpAfterCommit(version_key(org_id))
    bump()  # now: this transaction's own reads (and tests, whose transactions never commit)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(hook == bump for _sids, hook, _robust in connection.run_on_commit):
        return
    transaction.on_commit(bump)


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in TRACKED_APPS or sender.__name__ in UNTRACKED_MODELS:
        return
    org_id = getattr(instance, "org_id", None)
    if sender.__name__ == "Organization":
        org_id = instance.pk
    data_changed(org_id=org_id if isinstance(org_id, int) else None)


def connect_data_version() -> None:
    """Every save() of the apps' rows moves the data version. (Not every delete: a post_delete
    listener for all models would stop Django's fast deletes; a deletion changes a list's count,
    and the tracked resources' deletions move the version through their tombstones.)"""
    post_save.connect(_changed, weak=False, dispatch_uid="api-data-version-save")


def data_versions(org_id: int | None) -> tuple[Any, Any]:
    keys = [version_key(org_id), version_key(None)]
    found = cache.get_many(keys)
    return found.get(keys[0], 0), found.get(keys[1], 0)
