"""Pulses on a schedule: beat opens each scheduled pulse once (a rerun, a retried job or two beats
at once open nothing twice), and reminds those who have not answered once — in the app and on the
team's channels, never saying what anyone answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from people import services
from people.models import Pulse, PulseSchedule
from people.questions import ENPS
from people.tasks import run_pulse_schedules
from teams.errors import NotAllowed
from teams.models import Role
from tests import factories
from tests.concurrency import at_once
from tracking.models import Delivery, Notification, NotificationChannel


@pytest.fixture
def hr(org):
    return factories.member(org, Role.HR, name="Zhou HR")


@pytest.fixture
def weekly(lead, ops, today):
    return services.schedule_create(
        actor=lead, team=ops, cadence="weekly", next_on=today, days_open=3, threshold=3
    )


def answer(pulse, person, score=4):
    keys = list(pulse.questions.values_list("key", flat=True))
    services.pulse_answer(pulse=pulse, member=person, scores=dict.fromkeys(keys, score))


@pytest.mark.django_db
def test_a_scheduled_pulse_opens_once_on_its_day_and_the_schedule_moves_on(org, weekly, ops, today):
    opened = services.scheduled_pulses_open(org=org, today=today)
    assert len(opened) == 1
    pulse = Pulse.objects.get(pk=opened[0])
    assert (pulse.team, pulse.opens_on, pulse.closes_on, pulse.threshold) == (
        ops,
        today,
        today + timedelta(days=2),
        3,
    )
    assert 4 <= pulse.questions.count() <= 5
    assert services.scheduled_pulses_open(org=org, today=today) == []  # a rerun the same day
    assert run_pulse_schedules.delay().get() == 0  # the beat job too
    weekly.refresh_from_db()
    assert weekly.next_on == today + timedelta(days=7)
    assert services.scheduled_pulses_open(org=org, today=today + timedelta(days=6)) == []
    nxt = services.scheduled_pulses_open(org=org, today=today + timedelta(days=7))
    assert len(nxt) == 1 and Pulse.objects.filter(schedule=weekly).count() == 2


@pytest.mark.django_db
def test_scheduled_pulses_rotate_questions_and_ask_eNPS_once_a_quarter(org, weekly, today):
    keys = []
    for week in range(3):
        (pulse_id,) = services.scheduled_pulses_open(org=org, today=today + timedelta(days=7 * week))
        keys.append(list(Pulse.objects.get(pk=pulse_id).questions.values_list("key", flat=True)))
    assert keys[0] != keys[1] != keys[2]
    assert sum(ENPS in k for k in keys) <= 2  # at most once per fiscal quarter; 3 weeks span two at most
    assert ENPS in keys[0]


@pytest.mark.django_db
def test_missed_days_open_one_pulse_today_not_one_per_missed_week(org, weekly, today):
    later = today + timedelta(days=22)
    assert len(services.scheduled_pulses_open(org=org, today=later)) == 1
    weekly.refresh_from_db()
    assert weekly.next_on == today + timedelta(days=28)
    assert Pulse.objects.get(schedule=weekly).opens_on == later


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_open_one_pulse_and_remind_once(org, lead, ops, zhang, today):
    services.schedule_create(actor=lead, team=ops, cadence="weekly", next_on=today, days_open=3, threshold=3)
    results = at_once(lambda: services.scheduled_pulses_open(org=org, today=today),
                      lambda: services.scheduled_pulses_open(org=org, today=today))  # fmt: skip
    assert sorted(len(r) for r in results) == [0, 1]
    assert Pulse.objects.count() == 1
    remind_day = today + timedelta(days=1)
    results = at_once(lambda: services.pulse_reminders(org=org, today=remind_day),
                      lambda: services.pulse_reminders(org=org, today=remind_day))  # fmt: skip
    assert sorted(len(r) for r in results) == [0, 1]
    assert Notification.objects.filter(recipient=zhang, kind="pulse").count() == 1

    def run():
        return run_pulse_schedules.delay().get(disable_sync_subtasks=False)

    assert at_once(run, run) == [0, 0]  # the beat job itself: nothing more to open or remind today


@pytest.mark.django_db
def test_a_stopped_schedule_opens_nothing(org, weekly, lead, today):
    services.schedule_stop(actor=lead, schedule=weekly)
    assert services.scheduled_pulses_open(org=org, today=today) == []


@pytest.mark.django_db
def test_bad_schedules_are_refused_naming_the_field(org, lead, ops, other_lead, today, hr):
    cases = [
        ({"cadence": "daily"}, "cadence"),
        ({"next_on": today - timedelta(days=1)}, "next_on"),
        ({"next_on": None}, "next_on"),
        ({"days_open": 0}, "days_open"),
        ({"days_open": 8}, "days_open"),
        ({"threshold": 2}, "threshold"),
    ]
    for change, field in cases:
        data = {"cadence": "weekly", "next_on": today, "days_open": 3, "threshold": 5, **change}
        with pytest.raises(ValidationError) as error:
            services.schedule_create(actor=lead, team=ops, **data)
        assert field in error.value.message_dict
    assert not PulseSchedule.objects.exists()
    with pytest.raises(NotAllowed):  # a manager schedules their own team's pulses only
        services.schedule_create(
            actor=other_lead, team=ops, cadence="weekly", next_on=today, days_open=3, threshold=5
        )
    with pytest.raises(NotAllowed):
        services.schedule_create(
            actor=lead, team=None, cadence="weekly", next_on=today, days_open=3, threshold=5
        )
    services.schedule_create(actor=hr, team=None, cadence="biweekly", next_on=today, days_open=3, threshold=5)
    with pytest.raises(ValidationError) as error:  # one schedule per audience
        services.schedule_create(
            actor=hr, team=None, cadence="weekly", next_on=today, days_open=2, threshold=5
        )
    assert "team" in error.value.message_dict


@pytest.mark.django_db
def test_those_who_have_not_answered_are_reminded_once(
    org, weekly, ops, lead, zhang, li, today, django_capture_on_commit_callbacks
):
    channel = NotificationChannel.objects.create(org=org, team=ops, name="ops chat", kind="json",
                                                 url="https://chat.example.com/hook")  # fmt: skip
    (pulse_id,) = services.scheduled_pulses_open(org=org, today=today)
    pulse = Pulse.objects.get(pk=pulse_id)
    answer(pulse, zhang)
    assert services.pulse_reminders(org=org, today=today) == []  # not on its first day
    remind_day = today + timedelta(days=1)  # open three days: the day before it closes
    with django_capture_on_commit_callbacks(execute=False):
        assert services.pulse_reminders(org=org, today=remind_day) == [pulse.pk]
        assert services.pulse_reminders(org=org, today=remind_day) == []
        assert services.pulse_reminders(org=org, today=remind_day + timedelta(days=1)) == []
    notes = Notification.objects.filter(kind=Notification.Kind.PULSE)
    assert {n.recipient_id for n in notes} == {lead.pk, li.pk}  # not Zhang, who answered
    assert all(n.url.endswith(f"/people/pulses/{pulse.pk}/") for n in notes)
    deliveries = Delivery.objects.filter(channel=channel)
    assert deliveries.count() == 1
    text = deliveries.get().text
    assert "30" in text and "Li Si" not in text and "Zhang San" not in text


@pytest.mark.django_db
def test_the_reminder_leads_to_the_pulse_in_the_inbox(org, weekly, li, today, client):
    (pulse_id,) = services.scheduled_pulses_open(org=org, today=today)
    services.pulse_reminders(org=org, today=today + timedelta(days=1))
    client.force_login(li.user)
    page = client.get(reverse("inbox", args=[org.slug])).content.decode()
    assert f"/people/pulses/{pulse_id}/" in page
