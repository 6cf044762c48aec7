"""The one-on-one reminder: the day before, both people get an e-mail; two beats at once, a
retried job or a rerun remind once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from people import services
from people.models import Meeting
from people.tasks import remind_one_on_ones
from tests.concurrency import at_once


@pytest.mark.django_db
def test_tomorrows_one_on_one_is_reminded_once_to_both(
    org, meeting, lead, zhang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.one_on_one_reminders(org=org) == [meeting.pk]
    assert services.one_on_one_reminders(org=org) == []
    assert remind_one_on_ones.delay().get() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.user.email, zhang.user.email])
    assert "Zhang San" in next(m.subject for m in mail.outbox if m.to == [lead.user.email])


@pytest.mark.django_db
def test_a_meeting_further_away_is_not_reminded_yet(org, series, meeting, today):
    Meeting.objects.filter(pk=meeting.pk).update(day=today + timedelta(days=5))
    assert services.one_on_one_reminders(org=org) == []
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_remind_once(org, meeting, lead, zhang):
    def run():
        return remind_one_on_ones.delay().get(disable_sync_subtasks=False)

    results = at_once(run, run)
    run()
    assert sorted(results) == [0, 1]
    assert len(mail.outbox) == 2  # one e-mail to each of the two people
