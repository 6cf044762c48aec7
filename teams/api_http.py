"""HTTP-level API rules every view shares (docs/api.md, "Reading cheaply" and "Limits").

* Conditional GET: a list or a detail of a model with ``updated_at`` sends an ``ETag`` computed
  before anything is serialized — from the rows' count and newest ``updated_at`` (one aggregate
  query, whose count the list's pagination then reuses), the organisation's data version
  (``teams.api_sync``), the full path with its query string, and who asks (membership, role, token
  and language). ``If-None-Match`` with that tag answers 304 with no body.
* Rate limits per token (per signed-in user for sessions, per address without credentials): a
  fixed window counted in the shared cache (Redis), ``API_RATE_LIMIT`` in settings (e.g.
  ``1200/min``). Every answer carries ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``; a 429
  carries ``Retry-After`` (seconds).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .api_sync import UPDATED_FIELD, has_updated_at
from .counters import counter_incr
from .sync import data_versions

CONDITIONAL_ACTIONS = frozenset({"list", "retrieve"})


class NotModified(APIException):
    status_code = status.HTTP_304_NOT_MODIFIED

    def __init__(self, etag: str) -> None:
        super().__init__()
        self.etag = etag


def _counted_sql(queryset: Any) -> str:
    try:
        return str(queryset.order_by().query)
    except Exception:  # noqa: BLE001 - an empty or uncompilable queryset: never reused
        return ""


def entity_tag(view: Any, request: Request) -> str | None:
    """The validator of a GET of a list or a detail, or None where there is none."""
    if (request.method or "").upper() not in ("GET", "HEAD"):
        return None
    if getattr(view, "action", None) not in CONDITIONAL_ACTIONS:
        return None
    queryset = view.get_queryset()
    if not has_updated_at(queryset.model):
        return None
    if view.action == "list":
        queryset = view.filter_queryset(queryset)
    else:
        lookup = view.lookup_url_kwarg or view.lookup_field
        value = view.kwargs.get(lookup)
        if value is None:
            return None
        try:
            queryset = queryset.filter(**{view.lookup_field: value})
        except (TypeError, ValueError):
            return None
    queryset = queryset.order_by()
    facts = queryset.aggregate(n=Count("pk"), newest=Max(UPDATED_FIELD))
    if view.action == "list":  # the pagination's count, from the same query
        request._request.stretch_counted = (_counted_sql(queryset), facts["n"])  # type: ignore[attr-defined]
    membership = getattr(view, "membership", None)
    token = request.auth
    parts = [
        type(view).__qualname__,
        view.action,
        request.get_full_path(),
        str(getattr(membership, "pk", "")),
        str(getattr(membership, "role", "")),
        str(getattr(token, "pk", "")),
        str(getattr(token, "scope", "")),
        get_language() or "",
        str(facts["n"]),
        facts["newest"].isoformat() if facts["newest"] else "",
        *(str(v) for v in data_versions(getattr(getattr(view, "org", None), "pk", None))),
    ]
    return '"' + hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest() + '"'


def if_none_match(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags or "*" in tags


def known_count(request: Any, queryset: Any) -> int | None:
    """The count the ETag's aggregate found for this very queryset, or None."""
    counted = getattr(getattr(request, "_request", request), "stretch_counted", None)
    if counted is None or not counted[0]:
        return None
    return counted[1] if _counted_sql(queryset) == counted[0] else None


# --- Rate limits ------------------------------------------------------------------------------
_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


def rate() -> tuple[int, int]:
    """``API_RATE_LIMIT`` as (requests, window seconds)."""
    number, _slash, period = str(getattr(settings, "API_RATE_LIMIT", "1200/min")).partition("/")
    return int(number), _PERIODS[period.strip() or "min"]


class TokenRateThrottle(BaseThrottle):
    """A fixed window per token (or user, or address), counted atomically in the shared cache."""

    def allow_request(self, request: Request, view: Any) -> bool:
        limit, window = rate()
        if limit <= 0:
            return True
        token = request.auth
        if getattr(token, "pk", None) is not None and hasattr(token, "scope"):
            who = f"t{token.pk}"
        elif request.user and request.user.is_authenticated:
            who = f"u{request.user.pk}"
        else:
            who = f"a{self.get_ident(request)}"
        now = time.time()
        start = int(now // window * window)
        key = f"api:rate:{who}:{start}"
        used = counter_incr(key, timeout=window + 1)
        self.wait_seconds = max(1, int(start + window - now + 0.999))
        request._request.stretch_rate = (limit, max(0, limit - used))  # type: ignore[attr-defined]
        return used <= limit

    def wait(self) -> float | None:
        return float(getattr(self, "wait_seconds", 1))


class RateLimitHeadersMiddleware:
    """Copies the throttle's figures onto the answer (also onto a 429, which carries Retry-After)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        figures = getattr(request, "stretch_rate", None)
        if figures is not None:
            response["X-RateLimit-Limit"] = str(figures[0])
            response["X-RateLimit-Remaining"] = str(figures[1])
        return response
