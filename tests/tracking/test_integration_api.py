"""What integrators do without the pages (issue 13, item 8): a values import through the API and
its status, a goal's recompute, the alert rule settings — with the pages' permissions, token scopes,
tenancy and clear 400s."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from teams import services as team_services
from teams.models import OutboxJob, Role
from teams.selectors import org_today
from tests import factories
from tests.queries import assert_queries
from tests.teams.test_api import assert_error
from tracking.models import AlertRule, ImportJob, IndicatorSnapshot, MetricEntry


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def goal(org, manager, member):
    team = factories.team(org, "Operations", managers=[manager])
    member.teams.add(team)
    today = org_today(org)
    return factories.goal(org, manager, team=team, title="New users", start_date=today - timedelta(days=30),
                          end_date=today + timedelta(days=60), status="active")  # fmt: skip


def values_file(
    goal, org, name: str = "values.csv", header: str = "goal,day,value,external_id"
) -> SimpleUploadedFile:
    day = org_today(org).isoformat()
    text = f"{header}\n{goal.pk},{day},1850,bi-1\n{goal.pk},{day},20,bi-2\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# --- Imports ----------------------------------------------------------------------------------
def test_a_file_uploaded_through_the_api_is_imported_and_its_status_read(
    org, member, goal, django_capture_on_commit_callbacks
):
    url = f"/api/v1/orgs/{org.slug}/value-imports/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api(member).post(url, {"file": values_file(goal, org)}, format="multipart")
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    status = api(member).get(f"{url}{job_id}/")
    assert status.status_code == 200
    body = status.json()
    assert (body["state"], body["finished"], body["created"], body["total"]) == ("done", True, 2, 2)
    assert MetricEntry.objects.filter(goal=goal, source="import").count() == 2
    assert_queries(2, api(member), f"{url}{job_id}/")


def test_a_bad_file_is_a_400_naming_the_file_and_bad_rows_are_reported_by_row(
    org, member, goal, django_capture_on_commit_callbacks
):
    url = f"/api/v1/orgs/{org.slug}/value-imports/"
    assert_error(api(member).post(url, {}, format="multipart"), 400, type_="validation_error", attr="file")
    wrong = api(member).post(url, {"file": values_file(goal, org, header="goal,when,value,external_id")},
                             format="multipart")  # fmt: skip
    assert_error(wrong, 400, type_="validation_error", attr="file")
    assert not ImportJob.objects.exists()
    bad = SimpleUploadedFile("v.csv", f"goal,day,value\n{goal.pk},{org_today(org)},lots\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api(member).post(url, {"file": bad}, format="multipart").json()["id"]
    body = api(member).get(f"{url}{job_id}/").json()
    assert (
        body["state"] == "failed" and body["errors"][0]["row"] == 2 and body["errors"][0]["column"] == "value"
    )
    assert not MetricEntry.objects.exists()


def test_imports_tenancy_roles_and_token_scopes(org, member, admin, goal, other_org, outsider, members):
    url = f"/api/v1/orgs/{org.slug}/value-imports/"
    foreign = ImportJob.objects.create(org=other_org, created_by=outsider, filename="x.csv", total=1)
    assert_error(api(member).get(f"{url}{foreign.pk}/"), 404, type_="not_found")
    assert_error(api(members["viewer"]).post(url, {"file": values_file(goal, org)}, format="multipart"), 403,
                 type_="permission_denied")  # fmt: skip
    assert_error(APIClient().post(url, {"file": values_file(goal, org)}, format="multipart"), 401,
                 type_="authentication_error")  # fmt: skip
    _token, read_key = team_services.api_token_create(user=member.user, name="BI", scope="read")
    assert_error(with_key(read_key).post(url, {"file": values_file(goal, org)}, format="multipart"), 403,
                 type_="permission_denied")  # fmt: skip
    _token, service_key = team_services.service_token_create(
        org=org, actor=admin, name="CRM", scope="metrics:write"
    )
    accepted = with_key(service_key).post(url, {"file": values_file(goal, org)}, format="multipart")
    assert accepted.status_code == 202, accepted.json()
    assert with_key(service_key).get(f"{url}{accepted.json()['id']}/").status_code == 200


# --- Recompute --------------------------------------------------------------------------------
def test_asking_for_a_recompute_queues_the_job_once_and_computes_the_indicators(
    org, member, goal, django_capture_on_commit_callbacks
):
    from tracking import services

    services.entry_create(org=org, actor=member, data=services.EntryInput(goal_id=goal.pk, value="40"))
    IndicatorSnapshot.objects.all().delete()
    url = f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/recompute/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api(member).post(url)
    assert response.status_code == 202 and response.json() == {"goal": goal.pk, "queued": True}
    assert IndicatorSnapshot.objects.filter(goal=goal).exists()


def test_a_recompute_waiting_in_the_outbox_is_not_queued_twice(org, member, goal):
    url = f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/recompute/"
    waiting = OutboxJob.objects.count()
    first = api(member).post(url)  # in a test transaction: the job waits in the outbox
    second = api(member).post(url)
    assert (first.status_code, second.status_code) == (202, 202)
    assert (first.json()["queued"], second.json()["queued"]) == (True, False)
    assert OutboxJob.objects.count() == waiting + 1


def test_recompute_rights_and_tenancy(org, goal, members, other_org, outsider):
    url = f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/recompute/"
    foreign = factories.goal(other_org, outsider, status="active")
    waiting = OutboxJob.objects.count()
    stranger = factories.member(org, Role.MEMBER)  # not on the goal's team
    assert_error(api(stranger).post(url), 403, type_="permission_denied")
    assert_error(api(members["viewer"]).post(url), 403, type_="permission_denied")
    other_manager = factories.member(org, Role.MANAGER)
    factories.team(org, "Elsewhere", managers=[other_manager])
    assert_error(api(other_manager).post(url), 403, type_="permission_denied")
    assert_error(api(members["admin"]).post(f"/api/v1/orgs/{org.slug}/goals/{foreign.pk}/recompute/"), 404,
                 type_="not_found")  # fmt: skip
    assert_error(APIClient().post(url), 401, type_="authentication_error")
    assert OutboxJob.objects.count() == waiting


# --- Alert rules ------------------------------------------------------------------------------
def test_an_admin_reads_and_changes_the_alert_rules(org, admin):
    url = f"/api/v1/orgs/{org.slug}/alert-rules/"
    rules = api(admin).get(url).json()
    lagging = next(r for r in rules if r["kind"] == "lagging_behind")
    assert (lagging["enabled"], lagging["threshold"], lagging["escalate_after_days"]) == (True, "10.00", 3)
    changed = api(admin).patch(
        f"{url}lagging_behind/", {"threshold": "15", "escalate_after_days": 5}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["threshold"], changed.json()["escalate_after_days"]) == ("15.00", 5)
    rule = AlertRule.objects.get(org=org, kind="lagging_behind")
    assert (rule.threshold, rule.escalate_after_days, rule.enabled) == (D(15), 5, True)
    off = api(admin).put(f"{url}standup_missed/", {"enabled": False, "threshold": "4", "escalate_after_days": 2},
                         format="json")  # fmt: skip
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert api(admin).get(f"{url}standup_missed/").json()["enabled"] is False


def test_alert_rule_bad_input_names_the_field_and_changes_nothing(org, admin):
    url = f"/api/v1/orgs/{org.slug}/alert-rules/"
    assert_error(api(admin).patch(f"{url}lagging_behind/", {"threshold": "150"}, format="json"), 400,
                 type_="validation_error", attr="threshold")  # fmt: skip
    assert_error(api(admin).patch(f"{url}lagging_behind/", {"escalate_after_days": 0}, format="json"), 400,
                 type_="validation_error", attr="escalate_after_days")  # fmt: skip
    assert_error(api(admin).put(f"{url}lagging_behind/", {"enabled": True}, format="json"), 400,
                 type_="validation_error", attr="threshold")  # fmt: skip
    assert_error(
        api(admin).patch(f"{url}no_such_rule/", {"enabled": True}, format="json"), 404, type_="not_found"
    )
    assert not AlertRule.objects.exists()


def test_alert_rules_are_for_admins_of_the_organisation(org, manager, admin, other_org, outsider):
    url = f"/api/v1/orgs/{org.slug}/alert-rules/"
    assert_error(api(manager).get(url), 403, type_="permission_denied")
    assert_error(api(manager).patch(f"{url}lagging_behind/", {"enabled": False}, format="json"), 403,
                 type_="permission_denied")  # fmt: skip
    assert_error(api(outsider).get(url), 404, type_="not_found")
    assert_error(APIClient().get(url), 401, type_="authentication_error")
    _token, key = team_services.api_token_create(user=admin.user, name="ro", scope="read")
    assert with_key(key).get(url).status_code == 200
    assert_error(with_key(key).patch(f"{url}lagging_behind/", {"enabled": False}, format="json"), 403,
                 type_="permission_denied")  # fmt: skip
    assert not AlertRule.objects.exists()


def test_the_alert_rule_list_has_a_pinned_query_count(org, admin):
    url = f"/api/v1/orgs/{org.slug}/alert-rules/"
    assert_queries(2, api(admin), url)
    for kind in ("lagging_behind", "leading_below", "standup_missed"):
        api(admin).patch(f"{url}{kind}/", {"enabled": False}, format="json")
    assert_queries(2, api(admin), url)


def test_the_schema_documents_the_new_endpoints():
    from django.test import Client

    schema = Client().get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    paths = schema["paths"]
    upload = paths["/api/v1/orgs/{org_slug}/value-imports/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"] and "202" in upload["responses"]
    assert "400" in upload["responses"] and "403" in upload["responses"]
    assert "202" in paths["/api/v1/orgs/{org_slug}/goals/{goal_id}/recompute/"]["post"]["responses"]
    assert {"get", "put", "patch"} <= set(paths["/api/v1/orgs/{org_slug}/alert-rules/{kind}/"])
    assert "201" in paths["/api/v1/orgs/{org_slug}/service-tokens/"]["post"]["responses"]
    assert "key" in schema["components"]["schemas"]["CreatedApiToken"]["properties"]
    assert "201" in paths["/api/v1/me/tokens/"]["post"]["responses"]


def test_options_on_an_alert_rule_is_not_a_server_error(org, admin):
    response = api(admin).options(f"/api/v1/orgs/{org.slug}/alert-rules/lagging_behind/")
    assert_error(response, 405, type_="method_not_allowed")
