"""The version of an organisation's plans, for what is cached from them (``plan_analysis`` per goal
and per team). Any write to an initiative, a dependency, a capacity, a team budget or a goal — by a
service, the admin or an import — moves the version on (``plans.apps`` connects the signals), so a
cached analysis is never read after the data it was computed from changed.

The cache is Django's (Redis in production and CI, a file cache in the embedded default): web
processes and workers share it. Never process memory: a worker's write would not reach the web."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

GLOBAL = "plans:v:all"  # when a write cannot be tied to one organisation


def _key(org_id: int | None) -> str:
    return GLOBAL if org_id is None else f"plans:v:{org_id}"


def plan_version(*, org_id: int) -> str:
    """The current version of the organisation's plans (a random token, made when first asked)."""
    keys = [GLOBAL, _key(org_id)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = uuid.uuid4().hex
            cache.add(key, token, timeout=None)
            found[key] = cache.get(key, token)
    return f"{found[GLOBAL]}.{found[_key(org_id)]}"


def _bump(org_id: int | None) -> None:
    cache.set(_key(org_id), uuid.uuid4().hex, timeout=None)


def plans_changed(*, org_id: int | None) -> None:
    """The organisation's plans changed: move the version on now (the writer's own next read sees
    it) and again once the transaction commits (so a reader who read the old rows during the
    transaction cannot store its result under the version that follows the write)."""
    _bump(org_id)
    transaction.on_commit(lambda: _bump(org_id))


def _org_id_of(instance: Any) -> int | None:
    org_id = getattr(instance, "org_id", None)
    if org_id is not None:
        return int(org_id)
    for relation in ("successor", "membership"):  # Dependency, Capacity: through their parent
        try:
            parent = getattr(instance, relation, None)
        except ObjectDoesNotExist:  # the parent is already gone: every organisation's version moves
            return None
        if parent is not None:
            return getattr(parent, "org_id", None)
    return None


def on_plan_write(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save / post_delete receiver for the models a plan's analysis reads."""
    if kwargs.get("raw"):  # fixtures being loaded
        return
    plans_changed(org_id=_org_id_of(instance))
