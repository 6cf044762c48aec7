"""Goal rows of the API's reads (list, detail, export) built from plain rows (`values()`), with the
fields the caller chose (`?fields=`, `?expand=`): no model instance and no serializer per goal, a
fixed number of queries whatever the number of rows. The JSON is the one `GoalSerializer` writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from operator import itemgetter
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from teams.api_stream import plain
from teams.models import Organization

from .models import Goal, PeriodTarget, TargetVersion
from .progress_rows import attainment_dicts

# The fields of a goal row, in order, and the columns each reads (`values()` names).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id",), "title": ("title",), "description": ("description",), "rationale": ("rationale",),
    "scope": ("scope",), "team": ("team_id",), "team_name": ("team__name",), "owner": ("owner_id",),
    "owner_name": ("owner__user__display_name", "owner__user__email"), "parent": ("parent_id",),
    "weight": ("weight",), "metric_name": ("metric_name",), "unit": ("unit",), "direction": ("direction",),
    "aggregation": ("aggregation",), "baseline": ("baseline",), "allows_negative": ("allows_negative",),
    "period_kind": ("period_kind",), "start_date": ("start_date",), "end_date": ("end_date",),
    "status": ("status",), "result_value": ("result_value",), "targets": ("id",), "period_targets": ("id",),
    "child_count": ("child_count",), "attainment": ("id",), "created_at": ("created_at",),
    "updated_at": ("updated_at",),
}  # fmt: skip
EXPANDABLE = ("targets", "period_targets")  # nested data, out unless asked for
DEFAULT_FIELDS = tuple(name for name in COLUMNS if name not in EXPANDABLE)
# CSV columns of the nested objects (dotted: `attainment.percent`, `attainment.rollup.children`).
NESTED_KEYS: dict[str, Any] = {
    "attainment": {
        "percent": None, "source": None, "status": None, "status_label": None, "status_reason": None,
        "target": None, "target_version": None, "as_of": None, "tier_reached": None, "tier_projected": None,
        "recomputed_at": None,
        "rollup": {"percent": None, "children": None, "reporting": None, "weight_reporting": None,
                   "weight_total": None},
    },
    "targets": {"number": None, "base": None, "challenge": None, "stretch": None, "effective_from": None,
                "overrides": None},
}  # fmt: skip


def choose_fields(params: Any) -> tuple[str, ...]:
    """The fields a read asked for: `fields` (default: every field but the nested ones) plus
    `expand`; a name that is not a field is a 400 naming the parameter and the name."""
    chosen = list(DEFAULT_FIELDS)
    for param, allowed in (("fields", tuple(COLUMNS)), ("expand", EXPANDABLE)):
        if param not in params:
            continue
        names = [name.strip() for value in params.getlist(param) for name in value.split(",")]
        if not any(names):
            raise serializers.ValidationError({param: [_("Give a value, or leave the parameter out.")]})
        for name in names:
            if name not in allowed:
                raise serializers.ValidationError(
                    {param: [_("Unknown field “%(name)s”. Choose from: %(allowed)s.")
                             % {"name": name[:60], "allowed": ", ".join(allowed)}]}
                )  # fmt: skip
        names = [name for name in names if name]
        chosen = names if param == "fields" else list(dict.fromkeys([*chosen, *names]))
    return tuple(dict.fromkeys(chosen))


def value_columns(fields: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(["id", *(column for name in fields for column in COLUMNS[name])]))


def _latest_versions(goal_ids: list[int]) -> dict[int, dict[str, Any]]:
    latest: dict[int, dict[str, Any]] = {}
    rows = TargetVersion.objects.filter(goal_id__in=goal_ids).order_by("goal_id", "number")
    for row in rows.values(
        "id", "goal_id", "number", "base", "challenge", "stretch", "effective_from", "overrides"
    ):
        latest[row["goal_id"]] = dict(row)  # the last one wins: the newest
    return latest


def _period_targets(version_ids: dict[int, int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_version = {version: goal for goal, version in version_ids.items()}
    rows = PeriodTarget.objects.filter(version_id__in=list(by_version)).order_by(
        "version_id", "kind", "start_date"
    )
    for row in rows.values_list(
        "version_id", "kind", "start_date", "end_date", "base", "challenge", "stretch"
    ):
        version, kind, start, end, base, challenge, stretch = row
        found[by_version[version]].append(
            {"kind": kind, "start_date": start.isoformat(), "end_date": end.isoformat(), "base": plain(base),
             "challenge": plain(challenge), "stretch": plain(stretch)}
        )  # fmt: skip
    return found


_KINDS: dict[str, str] = {}  # {column: "decimal" / "date" / "datetime" / "as is"}, from the model


def _kind(column: str) -> str:
    if not _KINDS:
        for field in Goal._meta.concrete_fields:
            kind = (
                "decimal" if isinstance(field, models.DecimalField)
                else "datetime" if isinstance(field, models.DateTimeField)
                else "date" if isinstance(field, models.DateField)
                else "as is" if isinstance(field, (models.CharField, models.TextField, models.IntegerField,
                                                   models.BooleanField, models.ForeignKey))
                else ""
            )  # fmt: skip
            _KINDS[field.attname] = kind
    return _KINDS.get(column, "")


def _plain(name: str, zone: tzinfo) -> Callable[[dict[str, Any]], Any]:
    """The getter of a plain field: what `teams.api_stream.plain` writes, without asking each value
    its type (2,000 rows of 25 fields in an export)."""
    column = COLUMNS[name][0]
    kind = _kind(column)
    if kind == "as is":
        return itemgetter(column)
    if kind == "decimal":
        return lambda row: None if (value := row[column]) is None else format(value, "f")
    if kind == "date":
        return lambda row: None if (value := row[column]) is None else value.isoformat()
    if kind == "datetime":

        def instant(row: dict[str, Any]) -> Any:  # as DRF's DateTimeField writes it
            value = row[column]
            if value is None:
                return None
            text = value.astimezone(zone).isoformat() if timezone.is_aware(value) else value.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return instant
    return lambda row: plain(row[column])


def goal_rows(
    *,
    org: Organization,
    rows: list[dict[str, Any]],
    fields: tuple[str, ...],
    whole: Mapping[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """API rows of goals read with `values(*value_columns(fields))`: each with the chosen fields
        only; progress from the last recompute (rolled up for goals with sub-goals), the latest
        targets and their period slices when asked for (`whole`: the organisation's roll-up the caller
    already holds, `goals.progress_rows.whole_attainment`). At most four queries whatever the number."""
    ids = [row["id"] for row in rows]
    progress = attainment_dicts(org=org, goal_ids=ids, whole=whole) if "attainment" in fields and ids else {}
    versions = _latest_versions(ids) if ids and ("targets" in fields or "period_targets" in fields) else {}
    slices = _period_targets({g: v["id"] for g, v in versions.items()}) if "period_targets" in fields else {}
    getters: dict[str, Callable[[dict[str, Any]], Any]] = {}
    zone = timezone.get_current_timezone()
    for name in fields:
        if name == "owner_name":
            getters[name] = lambda row: row["owner__user__display_name"] or row["owner__user__email"]
        elif name == "attainment":
            getters[name] = lambda row: progress.get(row["id"])
        elif name == "targets":
            getters[name] = lambda row: _version(versions.get(row["id"]))
        elif name == "period_targets":
            getters[name] = lambda row: slices.get(row["id"], [])
        else:
            getters[name] = _plain(name, zone)
    items = list(getters.items())
    return [{name: get(row) for name, get in items} for row in rows]


def _version(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"number": row["number"], "base": plain(row["base"]), "challenge": plain(row["challenge"]),
            "stretch": plain(row["stretch"]), "effective_from": plain(row["effective_from"]),
            "overrides": row["overrides"]}  # fmt: skip


def goal_values(queryset: QuerySet[Goal], fields: tuple[str, ...]) -> QuerySet[Any]:
    """The goal queryset read as the plain rows `goal_rows` needs (no prefetch, no instances)."""
    rows: QuerySet[Any] = queryset.prefetch_related(None).values(*value_columns(fields))
    return rows
