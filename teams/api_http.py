"""HTTP-level API rules every view shares (docs/api.md, "Reading cheaply" and "Limits").

* Conditional GET: a list or a detail of a model with ``updated_at`` sends an ``ETag`` computed
  before anything is read or serialized — from the versions alone: the organisation's data version
  and everyone's (``teams.sync``, moved by every write to the apps' tables), the full path with
  its query string, and who asks (membership, role, token, language, time zone, date), keyed with
  a server secret. ``If-None-Match`` with that tag answers 304 with no body and no query beyond
  the permission checks.
* Rate limits per token (per signed-in user for sessions, per address without credentials): a
  fixed window counted in the shared cache (Redis, one round trip), ``API_RATE_LIMIT`` in settings (e.g.
  ``1200/min``). Every answer carries ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``; a 429
  carries ``Retry-After`` (seconds).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .api_sync import has_updated_at
from .sync import data_versions, version_keys

CONDITIONAL_ACTIONS = frozenset({"list", "retrieve"})


class NotModified(APIException):
    status_code = status.HTTP_304_NOT_MODIFIED

    def __init__(self, etag: str) -> None:
        super().__init__()
        self.etag = etag


_MODELS: dict[tuple[type, str], Any] = {}  # (view class, action) -> the model its queryset reads
_TAG_KEY: list[bytes] = []


def _model_of(view: Any) -> Any:
    """The model a view's action reads, found once per process (building its queryset may cost a
    query)."""
    key = (type(view), str(getattr(view, "action", "")))
    if key not in _MODELS:
        _MODELS[key] = view.get_queryset().model
    return _MODELS[key]


def _tag_key() -> bytes:
    """A server secret in every tag: a tag cannot be made up, only received in a 200. So a tag
    for a URL names a representation this person was given, never one they were refused."""
    if not _TAG_KEY:
        _TAG_KEY.append(hashlib.blake2b(f"etag:{settings.SECRET_KEY}".encode(), digest_size=32).digest())
    return _TAG_KEY[0]


def entity_tag(view: Any, request: Request) -> str | None:
    """The validator of a GET of a list or a detail, or None where there is none.

    From the versions alone — no row is read: the data versions (teams.sync: every write to the
    apps' tables moves them), the full path with its query string (page, filters, fields, expand),
    who asks (membership, role, token and its scope), the language, time zone and date (for what is
    worded or counted in days), the database. Called after authentication and the permission
    checks, so a 304 never reaches anyone who would be refused."""
    if (request.method or "").upper() not in ("GET", "HEAD"):
        return None
    action = getattr(view, "action", None)
    if action not in CONDITIONAL_ACTIONS or not has_updated_at(_model_of(view)):
        return None
    if action == "retrieve" and view.kwargs.get(view.lookup_url_kwarg or view.lookup_field) is None:
        return None
    membership = getattr(view, "membership", None)
    token = request.auth
    org_id = getattr(getattr(view, "org", None), "pk", None)
    read = getattr(request._request, "stretch_versions", None)  # by the throttle, in its round trip
    org_version, all_version = read[1] if read is not None and read[0] == org_id else data_versions(org_id)
    parts = [
        type(view).__qualname__,
        action,
        request.get_full_path(),
        str(getattr(membership, "pk", "")),
        str(getattr(membership, "role", "")),
        str(getattr(request.user, "pk", "")),
        str(getattr(token, "pk", "")),
        str(getattr(token, "scope", "")),
        get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        str(connection.settings_dict.get("NAME", "")),
        str(org_version),
        str(all_version),
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16, key=_tag_key())
    return '"' + digest.hexdigest() + '"'


def requested_tags(request: Request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",")} if header else set()


def if_none_match(request: Request, etag: str) -> bool:
    """The request names this very tag. (`*` asks whether the resource exists, which only the
    read itself tells: `finalize_response` turns that 200 into a 304.)"""
    return etag in requested_tags(request)


# --- Rate limits ------------------------------------------------------------------------------
_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


def rate() -> tuple[int, int]:
    """``API_RATE_LIMIT`` as (requests, window seconds)."""
    number, _slash, period = str(getattr(settings, "API_RATE_LIMIT", "1200/min")).partition("/")
    return int(number), _PERIODS[period.strip() or "min"]


def _count(key: str, *, timeout: int, read: list[str]) -> tuple[int, list[Any] | None]:
    """Add one to a window's counter and return it, with the values of `read` (the data versions
    a conditional GET needs next): on Redis one round trip (SET NX with its expiry, INCR and MGET
    in one MULTI); elsewhere the cache's add and incr, and None for `read`."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        pipe = backend._cache.get_client(full_key, write=True).pipeline(transaction=True)
        pipe.set(full_key, 0, ex=timeout, nx=True)
        pipe.incr(full_key)
        if read:
            pipe.mget([backend.make_and_validate_key(k) for k in read])
        answers = pipe.execute()
        values = [None if v is None else int(v) for v in answers[2]] if read else None
        return int(answers[1]), values
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key)), None
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1, None


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
        # A read of an organisation's list or detail needs its data versions next (entity_tag):
        # read in the same round trip (the permission check, before the throttle, found the org).
        org_id = getattr(getattr(view, "org", None), "pk", None)
        conditional = org_id is not None and (request.method or "").upper() in ("GET", "HEAD")
        read = version_keys(org_id) if conditional else []
        used, versions = _count(f"api:rate:{who}:{start}", timeout=window + 1, read=read)
        if versions is not None and None not in versions:
            request._request.stretch_versions = (org_id, tuple(versions))  # type: ignore[attr-defined]
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
