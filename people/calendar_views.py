"""The calendar feed: a page where a person makes, replaces or revokes their secret address, and
the feed itself (ICS), which the secret alone opens — calendar apps sign in to nothing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from teams.access import ALL_ROLES, OrgRequest, org_page, public_page

from . import selectors, services
from .ics import calendar_text


@org_page(roles=ALL_ROLES)
@require_http_methods(["GET", "POST"])
def calendar_view(request: OrgRequest) -> HttpResponse:
    """My calendar address: make it, replace it (the old one stops at once) or revoke it."""
    member = request.membership
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            services.calendar_feed_revoke(member=member)
            messages.success(request, _("Your calendar address is revoked: it no longer works."))
        elif action == "regenerate":
            services.calendar_feed_regenerate(member=member)
            messages.success(request, _("Your new calendar address is ready; the old one no longer works."))
        else:
            return render(request, "people/calendar.html", {"feed": selectors.calendar_feed_for(member=member),
                          "error": _("Choose to make a new address or to revoke it.")}, status=400)  # fmt: skip
        return redirect("people_calendar", org_slug=request.org.slug)
    feed = selectors.calendar_feed_for(member=member)
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.secret])) if feed else ""
    return render(request, "people/calendar.html", {"feed": feed, "feed_url": url})


@public_page
@never_cache
@require_GET
def calendar_feed_view(request: HttpRequest, secret: str) -> HttpResponse:
    """The ICS feed: the secret in the address is the only credential (404 once revoked)."""
    feed = selectors.calendar_feed_by_secret(secret=secret)
    text = calendar_text(name=f"Stretch · {feed.org.name}", events=selectors.calendar_events(feed=feed),
                         now=timezone.now())  # fmt: skip
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="stretch.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
