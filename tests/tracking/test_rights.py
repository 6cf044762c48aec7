"""Tracking follows the team rule: a manager acts on the alerts, reviews and rhythm of the teams
they manage (and the teams below), enters and deletes any value of those teams' goals; a member
enters their own values and deletes only what they entered; pages offer exactly that, and the
person pickers list exactly the people the services accept."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from teams.errors import NotAllowed
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.teamworld import team_world
from tests.tracking.deal import sales_deal
from tracking import selectors, services
from tracking.models import Alert, CorrectiveAction, MetricEntry, Review, TeamRhythm


@pytest.fixture
def world(org):
    w = team_world(org)
    w.hr = factories.member(org, Role.HR, name="Hana HR")
    return w


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def _alert(goal) -> Alert:
    return Alert.objects.create(org=goal.org, kind="lagging_behind", dedupe_key=f"t:{goal.pk}", goal=goal,
                                team=goal.team, raised_on=org_today(goal.org), deviation_pct=D(12),
                                since=goal.start_date)  # fmt: skip


def _action(w):
    return services.ActionInput(description="More promotion", owner=w.member_a1,
                                due_date=org_today(w.org) + timedelta(days=7))  # fmt: skip


# --- Alerts and corrective actions ----------------------------------------------------------------
def test_only_the_managers_above_act_on_a_teams_alert(org, world):
    w = world
    alert = _alert(w.goal_a1)
    with pytest.raises(NotAllowed):
        services.alert_acknowledge(alert=alert, actor=w.manager_b, cause="competition", cause_note="",
                                   action=_action(w))  # fmt: skip
    with pytest.raises(NotAllowed):
        services.alert_resolve(alert=alert, actor=w.manager_b, note="Fine")
    assert Alert.objects.get(pk=alert.pk).state == "open" and not CorrectiveAction.objects.exists()
    action = services.alert_acknowledge(alert=alert, actor=w.manager_a, cause="competition", cause_note="",
                                        action=_action(w))  # fmt: skip
    with pytest.raises(NotAllowed):
        services.action_update(action=action, actor=w.manager_b, done=True)
    assert services.action_update(action=action, actor=w.member_a1, done=True).state == "done"  # its owner


def test_the_alert_api_and_page_answer_403_to_another_teams_manager(org, world):
    w = world
    alert = _alert(w.goal_a1)
    action = services.alert_acknowledge(alert=alert, actor=w.manager_a, cause="competition", cause_note="",
                                        action=_action(w))  # fmt: skip
    client = api(w.manager_b)
    base = f"/api/v1/orgs/{org.slug}"
    for url, body in [(f"{base}/alerts/{alert.pk}/acknowledge/", {"bad": "body"}),
                      (f"{base}/alerts/{alert.pk}/resolve/", {"note": "Fine"}),
                      (f"{base}/corrective-actions/{action.pk}/progress/", {"done": True})]:  # fmt: skip
        response = client.post(url, body, format="json")
        assert response.status_code == 403 and response.json()["type"] == "permission_denied", url
    page_client = login(w.manager_b)
    page = page_client.get(reverse("alert_detail", args=[org.slug, alert.pk])).content.decode()
    assert 'data-testid="acknowledge"' not in page
    assert reverse("alert_resolve", args=[org.slug, alert.pk]) not in page
    assert reverse("action_update", args=[org.slug, action.pk]) not in page
    assert (
        page_client.post(reverse("alert_resolve", args=[org.slug, alert.pk]), {"note": "x"}).status_code
        == 403
    )
    assert page_client.post(reverse("alert_detail", args=[org.slug, alert.pk]), {}).status_code == 403
    assert (
        page_client.post(reverse("action_update", args=[org.slug, action.pk]), {"done": "1"}).status_code
        == 403
    )
    assert Alert.objects.get(pk=alert.pk).state == "acknowledged"
    assert CorrectiveAction.objects.get(pk=action.pk).state == "open"
    mine = login(w.manager_a).get(reverse("alert_detail", args=[org.slug, alert.pk])).content.decode()
    assert (
        'data-testid="acknowledge"' in mine and reverse("action_update", args=[org.slug, action.pk]) in mine
    )


# --- Reviews and rhythm ---------------------------------------------------------------------------
def test_reviews_and_rhythm_belong_to_the_team_and_the_teams_above(org, world):
    w = world
    weekly = reverse("weekly_review", args=[org.slug, w.team_a1.pk])
    other = login(w.manager_b)
    page = other.get(weekly).content.decode()
    assert 'name="decisions"' not in page and 'value="action"' not in page
    assert other.post(weekly, {"what": "decisions", "decisions": "Ours now"}).status_code == 403
    assert other.post(reverse("team_rhythm", args=[org.slug, w.team_a1.pk]), {"standup_time": "09:00",
                                                                              "working_days": ["1"]}).status_code == 403  # fmt: skip
    board = other.get(reverse("team_board", args=[org.slug, w.team_a1.pk])).content.decode()
    assert reverse("team_rhythm", args=[org.slug, w.team_a1.pk]) not in board
    start = org_today(org) - timedelta(days=org_today(org).weekday())
    body = {"team": w.team_a1.pk, "kind": "week", "start": start.isoformat(), "decisions": "Ours now"}
    assert api(w.manager_b).post(f"/api/v1/orgs/{org.slug}/reviews/", body, format="json").status_code == 403
    assert not Review.objects.exists() and not TeamRhythm.objects.exists()
    # The manager of A records A1's review and sets its rhythm: A1 is below A.
    mine = login(w.manager_a)
    assert 'name="decisions"' in mine.get(weekly).content.decode()
    assert mine.post(weekly, {"what": "decisions", "decisions": "Two more visits a day"}).status_code == 302
    assert mine.post(reverse("team_rhythm", args=[org.slug, w.team_a1.pk]), {"standup_time": "09:00",
                                                                             "working_days": ["1", "2"]}).status_code == 302  # fmt: skip
    assert Review.objects.get().decisions == "Two more visits a day"
    assert TeamRhythm.objects.get(team=w.team_a1).working_days == "12"


# --- Values ---------------------------------------------------------------------------------------
def _value(w, actor, goal, value, member=None):
    return services.entry_create(org=w.org, actor=actor, data=services.EntryInput(
        goal_id=goal.pk, value=value, member_id=member.pk if member else None))  # fmt: skip


def test_the_values_page_offers_delete_only_where_the_server_allows_it(org, world):
    w = world
    teammate = factories.member(org, Role.MEMBER, name="Tom Teammate", teams=[w.team_a1])
    mine = _value(w, w.member_a1, w.goal_a1, "3", member=w.member_a1)
    theirs = _value(w, teammate, w.goal_a1, "4", member=teammate)
    team_value = _value(w, w.manager_a, w.goal_a1, "5")
    url = reverse("goal_values", args=[org.slug, w.goal_a1.pk])

    def delete_links(member) -> set[int]:
        page = login(member).get(url).content.decode()
        return {
            e.pk for e in (mine, theirs, team_value) if reverse("entry_delete", args=[org.slug, e.pk]) in page
        }

    assert delete_links(w.member_a1) == {mine.pk}  # not a colleague's value
    assert delete_links(w.manager_a) == {mine.pk, theirs.pk, team_value.pk}
    assert delete_links(w.manager_b) == set()
    assert 'name="value"' not in login(w.manager_b).get(url).content.decode()  # nor the entry form
    # …and the server says the same.
    member_client = login(w.member_a1)
    assert member_client.post(reverse("entry_delete", args=[org.slug, theirs.pk])).status_code == 403
    assert login(w.manager_b).post(reverse("entry_delete", args=[org.slug, theirs.pk])).status_code == 403
    assert login(w.manager_b).post(url, {"value": "9", "day": org_today(org).isoformat()}).status_code == 403
    assert api(w.manager_b).delete(f"/api/v1/orgs/{org.slug}/metric-entries/{theirs.pk}/").status_code == 403
    assert MetricEntry.objects.filter(pk=theirs.pk).exists()
    assert member_client.post(reverse("entry_delete", args=[org.slug, mine.pk])).status_code == 302
    assert not MetricEntry.objects.filter(pk=mine.pk).exists()


def test_another_teams_manager_enters_no_values_for_its_goals(org, world):
    w = world
    with pytest.raises(ValidationError) as caught:
        _value(w, w.manager_b, w.goal_a1, "7")
    assert "goal" in caught.value.message_dict
    _value(w, w.manager_a, w.personal_a1, "2")  # Amy's share: Amy's team is below A


def test_the_person_pickers_list_exactly_the_people_the_server_accepts(org, world):
    w = world
    members = {w.manager_a, w.manager_b, w.member_a1}
    not_workers = {w.admin, w.hr, w.viewer}
    form = login(w.manager_a).get(reverse("goal_values", args=[org.slug, w.goal_a1.pk])).context["form"]
    offered = set(form.fields["member"].queryset)
    assert members <= offered and not offered & not_workers
    own = login(w.member_a1).get(reverse("goal_values", args=[org.slug, w.goal_a1.pk])).context["form"]
    assert set(own.fields["member"].queryset) == {w.member_a1}  # a member's values are their own
    alert = _alert(w.goal_a1)
    owners = set(login(w.manager_a).get(reverse("alert_detail", args=[org.slug, alert.pk])).context["form"]
                 .fields["owner"].queryset)  # fmt: skip
    assert members <= owners and not owners & not_workers
    review = login(w.manager_a).get(reverse("weekly_review", args=[org.slug, w.team_a1.pk]))
    assert set(review.context["action_form"].fields["owner"].queryset) == owners
    # One rule: whom the pickers leave out, the services refuse.
    for person in not_workers:
        with pytest.raises(ValidationError) as caught:
            _value(w, w.manager_a, w.goal_a1, "1", member=person)
        assert "member" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            services.alert_acknowledge(alert=alert, actor=w.manager_a, cause="competition", cause_note="",
                                       action=services.ActionInput(description="x", owner=person,
                                                                   due_date=org_today(org) + timedelta(days=3)))  # fmt: skip
        assert "owner" in caught.value.message_dict
    for person in members:
        assert selectors.can_own_action(org=org, person=person)
    assert not MetricEntry.objects.exists() and not CorrectiveAction.objects.exists()


def test_a_value_with_an_external_id_can_only_be_replaced_by_someone_who_may_change_it(org, manager, member):
    goal = sales_deal(org, manager, member).goal
    elsewhere = factories.goal(org, manager, team=factories.team(org, "Finance"), title="Elsewhere", status="active",
                               start_date=goal.start_date, end_date=goal.end_date)  # fmt: skip
    services.entry_create(org=org, actor=manager, data=services.EntryInput(goal_id=elsewhere.pk, value="500",
                                                                           external_id="crm-1"))  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.entries_save(org=org, actor=member, rows=[services.EntryInput(goal_id=goal.pk, value="1",
                                                                               external_id="crm-1")])  # fmt: skip
    assert caught.value.rows == {1: {"external_id": "This external id belongs to a value you cannot change."}}
    assert MetricEntry.objects.get(external_id="crm-1").goal == elsewhere


def test_members_enter_and_delete_only_their_own_values(org, manager, member):
    team, goal = sales_deal(org, manager, member)
    teammate = factories.member(org, teams=[team])
    with pytest.raises(ValidationError) as caught:
        services.entry_create(org=org, actor=member, data=services.EntryInput(goal_id=goal.pk, value="1",
                                                                              member_id=teammate.pk))  # fmt: skip
    assert "member" in caught.value.message_dict
    theirs = services.entry_create(
        org=org, actor=teammate, data=services.EntryInput(goal_id=goal.pk, value="2")
    )
    response = api(member).delete(f"/api/v1/orgs/{org.slug}/metric-entries/{theirs.pk}/")
    assert response.status_code == 403 and MetricEntry.objects.filter(pk=theirs.pk).exists()
    assert api(manager).delete(f"/api/v1/orgs/{org.slug}/metric-entries/{theirs.pk}/").status_code == 204
