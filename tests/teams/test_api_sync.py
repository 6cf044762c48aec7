"""Integrators mirror an organisation through the API (docs/api.md, "Mirroring an organisation"):
`?updated_since=` and the deletions feed, conditional GET (ETag / 304), rate limits per token, the
maximum page size, and the API floor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from goals.models import Goal
from goals.serializers import GoalSerializer
from teams import services as team_services
from teams.models import Role
from teams.selectors import org_today
from teams.sync import data_changed, data_versions
from tests import factories
from tests.incentives.test_grants import world  # noqa: F401, F811  (the fixture)
from tests.queries import pinned_queries
from tests.teams.test_api import assert_error

START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def url(org, path="") -> str:
    return f"/api/v1/orgs/{org.slug}/{path}"


def pull(client: APIClient, first: str, params: dict | None = None) -> list[dict]:
    """Every row of a paginated list, following `next`."""
    rows: list[dict] = []
    response = client.get(first, params or {})
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        rows.extend(body["results"])
        if not body["next"]:
            return rows
        response = client.get(body["next"])


class Mirror:
    """What an integrator keeps: the rows of a resource by id, synced as docs/api.md says."""

    def __init__(self, client: APIClient, org, resource: str) -> None:
        self.client, self.org, self.resource = client, org, resource
        self.rows: dict[int, dict] = {}
        self.since: str | None = None

    def sync(self) -> None:
        started = (datetime.now(UTC) - timedelta(seconds=60)).isoformat()  # a margin for clocks
        params = {"page_size": 2} if self.since is None else {"page_size": 2, "updated_since": self.since}
        for row in pull(self.client, url(self.org, f"{self.resource}/"), params):
            self.rows[row["id"]] = row
        if self.since is not None:
            deleted = {"resource": self.resource, "updated_since": self.since}
            for tombstone in pull(self.client, url(self.org, "deleted/"), deleted):
                self.rows.pop(tombstone["object_id"], None)
        self.since = started


def source_rows(client: APIClient, org, resource: str) -> dict[int, dict]:
    return {row["id"]: row for row in pull(client, url(org, f"{resource}/"), {"page_size": 500})}


def test_a_mirror_syncing_incrementally_ends_equal_to_the_source(org, admin, manager):
    team = factories.team(org, "Sales", managers=[manager])
    with time_machine.travel(START, tick=True) as clock:
        goals = [factories.goal(org, manager, team=team, title=f"Goal {n}") for n in range(5)]
        mirror = Mirror(api(admin), org, "goals")
        mirror.sync()
        assert mirror.rows == source_rows(api(admin), org, "goals")

        clock.shift(timedelta(hours=1))
        goals[0].title = "Renamed"
        goals[0].save()
        Goal.objects.filter(pk=goals[1].pk).delete()
        factories.goal(org, manager, team=team, title="Added")
        clock.shift(timedelta(hours=1))
        mirror.sync()
        assert mirror.rows == source_rows(api(admin), org, "goals")
        assert mirror.rows[goals[0].pk]["title"] == "Renamed"
        assert goals[1].pk not in mirror.rows

        clock.shift(timedelta(hours=1))
        Goal.objects.filter(pk=goals[2].pk).delete()
        clock.shift(timedelta(hours=1))
        mirror.sync()
        assert mirror.rows == source_rows(api(admin), org, "goals")
        assert len(mirror.rows) == 4


def test_updated_since_returns_only_what_changed(org, admin, manager):
    with time_machine.travel(START, tick=False):
        old = factories.goal(org, manager, title="Old")
    with time_machine.travel(START + timedelta(days=1), tick=False):
        new = factories.goal(org, manager, title="New")
    since = (START + timedelta(hours=12)).isoformat()
    rows = api(admin).get(url(org, "goals/"), {"updated_since": since}).json()["results"]
    assert [row["id"] for row in rows] == [new.pk]
    # A `+` sent unencoded arrives as a space: still read as the offset.
    response = api(admin).get(url(org, "goals/?updated_since=2024-03-04T23:00:00+02:00"))
    assert [row["id"] for row in response.json()["results"]] == [new.pk]
    assert old.pk != new.pk


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2024-13-01T00:00:00+00:00", "2024-03-04T09:00:00", "", "2999-01-01T00:00:00+00:00"],
)
@pytest.mark.parametrize("resource", ["goals", "initiatives", "standups", "metric-entries", "alerts"])
def test_a_bad_or_future_updated_since_is_a_400_naming_it(org, admin, resource, value):
    response = api(admin).get(url(org, f"{resource}/"), {"updated_since": value})
    assert_error(response, 400, type_="validation_error", attr="updated_since")


def test_the_deletions_feed(org, other_org, admin, manager, member, members):
    kept = factories.goal(org, manager)
    gone = factories.goal(org, manager)
    foreign = factories.goal(other_org, factories.member(other_org, Role.MANAGER))
    Goal.objects.filter(pk__in=[gone.pk, foreign.pk]).delete()
    rows = api(member).get(url(org, "deleted/"), {"resource": "goals"}).json()["results"]
    assert [row["object_id"] for row in rows] == [gone.pk]  # not the other organisation's
    assert set(rows[0]) == {"resource", "object_id", "deleted_at"}
    assert kept.pk not in [row["object_id"] for row in rows]
    later = (datetime.now(UTC) + timedelta(seconds=-0.001)).isoformat()
    assert (
        api(member).get(url(org, "deleted/"), {"resource": "goals", "updated_since": later}).json()["count"]
        == 0
    )
    assert_error(api(member).get(url(org, "deleted/")), 400, type_="validation_error", attr="resource")
    assert_error(
        api(member).get(url(org, "deleted/"), {"resource": "nothing"}),
        400,
        type_="validation_error",
        attr="resource",
    )
    # Payout lines' deletions are for the people who see money.
    assert api(member).get(url(org, "deleted/"), {"resource": "payout-lines"}).status_code == 403
    assert api(manager).get(url(org, "deleted/"), {"resource": "payout-lines"}).status_code == 403
    assert api(members[Role.HR]).get(url(org, "deleted/"), {"resource": "payout-lines"}).status_code == 200


def test_a_deleted_metric_value_leaves_a_tombstone(org, manager):
    team = factories.team(org, "Sales", managers=[manager])
    goal = factories.goal(org, manager, team=team, status="active", start_date=START.date() - timedelta(days=5),
                          end_date=START.date() + timedelta(days=80))  # fmt: skip
    client = api(manager)
    with time_machine.travel(START, tick=True):
        made = client.post(url(org, "metric-entries/"), {"goal": goal.pk, "day": START.date().isoformat(),
                                                         "value": "5"}, format="json")  # fmt: skip
        assert made.status_code == 201, made.json()
        assert client.delete(url(org, f"metric-entries/{made.json()['id']}/")).status_code == 204
        rows = client.get(url(org, "deleted/"), {"resource": "metric-entries"}).json()["results"]
    assert [row["object_id"] for row in rows] == [made.json()["id"]]


# --- Conditional GET --------------------------------------------------------------------------
def test_a_repeated_read_answers_304_without_serializing(org, manager, member):
    goal = factories.goal(org, manager)
    client = api(member)
    first = client.get(url(org, "goals/"))
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    with mock.patch.object(GoalSerializer, "to_representation", side_effect=AssertionError("serialized")):
        again = client.get(url(org, "goals/"), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
    detail = client.get(url(org, f"goals/{goal.pk}/"))
    assert client.get(url(org, f"goals/{goal.pk}/"), HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    assert detail["ETag"] != etag


def test_a_transaction_moves_the_data_version_at_each_write_and_once_more_at_commit(
    db, django_capture_on_commit_callbacks
):
    """However many rows a transaction saves, one bump waits for its commit (one Redis round trip,
    not one a row); a rolled-back savepoint takes its bump along, and the next write queues it again."""
    org_id = 987_654  # an organisation no fixture wrote for (the test's transaction never commits)
    before = data_versions(org_id)[0]
    with django_capture_on_commit_callbacks() as hooks, transaction.atomic():
        data_changed(org_id=org_id)
        data_changed(org_id=org_id)
        assert data_versions(org_id)[0] == before + 2  # seen at once by this transaction's reads
    assert len(hooks) == 1
    hooks[0]()  # what the commit runs
    assert data_versions(org_id)[0] == before + 3
    with django_capture_on_commit_callbacks() as hooks, transaction.atomic():
        try:
            with transaction.atomic():
                data_changed(org_id=org_id + 1)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        data_changed(org_id=org_id + 1)
    assert len(hooks) == 1


def test_changed_data_answers_200_with_a_new_etag(org, manager, member):
    goal = factories.goal(org, manager)
    client = api(member)
    etag = client.get(url(org, "goals/"))["ETag"]
    goal.title = "Changed"
    goal.save()
    changed = client.get(url(org, "goals/"), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["results"][0]["title"] == "Changed"
    assert changed["ETag"] != etag
    # A recompute (a bulk upsert of progress, no save()) also moves it on.
    data_changed(org_id=org.pk)
    assert client.get(url(org, "goals/"), HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200
    # So does a deletion, and another query string is another representation.
    etag = client.get(url(org, "goals/"))["ETag"]
    assert client.get(url(org, "goals/?page_size=5"), HTTP_IF_NONE_MATCH=etag).status_code == 200
    Goal.objects.filter(pk=goal.pk).delete()
    assert client.get(url(org, "goals/"), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_value_replaced_by_a_bulk_upsert_answers_200_with_the_new_value(org, manager):
    """The value import replaces a value by its external id with a bulk upsert (no save()): a
    conditional GET made before it must not answer 304 after it, and an incremental read sees it."""
    from tracking import services as tracking_services
    from tracking.models import MetricEntry

    today = org_today(org)
    goal = factories.goal(org, manager, status="active", start_date=today - timedelta(days=30),
                          end_date=today + timedelta(days=30))  # fmt: skip
    day = today.isoformat()

    def push(value: str) -> None:
        tracking_services.entries_save(org=org, actor=manager, rows=[tracking_services.EntryInput(
            goal_id=goal.pk, value=value, day=day, external_id="crm-1")])  # fmt: skip

    push("10")
    MetricEntry.objects.filter(org=org).update(
        updated_at=datetime.now(UTC) - timedelta(minutes=5)
    )  # stored earlier
    client = api(manager)
    first = client.get(url(org, "metric-entries/"))
    assert [r["value"] for r in first.json()["results"]] == ["10.0000"]
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()  # after the first push was stored
    push("12")
    again = client.get(url(org, "metric-entries/"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert [r["value"] for r in again.json()["results"]] == ["12.0000"]
    assert again["ETag"] != first["ETag"]
    assert client.get(url(org, "metric-entries/"), HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
    newer = client.get(url(org, "metric-entries/"), {"updated_since": since}).json()["results"]
    assert [r["value"] for r in newer] == ["12.0000"]


def test_another_person_or_role_never_gets_someone_elses_304(org, manager, member, members):
    factories.goal(org, manager)
    etag = api(member).get(url(org, "goals/"))["ETag"]
    for other in (manager, members[Role.VIEWER], factories.member(org, Role.MEMBER)):
        response = api(other).get(url(org, "goals/"), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, other.role
        assert response["ETag"] != etag
    token, key = team_services.api_token_create(user=member.user, name="BI")
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert by_token.get(url(org, "goals/"), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_304_runs_a_fixed_number_of_queries(org, manager, member):
    client = api(member)
    counts = []
    for n in (1, 12):
        while Goal.objects.filter(org=org).count() < n:
            factories.goal(org, manager)
        etag = client.get(url(org, "goals/"))["ETag"]
        with pinned_queries(1, "a 304 of the goals list") as ctx:
            assert client.get(url(org, "goals/"), HTTP_IF_NONE_MATCH=etag).status_code == 304
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- Limits -----------------------------------------------------------------------------------
@override_settings(API_RATE_LIMIT="3/min")
def test_rate_limits_per_token_with_their_headers(org, member, manager):
    _token, key = team_services.api_token_create(user=member.user, name="BI")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with time_machine.travel(START.replace(second=5), tick=False):
        answers = [client.get(url(org, "goals/")) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a["X-RateLimit-Limit"] for a in answers] == ["3"] * 4
        assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
        assert_error(answers[3], 429, type_="throttled")
        assert 1 <= int(answers[3]["Retry-After"]) <= 60
        # Another token (another integrator) has its own budget.
        _other, other_key = team_services.api_token_create(user=manager.user, name="CRM")
        other = APIClient()
        other.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
        assert other.get(url(org, "goals/")).status_code == 200
    with time_machine.travel(START.replace(second=5) + timedelta(minutes=1), tick=False):
        assert client.get(url(org, "goals/")).status_code == 200  # the next window


def test_a_page_size_above_the_maximum_is_a_400_naming_it(org, member):
    """One maximum, 1,000, for every list by page number and by cursor (as the schema says)."""
    for path, cursor in (("goals/", {}), ("goals/", {"cursor": ""}), ("members/", {})):
        response = api(member).get(url(org, path), {"page_size": 1001, **cursor})
        body = assert_error(response, 400, type_="validation_error", attr="page_size")
        assert "1000" in json.dumps(body)
        assert api(member).get(url(org, path), {"page_size": 1000, **cursor}).status_code == 200


def test_the_api_floor_answers_an_empty_object(member):
    response = api(member).get("/api/v1/floor/")
    assert response.status_code == 200
    assert response.json() == {}
    assert APIClient().get("/api/v1/floor/").status_code == 401


def test_the_schema_documents_limits_validators_and_sync(client):
    schema = client.get("/api/schema/?format=json").json()
    goals = schema["paths"]["/api/v1/orgs/{org_slug}/goals/"]["get"]
    assert {"429", "304"} <= set(goals["responses"])
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "ETag"} <= set(goals["responses"]["200"]["headers"])
    assert "Retry-After" in goals["responses"]["429"]["headers"]
    parameters = {p["name"]: p for p in goals["parameters"]}
    assert parameters["page_size"]["schema"]["maximum"] == 1000
    members = schema["paths"]["/api/v1/orgs/{org_slug}/members/"]["get"]
    assert next(p for p in members["parameters"] if p["name"] == "page_size")["schema"]["maximum"] == 1000
    assert "updated_since" in parameters
    assert "/api/v1/floor/" in schema["paths"]
    deleted = schema["paths"]["/api/v1/orgs/{org_slug}/deleted/"]["get"]
    assert (
        "payout-lines" in next(p for p in deleted["parameters"] if p["name"] == "resource")["schema"]["enum"]
    )


def test_payout_lines_sync_for_the_people_who_see_money(org, members, member, world):  # noqa: F811
    from incentives.models import PayoutLine

    hr, run = world["hr"], world["run"]
    lines_url = url(org, f"payout-runs/{run.pk}/lines/")
    assert api(hr).get(lines_url, {"updated_since": START.isoformat()}).json()["count"] == 3
    later = datetime.now(UTC).isoformat()
    assert api(hr).get(lines_url, {"updated_since": later}).json()["count"] == 0
    assert_error(
        api(hr).get(lines_url, {"updated_since": "soon"}), 400, type_="validation_error", attr="updated_since"
    )
    gone = world["lines"][world["stranger"].pk]
    PayoutLine.objects.filter(pk=gone.pk).delete()
    feed = api(hr).get(url(org, "deleted/"), {"resource": "payout-lines", "updated_since": later}).json()
    assert [row["object_id"] for row in feed["results"]] == [gone.pk]
    assert api(member).get(url(org, "deleted/"), {"resource": "payout-lines"}).status_code == 403


@pytest.mark.parametrize("resource", ["standups", "initiatives", "alerts", "metric-entries"])
def test_every_mirrored_list_answers_conditional_gets_per_person(org, manager, member, resource):
    etag = api(member).get(url(org, f"{resource}/"))["ETag"]
    assert api(member).get(url(org, f"{resource}/"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api(manager).get(url(org, f"{resource}/"), HTTP_IF_NONE_MATCH=etag).status_code == 200
    since = datetime.now(UTC).isoformat()
    assert api(member).get(url(org, f"{resource}/"), {"updated_since": since}).json()["count"] == 0
