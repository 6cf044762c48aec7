"""The open pulse on the landing page: its questions right on the home page card, answered there in
one post (anonymously), after which the card is gone; nothing for viewers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from people import services
from people.models import PulseAnswer, PulseParticipation
from teams.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pulse(lead, ops, today, zhang):
    return services.pulse_create(actor=lead, team=ops, opens_on=today, closes_on=today, threshold=3)


def test_a_member_answers_the_pulse_from_the_home_page(client, org, pulse, zhang):
    client.force_login(zhang.user)
    home = reverse("org_home", args=[org.slug])
    page = client.get(home).content.decode()
    assert 'data-testid="home-pulse"' in page
    keys = list(pulse.questions.values_list("key", flat=True))
    assert all(f'name="{key}"' in page for key in keys)
    response = client.post(reverse("people_pulse_answer", args=[org.slug, pulse.pk]),
                           {**dict.fromkeys(keys, "2"), "comment": "", "back": "home"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == home
    assert PulseAnswer.objects.filter(pulse=pulse).count() == len(keys)
    assert PulseParticipation.objects.filter(pulse=pulse, member=zhang).exists()
    assert 'data-testid="home-pulse"' not in client.get(home).content.decode()


def test_an_incomplete_answer_from_home_names_the_question_and_stores_nothing(client, org, pulse, zhang):
    client.force_login(zhang.user)
    keys = list(pulse.questions.values_list("key", flat=True))
    response = client.post(reverse("people_pulse_answer", args=[org.slug, pulse.pk]),
                           {**dict.fromkeys(keys[1:], "4"), "back": "home"})  # fmt: skip
    assert response.status_code == 400
    assert "Choose an answer from 1 to 5." in response.content.decode()
    assert not PulseAnswer.objects.exists() and not PulseParticipation.objects.exists()


def test_no_card_for_another_team_or_a_viewer(client, org, pulse, ops):
    outsider = factories.member(org, Role.MEMBER, name="Elsewhere")
    viewer = factories.member(org, Role.VIEWER, teams=[ops])
    for person in (outsider, viewer):
        client.force_login(person.user)
        assert (
            'data-testid="home-pulse"'
            not in client.get(reverse("org_home", args=[org.slug])).content.decode()
        )
