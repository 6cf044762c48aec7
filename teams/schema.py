"""The OpenAPI schema's house rules (drf-spectacular).

* ``ApiTokenScheme`` describes the personal-token authentication (loaded by TeamsConfig.ready).
* ``AutoSchema`` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds to every operation the error answers
  the API really gives, in its one error shape (``teams.api_support.exception_handler``): 400, 401,
  403 and 404 for organisation and user endpoints; nothing for the public ones (ping).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "teams.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token, created on the API tokens page: `Token st_…`.",
        }


class ErrorItemSerializer(serializers.Serializer[Any]):
    attr = serializers.CharField(
        allow_null=True,
        help_text="The failing field, dotted for nested fields; null when not about one field.",
    )
    code = serializers.CharField(
        help_text="Machine-readable reason, e.g. `required`, `invalid`, `not_found`."
    )
    detail = serializers.CharField(help_text="The sentence to show, in the user's language.")


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error answer of the API (teams.api_support.exception_handler)."""

    type = serializers.CharField(
        help_text="`validation_error`, `parse_error`, `authentication_error`, `permission_denied`, "
        "`not_found`, `method_not_allowed`, `throttled`…"
    )
    code = serializers.CharField(help_text="The first error's code.")
    detail = serializers.CharField(help_text="The first error's sentence.")
    attr = serializers.CharField(allow_null=True, help_text="The first error's field, or null.")
    errors = ErrorItemSerializer(many=True, help_text="Every error, one per field and problem.")


ERROR_RESPONSES: dict[str, str] = {
    "400": "The request is invalid: a field, a query parameter or a business rule (see `errors`).",
    "401": "No valid credentials: send `Authorization: Token <key>` or a session cookie.",
    "403": "Signed in, but the role or the object's rules do not allow this (the reason is in `detail`).",
    "404": "No such object in this organisation, or not a member of the organisation in the URL.",
}


RATE_LIMITED = (
    "Too many requests for this token in its window (`API_RATE_LIMIT`, e.g. 1200 a minute): wait "
    "`Retry-After` seconds."
)
RATE_HEADERS: dict[str, Any] = {
    "X-RateLimit-Limit": {
        "schema": {"type": "integer"},
        "description": "Requests this token (or signed-in user) may make in the current window.",
    },
    "X-RateLimit-Remaining": {
        "schema": {"type": "integer"},
        "description": "Requests left in the current window.",
    },
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, plus the error answers every non-public operation can give,
    and two truths about request bodies (docs/api.md, "Strict input"):

    * a body is documented as JSON wherever the operation takes JSON (form encodings still work
      but are not the contract: an array or a number cannot be told from text in a form);
    * a decimal is sent as a JSON number or as a decimal string (`12.5` or `"12.50"`), both read exactly.
    """

    def map_parsers(self) -> list[Any]:
        media_types: list[Any] = super().map_parsers()
        return ["application/json"] if "application/json" in media_types else media_types

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)  # type: ignore[no-untyped-call]
        if (
            direction != "request"
            or not isinstance(field, serializers.DecimalField)
            or schema.get("type") != "string"
        ):
            return schema
        text: dict[str, Any] = {
            key: schema.pop(key) for key in ("type", "format", "pattern") if key in schema
        }
        number: dict[str, Any] = {"type": "number"}
        if field.max_whole_digits is not None:
            bound = 10**field.max_whole_digits
            number.update(maximum=bound, minimum=-bound, exclusiveMaximum=True, exclusiveMinimum=True)
        self._insert_min_max(field, number)
        if schema.get("nullable"):
            text["nullable"] = number["nullable"] = True
        return {"anyOf": [text, number], **schema}

    def _conditional(self) -> bool:
        """A list or a detail answering conditional GETs (teams.api_http)."""
        from .api_http import CONDITIONAL_ACTIONS
        from .api_sync import has_updated_at

        if self.method != "GET" or getattr(self.view, "action", None) not in CONDITIONAL_ACTIONS:
            return False
        try:
            return has_updated_at(self.view.get_queryset().model)
        except Exception:  # noqa: BLE001 - a view without a queryset
            return False

    def _get_response_headers_for_code(self, status_code: Any, direction: Any = "response") -> dict[str, Any]:
        headers: dict[str, Any] = super()._get_response_headers_for_code(status_code, direction)
        headers.update(RATE_HEADERS)
        if str(status_code) == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds until the token's window starts again.",
            }
        if str(status_code) in ("200", "304") and self._conditional():
            headers["ETag"] = {
                "schema": {"type": "string"},
                "description": "The validator of this representation: send it back as `If-None-Match`.",
            }
        return headers

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        responses["429"] = self._get_response_for_code(
            OpenApiResponse(response=ErrorSerializer, description=RATE_LIMITED), "429", direction=direction
        )
        if self._conditional():
            responses["304"] = {
                "description": "Not modified: the `If-None-Match` validator still holds (no body).",
                "headers": self._get_response_headers_for_code("304", direction),
            }
        if getattr(self.view, "stretch_access_kind", None) == "public":
            return responses
        for status, description in ERROR_RESPONSES.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=description),
                    status,
                    direction=direction,
                )
        return responses
