from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client
from rest_framework.test import APIClient

from goals.models import Goal, PeriodTarget, Revision, Status
from teams.models import Role
from tests import factories
from tests.queries import assert_queries
from tests.teams.test_api import assert_error


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def url(org, path="") -> str:
    return f"/api/v1/orgs/{org.slug}/{path}"


def article_goal(org, owner, team, parent=None) -> dict:
    return {
        "title": "200,000 new registered users",
        "description": "Operations, this quarter.",
        "scope": "team",
        "team": team.pk,
        "owner": owner.pk,
        "parent": parent.pk if parent else None,
        "rationale": "" if parent else "Growth is the company's priority.",
        "metric_name": "New registered users",
        "unit": "users",
        "aggregation": "sum",
        "start_date": "2026-10-01",
        "end_date": "2026-12-31",
        "base": "160000",
        "challenge": "200000",
        "stretch": "240000",
    }


def test_manager_creates_the_article_goal(org, manager):
    team = factories.team(org, "Operations", managers=[manager])
    response = api(manager).post(url(org, "goals/"), article_goal(org, manager, team), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["targets"]["challenge"] == "200000.0000"
    assert body["owner_name"] == manager.user.display_name


def test_member_reads_but_cannot_create(org, manager, member):
    factories.goal(org, manager)
    assert api(member).get(url(org, "goals/")).json()["count"] == 1
    team = factories.team(org, "Ops")
    assert_error(api(member).post(url(org, "goals/"), article_goal(org, member, team), format="json"), 403,
                 type_="permission_denied")  # fmt: skip


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"base": "210000"}, "challenge"),
        ({"stretch": "abc"}, "stretch"),
        ({"end_date": "2026-09-01"}, "end_date"),
        ({"base": "-1"}, "base"),
        ({"owner": 999999}, "owner"),
    ],
)
def test_bad_goal_input_names_the_field(org, manager, change, attr):
    team = factories.team(org, "Operations", managers=[manager])
    payload = {**article_goal(org, manager, team), **change}
    assert_error(
        api(manager).post(url(org, "goals/"), payload, format="json"),
        400,
        type_="validation_error",
        attr=attr,
    )
    assert not Goal.objects.exists()


def test_parent_in_another_org_is_refused(org, other_org, manager):
    foreign = factories.goal(other_org)
    team = factories.team(org, "Operations")
    payload = article_goal(org, manager, team, parent=foreign)
    assert_error(
        api(manager).post(url(org, "goals/"), payload, format="json"),
        400,
        type_="validation_error",
        attr="parent",
    )


def test_filters_tree_and_status(org, manager):
    ops = factories.team(org, "Operations", managers=[manager])
    strategy = factories.goal(org, manager, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
                              rationale="Company strategy")  # fmt: skip
    child = factories.goal(org, manager, team=ops, parent=strategy, scope="team")
    factories.goal(org, manager, title="Unrelated")
    client = api(manager)
    assert client.get(url(org, "goals/"), {"team": ops.pk}).json()["count"] == 1
    assert client.get(url(org, "goals/"), {"parent": strategy.pk}).json()["results"][0]["id"] == child.pk
    assert client.get(url(org, "goals/"), {"top_level": "true"}).json()["count"] == 2
    tree = client.get(url(org, "goals/tree/"), {"team": ops.pk}).json()
    assert [n["id"] for n in tree] == [strategy.pk] and tree[0]["children"][0]["id"] == child.pk
    assert_error(
        client.get(url(org, "goals/"), {"status": "nope"}), 400, type_="validation_error", attr="status"
    )
    response = client.post(url(org, f"goals/{child.pk}/status/"), {"status": "active"}, format="json")
    assert response.json()["status"] == "active"
    assert_error(client.post(url(org, f"goals/{child.pk}/status/"), {"status": "achieved"}, format="json"), 400,
                 type_="validation_error", attr="result_value")  # fmt: skip


def test_decomposition_preview_and_apply(org, manager):
    goal = factories.goal(org, manager, base=D("160000"), challenge=D("200000"), stretch=D("240000"),
                          start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))  # fmt: skip
    client = api(manager)
    preview = client.post(url(org, f"goals/{goal.pk}/decomposition/preview/"), {"kind": "week", "method": "even"},
                          format="json").json()  # fmt: skip
    assert len(preview) == 14
    assert sum(D(r["challenge"]) for r in preview) == D("200000")
    preview[0]["challenge"] = str(D(preview[0]["challenge"]) + 1)
    bad = client.put(
        url(org, f"goals/{goal.pk}/decomposition/"), {"kind": "week", "rows": preview}, format="json"
    )
    assert_error(bad, 400, type_="validation_error", attr="override_reason")
    assert not PeriodTarget.objects.exists()
    ok = client.put(url(org, f"goals/{goal.pk}/decomposition/"),
                    {"kind": "week", "rows": preview, "override_reason": "Campaign week"}, format="json")  # fmt: skip
    assert ok.status_code == 200 and len(ok.json()) == 14
    targets = client.get(url(org, f"goals/{goal.pk}/targets/"), {"kind": "week"}).json()
    assert targets["version"]["overrides"]["week"]["reason"] == "Campaign week"
    assert len(targets["period_targets"]) == 14
    history = client.get(url(org, f"goals/{goal.pk}/history/")).json()
    assert {e["action"] for e in history} >= {"goal.create", "goal.decomposition_override"}


def test_revision_flow_over_the_api(org, manager):
    head = factories.member(org, Role.MANAGER, name="Head")
    strategy = factories.goal(org, head, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), status="active",
                              rationale="x")  # fmt: skip
    commercial = factories.team(org, "Commercial", managers=[head])  # the head manages the team above
    sales = factories.team(org, "Sales", parent=commercial, managers=[manager])
    goal = factories.goal(org, manager, parent=strategy, team=sales, scope="team", status="active")
    payload = {"goal": goal.pk, "reason": "market", "comment": "Competition in the key region", "base": "90",
               "challenge": "110", "stretch": "140", "effective_from": "2026-02-01"}  # fmt: skip
    response = api(manager).post(url(org, "revisions/"), payload, format="json")
    assert response.status_code == 201, response.json()
    revision_id = response.json()["id"]
    # Never on one's own goal: a permission, not a typo.
    assert_error(
        api(manager).post(url(org, f"revisions/{revision_id}/approve/")), 403, type_="permission_denied"
    )
    approved = api(head).post(url(org, f"revisions/{revision_id}/approve/"), {"comment": "OK"}, format="json")
    assert approved.json()["state"] == "approved" and approved.json()["version"] == 2
    versions = api(manager).get(url(org, f"goals/{goal.pk}/versions/")).json()
    assert [v["challenge"] for v in versions] == ["120.0000", "110.0000"]
    in_force = api(manager).get(url(org, f"goals/{goal.pk}/targets/"), {"on": "2026-01-15"}).json()
    assert in_force["version"]["number"] == 1
    assert_error(api(manager).get(url(org, f"goals/{goal.pk}/targets/"), {"on": "15/01/2026"}), 400,
                 type_="validation_error", attr="on")  # fmt: skip
    assert Revision.objects.get().decided_by == head


def test_comments_with_proposals(org, manager, member, members):
    goal = factories.goal(org, manager, status="proposed")
    response = api(member).post(
        url(org, "goal-comments/"),
        {"goal": goal.pk, "body": "Stretch is too far", "proposed_base": "100", "proposed_challenge": "110",
         "proposed_stretch": "130"}, format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["author"] == member.pk
    assert_error(
        api(members["viewer"]).post(url(org, "goal-comments/"), {"goal": goal.pk, "body": "x"}, format="json"),
        403, type_="permission_denied",
    )  # fmt: skip
    bad = api(member).post(url(org, "goal-comments/"),
                           {"goal": goal.pk, "body": "x", "proposed_base": "200", "proposed_challenge": "110",
                            "proposed_stretch": "130"}, format="json")  # fmt: skip
    assert_error(bad, 400, type_="validation_error", attr="proposed_challenge")


def test_supporting_metrics(org, manager):
    goal = factories.goal(org, manager)
    client = api(manager)
    leading = client.post(url(org, "supporting-metrics/"),
                          {"goal": goal.pk, "kind": "leading", "name": "Content pushes", "weekly_target": "20"},
                          format="json")  # fmt: skip
    assert leading.status_code == 201, leading.json()
    risk = client.post(url(org, "supporting-metrics/"), {"goal": goal.pk, "kind": "risk", "name": "Complaint rate"},
                       format="json")  # fmt: skip
    assert_error(risk, 400, type_="validation_error", attr="threshold")
    assert client.get(url(org, "supporting-metrics/"), {"goal": goal.pk}).json()["count"] == 1


def test_suggestion_from_history(org, manager):
    client = api(manager)
    assert client.get(url(org, "goals/suggestion/"), {"metric_name": "New users"}).status_code == 204
    for i, value in enumerate([100, 110, 125]):
        g = factories.goal(org, manager, metric_name="New users", start_date=date(2025, 1 + 3 * i, 1),
                           end_date=date(2025, 3 + 3 * i, 28), status="active")  # fmt: skip
        client.post(
            url(org, f"goals/{g.pk}/status/"),
            {"status": "achieved", "result_value": str(value)},
            format="json",
        )
    body = client.get(url(org, "goals/suggestion/"), {"metric_name": "new users"}).json()
    assert D(body["base"]) <= D(body["challenge"]) <= D(body["stretch"])
    assert "3 past periods" in body["reasoning"]
    assert_error(client.get(url(org, "goals/suggestion/")), 400, type_="validation_error", attr="metric_name")


@pytest.mark.parametrize("path", ["goals/", "goals/tree/"])
def test_goal_list_and_tree_query_counts_are_flat(org, manager, path):
    client = Client()
    client.force_login(manager.user)
    target = url(org, path)
    # user, membership+org, then count + goal rows (list: no versions unless `?expand=targets`) or
    # shape + goals + versions (tree); the progress roll-up comes from the shared cache on this
    # second read (goals.progress_cache; a cold read adds the organisation's goals, their versions,
    # the indicators).
    # The tree API reads the roll-up of the whole organisation from one cache entry (no query).
    expected = 4 if path == "goals/" else 5

    strategy = factories.goal(
        org, manager, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), rationale="x"
    )
    assert_queries(expected, client, target)
    team = factories.team(org, "T")
    for i in range(40):
        factories.goal(org, manager, parent=strategy, team=team, scope="team", title=f"G{i}")
    assert_queries(expected, client, target)


def test_goal_of_another_org_is_404(org, other_org, manager):
    foreign = factories.goal(other_org)
    assert_error(api(manager).get(url(org, f"goals/{foreign.pk}/")), 404, type_="not_found")
    assert_error(api(manager).post(url(org, f"goals/{foreign.pk}/status/"), {"status": "cancelled"}, format="json"),
                 404, type_="not_found")  # fmt: skip
    assert Goal.objects.get(pk=foreign.pk).status == Status.DRAFT


def test_tree_depth_and_subtree(org, manager):
    strategy = factories.goal(
        org, manager, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), rationale="x"
    )
    team = factories.team(org, "Ops")
    team_goal = factories.goal(org, manager, parent=strategy, team=team, scope="team")
    factories.goal(org, manager, parent=team_goal, team=team, scope="personal")
    client = api(manager)
    top = client.get(url(org, "goals/tree/"), {"max_depth": "0"}).json()
    assert top[0]["children"] == [] and top[0]["hidden"] == 2
    below = client.get(url(org, "goals/tree/"), {"root": strategy.pk}).json()
    assert [n["id"] for n in below] == [team_goal.pk] and len(below[0]["children"]) == 1
    assert_error(
        client.get(url(org, "goals/tree/"), {"max_depth": "x"}),
        400,
        type_="validation_error",
        attr="max_depth",
    )


def test_patch_with_a_non_object_body_is_a_400(org, manager):
    goal = factories.goal(org, manager)
    client = APIClient()
    client.force_authenticate(manager.user)
    response = client.patch(f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/", [1, 2], format="json")
    assert response.status_code == 400 and response.json()["type"] == "validation_error"
