"""The API refuses what its schema says is invalid (schemathesis' `negative_data_rejection`, now run
by `make api-check`), with a 400 naming the parameter; and the schema tells the truth where the API
takes more than one spelling (a decimal as a number or a string). Each case below was accepted before.
docs/api.md, "Strict input"."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests import factories
from tests.teams.test_api import assert_error


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


@pytest.fixture
def goal(org, manager):
    team = factories.team(org, "Operations", managers=[manager])
    return factories.goal(org, manager, team=team, scope="team", start_date=date(2026, 10, 1),
                          end_date=date(2026, 12, 31), status="active")  # fmt: skip


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("standups/?until=", "until"),
        ("metric-entries/?until=", "until"),
        ("indicators/?until=", "until"),
        ("indicators/latest/?until=", "until"),
        ("initiatives/?starts_after=", "starts_after"),
        ("reviews/?since=", "since"),
        ("goals/?top_level=null", "top_level"),
        ("goals/?top_level=1", "top_level"),
        ("teams/?top_level=null&top_level=null", "top_level"),
        ("members/?is_active=null", "is_active"),
        ("goals/?status=", "status"),
        ("goals/tree/?closed=null", "closed"),
        ("goals/tree/?closed=0", "closed"),
        ("goals/tree/?root=", "root"),
        ("payouts/preview/?start=", "start"),
        ("payouts/preview/?pending=1", "pending"),
        ("goals/?page=", "page"),  # a page number that is present is a number (the schema's integer)
        ("private-notes/?page=", "page"),
        ("goals/?page_size=", "page_size"),
    ],
)
def test_a_query_parameter_outside_its_type_is_a_400_naming_it(org, manager, path, param):
    assert_error(
        api(manager).get(f"/api/v1/orgs/{org.slug}/{path}"), 400, type_="validation_error", attr=param
    )


def test_well_typed_and_free_text_parameters_still_work(org, manager, goal):
    client = api(manager)
    base = f"/api/v1/orgs/{org.slug}/"
    assert client.get(f"{base}goals/?top_level=true").json()["count"] == 1
    assert client.get(f"{base}goals/?top_level=false").json()["count"] == 0
    assert client.get(f"{base}goals/?search=").json()["count"] == 1  # free text may be empty
    assert client.get(f"{base}goals/tree/?closed=false").status_code == 200
    assert client.get(f"{base}standups/?until=2026-12-01").status_code == 200
    assert client.get(f"{base}payouts/preview/?pending=true").status_code == 200


def _initiative(goal, owner, **changes) -> dict[str, Any]:
    return {"goal": goal.pk, "dimension": "User acquisition", "title": "3 online referral campaigns",
            "owner": owner.pk, "start_date": "2026-10-01", "due_date": "2026-10-28", "budget": "5000.00",
            "needs": ["design"], "priority": "P0", **changes}  # fmt: skip


@pytest.mark.parametrize("value", [0, 1, "yes", "1"])
def test_a_json_boolean_is_true_or_false(org, manager, goal, value):
    url = f"/api/v1/orgs/{org.slug}/initiatives/"
    response = api(manager).post(url, _initiative(goal, manager, is_experiment=value), format="json")
    assert_error(response, 400, type_="validation_error", attr="is_experiment")
    ok = api(manager).post(url, _initiative(goal, manager, is_experiment=True), format="json")
    assert ok.status_code == 201 and ok.json()["is_experiment"] is True


def test_text_is_a_string_not_a_number(org, manager, goal):
    client = api(manager)
    created = client.post(
        f"/api/v1/orgs/{org.slug}/initiatives/", _initiative(goal, manager), format="json"
    ).json()
    url = f"/api/v1/orgs/{org.slug}/initiatives/{created['id']}/progress/"
    assert_error(client.post(url, {"progress": 10, "lesson": 0}, format="json"), 400, type_="validation_error",
                 attr="lesson")  # fmt: skip
    assert client.post(url, {"progress": 10, "lesson": "0"}, format="json").status_code == 200


def test_a_decimal_is_a_number_or_a_decimal_string_and_the_schema_says_so(org, manager):
    team = factories.team(org, "Sales", managers=[manager])
    payload = {"title": "Deals", "scope": "team", "team": team.pk, "owner": manager.pk, "parent": None,
               "rationale": "Growth.", "metric_name": "Deals", "unit": "deals", "aggregation": "sum",
               "start_date": "2026-10-01", "end_date": "2026-12-31", "base": 0, "challenge": "12.5",
               "stretch": 15.25}  # fmt: skip
    created = api(manager).post(f"/api/v1/orgs/{org.slug}/goals/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert_error(api(manager).post(f"/api/v1/orgs/{org.slug}/goals/", {**payload, "base": True}, format="json"),
                 400, type_="validation_error", attr="base")  # fmt: skip
    schema = SchemaGenerator().get_schema(request=None, public=True)
    base = schema["components"]["schemas"]["GoalWriteRequest"]["properties"]["base"]
    assert [option["type"] for option in base["anyOf"]] == ["string", "number"]
    response_base = schema["components"]["schemas"]["Salary"]["properties"]["base"]
    assert response_base["type"] == "string"  # answers always carry decimals as strings


def test_request_bodies_are_documented_as_json(db):
    """Form encodings still work, but an array or a number cannot be told from text in a form: where
    an operation takes JSON, JSON is its documented body (an upload-only operation keeps its own)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    bodies = [
        (f"{method.upper()} {path}", set(operation["requestBody"]["content"]))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    assert len(bodies) > 50
    mixed = [name for name, media in bodies if "application/json" in media and len(media) > 1]
    assert not mixed, mixed
    assert not [name for name, media in bodies if "application/x-www-form-urlencoded" in media]
