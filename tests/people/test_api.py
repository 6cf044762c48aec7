"""The people API: series, meetings with their agenda, talking points, actions and private notes —
happy paths, bad input (400 naming the field, nothing stored), another organisation (404), and a
private note that is never in anyone else's answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from people import services
from people.models import ActionItem, AgendaItem, Series
from teams.models import Role
from tests import factories
from tests.queries import assert_queries, queries_for

pytestmark = pytest.mark.django_db


def api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def attrs(response) -> set[str]:
    return {e["attr"] for e in response.json()["errors"]}


def base(org) -> str:
    return f"/api/v1/orgs/{org.slug}"


def test_a_manager_starts_a_series_and_both_list_it(org, lead, zhang, li, today):
    response = api(lead).post(f"{base(org)}/one-on-ones/", {"member": zhang.pk, "cadence": "weekly",
                                                            "next_date": today.isoformat()}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["member_name"] == "Zhang San"
    assert [s["id"] for s in api(zhang).get(f"{base(org)}/one-on-ones/").json()["results"]] == [
        response.json()["id"]
    ]
    assert api(li).get(f"{base(org)}/one-on-ones/").json()["results"] == []


def test_a_series_in_the_past_or_for_a_stranger_is_a_400(org, lead, zhang, today):
    stranger = factories.member(org, Role.MEMBER)
    response = api(lead).post(f"{base(org)}/one-on-ones/", {"member": zhang.pk, "cadence": "weekly",
                                                            "next_date": (today - timedelta(days=1)).isoformat()}, format="json")  # fmt: skip
    assert response.status_code == 400 and "next_date" in attrs(response)
    response = api(lead).post(f"{base(org)}/one-on-ones/", {"member": stranger.pk, "cadence": "weekly",
                                                            "next_date": today.isoformat()}, format="json")  # fmt: skip
    assert response.status_code == 400 and "member" in attrs(response)
    assert not Series.objects.exists()


def test_talking_points_and_actions_through_the_api(org, meeting, lead, zhang, li):
    response = api(zhang).post(
        f"{base(org)}/one-on-one-agenda/", {"meeting": meeting.pk, "text": "Workload"}, format="json"
    )
    assert response.status_code == 201 and response.json()["author_name"] == "Zhang San"
    too_long = api(zhang).post(
        f"{base(org)}/one-on-one-agenda/", {"meeting": meeting.pk, "text": "x" * 10_000}, format="json"
    )
    assert too_long.status_code == 400 and "text" in attrs(too_long)
    assert (
        api(li)
        .post(f"{base(org)}/one-on-one-agenda/", {"meeting": meeting.pk, "text": "Peek"}, format="json")
        .status_code
        == 403
    )
    assert AgendaItem.objects.count() == 1
    meetings = api(lead).get(f"{base(org)}/one-on-one-meetings/").json()["results"]
    assert [a["text"] for a in meetings[0]["agenda"]] == ["Workload"]

    created = api(lead).post(f"{base(org)}/one-on-one-actions/", {"meeting": meeting.pk, "owner": zhang.pk,
                                                                   "text": "Send the list"}, format="json")  # fmt: skip
    assert created.status_code == 201
    done = api(zhang).post(
        f"{base(org)}/one-on-one-actions/done/", {"action": created.json()["id"]}, format="json"
    )
    assert done.status_code == 200 and done.json()["done_at"]
    assert ActionItem.objects.get().done_at is not None
    reopen = {"action": created.json()["id"], "done": False}
    assert api(li).post(f"{base(org)}/one-on-one-actions/done/", reopen, format="json").status_code == 403
    assert ActionItem.objects.get().done_at is not None


def test_private_notes_are_listed_for_their_author_only(org, meeting, lead, zhang):
    response = api(lead).post(
        f"{base(org)}/private-notes/", {"meeting": meeting.pk, "body": "Seems tired"}, format="json"
    )
    assert response.status_code == 201
    assert [n["body"] for n in api(lead).get(f"{base(org)}/private-notes/").json()["results"]] == [
        "Seems tired"
    ]
    admin = factories.member(org, Role.ADMIN)
    for person in (zhang, admin):
        for path in ("private-notes", "one-on-one-meetings", "one-on-one-agenda", "one-on-ones"):
            assert "Seems tired" not in api(person).get(f"{base(org)}/{path}/").content.decode()


def test_another_organisation_gets_404(org, meeting, outsider):
    assert api(outsider).get(f"{base(org)}/one-on-ones/").status_code == 404
    response = api(outsider).post(f"/api/v1/orgs/{outsider.org.slug}/one-on-one-agenda/",
                                  {"meeting": meeting.pk, "text": "Hello"}, format="json")  # fmt: skip
    assert response.status_code == 400 and "meeting" in attrs(response)


def test_the_meeting_list_costs_the_same_for_one_meeting_and_twenty(org, meeting, lead, zhang):
    client = api(zhang)
    url = f"{base(org)}/one-on-one-meetings/"
    services.agenda_add(meeting=meeting, author=zhang, text="Point")
    few = queries_for(client, url)
    assert few == 4, few
    current = meeting
    for n in range(20):
        services.agenda_add(meeting=current, author=lead, text=f"Point {n}")
        current = services.meeting_hold(meeting=current, actor=lead)
    assert_queries(few, client, url)


# --- Pulses ---------------------------------------------------------------------------------------
def _pulse(org, today):
    hr = factories.member(org, Role.HR)
    return services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today), hr


def test_a_pulse_is_answered_once_through_the_api_and_nothing_names_the_person(org, zhang, today):
    pulse, hr = _pulse(org, today)
    keys = list(pulse.questions.values_list("key", flat=True))
    listed = api(zhang).get(f"{base(org)}/pulses/").json()["results"]
    assert [p["id"] for p in listed] == [pulse.pk] and len(listed[0]["questions"]) == len(keys)
    bad = api(zhang).post(
        f"{base(org)}/pulse-answers/", {"pulse": pulse.pk, "scores": dict.fromkeys(keys, 7)}, format="json"
    )
    assert bad.status_code == 400 and keys[0] in attrs(bad)
    good = api(zhang).post(
        f"{base(org)}/pulse-answers/", {"pulse": pulse.pk, "scores": dict.fromkeys(keys, 4)}, format="json"
    )
    assert good.status_code == 201 and good.json() == {"answers": len(keys)}
    again = api(zhang).post(
        f"{base(org)}/pulse-answers/", {"pulse": pulse.pk, "scores": dict.fromkeys(keys, 4)}, format="json"
    )
    assert again.status_code == 400
    assert api(zhang).get(f"{base(org)}/pulses/").json()["results"] == []  # answered: nothing waits


def test_pulse_results_are_aggregated_and_for_hr_admins_and_managers_only(org, zhang, lead, today):
    pulse, hr = _pulse(org, today)
    assert api(zhang).get(f"{base(org)}/pulse-results/").status_code == 403
    body = api(hr).get(f"{base(org)}/pulse-results/?pulse={pulse.pk}").json()
    assert body["closed"] is False and body["total"] is None and body["groups"] == []
    assert api(lead).get(f"{base(org)}/pulse-results/?pulse=abc").status_code == 400
    threshold = api(hr).post(f"{base(org)}/pulses/", {"opens_on": today.isoformat(), "closes_on": today.isoformat(),
                                                     "threshold": 2}, format="json")  # fmt: skip
    assert threshold.status_code == 400 and "threshold" in attrs(threshold)


def test_the_burnout_signal_is_for_the_person_and_their_one_on_one_manager(
    org, series, lead, zhang, li, other_lead
):
    mine = api(zhang).get(f"{base(org)}/burnout-signal/")
    assert mine.status_code == 200 and mine.json()["member"] == zhang.pk
    assert {f["key"] for f in mine.json()["factors"]} == {
        "mood",
        "stretch",
        "overdue",
        "alerts",
        "missed",
        "off_days",
    }
    assert all(f["explanation"] for f in mine.json()["factors"])
    assert api(lead).get(f"{base(org)}/burnout-signal/?member={zhang.pk}").status_code == 200
    admin = factories.member(org, Role.ADMIN)
    for person in (li, other_lead, admin):
        assert api(person).get(f"{base(org)}/burnout-signal/?member={zhang.pk}").status_code == 403
    assert api(lead).get(f"{base(org)}/burnout-signal/?member=x").status_code == 400
