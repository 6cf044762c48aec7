"""From the meeting page: a card links its evidence from the goal review, the facilitator groups
cards, and a manager names the facilitator (also through the API); refusals name their field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from plans.models import Initiative
from retros.models import Card
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.retros.test_api import api, base

pytestmark = pytest.mark.django_db


def _url(retro):
    return reverse("retro_detail", args=[retro.org.slug, retro.pk])


@pytest.fixture
def initiative(org, boss, quarter_goal):
    return Initiative.objects.create(org=org, goal=quarter_goal, title="Key-region roadshow", owner=boss,
                                     start_date=quarter_goal.start_date, baseline_start=quarter_goal.start_date,
                                     due_date=quarter_goal.end_date - timedelta(days=5),
                                     baseline_due=quarter_goal.end_date - timedelta(days=20))  # fmt: skip


def test_a_card_links_an_initiative_of_the_goal_review_as_its_evidence(org, retro, zhang, initiative):
    client = login(zhang)
    page = client.get(_url(retro)).content.decode()
    assert f'value="initiative:{initiative.pk}"' in page and "Key-region roadshow" in page
    response = client.post(_url(retro), {"do": "card", "what": "cause:execution", "text": "The roadshow slipped",
                                         "evidence": f"initiative:{initiative.pk}", "token": "t1"})  # fmt: skip
    assert response.status_code == 302
    card = Card.objects.get()
    assert (card.evidence_kind, card.evidence_id) == ("initiative", initiative.pk)
    assert 'data-testid="card-evidence"' in client.get(_url(retro)).content.decode()


def test_unknown_evidence_is_refused_next_to_the_field_and_nothing_is_added(org, retro, zhang):
    response = login(zhang).post(_url(retro), {"do": "card", "what": "note:", "text": "Kept text",
                                               "evidence": "alert:999999", "token": "t2"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "No such evidence in this retrospective" in page
    assert "Kept text" in page and not Card.objects.exists()


def test_the_facilitator_groups_cards_from_the_page(org, retro, boss, zhang):
    from retros import services

    card = services.card_add(retro=retro, actor=zhang, kind="cause", category="external", text="Competitor")
    client = login(boss)
    assert 'data-testid="group-form"' in client.get(_url(retro)).content.decode()
    assert 'data-testid="group-form"' not in login(zhang).get(_url(retro)).content.decode()
    url = reverse("retro_card", args=[org.slug, card.pk])
    assert client.post(url, {"do": "group", "group_label": "Market"}).status_code == 302
    card.refresh_from_db()
    assert card.group_label == "Market"
    response = client.post(url, {"do": "group", "group_label": "x" * 81})
    assert response.status_code == 400 and "At most 80 characters" in response.content.decode()


def test_a_manager_names_the_facilitator_from_the_page_and_the_api(org, retro, sales, boss, zhang, li):
    client = login(boss)
    assert 'data-testid="facilitator-form"' in client.get(_url(retro)).content.decode()
    assert client.post(_url(retro), {"do": "facilitator", "facilitator": zhang.pk}).status_code == 302
    retro.refresh_from_db()
    assert retro.facilitator == zhang
    # the named facilitator runs the meeting but does not name another one
    assert login(zhang).post(_url(retro), {"do": "facilitator", "facilitator": li.pk}).status_code == 403
    stranger = factories.member(org, Role.MEMBER, teams=[factories.team(org, "Ops")])
    response = client.post(_url(retro), {"do": "facilitator", "facilitator": stranger.pk})
    assert response.status_code == 400 and "Choose a person of this team." in response.content.decode()
    url = f"{base(org)}/retros/{retro.pk}/facilitator/"
    response = api(boss).post(url, {"facilitator": li.pk}, format="json")
    assert response.status_code == 200 and response.json()["facilitator"] == li.pk
    assert api(boss).post(url, {"facilitator": None}, format="json").status_code == 200
    retro.refresh_from_db()
    assert retro.facilitator is None
    assert api(zhang).post(url, {"facilitator": zhang.pk}, format="json").status_code == 403


def test_the_board_is_one_form_whose_buttons_name_their_card(org, retro, boss, zhang, li):
    """Cards are plain rows of one form (one CSRF token, however many cards): the button pressed
    says what it does to which card."""
    from retros import services

    first = services.card_add(retro=retro, actor=zhang, kind="cause", category="external", text="Competitor")
    client = login(boss)
    tokens = client.get(_url(retro)).content.decode().count("csrfmiddlewaretoken")
    cards = [services.card_add(retro=retro, actor=li, kind="note", text=f"Note {n}") for n in range(5)]
    page = client.get(_url(retro)).content.decode()
    assert page.count("csrfmiddlewaretoken") == tokens
    assert f'name="vote" value="{first.pk}"' in page and f'name="group_label_{first.pk}"' in page
    # the facilitator groups a card, a member votes and removes their own card
    response = client.post(_url(retro), {"do": "board", "group": first.pk, f"group_label_{first.pk}": "Market",
                                         f"group_label_{cards[0].pk}": "Ignored"})  # fmt: skip
    assert response.status_code == 302
    first.refresh_from_db()
    cards[0].refresh_from_db()
    assert (first.group_label, cards[0].group_label) == ("Market", "")
    member = login(li)
    assert member.post(_url(retro), {"do": "board", "vote": first.pk}).status_code == 302
    assert 'aria-pressed="true"' in member.get(_url(retro)).content.decode()
    response = member.post(_url(retro), {"do": "board", "delete": cards[1].pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Note 1" not in response.content.decode()
    assert not Card.objects.filter(pk=cards[1].pk).exists()
    # someone else's card is not theirs to remove; a card of another retro is not found
    response = member.post(_url(retro), {"do": "board", "delete": first.pk})
    assert response.status_code in (400, 403) and Card.objects.filter(pk=first.pk).exists()
    assert member.post(_url(retro), {"do": "board", "vote": 999999}).status_code == 404
    assert member.post(_url(retro), {"do": "board"}).status_code == 400
