"""Streamed flat exports of metric values and stand-ups (`metric-entries/export/`,
`standups/export/`), by period (`start`, `end`), with the lists' filters: the generic streaming of
teams.api_stream, rows read as plain values in keyset chunks."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request

from teams.api_stream import (
    EXPORT_RESPONSES,
    FORMAT_PARAMETER,
    PERIOD_PARAMETERS,
    ExportNegotiation,
    export_format,
    fields_parameter,
    keyset_chunks,
    period,
    pick_fields,
    plain,
    stream,
)
from tracking.models import MetricEntry

ENTRY_FIELDS = ("id", "goal", "supporting_metric", "day", "value", "member", "source", "external_id", "note",
                "created_at")  # fmt: skip
ENTRY_COLUMNS = ("id", "goal_id", "supporting_metric_id", "day", "value", "member_id", "source", "external_id",
                 "note", "created_at")  # fmt: skip
STANDUP_FIELDS = ("id", "member", "member_name", "day", "yesterday", "today", "blockers", "mood", "entries",
                  "blocker_resolved_by", "blocker_resolved_at", "created_at", "updated_at")  # fmt: skip
STANDUP_COLUMNS = ("id", "member_id", "member__user__display_name", "member__user__email", "day", "yesterday",
                   "today", "blockers", "mood", "blocker_resolved_by_id", "blocker_resolved_at", "created_at",
                   "updated_at")  # fmt: skip
_EXPORT = {"detail": False, "methods": ["get"], "pagination_class": None,
           "content_negotiation_class": ExportNegotiation}  # fmt: skip


def _in_period(view: Any, request: Request) -> Any:
    start, end = period(request.query_params)
    queryset = view.filter_queryset(view.get_queryset())
    if start is not None:
        queryset = queryset.filter(day__gte=start)
    if end is not None:
        queryset = queryset.filter(day__lte=end)
    return queryset.prefetch_related(None)


def _entry_rows(chunk: list[dict[str, Any]], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    pairs = [
        (name, column) for name, column in zip(ENTRY_FIELDS, ENTRY_COLUMNS, strict=True) if name in fields
    ]
    return [{name: plain(row[column]) for name, column in pairs} for row in chunk]


def _standup_rows(chunk: list[dict[str, Any]], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    entries: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if "entries" in fields:
        found = MetricEntry.objects.filter(standup_id__in=[row["id"] for row in chunk]).order_by(
            "standup_id", "id"
        )
        for standup, goal, metric, value in found.values_list(
            "standup_id", "goal_id", "supporting_metric_id", "value"
        ):
            entries[standup].append({"goal": goal, "supporting_metric": metric, "value": plain(value)})
    rows = []
    for row in chunk:
        full = {
            "id": row["id"], "member": row["member_id"],
            "member_name": row["member__user__display_name"] or row["member__user__email"],
            "day": plain(row["day"]), "yesterday": row["yesterday"], "today": row["today"],
            "blockers": row["blockers"], "mood": row["mood"], "entries": entries.get(row["id"], []),
            "blocker_resolved_by": row["blocker_resolved_by_id"],
            "blocker_resolved_at": plain(row["blocker_resolved_at"]), "created_at": plain(row["created_at"]),
            "updated_at": plain(row["updated_at"]),
        }  # fmt: skip
        rows.append({name: full[name] for name in fields})
    return rows


class EntryExport:
    """Mixed into MetricEntryViewSet."""

    @extend_schema(parameters=[FORMAT_PARAMETER, *PERIOD_PARAMETERS, fields_parameter(ENTRY_FIELDS)],
                   responses=EXPORT_RESPONSES)  # fmt: skip
    @action(**_EXPORT)
    def export(self: Any, request: Request, org_slug: str) -> Any:
        """Every metric value of the period (and the list's filters), flat, streamed in id order:
        NDJSON (one value a line) or CSV."""
        fmt = export_format(request.query_params)
        fields = pick_fields(request.query_params, ENTRY_FIELDS)
        queryset = _in_period(self, request).values(*ENTRY_COLUMNS)
        return stream(keyset_chunks(queryset), build=lambda chunk: _entry_rows(chunk, fields), fields=fields,
                      fmt=fmt, filename=f"metric-values-{self.org.slug}")  # fmt: skip


class StandupExport:
    """Mixed into StandupViewSet."""

    @extend_schema(parameters=[FORMAT_PARAMETER, *PERIOD_PARAMETERS, fields_parameter(STANDUP_FIELDS)],
                   responses=EXPORT_RESPONSES)  # fmt: skip
    @action(**_EXPORT)
    def export(self: Any, request: Request, org_slug: str) -> Any:
        """Every stand-up of the period (and the list's filters), flat, streamed in id order: NDJSON
        (one stand-up a line) or CSV (the values it carried as JSON in `entries`)."""
        fmt = export_format(request.query_params)
        fields = pick_fields(request.query_params, STANDUP_FIELDS)
        queryset = _in_period(self, request).values(*STANDUP_COLUMNS)
        return stream(keyset_chunks(queryset), build=lambda chunk: _standup_rows(chunk, fields), fields=fields,
                      fmt=fmt, filename=f"standups-{self.org.slug}")  # fmt: skip
