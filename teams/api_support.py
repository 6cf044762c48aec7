"""API support loaded by DRF's settings (pagination, error format). Kept apart from
teams.api_base because DRF imports these while its own generic views are being defined."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator as DjangoPaginator
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import NotAllowed


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        from .api_http import known_count

        self._known_count = known_count(request, queryset)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list: Any, per_page: int) -> DjangoPaginator[Any]:  # type: ignore[override]
        """Django's paginator, told the count the ETag's aggregate already found (no second count)."""
        paginator = DjangoPaginator(object_list, per_page)
        known = getattr(self, "_known_count", None)
        if known is not None:
            paginator.__dict__["count"] = known
        return paginator

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
