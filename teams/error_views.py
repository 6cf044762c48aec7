"""The health check for load balancers, and the error pages (HTML for pages, JSON for the API).
``config`` refers to them by their ``teams.views`` names, which re-export them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors
from .access import public_page
from .errors import NotAllowed
from .health import broker_status, database_status, degraded_reasons, outbox_status


# --- Health -----------------------------------------------------------------------------------
@public_page
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: database and broker. 503 when either is down;
    "degraded" (200) when both answer but jobs saved while the queue was down still wait."""
    database = database_status()
    broker = broker_status()
    outbox = outbox_status() if database["ok"] else {"ok": False}
    last = selectors.heartbeat_latest(limit=1) if database["ok"] else []
    ok = database["ok"] and broker["ok"]
    body = {
        "status": ("ok" if outbox["ok"] else "degraded") if ok else "error",
        "database": database,
        "broker": broker,
        "outbox": outbox,
        "degraded": degraded_reasons(database, broker, outbox),
        "heartbeat": last[0].recorded_at.isoformat() if last else None,
    }
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


# --- Error pages ------------------------------------------------------------------------------
def _error(request: HttpRequest, status: int, detail: str | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        from .api_support import error_body

        codes = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}
        messages_ = {
            400: _("Bad request."),
            403: _("You do not have permission to do this."),
            404: _("Not found."),
            500: _("Something went wrong on our side. It has been logged."),
        }
        return JsonResponse(
            error_body(status=status, code=codes[status], detail=detail or messages_[status]), status=status
        )
    return render(request, "errors/error.html", {"status": status, "detail": detail}, status=status)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A service's refusal says why in words; any other refusal keeps the generic sentence.
    return _error(request, 403, exception.message or None if isinstance(exception, NotAllowed) else None)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    detail = _("Your form expired or came from another site. Reload the page and try again.")
    return _error(request, 403, detail)
