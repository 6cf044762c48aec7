"""API tokens through the API (issue 13, item 8): personal tokens and organisation service tokens
with scopes, created (the key shown once) and revoked (audited); scopes enforced on every write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from teams import services
from teams.models import ApiToken, AuditEntry, Membership, Role
from teams.selectors import org_today
from tests import factories
from tests.queries import assert_queries
from tests.teams.test_api import assert_error
from tracking.models import MetricEntry


def session(membership) -> APIClient:
    client = APIClient()
    client.force_login(membership.user)
    return client


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def goal(org, manager, member):
    team = factories.team(org, "Sales", managers=[manager])
    member.teams.add(team)
    today = org_today(org)
    return factories.goal(org, manager, team=team, status="active", start_date=today - timedelta(days=10),
                          end_date=today + timedelta(days=30))  # fmt: skip


def test_a_personal_token_is_created_with_its_key_once_and_revoked_with_an_audit(org, member):
    client = session(member)
    created = client.post(
        "/api/v1/me/tokens/", {"name": "BI", "scope": "read", "expires_in_days": 30}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["key"].startswith("st_") and body["scope"] == "read" and body["prefix"] == body["key"][:9]
    listed = client.get("/api/v1/me/tokens/").json()
    assert [t["name"] for t in listed] == ["BI"] and "key" not in listed[0]
    # The key works, read only.
    assert with_key(body["key"]).get(f"/api/v1/orgs/{org.slug}/goals/").status_code == 200
    revoked = client.post(f"/api/v1/me/tokens/{body['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] and not revoked.json()["is_usable"]
    assert with_key(body["key"]).get(f"/api/v1/orgs/{org.slug}/goals/").status_code == 401
    entry = AuditEntry.objects.get(action="token.revoke")
    assert (entry.org, entry.actor, entry.target_id) == (org, member.user, body["id"])


def test_token_bad_input_names_the_field(member):
    client = session(member)
    assert_error(client.post("/api/v1/me/tokens/", {"scope": "read"}, format="json"), 400,
                 type_="validation_error", attr="name")  # fmt: skip
    assert_error(client.post("/api/v1/me/tokens/", {"name": "x", "scope": "write-all"}, format="json"), 400,
                 type_="validation_error", attr="scope")  # fmt: skip
    assert_error(client.post("/api/v1/me/tokens/", {"name": "x", "expires_in_days": 0}, format="json"), 400,
                 type_="validation_error", attr="expires_in_days")  # fmt: skip
    assert not ApiToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(member, admin):
    token, _key = services.api_token_create(user=admin.user, name="Admin's")
    assert_error(session(member).post(f"/api/v1/me/tokens/{token.pk}/revoke/"), 404, type_="not_found")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_read_token_is_refused_every_write(org, member, goal):
    _token, key = services.api_token_create(user=member.user, name="BI", scope="read")
    client = with_key(key)
    day = org_today(org).isoformat()
    response = client.post(f"/api/v1/orgs/{org.slug}/metric-entries/", {"goal": goal.pk, "value": "3", "day": day},
                           format="json")  # fmt: skip
    assert_error(response, 403, type_="permission_denied")
    assert "read-only" in response.json()["detail"]
    assert_error(
        client.post("/api/v1/me/tokens/", {"name": "more"}, format="json"), 403, type_="permission_denied"
    )
    assert client.get(f"/api/v1/orgs/{org.slug}/metric-entries/").status_code == 200
    assert not MetricEntry.objects.exists()


def test_a_metrics_write_token_pushes_values_and_nothing_else(org, member, goal):
    _token, key = services.api_token_create(user=member.user, name="CRM", scope="metrics:write")
    client = with_key(key)
    day = org_today(org).isoformat()
    pushed = client.post(f"/api/v1/orgs/{org.slug}/metric-entries/bulk/",
                         {"entries": [{"goal": goal.pk, "day": day, "value": "5", "external_id": "crm-1"}]},
                         format="json")  # fmt: skip
    assert pushed.status_code == 200, pushed.json()
    one = client.post(f"/api/v1/orgs/{org.slug}/metric-entries/", {"goal": goal.pk, "value": "3", "day": day},
                      format="json")  # fmt: skip
    assert one.status_code == 201
    standup = client.post(f"/api/v1/orgs/{org.slug}/standups/", {"day": day, "today": "x"}, format="json")
    assert_error(standup, 403, type_="permission_denied")
    assert "metric values" in standup.json()["detail"]
    deleted = client.delete(f"/api/v1/orgs/{org.slug}/metric-entries/{one.json()['id']}/")
    assert_error(deleted, 403, type_="permission_denied")
    assert MetricEntry.objects.count() == 2


def test_an_admin_creates_a_service_token_that_outlives_its_creator(org, admin, member, goal):
    url = f"/api/v1/orgs/{org.slug}/service-tokens/"
    people = Membership.objects.filter(org=org).count()
    created = session(admin).post(url, {"name": "CRM sync", "scope": "metrics:write"}, format="json")
    assert created.status_code == 201, created.json()
    key, token_id = created.json()["key"], created.json()["id"]
    assert created.json()["created_by"] == admin.user.display_name
    # Not a person: absent from the members, and it keeps working when its creator leaves.
    assert Membership.objects.filter(org=org).count() == people
    assert Membership.with_services.filter(org=org).count() == people + 1
    services.membership_set_active(membership=admin, active=False)
    client = with_key(key)
    day = org_today(org).isoformat()
    pushed = client.post(f"/api/v1/orgs/{org.slug}/metric-entries/", {"goal": goal.pk, "value": "7", "day": day},
                         format="json")  # fmt: skip
    assert pushed.status_code == 201, pushed.json()
    members = client.get(f"/api/v1/orgs/{org.slug}/members/").json()["results"]
    assert "CRM sync" not in str(members)
    # Reads what a viewer reads, never money or settings; writes nothing but values.
    assert_error(client.get(f"/api/v1/orgs/{org.slug}/salaries/"), 403, type_="permission_denied")
    assert_error(
        client.get(f"/api/v1/orgs/{org.slug}/notification-channels/"), 403, type_="permission_denied"
    )
    assert_error(client.post(f"/api/v1/orgs/{org.slug}/teams/", {"name": "T"}, format="json"), 403,
                 type_="permission_denied")  # fmt: skip
    # Its organisation only.
    elsewhere = factories.organization(slug="elsewhere")
    assert_error(client.get(f"/api/v1/orgs/{elsewhere.slug}/goals/"), 404, type_="not_found")
    # Another admin revokes it: audited, and it stops working.
    other_admin = factories.member(org, Role.ADMIN)
    revoked = session(other_admin).post(f"{url}{token_id}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get(f"/api/v1/orgs/{org.slug}/goals/").status_code == 401
    assert not Membership.with_services.get(org=org, is_service=True).is_active
    assert AuditEntry.objects.filter(org=org, action="token.revoke", actor=other_admin.user).count() == 1
    assert AuditEntry.objects.filter(org=org, action="token.create", actor=admin.user).count() == 1


def test_a_read_service_token_reads_and_writes_nothing(org, admin, goal):
    _token, key = services.service_token_create(org=org, actor=admin, name="BI", scope="read")
    client = with_key(key)
    assert client.get(f"/api/v1/orgs/{org.slug}/goals/").status_code == 200
    day = org_today(org).isoformat()
    assert_error(client.post(f"/api/v1/orgs/{org.slug}/metric-entries/", {"goal": goal.pk, "value": "3", "day": day},
                             format="json"), 403, type_="permission_denied")  # fmt: skip


def test_service_token_bad_input_and_roles(org, admin, manager, other_org, outsider):
    url = f"/api/v1/orgs/{org.slug}/service-tokens/"
    assert_error(session(admin).post(url, {"name": "x", "scope": "full"}, format="json"), 400,
                 type_="validation_error", attr="scope")  # fmt: skip
    assert_error(session(admin).post(url, {"scope": "read"}, format="json"), 400, type_="validation_error",
                 attr="name")  # fmt: skip
    assert_error(session(manager).post(url, {"name": "x", "scope": "read"}, format="json"), 403,
                 type_="permission_denied")  # fmt: skip
    foreign, _key = services.service_token_create(org=other_org, actor=outsider, name="Theirs", scope="read")
    assert_error(session(admin).post(f"{url}{foreign.pk}/revoke/"), 404, type_="not_found")
    assert_error(session(admin).get(f"/api/v1/orgs/{other_org.slug}/service-tokens/"), 404, type_="not_found")
    assert_error(APIClient().get(url), 401, type_="authentication_error")
    assert ApiToken.objects.count() == 1


def test_token_lists_have_pinned_query_counts(org, admin):
    client = session(admin)
    for n in range(3):
        services.service_token_create(org=org, actor=admin, name=f"S{n}", scope="read")
        services.api_token_create(user=admin.user, name=f"P{n}")
    assert_queries(4, client, f"/api/v1/orgs/{org.slug}/service-tokens/")
    assert_queries(2, client, "/api/v1/me/tokens/")


def test_the_tokens_page_offers_service_tokens_to_admins_only(org, admin, member):
    from tests.conftest import login

    page = login(member).get("/accounts/tokens/").content.decode()
    assert "a service token" not in page and 'value="metrics:write"' in page
    client = login(admin)
    assert f"{org.name}: a service token" in client.get("/accounts/tokens/").content.decode()
    response = client.post("/accounts/tokens/", {"name": "CRM", "owner": org.slug, "scope": "metrics:write",
                                        "expires_in_days": "90"})  # fmt: skip
    assert response.status_code == 200 and 'data-testid="new-token"' in response.content.decode()
    token = ApiToken.objects.get(name="CRM")
    assert token.org == org and token.scope == "metrics:write"
    # A member cannot make one by posting the choice anyway.
    refused = login(member).post("/accounts/tokens/", {"name": "Sneaky", "owner": org.slug, "scope": "read"})
    assert refused.status_code == 400 and not ApiToken.objects.filter(name="Sneaky").exists()
    # Any admin revokes it from the page.
    revoked = client.post(f"/o/{org.slug}/settings/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_token_a_request_uses_is_not_revoked_by_that_request(member):
    token, key = services.api_token_create(user=member.user, name="CI")
    response = with_key(key).post(f"/api/v1/me/tokens/{token.pk}/revoke/")
    assert_error(response, 400, type_="validation_error", attr="token_id")
    token.refresh_from_db()
    assert token.revoked_at is None and with_key(key).get("/api/v1/me/").status_code == 200
