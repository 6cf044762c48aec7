"""Streamed flat exports of the API (`…/export/?format=ndjson|csv`): every row of a resource,
read in keyset chunks (id order, a fixed number of rows at a time) and written as they are read, so
10,000 rows take the memory of one chunk. A row added while the export runs comes after the rows
already read (ids only grow): each row is written exactly once. Used by the goals, metric values
and stand-ups exports."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation

from .api_json import ndjson_encoder
from .tables import escape_cell

FORMATS = {"ndjson": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}
CHUNK = 1000  # rows read (and held) at a time
_NUMBER = re.compile(r"-?\d+(\.\d+)?")

FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=list(FORMATS), description="ndjson (one JSON object a line, the default) or csv."
)
PERIOD_PARAMETERS = [
    OpenApiParameter("start", date, description="Only rows on or after this day (YYYY-MM-DD)."),
    OpenApiParameter("end", date, description="Only rows on or before this day (YYYY-MM-DD)."),
]
EXPORT_RESPONSES = {
    (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR, description="One JSON object a line."),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="A header line, then one row a line."),
}


_instant = serializers.DateTimeField().to_representation


def plain(value: Any) -> Any:
    """A value read with `values()` as the API writes it in JSON (what DRF's fields would write):
    decimals and dates as text, datetimes in ISO 8601 in the current time zone."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return _instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class ExportNegotiation(DefaultContentNegotiation):
    """In an export `?format=` names the file's format, not a renderer (DRF's URL format override):
    errors are answered in JSON whatever it says."""

    def select_renderer(
        self, request: Any, renderers: Iterable[Any], format_suffix: str | None = None
    ) -> Any:
        first = next(iter(renderers))
        return first, first.media_type


def export_format(params: Any) -> str:
    """`format` of an export: ndjson (when left out) or csv; anything else is a 400 naming it."""
    values = params.getlist("format")
    chosen = values[-1] if values else "ndjson"
    if chosen not in FORMATS:
        raise serializers.ValidationError({"format": [_("Choose ndjson or csv.")]})
    return str(chosen)


def pick_fields(params: Any, allowed: Sequence[str]) -> tuple[str, ...]:
    """`fields` of an export (comma-separated; default: all of them, in order); a name that is not
    one is a 400 naming `fields` and the name."""
    if "fields" not in params:
        return tuple(allowed)
    names = [name.strip() for value in params.getlist("fields") for name in value.split(",")]
    if not any(names):
        raise serializers.ValidationError({"fields": [_("Give a value, or leave the parameter out.")]})
    for name in names:
        if name not in allowed:
            raise serializers.ValidationError(
                {"fields": [_("Unknown field “%(name)s”. Choose from: %(allowed)s.")
                            % {"name": name[:60], "allowed": ", ".join(allowed)}]}
            )  # fmt: skip
    return tuple(dict.fromkeys(name for name in names if name))


def fields_parameter(allowed: Sequence[str]) -> OpenApiParameter:
    return OpenApiParameter(
        "fields", str, description=f"Only these fields, comma-separated (default: all): {', '.join(allowed)}. "
        "An unknown name is a 400 naming it.",
    )  # fmt: skip


def period(params: Any) -> tuple[date | None, date | None]:
    """`start` and `end` of an export (each optional; a bad date or an end before the start is a 400)."""
    days: dict[str, date | None] = {}
    for name in ("start", "end"):
        raw = params.getlist(name)[-1] if name in params else None
        try:
            days[name] = None if raw is None else date.fromisoformat(raw)
        except ValueError:
            raise serializers.ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]}) from None
    start, end = days["start"], days["end"]
    if start is not None and end is not None and end < start:
        raise serializers.ValidationError({"end": [_("The end must not be before the start.")]})
    return start, end


def keyset_chunks(queryset: QuerySet[Any], *, size: int | None = None) -> Iterator[list[Any]]:
    """The rows of a `values()` queryset (with `id`), or of a `values_list()` one (the id first), in
    id order, `size` at a time."""
    size = size or CHUNK
    after = 0
    while True:
        rows = list(queryset.filter(pk__gt=after).order_by("pk")[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1]
        after = last["id"] if isinstance(last, dict) else last[0]


def columns(fields: Sequence[str], nested: dict[str, Any]) -> list[str]:
    """CSV columns: a nested object's keys become dotted columns (`attainment.percent`)."""

    def walk(prefix: str, shape: Any) -> list[str]:
        if not isinstance(shape, dict):
            return [prefix]
        return [column for key, sub in shape.items() for column in walk(f"{prefix}.{key}", sub)]

    return [column for name in fields for column in walk(name, nested.get(name))]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return escape_cell(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))
    text = str(value)
    return text if _NUMBER.fullmatch(text) else escape_cell(text)


def _flat(row: dict[str, Any], fields: Sequence[str], nested: dict[str, Any]) -> list[str]:
    cells: list[str] = []

    def walk(value: Any, shape: Any) -> None:
        if not isinstance(shape, dict):
            cells.append(_cell(value))
            return
        for key, sub in shape.items():
            walk(value.get(key) if isinstance(value, dict) else None, sub)

    for name in fields:
        walk(row.get(name), nested.get(name))
    return cells


def _in_request_context(pieces: Iterator[Any]) -> Iterator[Any]:
    """The rows are written after the view returned, when the middleware has let go of the
    request's time zone and language: keep them (datetimes and words as in the list)."""
    zone, language = timezone.get_current_timezone(), translation.get_language()

    def pieces_in_context() -> Iterator[Any]:
        while True:
            with timezone.override(zone), translation.override(language):
                piece = next(pieces, None)
            if piece is None:
                return
            yield piece

    return pieces_in_context()


def stream(
    chunks: Iterable[list[Any]],
    *,
    build: Callable[[list[Any]], list[dict[str, Any]]],
    fields: Sequence[str],
    fmt: str,
    filename: str,
    nested: dict[str, Any] | None = None,
    drf_datetimes: bool = False,
) -> StreamingHttpResponse:
    """The export's response: each chunk of plain rows turned into API rows by `build`, then
    written as NDJSON lines or CSV rows (nested objects as dotted columns) while the next is read.
    `drf_datetimes`: datetimes left in NDJSON rows are written as the API's lists write them."""
    nested = nested or {}

    def ndjson() -> Iterator[bytes]:
        # orjson when installed (teams.api_json), made once (not once a row)
        line = ndjson_encoder(drf_datetimes=drf_datetimes)
        for chunk in chunks:
            yield b"".join([line(row) for row in build(chunk)])

    def csv_text() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns(fields, nested))
        for chunk in chunks:
            writer.writerows(_flat(row, fields, nested) for row in build(chunk))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    body = _in_request_context(ndjson() if fmt == "ndjson" else csv_text())
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
