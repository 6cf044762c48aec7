"""Pulse pages: answering (a tap per question), running a pulse, and the results page under the
anonymity rule — bad input keeps what was typed and stores nothing, a member never sees results,
another organisation gets 404, and the results page costs the same for 10 answers or 200."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from people import services
from people.models import Pulse, PulseAnswer, PulseParticipation
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries, queries_for

pytestmark = pytest.mark.django_db


def url(org, name, *args):
    return reverse(name, args=[org.slug, *args])


@pytest.fixture
def hr(org):
    return factories.member(org, Role.HR, name="Zhou HR")


@pytest.fixture
def pulse(hr, today):
    return services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today + timedelta(days=2))


def keys(pulse):
    return list(pulse.questions.values_list("key", flat=True))


def test_a_member_answers_with_one_tap_per_question(org, pulse, zhang):
    client = login(zhang)
    listing = client.get(url(org, "people_pulses")).content.decode()
    assert url(org, "people_pulse_answer", pulse.pk) in listing
    page = client.get(url(org, "people_pulse_answer", pulse.pk)).content.decode()
    assert (
        page.count('data-testid="pulse-question"') == len(keys(pulse))
        and "My workload is manageable." in page
    )
    response = client.post(
        url(org, "people_pulse_answer", pulse.pk), {**dict.fromkeys(keys(pulse), "4"), "comment": "ok"}
    )
    assert response.status_code == 302
    assert PulseAnswer.objects.count() == len(keys(pulse))
    assert 'data-testid="answered"' in client.get(url(org, "people_pulse_answer", pulse.pk)).content.decode()
    assert (
        url(org, "people_pulse_answer", pulse.pk)
        not in client.get(url(org, "people_pulses")).content.decode()
    )


def test_a_missing_or_out_of_range_answer_keeps_the_others_and_stores_nothing(org, pulse, zhang):
    first, *rest = keys(pulse)
    data = {**dict.fromkeys(rest, "2"), first: "9", "comment": "Heavy month"}
    response = login(zhang).post(url(org, "people_pulse_answer", pulse.pk), data)
    page = response.content.decode()
    assert response.status_code == 400 and "Choose an answer from 1 to 5." in page
    assert (
        re.search(rf'<input type="radio" name="{rest[0]}" value="2"[^>]*checked', page)
        and "Heavy month" in page
    )
    assert not PulseParticipation.objects.exists()


def test_a_threshold_below_3_keeps_the_form(org, hr, today):
    response = login(hr).post(url(org, "people_pulse_create"), {"opens_on": today.isoformat(),
                                                                "closes_on": today.isoformat(), "threshold": "2"})  # fmt: skip
    assert response.status_code == 400 and "from 3 to 10" in response.content.decode()
    assert not Pulse.objects.exists()


def test_results_are_for_hr_admins_and_managers_and_show_nothing_small(org, pulse, hr, lead, zhang, outsider):
    answerers = [
        factories.member(org, Role.MEMBER, teams=[factories.team(org, f"Crew {n}")]) for n in range(3)
    ]
    for person in answerers:
        services.pulse_answer(
            pulse=pulse, member=person, scores=dict.fromkeys(keys(pulse), 1), comment="Help"
        )
    assert login(zhang).get(url(org, "people_pulse_results", pulse.pk)).status_code == 403
    page = login(hr).get(url(org, "people_pulse_results", pulse.pk)).content.decode()
    assert 'data-testid="still-open"' in page
    with time_machine.travel(pulse.closes_on + timedelta(days=2)):
        for person in (hr, lead):
            page = login(person).get(url(org, "people_pulse_results", pulse.pk)).content.decode()
            assert 'data-testid="too-few"' in page and "Help" not in page
    assert login(outsider).get(url(org, "people_pulse_results", pulse.pk)).status_code == 404


def test_the_results_page_costs_the_same_for_ten_answers_and_sixty(org, pulse, hr):
    crews = [factories.team(org, f"Crew {n}") for n in range(2)]

    def answer(count, team):
        for _ in range(count):
            person = factories.member(org, Role.MEMBER, teams=[team])
            services.pulse_answer(
                pulse=pulse, member=person, scores=dict.fromkeys(keys(pulse), 3), comment="c"
            )

    answer(5, crews[0])
    answer(5, crews[1])
    client = login(hr)
    page = url(org, "people_pulse_results", pulse.pk) + f"?team={crews[0].pk}"
    later = pulse.closes_on + timedelta(days=2)
    with time_machine.travel(later):
        few = queries_for(client, page)
        assert 'data-testid="results"' in client.get(page).content.decode()
    answer(25, crews[1])
    answer(25, crews[0])
    with time_machine.travel(later):
        assert_queries(few, client, page)
        assert '<td class="num">60</td>' in client.get(page).content.decode()  # not the cached ten
    # The second GET reads the closed pulse's spread from the cache (people.selectors.spreads):
    # the results' and the trend's answer queries are gone.
    assert few == 11, few
