"""Goal rows of the API's reads (list, detail, export) built from plain rows (`values()`), with the
fields the caller chose (`?fields=`, `?expand=`): no model instance and no serializer per goal, a
fixed number of queries whatever the number of rows. The JSON is the one `GoalSerializer` writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from teams.api_json import raw_json
from teams.api_stream import plain
from teams.models import Organization

from .models import Goal, PeriodTarget, TargetVersion
from .progress_rows import WHOLE_READ, attainment_dicts, attainment_json

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
        _KINDS.update({"team__name": "as is", "child_count": "as is"})  # text, a count
    return _KINDS.get(column, "")


def _instants(values: Iterable[Any], zone: tzinfo) -> list[Any]:
    """Datetimes as DRF's DateTimeField writes them: in the current time zone, ISO 8601, `Z` for UTC."""
    out: list[Any] = []
    add = out.append
    for value in values:
        if value is None:
            add(None)
            continue
        text = value.isoformat() if value.tzinfo is None else value.astimezone(zone).isoformat()
        add(text[:-6] + "Z" if text.endswith("+00:00") else text)
    return out


def _decimals_as_text() -> bool:
    """PostgreSQL writes a numeric as text the way format(Decimal, "f") does (the digits of the
    column's scale, never an exponent): decimals are read as that text, not made Decimals to be
    written back (SQLite's text of a decimal is a float's)."""
    return connection.vendor == "postgresql"


def _column(kind: str, values: tuple[Any, ...], zone: tzinfo, *, native: bool) -> Any:
    """One column of plain values as `teams.api_stream.plain` writes each (its type known once,
    not asked of each of 2,000 values); `native`: datetimes left as datetimes in the current time
    zone, for a JSON writer that writes them as DRF does (teams.api_json, 4x faster than isoformat)."""
    if kind == "as is":
        return values
    if kind == "datetime" and native:
        return [
            value if value is None or value.tzinfo is None else value.astimezone(zone) for value in values
        ]
    if kind == "decimal":
        if _decimals_as_text():  # read as text (`goal_values`): what format(value, "f") writes
            return values
        return [None if value is None else format(value, "f") for value in values]
    if kind == "date":
        return [None if value is None else value.isoformat() for value in values]
    if kind == "datetime":
        return _instants(values, zone)
    return [plain(value) for value in values]


def goal_rows(
    *,
    org: Organization,
    rows: list[tuple[Any, ...]],
    fields: tuple[str, ...],
    whole: Mapping[int, Any] | None = None,
    native: bool = False,
) -> list[dict[str, Any]]:
    """API rows of goals read with `goal_values(queryset, fields)` (tuples, the id first): each with
    the chosen fields only; progress from the last recompute (rolled up for goals with sub-goals), the
    latest targets and their period slices when asked for. `native`: the rows go to orjson's writers
    (teams.api_json: `FastJSONRenderer.writes_with_orjson`, the NDJSON export), so datetimes are left
    as datetimes (`_column`) and a large read's progress is the JSON already written
    (`goals.progress_rows.attainment_json`). `whole`: the organisation's roll-up the caller already
    holds (`whole_attainment_json` when native, else `whole_attainment`). At most four queries
    whatever the number.
    Built a column at a time (each column's conversion chosen once), then zipped into rows."""
    if not rows:
        return []
    index = {column: n for n, column in enumerate(value_columns(fields))}
    table = list(zip(*rows, strict=True))
    ids: tuple[int, ...] = table[0]
    zone = timezone.get_current_timezone()
    expanded = "targets" in fields or "period_targets" in fields
    versions = _latest_versions(list(ids)) if expanded else {}
    columns: list[Any] = []
    for name in fields:
        if name == "owner_name":
            names, emails = table[index["owner__user__display_name"]], table[index["owner__user__email"]]
            columns.append([shown or email for shown, email in zip(names, emails, strict=True)])
        elif name == "attainment" and native and (whole is not None or len(ids) > WHOLE_READ):
            written = attainment_json(org=org, goal_ids=ids, whole=whole)
            columns.append([None if (text := written.get(pk)) is None else raw_json(text) for pk in ids])
        elif name == "attainment":
            progress = attainment_dicts(org=org, goal_ids=ids, whole=whole)
            columns.append([progress.get(pk) for pk in ids])
        elif name == "targets":
            columns.append([_version(versions.get(pk)) for pk in ids])
        elif name == "period_targets":
            slices = _period_targets({g: v["id"] for g, v in versions.items()})
            columns.append([slices.get(pk, []) for pk in ids])
        else:
            column = COLUMNS[name][0]
            columns.append(_column(_kind(column), table[index[column]], zone, native=native))
    return [dict(zip(fields, values)) for values in zip(*columns)]  # noqa: B905 - as many by construction


def _version(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"number": row["number"], "base": plain(row["base"]), "challenge": plain(row["challenge"]),
            "stretch": plain(row["stretch"]), "effective_from": plain(row["effective_from"]),
            "overrides": row["overrides"]}  # fmt: skip


def goal_values(queryset: QuerySet[Goal], fields: tuple[str, ...]) -> QuerySet[Any]:
    """The goal queryset read as the plain rows `goal_rows` needs: tuples of `value_columns(fields)`,
    the id first (no prefetch, no instances, no dict per row)."""
    text = _decimals_as_text()
    columns = [
        Cast(column, TextField()) if text and _kind(column) == "decimal" else column
        for column in value_columns(fields)
    ]
    rows: QuerySet[Any] = queryset.prefetch_related(None).values_list(*columns)
    return rows
