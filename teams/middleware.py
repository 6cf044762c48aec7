"""Request pipeline pieces of the tenancy core."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from .access import access_of
from .selectors import team_scope_cache
from .sync import reset_writing_for, set_writing_for

logger = logging.getLogger(__name__)
Handler = Callable[[HttpRequest], HttpResponse]


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class HealthCheckMiddleware:
    """Answer /healthz before host validation and the HTTPS redirect, so that load balancers that
    probe by IP address over plain HTTP get the real answer. The view is the same public one."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz" and request.method in ("GET", "HEAD"):
            from .views import healthz_view

            return healthz_view(request)
        return self.get_response(request)


class BodySizeGuardMiddleware:
    """Refuse a body larger than the limit before anything reads it (413, with a clear message).
    Uploads (multipart) may be up to REQUEST_MAX_BODY_SIZE, anything else up to
    DATA_UPLOAD_MAX_MEMORY_SIZE – DRF's parsers read the stream without Django's own limit."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = (
            settings.REQUEST_MAX_BODY_SIZE
            if content_type.startswith("multipart/")
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if length > limit:
            megabytes = f"{limit / (1024 * 1024):.0f}"
            detail = _("The request body is larger than the limit of %(size)s MB.") % {"size": megabytes}
            if is_api_request(request):
                from .api_support import error_body

                return JsonResponse(
                    error_body(status=413, code="request_too_large", detail=detail), status=413
                )
            return render(request, "errors/error.html", {"status": 413, "detail": detail}, status=413)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign a user out after SESSION_IDLE_TIMEOUT seconds without a request. The activity stamp
    is rewritten at most once a minute, so an active session is not saved on every request."""

    KEY = "_last_activity"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if is_api_request(request):
                    from .api_support import error_body

                    detail = _("Your session expired after a period of inactivity. Sign in again.")
                    return JsonResponse(
                        error_body(status=401, code="session_expired", detail=detail),
                        status=401,
                    )
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect_to_login(request.get_full_path())
            if last is None or now - int(last) >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


class LanguageMiddleware:
    """Language: the user's choice (account setting, or the language cookie before sign-in), then
    the organisation's default (applied by the access core once the organisation is known), then
    the browser's Accept-Language."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            language = user.language
        elif user is None or not user.is_authenticated:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if cookie and cookie in dict(settings.LANGUAGES):
                language = cookie
        if language is None:
            language = translation.get_language_from_request(request, check_path=False)
        # override() restores the thread's previous language afterwards, so nothing leaks into
        # the next request served by this thread.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            writing_for = set_writing_for(None)  # the organisation the access core enters (teams.sync)
            try:
                response = self.get_response(request)
            finally:
                timezone.deactivate()  # the access core may have activated the org's time zone
                reset_writing_for(writing_for)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", translation.get_language())
        return response


class HtmxMessagesMiddleware:
    """Messages that a view adds while answering an htmx request (a row added in place, a form
    swapped back with its errors) show with that answer: they are swapped out of band into the
    page's message area. Left in the queue, they would greet the person on whatever page they
    open next, far from what they did. An answer that reloads or leaves the page keeps them for
    the page that follows."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") != "true"
            or request.headers.get("HX-Boosted")
            or response.streaming
            or response.status_code == 204
            or 300 <= response.status_code < 400
            or any(name in response.headers for name in ("HX-Refresh", "HX-Redirect", "HX-Location"))
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        storage = getattr(request, "_messages", None)
        if storage is None or storage.used:  # no messages, or the answer has shown them already
            return response
        pending = list(storage)  # marks them shown: the message middleware then drops them
        if pending:
            html = render_to_string(
                "includes/messages.html", {"messages": pending, "oob": True}, request=request
            )
            response.content = response.content + html.encode(response.charset)
        return response


class AccessDeclarationMiddleware:
    """Fail closed: a view that declares no access rule (teams.access / teams.api_base) is
    refused, and so is a view that takes an organisation from the URL without being an
    organisation view. The URL-walking test turns both into test failures. It also gives each
    request its own memory of who manages which teams (teams.selectors.team_scope_cache), so a
    page decides about many rows with one read of the person's reach."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with team_scope_cache():
            return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        access = access_of(view_func)
        problem = None
        if access is None:
            problem = "declares no access rule"
        elif "org_slug" in view_kwargs and access.kind != "org":
            problem = "takes org_slug but is not an organisation view"
        if problem is None:
            return None
        name = getattr(view_func, "__qualname__", repr(view_func))
        logger.error("Refused %s: view %s %s", request.path, name, problem)
        if is_api_request(request):
            from .api_support import error_body

            return JsonResponse(
                error_body(status=403, code="undeclared_view", detail=_("This endpoint is not available.")),
                status=403,
            )
        return render(request, "errors/error.html", {"status": 403}, status=403)
