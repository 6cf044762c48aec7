"""The audit trail: who changed what, with each field before and after (JSON-ready)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from ..models import AuditEntry, Organization, User


# --- Audit ------------------------------------------------------------------------------------
def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    """{field: [before, after]} for the fields that changed (JSON-ready)."""
    changes: dict[str, list[object]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _jsonable(before.get(key)), _jsonable(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


def audit_record(
    *,
    org: Organization,
    actor: User | None,
    action: str,
    target: object,
    changes: dict[str, list[object]] | None = None,
    scope: str = "",
) -> AuditEntry:
    """Record one change. ``target`` is a model instance; ``changes`` maps a field to
    [before, after] (see audit_diff)."""
    return AuditEntry.objects.create(
        org=org,
        actor=actor,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=int(target.pk),  # type: ignore[attr-defined]
        target_repr=str(target)[:200],
        changes=_jsonable(changes or {}),
        scope=scope,
    )


def audit_record_many(
    *,
    org: Organization,
    actor: User | None,
    entries: Sequence[tuple[str, object, dict[str, list[object]]]],
    scope: str = "",
) -> int:
    """Record a bulk change in one insert: (action, target, changes) per row."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                org=org,
                actor=actor,
                action=action,
                target_type=type(target).__name__.lower(),
                target_id=int(target.pk),  # type: ignore[attr-defined]
                target_repr=str(target)[:200],
                changes=_jsonable(changes),
                scope=scope,
            )
            for action, target, changes in entries
        ]
    )
    return len(entries)
