from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import path
from django.utils import timezone
from rest_framework.test import APIClient

from config import urls as project_urls
from teams import services
from teams.api_base import OrgViewSet
from teams.models import Membership, Role, Team
from tests import factories
from tests.queries import assert_queries


def api(membership_or_user=None, *, token: str | None = None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    elif membership_or_user is not None:
        client.force_authenticate(getattr(membership_or_user, "user", membership_or_user))
    return client


def teams_url(org) -> str:
    return f"/api/v1/orgs/{org.slug}/teams/"


def assert_error(response, status: int, *, type_: str, attr: str | None = None, code: str | None = None):
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"type", "code", "detail", "attr", "errors"}
    assert body["type"] == type_
    assert body["detail"]
    if attr is not None:
        assert attr in [e["attr"] for e in body["errors"]], body
    if code is not None:
        assert body["code"] == code
    return body


# --- Authentication --------------------------------------------------------------------------
def test_anonymous_gets_401_in_the_common_format(org):
    assert_error(api().get(teams_url(org)), 401, type_="authentication_error", code="not_authenticated")


def test_token_authentication_and_its_failures(org, member):
    _token, key = services.api_token_create(user=member.user, name="CRM")
    response = api(token=key).get(teams_url(org))
    assert response.status_code == 200
    member.user.api_tokens.update(last_used_at=None)

    assert_error(
        api(token="st_nonsense").get(teams_url(org)), 401, type_="authentication_error", code="invalid_token"
    )

    expired, expired_key = services.api_token_create(user=member.user, name="old", expires_in_days=1)
    expired.expires_at = timezone.now() - timedelta(minutes=1)
    expired.save()
    body = assert_error(
        api(token=expired_key).get(teams_url(org)), 401, type_="authentication_error", code="token_expired"
    )
    assert "expired on" in body["detail"]

    services.api_token_revoke(token=_token)
    assert_error(api(token=key).get(teams_url(org)), 401, type_="authentication_error", code="token_revoked")

    malformed = APIClient()
    malformed.credentials(HTTP_AUTHORIZATION="Token a b")
    assert_error(malformed.get(teams_url(org)), 401, type_="authentication_error", code="malformed_token")


def test_token_use_is_recorded_at_most_once_a_minute(org, member):
    token, key = services.api_token_create(user=member.user, name="CRM")
    client = api(token=key)
    client.get(f"/api/v1/orgs/{org.slug}/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(f"/api/v1/orgs/{org.slug}/")
    token.refresh_from_db()
    assert token.last_used_at == first


def test_token_sees_only_its_users_orgs(org, other_org, member):
    _t, key = services.api_token_create(user=member.user, name="CRM")
    assert_error(api(token=key).get(teams_url(other_org)), 404, type_="not_found")


def test_me_lists_memberships(org, other_org, member):
    Membership.objects.create(org=other_org, user=member.user, role=Role.VIEWER)
    body = api(member).get("/api/v1/me/").json()
    assert body["email"] == member.user.email
    assert {(m["organization"]["slug"], m["role"]) for m in body["memberships"]} == {
        ("acme", "member"),
        ("other-co", "viewer"),
    }


# --- Organisation ----------------------------------------------------------------------------
def test_org_detail_read_by_members_edited_by_admins(org, admin, member):
    url = f"/api/v1/orgs/{org.slug}/"
    assert api(member).get(url).json()["slug"] == "acme"
    assert_error(api(member).patch(url, {"name": "Hacked"}, format="json"), 403, type_="permission_denied")
    response = api(admin).patch(url, {"name": "Acme Ltd", "fiscal_year_start_month": 4}, format="json")
    assert response.status_code == 200, response.json()
    org.refresh_from_db()
    assert (org.name, org.fiscal_year_start_month) == ("Acme Ltd", 4)


def test_org_detail_bad_values_name_the_field(org, admin):
    response = api(admin).patch(
        f"/api/v1/orgs/{org.slug}/", {"timezone": "Mars/Base", "currency": "XYZ"}, format="json"
    )
    body = assert_error(response, 400, type_="validation_error")
    assert {e["attr"] for e in body["errors"]} == {"timezone", "currency"}
    org.refresh_from_db()
    assert org.timezone == "Asia/Shanghai"


# --- Teams -----------------------------------------------------------------------------------
def test_admin_creates_and_edits_a_team(org, admin, manager):
    parent = factories.team(org, "Sales")
    response = api(admin).post(
        teams_url(org), {"name": "Sales East", "parent": parent.pk, "managers": [manager.pk]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent"] == parent.pk and body["managers"] == [manager.pk] and body["member_count"] == 0
    response = api(admin).patch(
        f"{teams_url(org)}{body['id']}/", {"description": "Key region"}, format="json"
    )
    assert response.status_code == 200
    assert Team.objects.get(pk=body["id"]).description == "Key region"


def test_member_reads_teams_but_cannot_write(org, member):
    factories.team(org, "Sales")
    assert api(member).get(teams_url(org)).json()["count"] == 1
    assert_error(
        api(member).post(teams_url(org), {"name": "X"}, format="json"), 403, type_="permission_denied"
    )


def test_team_bad_input_names_the_field_and_saves_nothing(org, other_org, admin):
    foreign = factories.team(other_org, "Foreign")
    body = assert_error(
        api(admin).post(teams_url(org), {"name": "", "parent": foreign.pk}, format="json"),
        400,
        type_="validation_error",
    )
    assert {e["attr"] for e in body["errors"]} == {"name", "parent"}
    factories.team(org, "Sales")
    assert_error(
        api(admin).post(teams_url(org), {"name": "SALES"}, format="json"),
        400,
        type_="validation_error",
        attr="name",
    )
    assert Team.objects.filter(org=org).count() == 1


def test_team_cycle_refused_over_the_api(org, admin):
    top = factories.team(org, "Top")
    child = factories.team(org, "Child", parent=top)
    response = api(admin).patch(f"{teams_url(org)}{top.pk}/", {"parent": child.pk}, format="json")
    assert_error(response, 400, type_="validation_error", attr="parent")


def test_team_of_another_org_is_404(org, other_org, admin):
    foreign = factories.team(other_org, "Foreign")
    assert_error(api(admin).get(f"{teams_url(org)}{foreign.pk}/"), 404, type_="not_found")
    assert_error(api(admin).delete(f"{teams_url(org)}{foreign.pk}/"), 404, type_="not_found")
    assert Team.objects.filter(pk=foreign.pk).exists()


def test_malformed_json_is_a_parse_error(org, admin):
    response = api(admin).generic("POST", teams_url(org), '{"name": ', content_type="application/json")
    assert_error(response, 400, type_="parse_error", code="parse_error")
    assert not Team.objects.filter(org=org).exists()


def test_oversized_body_is_refused_before_parsing(org, admin):
    big = json.dumps({"name": "x", "description": "y" * (6 * 1024 * 1024)})
    response = api(admin).generic("POST", teams_url(org), big, content_type="application/json")
    assert_error(response, 413, type_="request_too_large", code="request_too_large")
    assert not Team.objects.filter(org=org).exists()


def test_pagination_and_filters(org, admin):
    top = factories.team(org, "Top")
    for i in range(7):
        factories.team(org, f"Sub {i}", parent=top)
    body = api(admin).get(teams_url(org), {"page_size": 3}).json()
    assert body["count"] == 8 and len(body["results"]) == 3 and body["next"]
    assert api(admin).get(teams_url(org), {"parent": top.pk}).json()["count"] == 7
    assert api(admin).get(teams_url(org), {"top_level": "true"}).json()["count"] == 1
    assert_error(api(admin).get(teams_url(org), {"page": 99}), 404, type_="not_found")


# --- Members ---------------------------------------------------------------------------------
def test_invite_existing_account_over_the_api_is_pending(org, other_org, admin):
    elsewhere = factories.member(other_org).user
    response = api(admin).post(
        f"/api/v1/orgs/{org.slug}/members/",
        {"email": elsewhere.email, "display_name": "x", "role": "member"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["membership"] is None and body["created_user"] is False and body["set_password_url"] is None
    assert body["pending_invitation"]["user"]["email"] == elsewhere.email
    listing = api(admin).get(f"/api/v1/orgs/{org.slug}/invitations/").json()
    assert [i["id"] for i in listing["results"]] == [body["pending_invitation"]["id"]]
    member = factories.member(org)
    assert_error(api(member).get(f"/api/v1/orgs/{org.slug}/invitations/"), 403, type_="permission_denied")
    assert (
        api(admin)
        .delete(f"/api/v1/orgs/{org.slug}/invitations/{body['pending_invitation']['id']}/")
        .status_code
        == 204
    )
    assert api(admin).get(f"/api/v1/orgs/{org.slug}/invitations/").json()["count"] == 0


def test_resend_invitation_over_the_api(org, admin, member):
    invited = (
        api(admin)
        .post(
            f"/api/v1/orgs/{org.slug}/members/",
            {"email": "n@example.com", "display_name": "N", "role": "member"},
            format="json",
        )
        .json()
    )
    url = f"/api/v1/orgs/{org.slug}/members/{invited['membership']['id']}/resend-invitation/"
    response = api(admin).post(url)
    assert response.status_code == 200 and "/accounts/welcome/" in response.json()["set_password_url"]
    # Someone who already chose a password needs no invitation.
    assert_error(
        api(admin).post(f"/api/v1/orgs/{org.slug}/members/{member.pk}/resend-invitation/"),
        400,
        type_="validation_error",
    )


@pytest.mark.parametrize("value", ["abc", "1e20", "99999999999999999999", "1.5"])
def test_bad_filter_values_are_a_400_naming_the_parameter(org, admin, value):
    assert_error(
        api(admin).get(teams_url(org), {"parent": value}), 400, type_="validation_error", attr="parent"
    )
    assert_error(
        api(admin).get(f"/api/v1/orgs/{org.slug}/members/", {"team": value}),
        400,
        type_="validation_error",
        attr="team",
    )


def test_filter_by_another_orgs_team_is_refused(org, other_org, admin):
    foreign = factories.team(other_org, "Foreign")
    assert_error(
        api(admin).get(teams_url(org), {"parent": foreign.pk}), 400, type_="validation_error", attr="parent"
    )
    assert_error(
        api(admin).get(f"/api/v1/orgs/{org.slug}/members/", {"role": "boss"}),
        400,
        type_="validation_error",
        attr="role",
    )


def test_member_patch_is_all_or_nothing(org, admin):
    other_admin = Membership.objects.filter(org=org, role=Role.ADMIN).exclude(pk=admin.pk).get()
    services.membership_set_active(membership=other_admin, active=False)
    response = api(admin).patch(
        f"/api/v1/orgs/{org.slug}/members/{admin.pk}/", {"is_active": False, "role": "member"}, format="json"
    )
    assert_error(response, 400, type_="validation_error", attr="role")
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)


def test_inactive_members_cannot_be_made_managers(org, admin):
    gone = factories.member(org)
    services.membership_set_active(membership=gone, active=False)
    response = api(admin).post(teams_url(org), {"name": "T", "managers": [gone.pk]}, format="json")
    assert_error(response, 400, type_="validation_error", attr="managers")


def test_invite_over_the_api(org, admin):
    sales = factories.team(org, "Sales")
    response = api(admin).post(
        f"/api/v1/orgs/{org.slug}/members/",
        {"email": "lisi@example.com", "display_name": "李四", "role": "member", "teams": [sales.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created_user"] is True and "/accounts/welcome/" in body["set_password_url"]
    assert body["membership"]["teams"] == [sales.pk]


def test_invite_bad_input(org, admin):
    body = assert_error(
        api(admin).post(
            f"/api/v1/orgs/{org.slug}/members/", {"email": "nope", "role": "boss"}, format="json"
        ),
        400,
        type_="validation_error",
    )
    assert {e["attr"] for e in body["errors"]} == {"email", "display_name", "role"}


def test_role_change_and_deactivation_over_the_api(org, admin, member):
    url = f"/api/v1/orgs/{org.slug}/members/{member.pk}/"
    assert api(admin).patch(url, {"role": "hr"}, format="json").status_code == 200
    assert api(admin).patch(url, {"is_active": False}, format="json").status_code == 200
    member.refresh_from_db()
    assert (member.role, member.is_active) == ("hr", False)
    assert_error(api(member).get(f"/api/v1/orgs/{org.slug}/"), 404, type_="not_found")


def test_last_admin_cannot_demote_themself(org):
    only_admin = Membership.objects.get(org=org, role=Role.ADMIN)
    response = api(only_admin).patch(
        f"/api/v1/orgs/{org.slug}/members/{only_admin.pk}/", {"role": "member"}, format="json"
    )
    assert_error(response, 400, type_="validation_error", attr="role")


# --- Query counts ----------------------------------------------------------------------------
@pytest.mark.parametrize("resource", ["teams", "members"])
def test_list_query_count_is_flat(org, admin, resource):
    url = f"/api/v1/orgs/{org.slug}/{resource}/"
    client = Client()
    client.force_login(admin.user)
    # user, membership+org, count, page, one prefetch (the session comes from the cache; the first
    # request, which also writes the session, is a warm-up)
    expected = 5

    top = factories.team(org, "Top")
    factories.member(org, teams=[top])
    assert_queries(expected, client, url)
    for i in range(50):
        team = factories.team(org, f"T{i}", parent=top)
        factories.member(org, teams=[team])
        team.managers.add(admin)
    assert_queries(expected, client, url)


# --- The base class fails closed ----------------------------------------------------------------
def test_overriding_get_queryset_is_refused_at_class_creation():
    with pytest.raises(TypeError, match="scoped_queryset"):

        class Leaky(OrgViewSet):  # noqa: F841
            def get_queryset(self):
                return Team.objects.all()


def test_a_mixin_cannot_bring_an_unscoped_queryset():
    class LeakyMixin:
        def get_queryset(self):
            return Team.objects.all()

    with pytest.raises(TypeError, match="scoped_queryset"):

        class Leaky(LeakyMixin, OrgViewSet):  # noqa: F841
            pass


def test_get_object_and_permissions_cannot_be_replaced():
    with pytest.raises(TypeError, match="get_object"):

        class Direct(OrgViewSet):  # noqa: F841
            def get_object(self):
                return Team.objects.get(pk=self.kwargs["pk"])

    from rest_framework.permissions import IsAuthenticated

    with pytest.raises(TypeError, match="OrgRolePermission"):

        class Open(OrgViewSet):  # noqa: F841
            permission_classes = [IsAuthenticated]


def test_unknown_roles_are_refused_at_class_creation():
    with pytest.raises(TypeError, match="unknown roles"):

        class Typo(OrgViewSet):  # noqa: F841
            write_roles = frozenset({"admn"})


def _undeclared_view(request):
    from django.http import HttpResponse

    return HttpResponse("secret")


urlpatterns = [
    path("undeclared/", _undeclared_view),
    path("api/undeclared/", _undeclared_view),
    *project_urls.urlpatterns,
]


def test_a_view_without_declaration_is_refused(settings, member):
    settings.ROOT_URLCONF = __name__
    client = Client()
    client.force_login(member.user)
    page = client.get("/undeclared/")
    assert page.status_code == 403 and b"secret" not in page.content
    assert_error(client.get("/api/undeclared/"), 403, type_="permission_denied", code="undeclared_view")
