"""Conditional GET answered from the versions alone (issue 19, docs/api.md "Reading cheaply"): the
tag changes whenever anything in the answer would change, whatever wrote it (save(), .update(),
bulk writes, deletions, raw SQL, a recompute), and with everything the answer depends on (query
string, person, role, token, language, date); and a 304 never reaches someone the read would
refuse (401, 403, 404)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from goals.models import Goal
from teams import services as team_services
from teams.models import Membership, Role, Team, User
from teams.selectors import org_today
from teams.sync import data_versions, writes_for
from tests import factories
from tests.incentives.test_grants import world  # noqa: F401  (the fixture)
from tests.queries import pinned_queries
from tests.teams.test_api import assert_error


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def url(org, path="") -> str:
    return f"/api/v1/orgs/{org.slug}/{path}"


def tag_of(client: APIClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    return response["ETag"]


def _rename_by_save(goal: Goal) -> str:
    goal.title = "Saved title"
    goal.save()
    return "Saved title"


def _rename_by_update(goal: Goal) -> str:
    Goal.objects.filter(pk=goal.pk).update(title="Updated title")  # no signal
    return "Updated title"


def _rename_by_bulk_update(goal: Goal) -> str:
    goal.title = "Bulk title"
    Goal.objects.bulk_update([goal], ["title"])
    return "Bulk title"


def _rename_by_raw_sql(goal: Goal) -> str:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE goals_goal SET title = %s WHERE id = %s", ["Raw title", goal.pk])
    return "Raw title"


def _rename_team(goal: Goal) -> str:  # a row of another table that the goal's row shows
    Team.objects.filter(pk=goal.team_id).update(name="Renamed team")
    return "Renamed team"


def _rename_owner(goal: Goal) -> str:  # a table without org_id: everyone's version moves
    User.objects.filter(memberships__pk=goal.owner_id).update(display_name="Renamed owner")
    return "Renamed owner"


@pytest.mark.parametrize(
    "change", [_rename_by_save, _rename_by_update, _rename_by_bulk_update, _rename_by_raw_sql, _rename_team,
               _rename_owner],
    ids=["save", "update", "bulk_update", "raw_sql", "related_team", "owner_without_org"],
)  # fmt: skip
def test_every_kind_of_write_gives_a_200_with_what_changed(org, manager, member, change):
    team = factories.team(org, "Growth", managers=[manager])
    goal = factories.goal(org, manager, team=team)
    client = api(member)
    path = url(org, "goals/")
    etag = tag_of(client, path)
    shown = change(goal)
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag
    assert shown in str(again.json()["results"][0].values())
    assert client.get(path, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_deletions_and_new_rows_give_a_200(org, manager, member):
    goals = [factories.goal(org, manager) for _ in range(2)]
    client = api(member)
    path = url(org, "goals/")
    detail = url(org, f"goals/{goals[0].pk}/")
    etag, detail_etag = tag_of(client, path), tag_of(client, detail)
    Goal.objects.filter(pk=goals[0].pk).delete()
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again.json()["count"] == 1
    assert (
        client.get(detail, HTTP_IF_NONE_MATCH=detail_etag).status_code == 404
    )  # never a 304 for what is gone
    etag = again["ETag"]
    factories.goal(org, manager)
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).json()["count"] == 2


def test_a_fast_delete_and_a_bulk_insert_without_signals_give_a_200(org, manager, member):
    """Rows written or deleted without save() or signals (bulk_create, a fast queryset delete)."""
    from decimal import Decimal

    from tracking.models import MetricEntry

    goal = factories.goal(org, manager)
    client = api(member)
    path = url(org, "metric-entries/")
    etag = tag_of(client, path)
    MetricEntry.objects.bulk_create([MetricEntry(org=org, goal=goal, day=date(2026, 1, 5), value=Decimal(7))])
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again.json()["count"] == 1
    MetricEntry.objects.filter(goal=goal)._raw_delete(connection.alias)  # what a fast delete runs
    gone = client.get(path, HTTP_IF_NONE_MATCH=again["ETag"])
    assert gone.status_code == 200 and gone.json()["count"] == 0


def test_a_progress_recompute_gives_a_200_with_the_new_progress(org, manager, member):
    from tracking import services as tracking_services
    from tracking.services.indicators import indicators_recompute

    today = org_today(org)
    goal = factories.goal(org, manager, status="active", start_date=today - timedelta(days=30),
                          end_date=today + timedelta(days=30))  # fmt: skip
    tracking_services.entries_save(org=org, actor=manager, rows=[tracking_services.EntryInput(
        goal_id=goal.pk, value="40", day=today.isoformat())])  # fmt: skip
    client = api(member)
    path = url(org, f"goals/{goal.pk}/")
    before = client.get(path)
    indicators_recompute(org=org, goal_ids=[goal.pk])
    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["attainment"] != before.json()["attainment"]


def test_each_query_string_is_its_own_representation(org, manager, member):
    factories.goal(org, manager, status="active")
    factories.goal(org, manager)
    client = api(member)
    variants = ["goals/", "goals/?fields=id,title", "goals/?expand=targets", "goals/?page_size=1",
                "goals/?page_size=1&page=2", "goals/?status=active", "goals/?cursor="]  # fmt: skip
    tags = {variant: tag_of(client, url(org, variant)) for variant in variants}
    assert len(set(tags.values())) == len(variants)
    for variant in variants[1:]:
        assert client.get(url(org, variant), HTTP_IF_NONE_MATCH=tags["goals/"]).status_code == 200


def test_the_language_the_rights_and_the_date_are_in_the_tag(org, manager, member):
    factories.goal(org, manager)
    User.objects.filter(pk=member.user_id).update(language="en")
    member.user.refresh_from_db()
    client = api(member)
    path = url(org, "goals/")
    etag = tag_of(client, path)
    chinese = client.get(path, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200 and chinese["Content-Language"] == "zh-hans"
    assert chinese["ETag"] != etag
    Membership.objects.filter(pk=member.pk).update(role=Role.VIEWER)  # the caller's rights change
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200
    etag = tag_of(client, path)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=1)):  # "late", "days left" move on
        assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_304_never_reaches_someone_the_read_refuses(org, manager, member, outsider):
    goal = factories.goal(org, manager)
    path, detail = url(org, "goals/"), url(org, f"goals/{goal.pk}/")
    etag, detail_etag = tag_of(api(member), path), tag_of(api(member), detail)
    # Another organisation's admin: 404, as if it did not exist.
    assert api(outsider).get(path, HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert api(outsider).get(detail, HTTP_IF_NONE_MATCH="*").status_code == 404
    assert (
        api(outsider).get(url(outsider.org, f"goals/{goal.pk}/"), HTTP_IF_NONE_MATCH="*").status_code == 404
    )
    # Nobody signed in: 401.
    assert APIClient().get(path, HTTP_IF_NONE_MATCH=etag).status_code == 401
    # Someone who left: 404, even with the tag they were given.
    Membership.objects.filter(pk=member.pk).update(is_active=False)
    assert api(member).get(path, HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert api(member).get(detail, HTTP_IF_NONE_MATCH=detail_etag).status_code == 404


def test_a_role_refused_a_list_gets_403_even_with_a_valid_tag(org, members, member, world):  # noqa: F811
    runs = url(org, "payout-runs/")
    etag = tag_of(api(world["hr"]), runs)
    assert_error(api(member).get(runs, HTTP_IF_NONE_MATCH=etag), 403, type_="permission_denied")


def test_a_made_up_tag_and_a_star(org, manager, member):
    goal = factories.goal(org, manager)
    client = api(member)
    detail = url(org, f"goals/{goal.pk}/")
    assert client.get(detail, HTTP_IF_NONE_MATCH='"00000000000000000000000000000000"').status_code == 200
    star = client.get(detail, HTTP_IF_NONE_MATCH="*")  # it exists: 304, with its tag
    assert star.status_code == 304 and star.content == b"" and star["ETag"] == client.get(detail)["ETag"]
    assert client.get(url(org, "goals/999999/"), HTTP_IF_NONE_MATCH="*").status_code == 404


def test_a_write_in_one_organisation_keeps_the_others_304(org, manager, other_org, outsider):
    goal = factories.goal(org, manager)
    factories.goal(other_org, outsider)
    theirs = url(other_org, "goals/")
    etag = tag_of(api(outsider), theirs)
    # Through the API (the request names its organisation), bulk or not.
    response = api(manager).patch(url(org, f"goals/{goal.pk}/"), {"title": "Ours"}, format="json")
    assert response.status_code == 200, response.json()
    assert api(outsider).get(theirs, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A job that declares its organisation.
    with writes_for(org.pk):
        Goal.objects.filter(org=org).update(title="Ours again")
    assert api(outsider).get(theirs, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A write that names no organisation moves everyone's version: correct, only coarser.
    Goal.objects.filter(org=org).update(title="Ours once more")
    assert api(outsider).get(theirs, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_lost_version_never_brings_an_old_tag_back(org, manager, member):
    """Versions evicted or Redis flushed: they start again from a random number, not from 0."""
    from django.core.cache import cache

    from teams.sync import version_key

    factories.goal(org, manager)
    client = api(member)
    path = url(org, "goals/")
    etag = tag_of(client, path)
    cache.delete_many([version_key(org.pk), version_key(None)])
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert data_versions(org.pk)[0] not in (0, 1, None)


def test_a_304_reads_no_row_and_costs_no_more_with_a_token(org, manager, member):
    for _ in range(3):
        factories.goal(org, manager)
    _token, key = team_services.api_token_create(user=member.user, name="BI")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for path in (url(org, "goals/?page_size=2"), url(org, "goals/?cursor="), url(org, "metric-entries/")):
        etag = tag_of(client, path)
        with pinned_queries(2, f"a 304 of {path}: the token and the membership"):
            response = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        assert response["X-RateLimit-Limit"] and response["X-RateLimit-Remaining"]
