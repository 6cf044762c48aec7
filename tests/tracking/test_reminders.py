"""Stand-up reminders: after the team's time, on its working days, once per person and day."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from teams.models import Role
from tests import factories
from tests.conftest import login
from tracking import services
from tracking.models import Notification, Standup, TeamRhythm

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def team(org):
    org.timezone = "Asia/Shanghai"
    org.save()
    return factories.team(org, "Operations")


def test_reminders_after_the_team_time_on_working_days_once(org, team, django_capture_on_commit_callbacks):
    quiet = factories.member(org, name="Quiet", teams=[team])
    early = factories.member(org, name="Early", teams=[team])
    emailed = factories.member(org, name="Mail me", teams=[team])
    services.preference_save(member=emailed, reminder_channel="email")
    factories.member(org, Role.MANAGER, teams=[team])  # managers run the stand-up; not reminded
    monday = dt.date(2026, 11, 23)
    Standup.objects.create(org=org, member=early, day=monday, today="x")
    assert services.standup_reminders(org=org, now=at(monday, 9, 30)) == []  # before 10:00
    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.standup_reminders(org=org, now=at(monday, 10, 15))
    assert sorted(reminded) == sorted([quiet.pk, emailed.pk])
    services.standup_reminders(org=org, now=at(monday, 10, 30))  # the next run: nothing new
    assert Notification.objects.filter(kind="reminder").count() == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [emailed.user.email]
    assert "/tracking/standup/" in mail.outbox[0].body
    saturday = dt.date(2026, 11, 28)
    assert services.standup_reminders(org=org, now=at(saturday, 11)) == []


def test_the_team_sets_its_time_and_days(org, team, manager, member):
    member.teams.add(team)
    team.managers.add(manager)
    client = login(manager)
    response = client.post(reverse("team_rhythm", args=[org.slug, team.pk]),
                           {"standup_time": "09:15", "working_days": ["1", "2", "3", "4", "5", "6"], "reminders": "on"})  # fmt: skip
    assert response.status_code == 302
    rhythm = TeamRhythm.objects.get(team=team)
    assert rhythm.standup_time == dt.time(9, 15) and rhythm.working_days == "123456"
    saturday = dt.date(2026, 11, 28)
    assert services.standup_reminders(org=org, now=at(saturday, 9, 20)) == [member.pk]
    bad = client.post(reverse("team_rhythm", args=[org.slug, team.pk]), {"standup_time": "09:15"})
    # Refused in place (the board again, with the form as typed and the reason next to the field).
    assert bad.status_code == 400 and TeamRhythm.objects.get(team=team).working_days == "123456"
    assert "This field is required." in bad.content.decode()
    assert login(member).post(reverse("team_rhythm", args=[org.slug, team.pk]), {}).status_code == 403


def test_member_chooses_the_reminder_channel(org, member):
    client = login(member)
    assert "Remind me" in client.get(reverse("standup", args=[org.slug])).content.decode()
    client.post(reverse("reminder_preference", args=[org.slug]), {"reminder_channel": "email"})
    assert member.tracking_preference.reminder_channel == "email"
    client.post(reverse("reminder_preference", args=[org.slug]), {"reminder_channel": "carrier pigeon"})
    member.tracking_preference.refresh_from_db()
    assert member.tracking_preference.reminder_channel == "email"
