"""Incremental sync for integrators (docs/api.md, "Mirroring an organisation").

* ``?updated_since=<ISO 8601 timestamp with its offset>`` on every list whose rows carry an
  ``updated_at``: only the rows changed at or after that moment (``UpdatedSinceFilter``, one of
  REST_FRAMEWORK's filter backends; other lists call ``updated_since_filter``). Unparsable, without
  an offset, or in the future: a 400 naming ``updated_since``.
* Deletions: the tombstones of ``teams.sync``, listed by ``GET /api/v1/orgs/<org>/deleted/``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

PARAM = "updated_since"
UPDATED_FIELD = "updated_at"
_SPACED_OFFSET = re.compile(r"^(.*\d) (\d\d:?\d\d)$")  # a `+` sent unencoded reads as a space


def parse_updated_since(params: Any) -> datetime | None:
    """The ``updated_since`` query parameter as an aware datetime (None when absent)."""
    if PARAM not in params:
        return None
    raw = str(params.get(PARAM)).strip()
    raw = _SPACED_OFFSET.sub(r"\1+\2", raw)
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise serializers.ValidationError(
            {PARAM: [_("Enter a date and time with its offset, e.g. 2026-12-05T08:00:00+08:00.")]}
        )
    try:  # in UTC: PostgreSQL refuses offsets beyond ±15:59 (an unusual offset is still a moment)
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise serializers.ValidationError(
            {PARAM: [_("Enter a date and time with its offset, e.g. 2026-12-05T08:00:00+08:00.")]}
        ) from None
    if moment > timezone.now():
        raise serializers.ValidationError({PARAM: [_("This moment is in the future.")]})
    return moment


def has_updated_at(model: type[models.Model] | None) -> bool:
    if model is None:
        return False
    try:
        model._meta.get_field(UPDATED_FIELD)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return False
    return True


def updated_since_filter(request: Request, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    moment = parse_updated_since(request.query_params)
    return queryset if moment is None else queryset.filter(**{f"{UPDATED_FIELD}__gte": moment})


class UpdatedSinceFilter(BaseFilterBackend):
    """``?updated_since=`` on the list of every model with an ``updated_at``."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        if getattr(view, "action", None) != "list" or not has_updated_at(getattr(queryset, "model", None)):
            return queryset
        return updated_since_filter(request, queryset)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if getattr(view, "action", None) != "list":
            return []
        try:
            model = view.get_queryset().model
        except Exception:  # noqa: BLE001 - a view the schema cannot build a queryset for
            return []
        return [updated_since_parameter()] if has_updated_at(model) else []


DESCRIPTION = (
    "Only rows changed at or after this moment (ISO 8601 with its offset, not in the future). "
    "Deletions: `deleted/?resource=…`."
)
UPDATED_SINCE = OpenApiParameter(PARAM, OpenApiTypes.DATETIME, description=DESCRIPTION)


def updated_since_parameter() -> dict[str, Any]:
    return {
        "name": PARAM,
        "required": False,
        "in": "query",
        "description": DESCRIPTION,
        "schema": {"type": "string", "format": "date-time"},
    }
