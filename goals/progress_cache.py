"""The roll-up of goal progress (``goals.progress.goal_attainment``) kept in the shared cache.

A strategy goal's progress reads every goal below it (thousands in a large organisation) on every
page and API read; what it yields changes only when the data below changes. So each goal's
computed figures are kept in Django's cache (Redis in production and CI, the file cache in the
embedded default; never process memory: a worker's recompute must reach every web process),
under a key that carries:

* the organisation's **progress version**, a random token moved on by every write that can
  change an attainment: a goal, a target version or an indicator snapshot saved or deleted
  (signals, ``goals.apps``), a recompute finishing, bulk writes and ``.update()`` calls
  (``progress_changed`` from the services and the seeders), plus a global token for writes that
  cannot be tied to one organisation;
* the organisation's **data version** (``teams.sync``), which every save of any app's rows and
  every tombstone moves on (so a value written, a metric changed… miss too, even where the
  progress does not read them yet);
* the database's name (test databases sharing one Redis never read each other's entries).

Tokens are moved at once (the writer's own next read) and again when the transaction commits
(a reader that computed from the rows before the write cannot store its result under the version
that follows it). A token that is missing (evicted) is replaced by a new one, which can only miss.

What is kept is language-independent: numbers, codes and the recipe of each reason (worded when
shown, in the reader's language), never a translated label. The roll-up does not depend on the
day (an attainment is measured on its snapshot's own day)."""

from __future__ import annotations

import hashlib
import pickle  # noqa: S403 - our own entries, in our own cache
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from teams.sync import version_key

ENTRY_TIMEOUT = 15 * 60  # entries of old versions go soon (every change above moves the version on)
_PREFIX = "goals:progress"
LAYOUT = 1  # of an entry (goals.progress._freeze): a release that changes it reads none of the old ones
GLOBAL = f"{_PREFIX}:v:all"


def _token_key(org_id: int | None) -> str:
    return GLOBAL if org_id is None else f"{_PREFIX}:v:{org_id}"


def progress_version(*, org_id: int) -> str:
    """The organisation's progress version (one cache read): its tokens and its data version."""
    keys = [GLOBAL, _token_key(org_id), version_key(org_id), version_key(None)]
    found = cache.get_many(keys)
    for key in keys[:2]:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key) or uuid.uuid4().hex  # whoever added first (a miss if evicted again)
    # A digest of the four tokens: the data versions are large random numbers (teams.sync), and the
    # keys built from this one must stay within memcached's 250 characters with their flavours.
    joined = ".".join(str(found.get(key, 0)) for key in keys)
    return hashlib.blake2b(joined.encode(), digest_size=16).hexdigest()


def _bump(org_id: int | None) -> None:
    cache.set(_token_key(org_id), uuid.uuid4().hex, timeout=None)


def progress_changed(*, org_id: int | None) -> None:
    """Something an attainment is computed from changed (None: in any organisation): move the
    version on now and once the transaction commits."""
    _bump(org_id)
    transaction.on_commit(lambda: _bump(org_id))


def entry_keys(*, org_id: int, version: str, goal_ids: Iterable[int]) -> dict[int, str]:
    base = f"{_PREFIX}:e{LAYOUT}:{connection.settings_dict['NAME']}:{org_id}:{version}"
    return {pk: f"{base}:{pk}" for pk in goal_ids}


def whole_key(*, org_id: int, version: str, flavour: str) -> str:
    """The key of the whole organisation's roll-up as the API writes it (one entry, `flavour`: the
    language and time zone it is worded in)."""
    return f"{_PREFIX}:w{LAYOUT}:{connection.settings_dict['NAME']}:{org_id}:{version}:{flavour}"


def whole_get(key: str) -> Any:
    try:
        return cache.get(key)
    except (AttributeError, ImportError, EOFError, pickle.UnpicklingError):
        return None


def whole_set(key: str, value: Any) -> None:
    cache.set(key, value, ENTRY_TIMEOUT)


def entries_get(keys: dict[int, str]) -> dict[int, Any]:
    if not keys:
        return {}
    try:
        found = cache.get_many(list(keys.values()))
    except (AttributeError, ImportError, EOFError, pickle.UnpicklingError):  # a reason's wording moved away
        return {}  # computed again (and stored anew)
    return {pk: found[key] for pk, key in keys.items() if key in found}


def entries_set(keys: dict[int, str], entries: dict[int, Any]) -> None:
    if entries:
        cache.set_many({keys[pk]: entry for pk, entry in entries.items() if pk in keys}, ENTRY_TIMEOUT)


def _org_of(instance: Any) -> int | None:
    org_id = getattr(instance, "org_id", None)
    if isinstance(org_id, int):
        return org_id
    goal = instance._state.fields_cache.get("goal")  # a target version: its goal when loaded
    org_id = getattr(goal, "org_id", None)
    return org_id if isinstance(org_id, int) else None  # else every organisation's version moves


def on_progress_write(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save / post_delete receiver for goals, target versions and indicator snapshots."""
    if kwargs.get("raw"):
        return
    progress_changed(org_id=_org_of(instance))
