"""Suggested talking points in a one-on-one's prepared facts (goals behind, late initiatives, open
blockers), one click from the shared agenda, and the manager's suggested actions with links to
where to take them (rebalance a goal's initiatives; propose a revision of its challenge tier)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from django.urls import reverse

from people.models import AgendaItem
from plans import services as plan_services
from tests import factories
from tests.conftest import login
from tests.recognition.conftest import blocked_standup, log_value


def _behind_and_late(org, ops, lead, zhang, today):
    goal = factories.goal(org, zhang, actor=lead, team=ops, scope="team", status="active", title="New users",
                          start_date=today - timedelta(days=20), end_date=today + timedelta(days=40),
                          base=D(600), challenge=D(700), stretch=D(800))  # fmt: skip
    log_value(org, zhang, goal, today - timedelta(days=1), 10)
    plan_services.initiative_create(org=org, actor=lead, data=plan_services.InitiativeInput(
        title="Referral campaign", goal=goal, owner=zhang, start_date=today - timedelta(days=15),
        due_date=today - timedelta(days=4)))  # fmt: skip
    return goal


def test_the_facts_suggest_talking_points_with_links(org, ops, lead, zhang, series, today):
    goal = _behind_and_late(org, ops, lead, zhang, today)
    blocked_standup(zhang, today - timedelta(days=1))
    page = login(zhang).get(reverse("people_series", args=[org.slug, series.pk])).content.decode()
    assert "of the pace its targets need: what is in the way?" in page
    assert "“Referral campaign” is 4 days late: finish, move or drop it?" in page
    assert "is still open: “Waiting for legal review”. Who can help?" in page
    assert reverse("goal_plan", args=[org.slug, goal.pk]) in page


def test_a_suggested_point_goes_on_the_agenda_in_one_click(org, ops, lead, zhang, series, meeting, today):
    _behind_and_late(org, ops, lead, zhang, today)
    text = "“Referral campaign” is 4 days late: finish, move or drop it?"
    response = login(zhang).post(
        reverse("people_meeting", args=[org.slug, meeting.pk]), {"op": "agenda", "text": text}
    )
    assert response.status_code == 302
    assert AgendaItem.objects.get(meeting=meeting).text == text


def test_the_manager_gets_actions_with_links_the_member_reads_the_same_facts(
    org, ops, lead, zhang, series, today
):
    goal = _behind_and_late(org, ops, lead, zhang, today)
    url = reverse("people_series", args=[org.slug, series.pk])
    page = login(lead).get(url).content.decode()
    assert "Rebalance the initiatives of “New users”." in page
    assert "Propose a revision of the challenge tier of “New users”." in page
    assert reverse("goal_detail", args=[org.slug, goal.pk]) + "#revisions" in page
    assert 'data-testid="manager-action"' not in login(zhang).get(url).content.decode()


def test_the_api_gives_the_suggestions(org, ops, lead, zhang, series, today):
    _behind_and_late(org, ops, lead, zhang, today)
    body = login(lead).get(reverse("burnout-signal", args=[org.slug]), {"member": zhang.pk}).json()
    assert any("days late" in s["text"] and s["url"] for s in body["suggested"])
    assert any(link["url"].endswith("#revisions") for link in body["manager_links"])
