"""One-on-one pages: the list, starting a series, a meeting's page and its operations — happy
paths, bad input (400 with the message, nothing changed), another organisation (404), someone
outside the series (403), private notes that never reach anyone else's page, and query counts that
do not grow with a year of history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from people import services
from people.models import AgendaItem, Meeting, Series
from plans.models import Initiative, Status
from recognition.models import GrowthReward, Nomination, RewardKind, Star
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries, queries_for
from tracking import services as tracking_services

pytestmark = pytest.mark.django_db


def url(org, name, *args):
    return reverse(name, args=[org.slug, *args])


def test_the_list_shows_my_one_on_ones_and_the_nav_highlights_people(org, series, lead, zhang, li):
    page = login(zhang).get(url(org, "people_index")).content.decode()
    assert "Chen Lead · Zhang San" in page
    assert f'href="/o/{org.slug}/people/" aria-current="page"' in page
    assert 'data-testid="series-form"' not in page  # a member starts none
    assert "Zhang San" not in login(li).get(url(org, "people_index")).content.decode()
    assert 'data-testid="series-form"' in login(lead).get(url(org, "people_index")).content.decode()


def test_a_manager_starts_a_series_from_the_page(org, ops, lead, li, today):
    response = login(lead).post(url(org, "people_series_start"),
                                {"member": li.pk, "cadence": "weekly", "next_date": today.isoformat()})  # fmt: skip
    series = Series.objects.get()
    assert response.status_code == 302 and response["Location"] == url(org, "people_series", series.pk)
    assert (series.member, series.team) == (li, ops)


def test_a_date_in_the_past_keeps_what_was_typed(org, lead, li, today):
    past = (today - timedelta(days=3)).isoformat()
    response = login(lead).post(url(org, "people_series_start"),
                                {"member": li.pk, "cadence": "monthly", "next_date": past})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "The next one-on-one cannot be in the past." in page and f'value="{past}"' in page
    assert not Series.objects.exists()


def test_both_see_the_meeting_with_agenda_actions_and_facts(org, series, meeting, lead, zhang, today):
    services.agenda_add(meeting=meeting, author=zhang, text="Budget for campaign two")
    services.action_add(meeting=meeting, actor=lead, owner=lead, text="Ask finance", due=today)
    tracking_services.standup_submit(member=zhang, actor=zhang, data=tracking_services.StandupInput(
        day=today, today="Partners", blockers="Legal review is slow", mood=2))  # fmt: skip
    for person in (lead, zhang):
        page = login(person).get(url(org, "people_series", series.pk)).content.decode()
        assert "Budget for campaign two" in page and "Ask finance" in page
        assert "Legal review is slow" in page  # the member's blockers in the prepared facts
        assert 'data-testid="fact-mood"' in page and "2.0 of 5" in page


def test_outside_the_series_is_403_and_another_organisation_404(
    org, series, meeting, li, other_lead, outsider
):
    hr = factories.member(org, Role.HR)
    for person in (li, other_lead):
        assert login(person).get(url(org, "people_meeting", meeting.pk)).status_code == 403
        assert login(person).get(url(org, "people_series", series.pk)).status_code == 403
    assert login(hr).get(url(org, "people_series", series.pk)).status_code == 403
    foreign = factories.member(outsider.org, Role.ADMIN)
    assert (
        login(foreign).get(reverse("people_meeting", args=[outsider.org.slug, meeting.pk])).status_code == 404
    )


def test_a_member_adds_a_talking_point_and_bad_input_changes_nothing(org, meeting, zhang):
    client = login(zhang)
    response = client.post(url(org, "people_meeting", meeting.pk), {"op": "agenda", "text": "x" * 10_000})
    assert response.status_code == 400 and "at most 1000 characters" in response.content.decode().lower()
    assert not AgendaItem.objects.exists()
    response = client.post(url(org, "people_meeting", meeting.pk), {"op": "agenda", "text": "Workload"},
                           headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 200 and "Workload" in response.content.decode()
    assert AgendaItem.objects.get().author == zhang


def test_the_feeling_check_and_holding_from_the_page(org, series, meeting, lead, zhang):
    client = login(zhang)
    assert (
        client.post(url(org, "people_meeting", meeting.pk), {"op": "feeling", "feeling": "9"}).status_code
        == 400
    )
    client.post(url(org, "people_meeting", meeting.pk), {"op": "feeling", "feeling": "4"})
    services.agenda_add(meeting=meeting, author=lead, text="Not reached")
    response = login(lead).post(url(org, "people_meeting", meeting.pk), {"op": "hold"})
    assert response.status_code == 302 and response["Location"] == url(org, "people_series", series.pk)
    page = login(zhang).get(response["Location"]).content.decode()
    assert "Not reached" in page and 'data-testid="carried"' in page
    assert Meeting.objects.get(pk=meeting.pk).feeling == 4


def test_a_private_note_never_reaches_the_other_persons_page(org, series, meeting, lead, zhang):
    login(lead).post(
        url(org, "people_meeting", meeting.pk), {"op": "note", "body": "Seems tired, watch load"}
    )
    assert "Seems tired" in login(lead).get(url(org, "people_meeting", meeting.pk)).content.decode()
    admin = factories.member(org, Role.ADMIN)
    for person in (zhang, admin):
        for page in (url(org, "people_meeting", meeting.pk), url(org, "people_series", series.pk),
                     url(org, "people_index")):  # fmt: skip
            assert "Seems tired" not in login(person).get(page).content.decode()


def test_the_meeting_page_costs_the_same_with_a_year_of_history(
    org, ops, series, meeting, lead, zhang, li, today
):
    goal = factories.goal(org, zhang, actor=lead, team=ops, scope="team", status="active")
    client = login(zhang)
    page = url(org, "people_series", series.pk)
    services.agenda_add(meeting=meeting, author=zhang, text="First point")
    few = queries_for(client, page)
    current = meeting
    for week in range(26):  # a year of meetings every two weeks
        services.agenda_add(meeting=current, author=lead, text=f"Point {week}")
        services.action_add(meeting=current, actor=lead, owner=zhang, text=f"Action {week}", due=None)
        current = services.meeting_hold(meeting=current, actor=lead)
    for months_back in range(12):  # a year of recognition and failed experiments
        month = (today.replace(day=1) - timedelta(days=31 * months_back)).replace(day=1)
        Star.objects.create(org=org, team=ops, month=month, member=zhang, citation=f"Star {months_back}")
        Nomination.objects.create(org=org, month=month, nominator=li, nominee=zhang, reason="Helped")
        GrowthReward.objects.create(
            org=org, member=zhang, kind=RewardKind.TRAINING, title=f"Course {months_back}"
        )
        Initiative.objects.create(org=org, goal=goal, owner=zhang, title=f"Experiment {months_back}",
                                  start_date=today, baseline_start=today, is_experiment=True, status=Status.FAILED,
                                  finished_at=today - timedelta(days=7 * months_back), lesson="Learnt")  # fmt: skip
    assert few == PAGE_QUERIES["people_series"]
    assert_queries(few, client, page)


# + open alerts, corrective actions, values, working days; recognition received (stars, nominations,
# growth notes) and the allowance's failed experiments; the stand-up days and moods in one query, and
# the action form's owners drawn from the two people already loaded. tracking.selectors.results is
# served from the shared cache on a second GET (no query while nothing it reads has changed).
PAGE_QUERIES = {"people_series": 23}
