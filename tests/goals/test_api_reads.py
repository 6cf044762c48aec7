"""Issue 19, the goals read side for integrators: progress of the last recompute in every row,
field choice, cursor pages and the streamed flat exports (goals, metric values, stand-ups)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from goals import api_rows
from goals.api_rows import DEFAULT_FIELDS
from goals.models import Goal, Scope
from teams import api_stream
from teams.models import Organization
from teams.selectors import org_today
from tests import factories
from tests.teams.test_api import assert_error
from tracking import services
from tracking.models import IndicatorKind, IndicatorSnapshot


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def url(org, path="") -> str:
    return f"/api/v1/orgs/{org.slug}/{path}"


@pytest.fixture
def world(org, manager, member):
    """A strategy goal with two active team goals: one with values (recomputed), one without."""
    team = factories.team(org, "Sales", managers=[manager])
    member.teams.add(team)
    today = org_today(org)
    period = {"start_date": today - timedelta(days=45), "end_date": today + timedelta(days=45)}
    strategy = factories.goal(org, manager, title="Grow", status="active", **period)
    measured = factories.goal(org, manager, parent=strategy, team=team, scope=Scope.TEAM, title="Deal value",
                              base=D(900), challenge=D(1000), stretch=D(1200), status="active", **period)  # fmt: skip
    quiet = factories.goal(org, manager, parent=strategy, team=team, scope=Scope.TEAM, title="Quiet",
                           status="active", **period)  # fmt: skip
    services.entries_save(org=org, actor=manager, rows=[
        services.EntryInput(goal_id=measured.pk, value="20", day=(today - timedelta(days=n)).isoformat())
        for n in range(5)])  # fmt: skip
    services.indicators_recompute(org=org, since=today - timedelta(days=4))
    return {"strategy": strategy, "measured": measured, "quiet": quiet, "team": team}


def _ndjson(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    text = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in text.splitlines()]


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- Progress ---------------------------------------------------------------------------------
def test_every_goal_row_carries_the_last_recomputes_progress(org, manager, world):
    snapshot = IndicatorSnapshot.objects.filter(goal=world["measured"], kind=IndicatorKind.LAGGING,
                                                metric_key=0).latest("day")  # fmt: skip
    client = api(manager)
    rows = {r["id"]: r for r in client.get(url(org, "goals/")).json()["results"]}
    detail = client.get(url(org, f"goals/{world['measured'].pk}/")).json()
    tree = client.get(url(org, "goals/tree/")).json()
    for found in (
        rows[world["measured"].pk]["attainment"],
        detail["attainment"],
        tree[0]["children"][0]["attainment"],
    ):
        assert found["percent"] == str(snapshot.attainment)
        assert found["tier_reached"] == snapshot.tier_reached
        assert found["tier_projected"] == snapshot.tier_projected
        assert found["status"] == snapshot.status
        assert found["status_reason"] == snapshot.status_reason
        assert found["as_of"] == snapshot.day.isoformat()
        assert datetime.fromisoformat(found["recomputed_at"]) == snapshot.computed_at  # org's time zone
    strategy = rows[world["strategy"].pk]["attainment"]  # the roll-up of its children
    assert strategy["source"] == "children" and strategy["percent"] == str(snapshot.attainment)
    assert strategy["rollup"]["children"] == 2 and strategy["rollup"]["reporting"] == 1
    assert strategy["status"] == snapshot.status and "Deal value" in strategy["status_reason"]
    quiet = rows[world["quiet"].pk]["attainment"]  # recomputed, without values
    assert quiet["percent"] is None and quiet["tier_reached"] == "none"


# --- Field choice -----------------------------------------------------------------------------
def test_fields_and_expand_choose_what_a_row_carries(org, manager, world):
    client = api(manager)
    default = client.get(url(org, "goals/")).json()["results"][0]
    assert tuple(default) == DEFAULT_FIELDS and "targets" not in default
    chosen = client.get(url(org, "goals/"), {"fields": "id,title,attainment"}).json()["results"]
    assert [tuple(r) for r in chosen] == [("id", "title", "attainment")] * 3
    pk = world["measured"].pk
    one = client.get(url(org, f"goals/{pk}/"), {"fields": "id", "expand": "targets,period_targets"}).json()
    assert set(one) == {"id", "targets", "period_targets"}
    assert one["targets"] == {"number": 1, "base": "900.0000", "challenge": "1000.0000", "stretch": "1200.0000",
                              "effective_from": world["measured"].start_date.isoformat(), "overrides": {}}  # fmt: skip
    assert one["period_targets"] == []
    full = client.get(url(org, f"goals/{pk}/"), {"expand": "targets"}).json()
    assert full["title"] == "Deal value" and full["owner_name"] == manager.user.display_name
    assert full["weight"] == "1.000" and full["start_date"] == world["measured"].start_date.isoformat()


@pytest.mark.parametrize(
    ("params", "attr"),
    [({"fields": "id,salary"}, "fields"), ({"expand": "owner"}, "expand"), ({"fields": ""}, "fields"),
     ({"expand": ","}, "expand")],
)  # fmt: skip
def test_an_unknown_field_is_a_400_naming_it(org, manager, world, params, attr):
    for path in ("goals/", f"goals/{world['measured'].pk}/", "goals/export/"):
        body = assert_error(
            api(manager).get(url(org, path), params), 400, type_="validation_error", attr=attr
        )
        if "salary" in params.get("fields", ""):
            assert "salary" in body["detail"]


def test_fields_choose_what_a_tree_node_carries(org, manager, world):
    client = api(manager)
    full = client.get(url(org, "goals/tree/")).json()
    chosen = client.get(url(org, "goals/tree/"), {"fields": "title,attainment"}).json()
    assert [tuple(node) for node in chosen] == [("title", "attainment", "children")]
    assert chosen[0]["attainment"] == full[0]["attainment"] and chosen[0]["attainment"]["percent"]
    kids = {child["title"]: child for child in chosen[0]["children"]}
    assert set(kids) == {"Deal value", "Quiet"} and all(tuple(c) == ("title", "attainment", "children")
                                                        for c in kids.values())  # fmt: skip
    assert kids["Deal value"]["attainment"] == next(
        c["attainment"] for c in full[0]["children"] if c["title"] == "Deal value"
    )
    bare = client.get(url(org, "goals/tree/"), {"fields": "id"}).json()
    assert bare == [{"id": world["strategy"].pk, "children": [{"id": c["id"], "children": []}
                                                               for c in full[0]["children"]]}]  # fmt: skip
    for bad in ("id,salary", ""):
        body = assert_error(client.get(url(org, "goals/tree/"), {"fields": bad}), 400, type_="validation_error",
                            attr="fields")  # fmt: skip
        if bad:
            assert "salary" in body["detail"]


# --- Cursor pages -----------------------------------------------------------------------------
def test_cursor_pages_give_every_goal_once_while_goals_are_added(org, manager, world):
    client = api(manager)
    for i in range(4):
        factories.goal(org, manager, title=f"Before {i}")
    seen: list[int] = []
    page = client.get(url(org, "goals/"), {"cursor": "", "page_size": 2, "fields": "id"}).json()
    added = 0
    while True:
        assert "count" not in page and len(page["results"]) <= 2
        seen.extend(r["id"] for r in page["results"])
        if added < 3:  # someone adds a goal between two pages
            factories.goal(org, manager, title=f"During {added}")
            added += 1
        if page["next"] is None:
            break
        page = client.get(page["next"]).json()
    assert len(seen) == len(set(seen))
    assert seen == sorted(Goal.objects.filter(org=org).values_list("pk", flat=True))


def test_cursor_and_page_size_mistakes_are_400s(org, manager, world):
    client = api(manager)
    for bad in ("nonsense", "YWZ0ZXI6eA", "!!", "a" * 50):
        assert_error(
            client.get(url(org, "goals/"), {"cursor": bad}), 400, type_="validation_error", attr="cursor"
        )
    too_big = client.get(url(org, "goals/"), {"cursor": "", "page_size": 1001})
    assert_error(too_big, 400, type_="validation_error", attr="page_size")
    assert len(client.get(url(org, "goals/"), {"cursor": "", "page_size": 1000}).json()["results"]) == 3
    paged = client.get(url(org, "goals/"), {"page_size": 2}).json()  # without a cursor: as before
    assert paged["count"] == 3 and len(paged["results"]) == 2 and "page=2" in paged["next"]


# --- Exports ----------------------------------------------------------------------------------
def test_goal_export_in_both_formats_with_the_chosen_fields(org, manager, world):
    client = api(manager)
    rows = _ndjson(client.get(url(org, "goals/export/"), {"format": "ndjson"}))
    listed = client.get(url(org, "goals/"), {"page_size": 100}).json()["results"]
    assert sorted(rows, key=lambda r: r["id"]) == sorted(listed, key=lambda r: r["id"])
    table = _csv(client.get(url(org, "goals/export/"), {"format": "csv", "fields": "id,title,attainment"}))
    assert list(table[0])[:4] == ["id", "title", "attainment.percent", "attainment.source"]
    assert "attainment.rollup.children" in table[0]
    by_id = {int(r["id"]): r for r in table}
    assert by_id[world["strategy"].pk]["attainment.rollup.children"] == "2"
    measured = next(r for r in listed if r["id"] == world["measured"].pk)["attainment"]
    assert by_id[world["measured"].pk]["attainment.tier_reached"] == measured["tier_reached"]
    assert by_id[world["measured"].pk]["attainment.percent"] == measured["percent"]
    assert_error(client.get(url(org, "goals/export/"), {"format": "xml"}), 400, type_="validation_error",
                 attr="format")  # fmt: skip


def test_goal_export_gives_every_goal_once_while_goals_are_added(org, manager, world, monkeypatch):
    monkeypatch.setattr(api_stream, "CHUNK", 2)
    response = api(manager).get(url(org, "goals/export/"), {"fields": "id,title"})
    lines: list[dict] = []
    for n, piece in enumerate(response.streaming_content):
        lines.extend(json.loads(line) for line in piece.decode().splitlines())
        if n < 2:
            factories.goal(org, manager, title=f"Added {n}")
    ids = [row["id"] for row in lines]
    assert len(ids) == len(set(ids)) == Goal.objects.filter(org=org).count() == 5
    assert all(set(row) == {"id", "title"} for row in lines)


def test_export_and_cursor_query_counts_do_not_grow_with_goals(org, manager, world):
    client = api(manager)

    def counted(path: str, params: dict) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(org, path), params)
            if response.streaming:
                b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    reads = [("goals/export/", {"expand": "targets,period_targets"}), ("goals/", {"cursor": "", "page_size": 1000}),
             ("goals/", {"expand": "targets"})]  # fmt: skip
    small = [counted(path, params) for path, params in reads]
    for i in range(40):
        factories.goal(
            org,
            manager,
            parent=world["strategy"],
            team=world["team"],
            scope=Scope.TEAM,
            title=f"G{i}",
            start_date=world["strategy"].start_date,
            end_date=world["strategy"].end_date,
        )
    assert [counted(path, params) for path, params in reads] == small
    # export: the membership, then the keyset chunk, the roll-up (goals, versions, indicators), the
    # targets and their slices
    assert small[0] == 1 + 6


def test_metric_value_and_standup_exports_by_period(org, manager, member, world):
    today = org_today(org)
    services.standup_submit(member=member, actor=member, data=services.StandupInput(
        day=today, today="Call the East region", values=(services.EntryInput(goal_id=world["measured"].pk,
                                                                             value="7"),)))  # fmt: skip
    client = api(manager)
    values = _ndjson(client.get(url(org, "metric-entries/export/"), {"start": today.isoformat()}))
    assert sorted((v["day"], v["value"]) for v in values) == [
        (today.isoformat(), "20.0000"),
        (today.isoformat(), "7.0000"),
    ]
    everything = _csv(
        client.get(url(org, "metric-entries/export/"), {"format": "csv", "fields": "id,day,value"})
    )
    assert len(everything) == 6 and list(everything[0]) == ["id", "day", "value"]
    window = {
        "start": (today - timedelta(days=4)).isoformat(),
        "end": (today - timedelta(days=1)).isoformat(),
    }
    assert len(_ndjson(client.get(url(org, "metric-entries/export/"), window))) == 4
    standups = _csv(client.get(url(org, "standups/export/"), {"format": "csv", "end": today.isoformat()}))
    assert [(s["member_name"], s["today"]) for s in standups] == [
        (member.user.display_name, "Call the East region")
    ]
    assert json.loads(standups[0]["entries"]) == [{"goal": world["measured"].pk, "supporting_metric": None,
                                                   "value": "7.0000"}]  # fmt: skip
    bad = client.get(url(org, "standups/export/"), {"start": "2026-13-01"})
    assert_error(bad, 400, type_="validation_error", attr="start")
    backwards = client.get(
        url(org, "metric-entries/export/"), {"start": today.isoformat(), "end": "2020-01-01"}
    )
    assert_error(backwards, 400, type_="validation_error", attr="end")
    assert_error(client.get(url(org, "standups/export/"), {"format": "pdf"}), 400, type_="validation_error",
                 attr="format")  # fmt: skip


def test_exports_stay_in_their_organisation(org, manager, world, other_org, outsider):
    foreign = api(outsider)
    for path in ("goals/export/", "metric-entries/export/", "standups/export/"):
        assert foreign.get(url(org, path)).status_code == 404
        assert _ndjson(foreign.get(url(other_org, path))) == []


# --- The same row whichever read writes it --------------------------------------------------------
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_every_read_writes_a_goal_alike_datetimes_as_drf_does(org, manager, world, monkeypatch, zone):
    """A page, cursor pages, the NDJSON export, indented JSON (DRF's encoder) and one goal write the
    same row: datetimes as DRF's DateTimeField writes them (the organisation's time zone, with the
    microseconds, `Z` for UTC) and the same progress, whether it comes from the per-goal entries or,
    in a large read, from the organisation's entry kept as JSON already written."""
    monkeypatch.setattr(api_rows, "WHOLE_READ", 1)  # every read of two goals or more is a large one
    Organization.objects.filter(pk=org.pk).update(timezone=zone)
    client = api(manager)
    page = client.get(url(org, "goals/"), {"page_size": 100}).json()["results"]
    cursor = client.get(url(org, "goals/"), {"cursor": "", "page_size": 1000}).json()["results"]
    pretty = client.get(url(org, "goals/"), {"cursor": ""}, HTTP_ACCEPT="application/json; indent=2")
    assert pretty.status_code == 200 and b'\n  "results": [\n' in pretty.content
    exported = _ndjson(client.get(url(org, "goals/export/")))
    by_id = sorted(page, key=lambda row: row["id"])
    assert cursor == json.loads(pretty.content)["results"] == exported == by_id
    goal = Goal.objects.get(pk=world["measured"].pk)
    one = client.get(url(org, f"goals/{goal.pk}/")).json()
    assert one == next(row for row in page if row["id"] == goal.pk)
    with timezone.override(ZoneInfo(zone)):
        written = {
            name: DateTimeField().to_representation(getattr(goal, name))
            for name in ("created_at", "updated_at")
        }
    assert {name: one[name] for name in written} == written
    assert written["created_at"].endswith("Z" if zone == "UTC" else "+08:00")
    assert one["attainment"]["percent"] and one["attainment"]["recomputed_at"].endswith(
        written["created_at"][-6:] if zone != "UTC" else "Z"
    )
