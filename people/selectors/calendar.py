"""The calendar feed's reads: a person's feed (by their membership, or by the secret alone for the
feed address), and its events — their one-on-ones and their teams' reviews, in a fixed number of
queries.

The product has review periods, not review meetings: the weekly review (周例会) is put on the
week's Friday and the monthly review (月度复盘会) on the month's last working day (Monday–Friday),
for the coming weeks and months."""

from __future__ import annotations

import calendar as cal
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from teams.models import Membership, Team
from teams.selectors import org_today

from ..ics import Event
from ..models import CalendarFeed, Meeting

PAST_DAYS = 90
WEEKS_AHEAD = 8
MONTHS_AHEAD = 3


def calendar_feed_for(*, member: Membership) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(member=member).first()


def calendar_feed_by_secret(*, secret: str) -> CalendarFeed:
    """The feed whose secret this is, or 404 (a revoked or regenerated secret, or a guess)."""
    feed = (
        CalendarFeed.objects.select_related("member__user", "member__org", "org")
        .filter(secret=secret, member__is_active=True).first()
    )  # fmt: skip
    if feed is None or not secret:
        raise Http404("No calendar.")
    return feed


def _last_working_day(year: int, month: int) -> date:
    day = date(year, month, cal.monthrange(year, month)[1])
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def review_days(today: date) -> tuple[list[date], list[date]]:
    """The weekly review days (Fridays) and monthly review days ahead, from this week and month."""
    friday = today - timedelta(days=today.weekday()) + timedelta(days=4)
    weeks = [friday + timedelta(weeks=n) for n in range(WEEKS_AHEAD)]
    months = []
    year, month = today.year, today.month
    for _n in range(MONTHS_AHEAD):
        months.append(_last_working_day(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return weeks, months


def calendar_events(*, feed: CalendarFeed) -> list[Event]:
    """The person's one-on-ones (the last three months and every one ahead) and their teams'
    reviews ahead, in their language: three queries."""
    member = feed.member
    org = member.org
    today = org_today(org)
    base = settings.SITE_URL.rstrip("/")
    host = base.split("://")[-1].split("/")[0] or "stretch"
    meetings = (
        Meeting.objects.filter(org=org, series__active=True, day__gte=today - timedelta(days=PAST_DAYS))
        .filter(Q(series__manager=member) | Q(series__member=member))
        .select_related("series__manager__user", "series__member__user").order_by("day", "pk")
    )  # fmt: skip
    teams = list(
        Team.objects.filter(org=org)
        .filter(Q(members=member) | Q(managers=member))
        .distinct()
        .order_by("name")
    )
    weeks, months = review_days(today)
    events = []
    with translation.override(member.user.language or org.default_language):
        for meeting in meetings:
            series = meeting.series
            other = series.member if series.manager_id == member.pk else series.manager
            events.append(Event(uid=f"one-on-one-{meeting.pk}@{host}", day=meeting.day,
                                summary=_("One-on-one with %(name)s") % {"name": other.user.get_full_name() or other.user.email},
                                url=base + reverse("people_meeting", args=[org.slug, meeting.pk])))  # fmt: skip
        for team in teams:
            for day in weeks:
                events.append(Event(uid=f"weekly-review-{team.pk}-{day.isoformat()}@{host}", day=day,
                                    summary=_("Weekly review · %(team)s") % {"team": team.name},
                                    url=base + reverse("weekly_review", args=[org.slug, team.pk])))  # fmt: skip
            for day in months:
                events.append(Event(uid=f"monthly-review-{team.pk}-{day.isoformat()}@{host}", day=day,
                                    summary=_("Monthly review · %(team)s") % {"team": team.name},
                                    url=base + reverse("monthly_review", args=[org.slug, team.pk])))  # fmt: skip
    return events
