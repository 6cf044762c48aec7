"""The goals API's reads for integrators: the list (page numbers or cursor), one goal and the
streamed flat export, each with the fields chosen (`?fields=`, `?expand=`) and the progress of the
last recompute, built from plain rows (goals.api_rows)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from teams.api_json import FastJSONRenderer, orjson
from teams.api_stream import (
    EXPORT_RESPONSES,
    FORMAT_PARAMETER,
    ExportNegotiation,
    export_format,
    keyset_chunks,
    stream,
)
from teams.api_support import CursorPagination
from teams.page_forms import parse_id

from .api_rows import COLUMNS, DEFAULT_FIELDS, EXPANDABLE, NESTED_KEYS, choose_fields, goal_rows, goal_values
from .progress_rows import whole_attainment, whole_attainment_json
from .serializers import GoalRowSerializer

FIELD_PARAMETERS = [
    OpenApiParameter(
        "fields", str,
        description="Only these fields, comma-separated (e.g. `id,title,attainment`). Default: "
        f"{', '.join(DEFAULT_FIELDS)}. One of: {', '.join(COLUMNS)}. An unknown name is a 400 naming it.",
    ),
    OpenApiParameter(
        "expand", str,
        description=f"Add nested data, comma-separated: {', '.join(EXPANDABLE)} (left out by default): the "
        "targets in force (latest version) and their quarter / month / week slices.",
    ),
]  # fmt: skip


def _orjson_writes(request: Request) -> bool:
    """Whether the answer is written by orjson (`goal_rows(native=True)`), not by DRF's encoder."""
    renderer = getattr(request, "accepted_renderer", None)
    media_type = getattr(request, "accepted_media_type", None)
    return isinstance(renderer, FastJSONRenderer) and renderer.writes_with_orjson(media_type)


class GoalReads:
    """Mixed into GoalViewSet: list, retrieve and export."""

    pagination_class = CursorPagination

    @extend_schema(parameters=FIELD_PARAMETERS, responses=GoalRowSerializer(many=True))
    def list(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Goals with their progress from the last recompute (`attainment`: percent, tiers reached and
        projected, status and why, when recomputed; rolled up from the sub-goals for a strategy goal)."""
        fields = choose_fields(request.query_params)
        self.count_source = self.filter_queryset(self.get_queryset())
        queryset = goal_values(self.count_source, fields)
        page = self.paginate_queryset(queryset)
        rows = list(page) if page is not None else list(queryset)
        data = goal_rows(org=self.org, rows=rows, fields=fields, native=_orjson_writes(request))
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(parameters=FIELD_PARAMETERS, responses=GoalRowSerializer)
    def retrieve(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        fields = choose_fields(request.query_params)
        pk = parse_id(str(kwargs.get("pk", "")))
        rows = list(goal_values(self.get_queryset().filter(pk=pk), fields)) if pk is not None else []
        if not rows:  # not a goal of this organisation (reads need no object rule)
            raise Http404
        return Response(goal_rows(org=self.org, rows=rows, fields=fields, native=_orjson_writes(request))[0])

    @extend_schema(parameters=[FORMAT_PARAMETER, *FIELD_PARAMETERS], responses=EXPORT_RESPONSES)
    @action(detail=False, methods=["get"], pagination_class=None, content_negotiation_class=ExportNegotiation)
    def export(self: Any, request: Request, org_slug: str) -> Any:
        """Every goal (with the list's filters), flat, streamed in id order: NDJSON (one goal a line)
        or CSV (nested objects as dotted columns, `attainment.percent`). Same fields as the list."""
        fmt = export_format(request.query_params)
        fields = choose_fields(request.query_params)
        queryset = goal_values(self.filter_queryset(self.get_queryset()), fields)
        org = self.org
        whole: list[dict[int, Any]] = []  # the organisation's cached roll-up, read with the first chunk
        # NDJSON lines are written by orjson (datetimes and progress as they are); CSV cells want text
        native = fmt == "ndjson" and orjson is not None

        def build(chunk: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
            if "attainment" in fields and not whole:
                whole.append(whole_attainment_json(org=org) if native else whole_attainment(org=org))
            return goal_rows(
                org=org, rows=chunk, fields=fields, whole=whole[0] if whole else None, native=native
            )

        return stream(
            keyset_chunks(queryset),
            build=build,
            fields=fields, fmt=fmt, filename=f"goals-{org.slug}", nested=NESTED_KEYS, drf_datetimes=native,
        )  # fmt: skip
