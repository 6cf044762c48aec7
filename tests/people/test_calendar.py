"""The calendar feed: valid iCalendar (RFC 5545) with the person's one-on-ones and their teams'
reviews, opened by its secret alone; a revoked or replaced secret answers 404."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from people import services
from people.ics import Event, calendar_text, escape
from people.models import CalendarFeed
from teams.models import AuditEntry

pytestmark = pytest.mark.django_db


def parse(text: str) -> list[dict[str, list[str]]]:
    """A strict little RFC 5545 reader: CRLF only, lines of at most 75 octets, unfolding, and
    balanced BEGIN/END; returns each VEVENT's properties (name without parameters → values)."""
    assert text.endswith("\r\n")
    raw = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in raw)
    assert all(len(line.encode()) <= 75 for line in raw)
    lines: list[str] = []
    for line in raw:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events: list[dict[str, list[str]]] = []
    stack: list[str] = []
    for line in lines:
        name, _sep, value = line.partition(":")
        assert _sep, line
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack and stack[-1] == "VEVENT":
            events[-1].setdefault(name.split(";")[0], []).append(value)
    assert not stack
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert len(event.get(required, [])) == 1, (required, event)
    return events


def unescape(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def test_text_is_escaped_and_long_lines_are_folded_without_breaking_characters():
    summary = "One-on-one, 陈经理; notes\\ok\n" + "长" * 60
    text = calendar_text(name="Stretch", events=[Event(uid="a@x", day=date(2026, 12, 7), summary=summary)],
                         now=datetime(2026, 12, 5, tzinfo=UTC))  # fmt: skip
    (event,) = parse(text)
    assert unescape(event["SUMMARY"][0]) == summary
    assert event["DTSTART"] == ["20261207"] and event["DTEND"] == ["20261208"]
    assert escape("a,b;c") == "a\\,b\\;c"


def test_the_feed_lists_my_one_on_ones_and_my_teams_reviews(client, org, series, meeting, lead, zhang):
    feed = services.calendar_feed_regenerate(member=zhang)
    response = client.get(reverse("calendar_feed", args=[feed.secret]))  # nobody signed in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = parse(response.content.decode())
    summaries = [unescape(e["SUMMARY"][0]) for e in events]
    assert "One-on-one with Chen Lead" in summaries
    one_on_one = next(e for e in events if "Chen Lead" in e["SUMMARY"][0])
    assert one_on_one["DTSTART"] == [meeting.day.strftime("%Y%m%d")]
    assert one_on_one["URL"][0].endswith(reverse("people_meeting", args=[org.slug, meeting.pk]))
    assert any(s == "Weekly review · Operations" for s in summaries)
    assert any(s == "Monthly review · Operations" for s in summaries)
    assert len({e["UID"][0] for e in events}) == len(events)


def test_the_feed_speaks_the_persons_language(client, org, series, zhang):
    zhang.user.language = "zh-hans"
    zhang.user.save(update_fields=["language"])
    feed = services.calendar_feed_regenerate(member=zhang)
    events = parse(client.get(reverse("calendar_feed", args=[feed.secret])).content.decode())
    assert any(unescape(e["SUMMARY"][0]) == "与 Chen Lead 的一对一沟通" for e in events)


def test_a_revoked_or_replaced_secret_answers_404(client, org, zhang, series):
    old = services.calendar_feed_regenerate(member=zhang).secret
    new = services.calendar_feed_regenerate(member=zhang).secret
    assert old != new
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
    assert services.calendar_feed_revoke(member=zhang)
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 404
    assert client.get(reverse("calendar_feed", args=["guess"])).status_code == 404
    assert not any(
        secret in f"{e.changes} {e.target_repr}" for e in AuditEntry.objects.all() for secret in (old, new)
    )


def test_a_deactivated_person_s_feed_answers_404(client, zhang, series):
    feed = services.calendar_feed_regenerate(member=zhang)
    zhang.is_active = False
    zhang.save(update_fields=["is_active"])
    assert client.get(reverse("calendar_feed", args=[feed.secret])).status_code == 404


def test_the_page_makes_replaces_and_revokes_my_address(client, org, zhang, lead):
    client.force_login(zhang.user)
    url = reverse("people_calendar", args=[org.slug])
    assert "no calendar address" in client.get(url).content.decode()
    assert client.post(url, {"action": "regenerate"}).status_code == 302
    feed = CalendarFeed.objects.get(member=zhang)
    page = client.get(url).content.decode()
    assert feed.secret in page
    client.force_login(lead.user)  # another person never sees it
    assert feed.secret not in client.get(url).content.decode()
    client.force_login(zhang.user)
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    assert client.post(url, {"action": "revoke"}).status_code == 302
    assert not CalendarFeed.objects.exists()


def test_the_feed_reads_a_fixed_number_of_queries(
    client, org, series, zhang, lead, django_assert_max_num_queries
):
    feed = services.calendar_feed_regenerate(member=zhang)
    for _n in range(5):
        services.meeting_hold(meeting=series.meetings.filter(held_at__isnull=True).get(), actor=lead)
    with django_assert_max_num_queries(4):
        events = parse(client.get(reverse("calendar_feed", args=[feed.secret])).content.decode())
    assert sum("Chen Lead" in e["SUMMARY"][0] for e in events) == 6
