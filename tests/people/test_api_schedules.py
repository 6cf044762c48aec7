"""`pulse-schedules/`: list, create and stop pulses on a schedule through the API, with the rules
of the pulses page — who may (403 otherwise), bad input (400 naming the field, nothing stored),
another organisation's schedule (400 naming the field), and a list that does not grow in queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from people.models import PulseSchedule
from teams.models import Role
from tests import factories
from tests.people.test_api import api, attrs, base
from tests.queries import assert_queries, queries_for

pytestmark = pytest.mark.django_db


def test_a_manager_schedules_their_teams_pulses_lists_and_stops_them(
    org, ops, lead, zhang, other_lead, today
):
    url = f"{base(org)}/pulse-schedules/"
    response = api(lead).post(
        url, {"team": ops.pk, "cadence": "weekly", "next_on": today.isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["days_open"] == 3 and created["threshold"] == 5 and created["active"] is True
    assert [s["id"] for s in api(lead).get(url).json()["results"]] == [created["id"]]
    assert api(zhang).get(url).status_code == 403  # members answer pulses; they do not run them
    assert api(other_lead).post(f"{url}stop/", {"schedule": created["id"]}, format="json").status_code == 403
    assert PulseSchedule.objects.get(pk=created["id"]).active
    stopped = api(lead).post(f"{url}stop/", {"schedule": created["id"]}, format="json")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert api(lead).get(url).json()["results"] == []


def test_bad_input_names_the_field_and_stores_nothing(org, ops, lead, zhang, today):
    url = f"{base(org)}/pulse-schedules/"
    cases = [
        ({"cadence": "weekly", "next_on": today.isoformat(), "threshold": 2}, "threshold"),
        ({"cadence": "weekly", "next_on": (today - timedelta(days=1)).isoformat()}, "next_on"),
        ({"cadence": "daily", "next_on": today.isoformat()}, "cadence"),
        ({"cadence": "weekly", "next_on": today.isoformat(), "days_open": 30}, "days_open"),
    ]
    for body, field in cases:
        response = api(lead).post(url, {"team": ops.pk, **body}, format="json")
        assert response.status_code == 400 and field in attrs(response), (body, response.content)
    assert (
        api(zhang).post(url, {"cadence": "weekly", "next_on": today.isoformat()}, format="json").status_code
        == 403
    )
    assert not PulseSchedule.objects.filter(org=org).exists()
    outsider = factories.member(factories.organization(), Role.ADMIN)
    api(lead).post(url, {"team": ops.pk, "cadence": "weekly", "next_on": today.isoformat()}, format="json")
    mine = PulseSchedule.objects.get(org=org)
    response = api(outsider).post(f"/api/v1/orgs/{outsider.org.slug}/pulse-schedules/stop/",
                                  {"schedule": mine.pk}, format="json")  # fmt: skip
    assert response.status_code == 400 and "schedule" in attrs(response)
    assert PulseSchedule.objects.get(pk=mine.pk).active


def test_the_list_costs_the_same_for_one_schedule_and_many(org, ops, lead, today):
    hr = factories.member(org, Role.HR)
    url = f"{base(org)}/pulse-schedules/"
    api(hr).post(url, {"cadence": "monthly", "next_on": today.isoformat()}, format="json")
    client = api(hr)
    few = queries_for(client, url)
    for n in range(8):
        team = factories.team(org, f"Team {n}")
        response = api(hr).post(url, {"team": team.pk, "cadence": "weekly", "next_on": today.isoformat()},
                                format="json")  # fmt: skip
        assert response.status_code == 201, response.content
    assert_queries(few, client, url)
