"""API support loaded by DRF's settings (pagination, error format). Kept apart from
teams.api_base because DRF imports these while its own generic views are being defined."""

from __future__ import annotations

import base64
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import NotAllowed

# The one maximum page size of every list, by page number or by cursor (docs/api.md, "Limits"; the
# schema's `maximum` of `page_size`): above it a 400 naming `page_size`.
MAX_PAGE_SIZE = 1000


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        """A `page` that is present must be given (`?page=` is a 400 naming it, as the schema's
        integer says), not silently read as the first page."""
        values = request.query_params.getlist(self.page_query_param)
        if any(value == "" for value in values):
            from rest_framework import serializers

            raise exceptions.ValidationError(
                {self.page_query_param: [serializers.IntegerField.default_error_messages["invalid"]]}
            )
        return super().get_page_number(request, paginator)

    def get_page_size(self, request: Any) -> int | None:
        """A page_size that is not a whole number from 1 to max_page_size is refused (400), as the
        schema says, rather than silently replaced by the default or capped."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            from rest_framework import serializers

            try:
                serializers.IntegerField(min_value=1, max_value=self.max_page_size).run_validation(raw)
            except exceptions.ValidationError as error:
                raise exceptions.ValidationError({self.page_size_query_param: error.detail}) from None
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = (
                    f"Rows per page (default {self.page_size}, at most {self.max_page_size})."
                )
        return parameters


class CursorPagination(Pagination):
    """Page numbers as `Pagination`, or, when the `cursor` parameter is present (empty: the first
    page), pages by cursor for integrators that pull a whole list: rows in id order after the
    cursor, up to MAX_PAGE_SIZE a page, `next` carrying the next cursor. A row added while the pages are
    read comes after every row there was (ids only grow), so each row comes exactly once."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self.cursor_mode = self.cursor_query_param in request.query_params
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        after = decode_cursor(request.query_params.getlist(self.cursor_query_param)[-1])
        size = self._cursor_page_size(request)
        rows = list(queryset.order_by("pk").filter(pk__gt=after)[: size + 1])
        self.next_after = _row_id(rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    def _cursor_page_size(self, request: Any) -> int:
        return self.get_page_size(request) or self.page_size  # the same rule and maximum as page numbers

    def get_paginated_response(self, data: Any) -> Response:
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        next_url = None
        if self.next_after is not None:
            next_url = replace_query_param(
                self.request.build_absolute_uri(), self.cursor_query_param, encode_cursor(self.next_after)
            )
        return Response({"next": next_url, "previous": None, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        body = super().get_paginated_response_schema(schema)
        body["required"] = ["results"]  # `count` is left out of cursor pages
        body["properties"]["count"]["description"] = "Rows in all (page numbers only; not in cursor pages)."
        return body

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        parameters.append({
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "Page by cursor (in id order): empty for the first page, then the cursor of `next`. "
            "Every row comes exactly once, even while rows are added.",
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]*$", "maxLength": 40},
        })  # fmt: skip
        return parameters


def _row_id(row: Any) -> int:
    """The id of a paged row: a model instance, a `values()` dict or a `values_list()` tuple (id first)."""
    if isinstance(row, dict):
        return int(row["id"])
    return int(row[0] if isinstance(row, tuple) else row.pk)


def encode_cursor(after: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> int:
    """The id a cursor points after (0 for the empty cursor: the first page); a cursor that is not
    one this API gave is a 400 naming `cursor`."""
    if raw == "":
        return 0
    if len(raw) > 40 or not raw.replace("-", "").replace("_", "").isalnum() or not raw.isascii():
        raw = "!"
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        text = ""
    prefix, _sep, number = text.partition(":")
    if prefix != "after" or not number.isdigit() or len(number) > 18 or len(raw) > 40:
        raise exceptions.ValidationError(
            {"cursor": [_("This cursor is not valid: start again with an empty cursor.")]}
        )
    return int(number)


# --- Errors -----------------------------------------------------------------------------------
def _flatten(detail: Any, attr: str | None = None) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        out: list[dict[str, Any]] = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else str(key)
            out.extend(_flatten(value, f"{attr}.{name}" if attr and name else (name or attr)))
        return out
    if isinstance(detail, list):
        out = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list) and not isinstance(item, exceptions.ErrorDetail):
                out.extend(_flatten(item, f"{attr}.{index}" if attr else str(index)))
            else:
                out.extend(_flatten(item, attr))
        return out
    code = getattr(detail, "code", None) or "invalid"
    return [{"attr": attr, "code": code, "detail": str(detail)}]


_TYPES = {
    400: "validation_error",
    401: "authentication_error",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def error_body(*, status: int, code: str, detail: str, attr: str | None = None) -> dict[str, Any]:
    return {
        "type": _TYPES.get(status, "server_error" if status >= 500 else "error"),
        "code": code,
        "detail": detail,
        "attr": attr,
        "errors": [{"attr": attr, "code": code, "detail": detail}],
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error has the same shape:
    ``{"type", "code", "detail", "attr", "errors": [{"attr", "code", "detail"}, …]}`` where
    ``attr`` names the failing field (dotted for nested fields, null when not about one field)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, NotAllowed):  # a service's refusal, with its reason in words
        exc = exceptions.PermissionDenied(exc.message or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ParseError):
        errors = [{"attr": None, "code": "parse_error", "detail": str(exc.detail)}]
    elif isinstance(exc, exceptions.APIException):
        errors = _flatten(exc.detail)
    else:  # pragma: no cover - DRF only returns responses for APIException subclasses
        errors = [{"attr": None, "code": "error", "detail": str(exc)}]
    if not errors:
        errors = [{"attr": None, "code": "invalid", "detail": _("Invalid request.")}]
    first = errors[0]
    body = {
        "type": "parse_error"
        if isinstance(exc, exceptions.ParseError)
        else _TYPES.get(response.status_code, "error"),
        "code": first["code"],
        "detail": first["detail"],
        "attr": first["attr"],
        "errors": errors,
    }
    response.data = body
    return response
