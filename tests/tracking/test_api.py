"""Tracking API: stand-ups, metric values (single, bulk with a token), indicator snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from rest_framework.test import APIClient

from goals import services as goal_services
from teams import services as team_services
from teams.models import Tombstone
from teams.selectors import org_today
from tests import factories
from tests.queries import assert_queries, pinned_queries
from tests.teams.test_api import assert_error
from tests.tracking.deal import sales_deal
from tracking import services
from tracking.models import IndicatorSnapshot, MetricEntry, Standup

START = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


@pytest.fixture
def goal(org, manager, member):
    team = factories.team(org, "Sales", managers=[manager])
    member.teams.add(team)
    today = org_today(org)
    return factories.goal(org, manager, team=team, title="Deal value", start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900000), challenge=D(1000000),
                          stretch=D(1200000), status="active")  # fmt: skip


def test_member_logs_a_standup_and_posting_again_updates_it(org, member, goal):
    url = f"/api/v1/orgs/{org.slug}/standups/"
    today = org_today(org).isoformat()
    body = {"day": today, "yesterday": "Visited 3 customers", "today": "Proposal for Acme", "blockers": "",
            "mood": 4, "values": [{"goal": goal.pk, "value": "48000"}]}  # fmt: skip
    first = api(member).post(url, body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["entries"] == [{"goal": goal.pk, "supporting_metric": None, "value": "48000.0000"}]
    second = api(member).post(url, {**body, "blockers": "Legal review"}, format="json")
    assert second.status_code == 201 and second.json()["id"] == first.json()["id"]
    assert Standup.objects.get().blockers == "Legal review" and MetricEntry.objects.count() == 1


def test_posting_the_stand_up_again_updates_its_values_in_place_and_the_sync_feeds_tell_it_right(
    org, manager, member
):
    """An integrator mirroring metric values sees a re-posted stand-up's value as updated (same
    id, new value), an identical re-post as nothing at all, and a deletion only for the value the
    stand-up no longer carries: no tombstone for a value that still exists."""
    team = factories.team(org, "Sales", managers=[manager])
    member.teams.add(team)
    url = f"/api/v1/orgs/{org.slug}/standups/"
    with time_machine.travel(START, tick=True) as clock:
        today = org_today(org)
        deals, visits = (
            factories.goal(org, manager, team=team, title=title, status="active",
                           start_date=today - timedelta(days=10), end_date=today + timedelta(days=80))
            for title in ("Deal value", "Customer visits")
        )  # fmt: skip
        body = {"day": today.isoformat(), "today": "Proposal", "values": [
            {"goal": deals.pk, "value": "48000"}, {"goal": visits.pk, "value": "3"}]}  # fmt: skip
        first = api(member).post(url, body, format="json")
        assert first.status_code == 201, first.json()
        ids = {e.goal_id: e.pk for e in MetricEntry.objects.all()}

        def feeds(since: str) -> tuple[list[tuple[int, str]], list[int]]:
            updated = api(manager).get(f"/api/v1/orgs/{org.slug}/metric-entries/", {"updated_since": since})
            deleted = api(manager).get(f"/api/v1/orgs/{org.slug}/deleted/",
                                       {"resource": "metric-entries", "updated_since": since})  # fmt: skip
            return (
                sorted((row["id"], row["value"]) for row in updated.json()["results"]),
                [row["object_id"] for row in deleted.json()["results"]],
            )

        clock.shift(timedelta(minutes=5))
        since = datetime.now(UTC).isoformat()
        assert api(member).post(url, body, format="json").status_code == 201  # the same again
        assert {e.goal_id: e.pk for e in MetricEntry.objects.all()} == ids
        assert feeds(since) == ([], [])

        clock.shift(timedelta(minutes=5))
        since = datetime.now(UTC).isoformat()
        again = api(member).post(
            url, {**body, "values": [{"goal": deals.pk, "value": "52000"}]}, format="json"
        )
        assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
        assert again.json()["entries"] == [
            {"goal": deals.pk, "supporting_metric": None, "value": "52000.0000"}
        ]
        assert list(MetricEntry.objects.values_list("pk", "value")) == [(ids[deals.pk], D(52000))]
        assert feeds(since) == ([(ids[deals.pk], "52000.0000")], [ids[visits.pk]])

        clock.shift(timedelta(minutes=5))
        since = datetime.now(UTC).isoformat()
        assert api(member).post(url, body, format="json").status_code == 201  # visits back: a new value
        new_visits = MetricEntry.objects.get(goal=visits).pk
        assert new_visits != ids[visits.pk] and MetricEntry.objects.get(goal=deals).pk == ids[deals.pk]
        assert feeds(since) == (sorted([(ids[deals.pk], "48000.0000"), (new_visits, "3.0000")]), [])
    assert Tombstone.objects.filter(resource="metric-entries").count() == 1
    assert Standup.objects.count() == 1


# The membership; the goals sent and the person's teams (may they enter values); the service's
# transaction (a savepoint inside the test's: 2); the stand-up read under lock and its UPDATE; the
# values it carries; the changed value's UPDATE; the recompute job written to the outbox. Nothing
# read again for the answer. (With an API token: one query more, the token.)
STANDUP_UPDATE_QUERIES = 10


def test_posting_the_stand_up_again_is_a_pinned_number_of_queries(org, member, goal):
    url = f"/api/v1/orgs/{org.slug}/standups/"
    body = {
        "day": org_today(org).isoformat(),
        "today": "Proposal",
        "values": [{"goal": goal.pk, "value": "5"}],
    }
    client = api(member)
    assert client.post(url, body, format="json").status_code == 201
    with pinned_queries(STANDUP_UPDATE_QUERIES, "stand-up POST, value changed"):
        response = client.post(url, {**body, "values": [{"goal": goal.pk, "value": "6"}]}, format="json")
    assert response.status_code == 201 and response.json()["entries"][0]["value"] == "6.0000"


def test_standup_bad_input(org, member, goal, other_org, outsider):
    url = f"/api/v1/orgs/{org.slug}/standups/"
    tomorrow = (org_today(org) + timedelta(days=1)).isoformat()
    assert_error(api(member).post(url, {"day": tomorrow, "today": "x"}, format="json"), 400,
                 type_="validation_error", attr="day")  # fmt: skip
    foreign = factories.goal(other_org, outsider, status="active")
    response = api(member).post(url, {"day": org_today(org).isoformat(), "today": "x",
                                      "values": [{"goal": foreign.pk, "value": "1"}]}, format="json")  # fmt: skip
    assert_error(
        response, 400, type_="validation_error", attr="values.0.goal"
    )  # which value, and what about it
    assert not Standup.objects.exists()
    viewer = factories.member(org, "viewer")
    assert (
        api(viewer).post(url, {"day": org_today(org).isoformat(), "today": "x"}, format="json").status_code
        == 403
    )


def test_crm_pushes_thousands_of_values_with_a_token_and_a_repeat_stores_nothing_new(org, manager, goal):
    token, key = team_services.api_token_create(user=manager.user, name="CRM")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    today = org_today(org)
    entries = [{"goal": goal.pk, "day": (today - timedelta(days=n % 30)).isoformat(), "value": "1000",
                "external_id": f"crm-deal-{n}"} for n in range(2500)]  # fmt: skip
    url = f"/api/v1/orgs/{org.slug}/metric-entries/bulk/"
    first = client.post(url, {"entries": entries}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 2500, "updated": 0, "unchanged": 0, "goals": [goal.pk]}
    again = client.post(url, {"entries": entries}, format="json")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2500, "goals": []}
    assert MetricEntry.objects.filter(org=org).count() == 2500
    assert MetricEntry.objects.filter(source="api", created_by=manager.user).count() == 2500


def test_bulk_errors_name_every_bad_row_and_field_and_store_nothing(org, manager, goal, settings):
    url = f"/api/v1/orgs/{org.slug}/metric-entries/bulk/"
    today = org_today(org).isoformat()
    entries = [{"goal": goal.pk, "day": today, "value": "5"}, {"goal": goal.pk, "day": "24/11/2026", "value": "5"},
               {"goal": goal.pk, "day": today, "value": "five"}, {"goal": 999999, "day": today, "value": "5"}]  # fmt: skip
    body = assert_error(
        api(manager).post(url, {"entries": entries}, format="json"), 400, type_="validation_error"
    )
    assert sorted(e["attr"] for e in body["errors"]) == ["entries.1.day", "entries.2.value", "entries.3.goal"]
    assert not MetricEntry.objects.exists()
    settings.TRACKING_BULK_LIMIT = 3
    too_many = api(manager).post(url, {"entries": entries}, format="json")
    body = assert_error(too_many, 400, type_="validation_error", attr="entries")
    assert "At most 3 values per request; this one has 4." in body["detail"]
    assert_error(
        api(manager).post(url, {"entries": []}, format="json"), 400, type_="validation_error", attr="entries"
    )


def test_single_value_and_its_errors(org, member, goal):
    url = f"/api/v1/orgs/{org.slug}/metric-entries/"
    created = api(member).post(
        url, {"goal": goal.pk, "value": "15500", "note": "Acme renewal"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["day"] == org_today(org).isoformat() and created.json()["source"] == "api"
    assert_error(api(member).post(url, {"goal": goal.pk, "value": "lots"}, format="json"), 400,
                 type_="validation_error", attr="value")  # fmt: skip
    before = goal.start_date - timedelta(days=1)
    assert_error(api(member).post(url, {"goal": goal.pk, "value": "1", "day": before.isoformat()}, format="json"),
                 400, type_="validation_error", attr="day")  # fmt: skip


def test_other_organisations_values_are_invisible(org, manager, goal, other_org, outsider):
    entry = services.entry_create(
        org=org, actor=manager, data=services.EntryInput(goal_id=goal.pk, value="1")
    )
    foreign = api(outsider)
    assert foreign.get(f"/api/v1/orgs/{other_org.slug}/metric-entries/{entry.pk}/").status_code == 404
    response = foreign.get(f"/api/v1/orgs/{other_org.slug}/metric-entries/", {"goal": goal.pk})
    assert_error(response, 400, type_="validation_error", attr="goal")
    response = foreign.post(f"/api/v1/orgs/{other_org.slug}/metric-entries/", {"goal": goal.pk, "value": "1"},
                            format="json")  # fmt: skip
    assert_error(response, 400, type_="validation_error", attr="goal")
    assert MetricEntry.objects.count() == 1


def test_indicator_history_and_latest(org, manager, goal):
    today = org_today(org)
    services.entries_save(org=org, actor=manager, rows=[
        services.EntryInput(goal_id=goal.pk, value="20000", day=(today - timedelta(days=n)).isoformat())
        for n in range(5)])  # fmt: skip
    services.indicators_recompute(org=org, since=today - timedelta(days=4))
    history = (
        api(manager).get(f"/api/v1/orgs/{org.slug}/indicators/", {"goal": goal.pk, "kind": "lagging"}).json()
    )
    assert [r["day"] for r in history["results"]] == [
        (today - timedelta(days=n)).isoformat() for n in range(4, -1, -1)
    ]
    assert (
        history["results"][-1]["actual"] == "100000.0000" and history["results"][-1]["status"] == "off_track"
    )
    latest = api(manager).get(f"/api/v1/orgs/{org.slug}/indicators/latest/").json()
    assert [(r["goal"], r["day"]) for r in latest["results"]] == [(goal.pk, today.isoformat())]


LIST_QUERIES = {"metric-entries": 3, "standups": 4, "indicators": 3}


@pytest.mark.parametrize("path", LIST_QUERIES)
def test_list_query_counts_are_flat(org, manager, member, goal, path):
    today = org_today(org)

    def grow(n: int) -> None:
        for i in range(n):
            person = factories.member(org)
            person.teams.add(goal.team)
            services.standup_submit(member=person, actor=person, data=services.StandupInput(
                day=today, today="x", values=(services.EntryInput(goal_id=goal.pk, value=str(i + 1)),)))  # fmt: skip
        services.indicators_recompute(org=org, since=today - timedelta(days=n))

    url = f"/api/v1/orgs/{org.slug}/{path}/"
    grow(1)
    assert_queries(LIST_QUERIES[path], api(manager), url)
    grow(30)
    assert_queries(LIST_QUERIES[path], api(manager), url)
    assert IndicatorSnapshot.objects.count() >= 30


def test_alert_acknowledge_and_resolve_through_the_api(org, manager, member, goal, other_org, outsider):
    from tracking.models import Alert, CorrectiveAction

    today = org_today(org)
    services.entries_save(org=org, actor=manager, rows=[
        services.EntryInput(goal_id=goal.pk, value="9000", day=(today - timedelta(days=n)).isoformat()) for n in range(46)])  # fmt: skip
    services.indicators_recompute(org=org)
    services.alerts_evaluate(org=org, goal_ids=[goal.pk])
    alert = Alert.objects.get(kind="lagging_behind")
    listed = api(manager).get(f"/api/v1/orgs/{org.slug}/alerts/", {"state": "open"}).json()
    assert [a["id"] for a in listed["results"]] == [alert.pk] and "behind" in listed["results"][0]["message"]
    url = f"/api/v1/orgs/{org.slug}/alerts/{alert.pk}/acknowledge/"
    due = (today + timedelta(days=7)).isoformat()
    body = {
        "cause": "competition",
        "cause_note": "Key region",
        "action": "More promotion budget",
        "due_date": due,
    }
    assert_error(api(manager).post(url, {**body, "owner": outsider.pk}, format="json"), 400, type_="validation_error",
                 attr="owner")  # fmt: skip
    assert_error(  # not the goal's owner, nor a manager of its team
        api(member).post(url, {**body, "owner": member.pk}, format="json"), 403, type_="permission_denied"
    )
    done = api(manager).post(url, {**body, "owner": member.pk}, format="json")
    assert done.status_code == 201 and CorrectiveAction.objects.get().owner == member
    progress = api(member).post(f"/api/v1/orgs/{org.slug}/corrective-actions/{done.json()['id']}/progress/",
                                {"done": True, "worked": True}, format="json")  # fmt: skip
    assert progress.status_code == 200 and progress.json()["state"] == "done"
    resolved = api(manager).post(f"/api/v1/orgs/{org.slug}/alerts/{alert.pk}/resolve/",
                                 {"reason": "data_corrected", "note": "Overtaken"},
                                 format="json")  # fmt: skip
    assert resolved.json()["state"] == "resolved"
    assert api(outsider).get(f"/api/v1/orgs/{other_org.slug}/alerts/{alert.pk}/").status_code == 404


def test_only_admins_configure_channels(org, admin, manager):
    url = f"/api/v1/orgs/{org.slug}/notification-channels/"
    body = {
        "name": "Sales chat",
        "kind": "feishu",
        "url": "https://open.feishu.cn/open-apis/bot/v2/hook/x",
        "secret": "s",
    }
    assert api(manager).post(url, body, format="json").status_code == 403
    created = api(admin).post(url, body, format="json")
    assert created.status_code == 201 and "secret" not in created.json()
    assert_error(api(admin).post(url, {**body, "url": "file:///etc/passwd"}, format="json"), 400,
                 type_="validation_error", attr="url")  # fmt: skip


def test_reviews_api_upserts_the_decisions(org, manager, member, other_org, outsider):
    team = factories.team(org, "Ops", managers=[manager])
    url = f"/api/v1/orgs/{org.slug}/reviews/"
    body = {"team": team.pk, "kind": "week", "start": "2026-11-23", "decisions": "Shift two reps to the East"}
    first = api(manager).post(url, body, format="json")
    assert first.status_code == 201, first.json()
    again = api(manager).post(url, {**body, "decisions": "Shift three reps"}, format="json")
    assert again.json()["id"] == first.json()["id"] and again.json()["decisions"] == "Shift three reps"
    assert_error(api(manager).post(url, {**body, "start": "2026-11-24"}, format="json"), 400,
                 type_="validation_error", attr="start")  # fmt: skip
    assert api(member).post(url, body, format="json").status_code == 403
    foreign = factories.team(other_org, "Theirs")
    assert_error(api(manager).post(url, {**body, "team": foreign.pk}, format="json"), 400, type_="validation_error",
                 attr="team")  # fmt: skip


def test_huge_ids_and_malformed_urls_are_a_400(org, member, admin, manager):
    sales_deal(org, manager, member)
    huge = 10**30
    url = f"/api/v1/orgs/{org.slug}/metric-entries/"
    assert api(manager).post(url, {"goal": huge, "value": "1"}, format="json").status_code == 400
    bulk = api(manager).post(
        url + "bulk/", {"entries": [{"goal": huge, "value": "1", "member": huge}]}, format="json"
    )
    assert bulk.status_code == 400
    channel = api(admin).post(f"/api/v1/orgs/{org.slug}/notification-channels/",
                              {"name": "x", "kind": "slack", "url": "http://[::1"}, format="json")  # fmt: skip
    assert channel.status_code == 400 and channel.json()["errors"][0]["attr"] == "url"


def test_latest_indicators_respect_the_filters(org, member, manager):
    goal = sales_deal(org, manager, member).goal
    risk = goal_services.supporting_metric_save(goal=goal, actor=manager, kind="risk", name="Complaints",
                                                direction="down", threshold=D(2))  # fmt: skip
    services.entries_save(org=org, actor=manager, rows=[
        services.EntryInput(goal_id=goal.pk, value="5"),
        services.EntryInput(goal_id=goal.pk, supporting_metric_id=risk.pk, value="1")])  # fmt: skip
    services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=2))
    rows = api(manager).get(f"/api/v1/orgs/{org.slug}/indicators/latest/", {"kind": "risk"}).json()["results"]
    assert [(r["kind"], r["day"]) for r in rows] == [("risk", org_today(org).isoformat())]
