"""Recognition API: happy paths, bad input (400 naming the field), another organisation (404), a
role without the right (403), and list query counts that do not grow with rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from recognition import selectors, services
from recognition.models import GrowthReward, InstantRewardRule, Nomination, Star
from teams.models import Role
from tests import factories
from tests.queries import assert_queries
from tests.teams.test_api import assert_error
from tracking import services as tracking_services

from .conftest import blocked_standup, log_value, weekly_goal


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def base(org) -> str:
    return f"/api/v1/orgs/{org.slug}"


# --- Nominations ------------------------------------------------------------------------------------
def test_nominate_and_list(org, li, zhang, lead, month):
    response = api(li).post(
        f"{base(org)}/nominations/", {"nominee": zhang.pk, "reason": "Campaigns"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["month"] == f"{month:%Y-%m}"
        and body["nominee_name"] == "Zhang San"
        and body["nominator"] == li.pk
    )
    assert [n["id"] for n in api(lead).get(f"{base(org)}/nominations/").json()["results"]] == [body["id"]]
    assert api(zhang).get(f"{base(org)}/nominations/").json()["results"] == []  # members see only their own


@pytest.mark.parametrize(("data", "attr"), [
    ({"reason": ""}, "reason"), ({"nominee": "self"}, "nominee"), ({"nominee": 10**9}, "nominee"),
    ({"month": "2020-01"}, "month"), ({"month": "soon"}, "month"), ({"nominee": "other org"}, "nominee"),
])  # fmt: skip
def test_bad_nominations_name_the_field(org, li, zhang, other_org, data, attr):
    body = {"nominee": zhang.pk, "reason": "Campaigns"} | data
    if body["nominee"] == "self":
        body["nominee"] = li.pk
    elif body["nominee"] == "other org":
        body["nominee"] = factories.member(other_org, Role.MEMBER).pk
    assert_error(api(li).post(f"{base(org)}/nominations/", body, format="json"), 400, type_="validation_error",
                 attr=attr)  # fmt: skip
    assert not Nomination.objects.exists()


def test_nominations_roles_and_other_organisation(org, zhang, members, outsider):
    body = {"nominee": zhang.pk, "reason": "x"}
    for role in (Role.VIEWER, Role.HR):
        assert_error(api(members[role]).post(f"{base(org)}/nominations/", body, format="json"), 403,
                     type_="permission_denied")  # fmt: skip
    assert api(outsider).get(f"{base(org)}/nominations/").status_code == 404
    assert not Nomination.objects.exists()


# --- Stars and candidates -----------------------------------------------------------------------------
def test_select_a_star_and_read_the_honour_board(org, ops, lead, zhang, li, month, members):
    services.nomination_create(nominator=li, nominee=zhang, month=month, reason="Campaigns")
    body = {"team": ops.pk, "month": f"{month:%Y-%m}", "member": zhang.pk, "citation": "80,000 new users"}
    response = api(lead).post(f"{base(org)}/stars/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["evidence"]["nominations"] == 1 and response.json()["member_name"] == "Zhang San"
    listed = api(members[Role.VIEWER]).get(f"{base(org)}/stars/", {"team": ops.pk}).json()["results"]
    assert [s["citation"] for s in listed] == ["80,000 new users"]
    again = api(lead).post(f"{base(org)}/stars/", body | {"member": li.pk}, format="json")
    assert_error(again, 400, type_="validation_error", attr="month")
    assert Star.objects.get().member == zhang


@pytest.mark.parametrize(("data", "attr"), [({"citation": ""}, "citation"), ({"month": "11/2026"}, "month"),
                                            ({"member": "not in team"}, "member"), ({"team": 10**9}, "team")])  # fmt: skip
def test_bad_selections_name_the_field(org, ops, lead, zhang, month, data, attr):
    body = {"team": ops.pk, "month": f"{month:%Y-%m}", "member": zhang.pk, "citation": "x"} | data
    if body["member"] == "not in team":
        body["member"] = factories.member(org, Role.MEMBER).pk
    assert_error(
        api(lead).post(f"{base(org)}/stars/", body, format="json"), 400, type_="validation_error", attr=attr
    )
    assert not Star.objects.exists()


def test_a_member_cannot_select_a_manager_of_another_team_gets_a_clear_error(
    org, ops, zhang, month, outsider
):
    body = {"team": ops.pk, "month": f"{month:%Y-%m}", "member": zhang.pk, "citation": "x"}
    assert_error(api(zhang).post(f"{base(org)}/stars/", body, format="json"), 403, type_="permission_denied")
    other = factories.member(org, Role.MANAGER)
    response = api(other).post(f"{base(org)}/stars/", body, format="json")
    assert "Only the team's managers" in str(assert_error(response, 400, type_="validation_error"))
    assert api(outsider).post(f"{base(org)}/stars/", body, format="json").status_code == 404
    foreign_team = factories.team(outsider.org)
    response = api(factories.member(org, Role.ADMIN)).post(f"{base(org)}/stars/", body | {"team": foreign_team.pk},
                                                           format="json")  # fmt: skip
    assert_error(response, 400, type_="validation_error", attr="team")  # reads as "does not exist"
    assert not Star.objects.exists()


def test_candidates_with_evidence(org, ops, lead, zhang, li, month, members):
    tracking_services.standup_blocker_resolve(standup=blocked_standup(zhang), actor=li)
    services.nomination_create(nominator=li, nominee=zhang, month=month, reason="Campaigns")
    response = api(lead).get(f"{base(org)}/star-candidates/", {"team": ops.pk, "month": f"{month:%Y-%m}"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["team"] == ops.pk and body["month"] == f"{month:%Y-%m}"
    by_name = {c["member_name"]: c for c in body["candidates"]}
    assert by_name["Zhang San"]["nominations"] == 1 and by_name["Zhang San"]["reasons"] == ["Campaigns"]
    assert by_name["Li Si"]["blockers_resolved"] == 1 and by_name["Li Si"]["leads"] == ["blockers"]
    assert api(members[Role.HR]).get(f"{base(org)}/star-candidates/", {"team": ops.pk}).status_code == 200
    # bad input, roles, another organisation
    assert_error(api(lead).get(f"{base(org)}/star-candidates/"), 400, type_="validation_error", attr="team")
    assert_error(api(lead).get(f"{base(org)}/star-candidates/", {"team": ops.pk, "month": "13-2026"}), 400,
                 type_="validation_error", attr="month")  # fmt: skip
    assert api(zhang).get(f"{base(org)}/star-candidates/", {"team": ops.pk}).status_code == 403
    other = factories.member(org, Role.MANAGER)
    assert api(other).get(f"{base(org)}/star-candidates/", {"team": ops.pk}).status_code == 403
    foreign = factories.team(factories.organization())
    assert_error(api(lead).get(f"{base(org)}/star-candidates/", {"team": foreign.pk}), 400, type_="validation_error",
                 attr="team")  # fmt: skip
    outsider = factories.member(factories.organization(), Role.ADMIN)
    assert api(outsider).get(f"{base(org)}/star-candidates/", {"team": ops.pk}).status_code == 404


# --- Training and promotion notes ---------------------------------------------------------------------
def test_growth_rewards(org, ops, lead, zhang, li, members, outsider):
    url = f"{base(org)}/growth-rewards/"
    response = api(lead).post(url, {"member": zhang.pk, "kind": "promotion", "title": "Senior growth marketer"},
                              format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert [r["title"] for r in api(zhang).get(url).json()["results"]] == ["Senior growth marketer"]
    assert api(li).get(url).json()["results"] == []
    assert len(api(members[Role.HR]).get(url, {"member": zhang.pk}).json()["results"]) == 1
    assert_error(api(lead).post(url, {"member": zhang.pk, "kind": "bonus", "title": "x"}, format="json"), 400,
                 type_="validation_error", attr="kind")  # fmt: skip
    assert_error(api(lead).post(url, {"member": zhang.pk, "kind": "training", "title": ""}, format="json"), 400,
                 type_="validation_error", attr="title")  # fmt: skip
    assert_error(api(li).post(url, {"member": zhang.pk, "kind": "training", "title": "x"}, format="json"), 403,
                 type_="permission_denied")  # fmt: skip
    assert api(outsider).get(url).status_code == 404
    assert GrowthReward.objects.count() == 1


# --- Instant reward rules and earned rewards ------------------------------------------------------------
def test_instant_reward_rules_crud(org, ops, lead, zhang, outsider):
    url = f"{base(org)}/instant-reward-rules/"
    created = api(lead).post(url, {"team": ops.pk, "reward": "Afternoon tea"}, format="json")
    assert created.status_code == 201, created.json()
    rule_url = f"{url}{created.json()['id']}/"
    assert created.json()["condition"] == "weekly_target" and created.json()["enabled"] is True
    assert api(zhang).get(rule_url).json()["reward"] == "Afternoon tea"
    assert api(lead).patch(rule_url, {"enabled": False}, format="json").json()["enabled"] is False
    assert_error(
        api(lead).patch(rule_url, {"reward": ""}, format="json"), 400, type_="validation_error", attr="reward"
    )
    assert_error(api(lead).post(url, {"team": ops.pk, "reward": "Afternoon TEA"}, format="json"), 400,
                 type_="validation_error", attr="reward")  # fmt: skip
    assert_error(
        api(zhang).post(url, {"team": ops.pk, "reward": "Cake"}, format="json"),
        403,
        type_="permission_denied",
    )
    assert (
        api(outsider).get(rule_url.replace(org.slug, outsider.org.slug)).status_code == 404
    )  # not theirs either
    foreign = services.instant_rule_save(team=factories.team(outsider.org), actor=outsider, reward="Tea")
    assert api(lead).get(f"{url}{foreign.pk}/").status_code == 404
    assert api(lead).delete(f"{url}{foreign.pk}/").status_code == 404
    assert api(lead).delete(rule_url).status_code == 204
    assert list(InstantRewardRule.objects.values_list("pk", flat=True)) == [foreign.pk]


def test_earned_rewards_list(org, ops, lead, zhang, outsider):
    week = selectors.last_completed_week(org)
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    goal, piece = weekly_goal(org, ops, lead, week=week)
    log_value(org, lead, goal, week + timedelta(days=1), piece.challenge)
    services.instant_rewards_check(org=org, week_start=week)
    results = api(zhang).get(f"{base(org)}/instant-rewards/", {"team": ops.pk}).json()["results"]
    assert [(r["reward"], r["week_start"], r["evidence"]["met"]) for r in results] == [
        ("Afternoon tea", week.isoformat(), True)
    ]
    assert_error(api(zhang).get(f"{base(org)}/instant-rewards/", {"team": "x"}), 400, type_="validation_error",
                 attr="team")  # fmt: skip
    assert api(outsider).get(f"{base(org)}/instant-rewards/").status_code == 404


# --- Query counts ------------------------------------------------------------------------------------
# Each list's queries, the same with one row and with seven.
LIST_QUERIES = {
    "nominations": 3,
    "stars": 3,
    "growth-rewards": 3,
    "instant-reward-rules": 3,
    "instant-rewards": 3,
    "star-candidates": 3,  # kept in the shared cache; computing them takes 5 (tests/recognition/test_selectors.py)
}


@pytest.mark.parametrize("resource", LIST_QUERIES)
def test_list_query_counts_do_not_grow_with_rows(org, ops, lead, zhang, month, members, resource):
    week = selectors.last_completed_week(org)
    client = api(members[Role.ADMIN])
    url = f"{base(org)}/{resource}/" + (f"?team={ops.pk}" if resource == "star-candidates" else "")
    created = 0

    def grow(count: int) -> None:
        nonlocal created
        for _ in range(count):
            created += 1
            person = factories.member(org, Role.MEMBER, teams=[ops])
            team = factories.team(org)
            team.managers.add(lead)
            lead.teams.add(team)
            services.nomination_create(
                nominator=person, nominee=zhang, month=month, reason=f"Reason {created}"
            )
            services.growth_reward_add(member=person, actor=lead, kind="training", title=f"Course {created}")
            services.instant_rule_save(team=team, actor=lead, reward="Afternoon tea")
            services.star_select(team=team, month=month, member=lead, citation=f"Star {created}", actor=lead)
            goal, piece = weekly_goal(org, team, lead, week=week, title=f"Weekly {created}")
            log_value(org, lead, goal, week, piece.base)
        services.instant_rewards_check(org=org, week_start=week)

    grow(1)
    assert_queries(LIST_QUERIES[resource], client, url)
    grow(6)
    assert_queries(LIST_QUERIES[resource], client, url)
