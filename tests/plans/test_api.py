from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from plans import services
from plans.models import Dependency, Initiative
from teams.models import Role
from tests import factories
from tests.queries import assert_queries
from tests.teams.test_api import assert_error


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


@pytest.fixture
def goal(org, manager):
    return factories.goal(org, manager, team=factories.team(org, "Operations", managers=[manager]), scope="team",
                          start_date=date(2026, 10, 1), end_date=date(2026, 12, 31), status="active")  # fmt: skip


def row(goal, owner, **changes):
    values = {"goal": goal.pk, "dimension": "User acquisition", "title": "3 online referral campaigns",
              "owner": owner.pk, "start_date": "2026-10-01", "due_date": "2026-10-28", "budget": "5000.00",
              "needs": ["design"], "priority": "P0"}  # fmt: skip
    values.update(changes)
    return values


def test_manager_writes_the_article_row(org, manager, member, goal):
    response = api(manager).post(f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, member), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["dimension"] == "User acquisition" and body["budget"] == "5000.00" and body["owner"] == member.pk
    )
    assert body["baseline_due"] == "2026-10-28"


@pytest.mark.parametrize(
    ("changes", "attr"),
    [({"due_date": "2026-09-01"}, "due_date"), ({"budget": "-1"}, "budget"), ({"budget": "abc"}, "budget"),
     ({"needs": ["magic"]}, "needs.0"), ({"priority": "P9"}, "priority")],
)  # fmt: skip
def test_bad_rows_name_the_field_and_save_nothing(org, manager, goal, changes, attr):
    response = api(manager).post(
        f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, manager, **changes), format="json"
    )
    assert_error(response, 400, type_="validation_error", attr=attr)
    assert not Initiative.objects.exists()


def test_owner_from_another_org_is_refused(org, other_org, manager, goal):
    stranger = factories.member(other_org)
    response = api(manager).post(f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, stranger), format="json")
    assert_error(response, 400, type_="validation_error", attr="owner")


def test_owner_reports_progress_others_cannot(org, manager, member, members, goal):
    created = (
        api(manager).post(f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, member), format="json").json()
    )
    url = f"/api/v1/orgs/{org.slug}/initiatives/{created['id']}/progress/"
    assert api(member).post(url, {"progress": 60}, format="json").json()["status"] == "in_progress"
    other = factories.member(org, Role.MEMBER)
    assert_error(api(other).post(url, {"progress": 70}, format="json"), 403, type_="permission_denied")
    assert_error(
        api(members["viewer"]).post(url, {"progress": 70}, format="json"), 403, type_="permission_denied"
    )
    assert_error(
        api(member).post(url, {"progress": 140}, format="json"),
        400,
        type_="validation_error",
        attr="progress",
    )


def test_cyclic_dependency_is_refused_over_the_api(org, manager, goal):
    ids = [api(manager).post(f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, manager, title=f"Step {n}"),
                             format="json").json()["id"] for n in range(2)]  # fmt: skip
    url = f"/api/v1/orgs/{org.slug}/dependencies/"
    assert (
        api(manager).post(url, {"predecessor": ids[0], "successor": ids[1]}, format="json").status_code == 201
    )
    body = assert_error(api(manager).post(url, {"predecessor": ids[1], "successor": ids[0]}, format="json"), 400,
                        type_="validation_error", attr="predecessor")  # fmt: skip
    assert "cycle" in body["detail"] and "“Step 0”" in body["detail"]
    assert Dependency.objects.count() == 1


def test_analysis_reports_critical_path_and_conflicts(org, manager, goal):
    client = api(manager)
    first = client.post(f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, manager, title="Partners", priority="P1",
                                                                     start_date="2026-10-08", due_date="2026-11-11"),
                        format="json").json()  # fmt: skip
    second = client.post(f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, manager, title="Onboarding",
                                                                      start_date="2026-10-15", due_date="2026-11-04"),
                         format="json").json()  # fmt: skip
    client.post(f"/api/v1/orgs/{org.slug}/dependencies/", {"predecessor": first["id"], "successor": second["id"]},
                format="json")  # fmt: skip
    body = client.get(f"/api/v1/orgs/{org.slug}/initiatives/analysis/", {"goal": goal.pk}).json()
    assert body["critical_path"] == [first["id"], second["id"]]
    kinds = {c["kind"] for c in body["conflicts"]}
    assert {"early_start", "blocked_p0"} <= kinds


def test_initiative_of_another_org_is_404(org, other_org, manager):
    foreign_goal = factories.goal(other_org)
    foreign = services.initiative_create(org=other_org, actor=foreign_goal.owner, data=services.InitiativeInput(
        title="Foreign", goal=foreign_goal, owner=foreign_goal.owner, start_date=date(2026, 1, 5),
        due_date=date(2026, 1, 9)))  # fmt: skip
    assert_error(
        api(manager).get(f"/api/v1/orgs/{org.slug}/initiatives/{foreign.pk}/"), 404, type_="not_found"
    )


def test_initiative_list_query_count_is_flat(org, manager, goal):
    client = Client()
    client.force_login(manager.user)
    url = f"/api/v1/orgs/{org.slug}/initiatives/"

    api(manager).post(url, row(goal, manager, title="First"), format="json")
    assert_queries(4, client, url)  # user, membership+org, count, page (joins)
    for n in range(40):
        api(manager).post(
            url, row(goal, manager, title=f"Row {n}", dimension=f"Dimension {n % 4}"), format="json"
        )
    assert_queries(4, client, url)


@pytest.mark.parametrize(
    ("changes", "attr"),
    [({"title": "T" * 250}, "title"), ({"dimension": "D" * 300}, "dimension"), ({"needs_note": "N" * 201}, "needs_note")],
)  # fmt: skip
def test_text_too_long_for_the_database_is_a_400_naming_the_field(org, manager, goal, changes, attr):
    response = api(manager).post(
        f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, manager, **changes), format="json"
    )
    assert_error(response, 400, type_="validation_error", attr=attr)
    assert not Initiative.objects.exists()


def test_a_viewer_cannot_be_made_owner(org, manager, members, goal):
    response = api(manager).post(
        f"/api/v1/orgs/{org.slug}/initiatives/", row(goal, members["viewer"]), format="json"
    )
    body = assert_error(response, 400, type_="validation_error", attr="owner")
    assert "viewers and HR cannot report progress" in body["detail"]


def test_posting_the_same_team_budget_period_replaces_the_amount(org, manager, goal):
    from plans.models import TeamBudget

    url = f"/api/v1/orgs/{org.slug}/team-budgets/"
    body = {"team": goal.team_id, "start_date": "2026-10-01", "end_date": "2026-12-31", "amount": "20000.00"}
    assert api(manager).post(url, body, format="json").status_code == 201
    again = api(manager).post(url, {**body, "amount": "25000.00", "end_date": "2026-12-30"}, format="json")
    assert again.status_code == 201, again.json()
    assert again.json()["amount"] == "25000.00"
    assert list(TeamBudget.objects.values_list("amount", "end_date")) == [(D("25000.00"), date(2026, 12, 30))]
    assert_error(api(manager).post(url, {**body, "amount": "1.234"}, format="json"), 400,
                 type_="validation_error", attr="amount")  # fmt: skip


def test_org_wide_analysis_has_each_goals_critical_path_and_risk(org, manager, member):
    from tests.plans.test_services import two_goal_org

    long_goal, short_goal, slipping = two_goal_org(org, manager, member)
    with time_machine.travel(datetime(2026, 11, 20, 4, tzinfo=UTC), tick=False):  # 10 days after a due date
        body = api(manager).get(f"/api/v1/orgs/{org.slug}/initiatives/analysis/").json()
    assert body["critical_paths"][str(short_goal.pk)] == [slipping.pk]
    assert len(body["critical_paths"][str(long_goal.pk)]) == 2
    assert body["goals_at_risk"] == [short_goal.pk]  # today is after the slipping initiative's due date
