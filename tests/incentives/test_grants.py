"""Money grants: an admin lets a manager see the pay of the people of the teams they manage (sub-teams
included), on Settings → Pay access and through the API; revoking takes effect at once; both are
audited. A grant never shows another team's pay. And one payout line through the API, under the same
rules (HR and admins, the person themself, granted managers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from incentives import services
from incentives.models import MoneyGrant, PayoutLine, PayoutRun, RunStatus
from teams.models import AuditEntry, Role, Team
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries, pinned_queries
from tests.teams.test_api import assert_error


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def _run(org, status: str, version: int = 1) -> PayoutRun:
    # The run's arithmetic is tested in test_runs.py; here only who sees its lines.
    return PayoutRun.objects.create(org=org, start=date(2026, 7, 1), end=date(2026, 9, 30), version=version,
                                    status=status)  # fmt: skip


def _line(run: PayoutRun, person, total: str) -> PayoutLine:
    return PayoutLine.objects.create(
        org=run.org, run=run, membership=person, name=person.user.get_full_name(), team="", scheme="S",
        base=D(1), target_bonus=D("10000.00"), attainment=D(100), bonus=D(total), commission=D(0), total=D(total),
    )  # fmt: skip


@pytest.fixture
def world(org, members, manager, member):
    """`manager` manages Sales and (through it) its sub-team East; `ops_lead` manages Ops. Each
    person has a salary and a line in an approved run."""
    hr = members[Role.HR]
    sales = factories.team(org, "Sales", managers=[manager])
    east = factories.team(org, "East", parent=sales)
    ops_lead = factories.member(org, Role.MANAGER, name="Ops Lead")
    ops = factories.team(org, "Ops", managers=[ops_lead])
    member.teams.add(sales)
    easterner = factories.member(org, Role.MEMBER, name="Easterner", teams=[east])
    stranger = factories.member(org, Role.MEMBER, name="Opsie", teams=[ops])
    for person, base in ((member, "31111"), (easterner, "32222"), (stranger, "39999")):
        services.salary_set(
            org=org, actor=hr, membership=person, base=D(base), effective_from=date(2026, 1, 1)
        )
    run = _run(org, RunStatus.LOCKED)
    lines = {
        p.pk: _line(run, p, t)
        for p, t in ((member, "4101.00"), (easterner, "4202.00"), (stranger, "4909.00"))
    }
    return {
        "hr": hr,
        "easterner": easterner,
        "stranger": stranger,
        "ops_lead": ops_lead,
        "run": run,
        "lines": lines,
    }


def _csv(client, org) -> str:
    response = client.get(reverse("team_pay_csv", args=[org.slug]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_an_admin_grants_on_the_settings_page_and_the_manager_sees_their_teams_pay(
    org, admin, manager, member, world
):
    page_url = reverse("money_grants", args=[org.slug])
    team_pay = reverse("team_pay", args=[org.slug])
    # Before any grant the manager sees only their own pay, and is told why.
    before = login(manager).get(team_pay).content.decode()
    assert 'data-testid="not-granted"' in before and "31,111" not in before
    assert "31111" not in _csv(login(manager), org)
    assert (
        login(manager).get(reverse("incentives_index", args=[org.slug]), {"member": member.pk}).status_code
        == 403
    )

    client = login(admin)
    assert client.get(page_url).status_code == 200
    refused = client.post(page_url, {"manager": manager.pk, "reason": "  "})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    assert not MoneyGrant.objects.exists()
    assert client.post(page_url, {"manager": manager.pk, "reason": "Salary review Q4"}).status_code == 302
    grant = MoneyGrant.objects.get()
    assert grant.in_force and grant.reason == "Salary review Q4" and grant.granted_by == admin
    entry = AuditEntry.objects.get(action="money_grant.create")
    assert entry.actor == admin.user and entry.changes["reason"] == [None, "Salary review Q4"]
    listed = client.get(page_url).content.decode()
    assert "Salary review Q4" in listed and manager.user.get_full_name() in listed

    # The manager sees the pay of Sales and of East below it — never Ops.
    seen = login(manager).get(team_pay).content.decode()
    assert "31,111" in seen and "32,222" in seen and "4,101" in seen and "4,202" in seen
    assert "39,999" not in seen and "4,909" not in seen and "Opsie" not in seen
    exported = _csv(login(manager), org)
    assert "31111" in exported and "32222" in exported and "4202.00" in exported
    assert "39999" not in exported and "4909" not in exported
    pay = reverse("incentives_index", args=[org.slug])
    assert (
        login(manager).get(pay, {"member": world["easterner"].pk}).status_code == 200
    )  # a sub-team's person
    assert login(manager).get(pay, {"member": world["stranger"].pk}).status_code == 403

    # Revoking needs a reason and takes effect on the next request.
    revoke = reverse("money_grant_revoke", args=[org.slug, grant.pk])
    assert client.post(revoke, {"reason": ""}).status_code == 400
    assert client.post(revoke, {"reason": "Review done"}).status_code == 302
    grant.refresh_from_db()
    assert not grant.in_force and grant.revoked_by == admin and grant.revoke_reason == "Review done"
    assert AuditEntry.objects.get(action="money_grant.revoke").changes["reason"] == [None, "Review done"]
    after = login(manager).get(team_pay).content.decode()
    assert 'data-testid="not-granted"' in after and "31,111" not in after
    assert "31111" not in _csv(login(manager), org)
    assert login(manager).get(pay, {"member": member.pk}).status_code == 403
    assert "Review done" in client.get(page_url).content.decode()  # the revoked grant stays listed


def test_only_admins_grant_and_other_organisations_read_nothing(org, members, manager, other_org, outsider):
    page_url = reverse("money_grants", args=[org.slug])
    for role in (Role.HR, Role.MANAGER, Role.MEMBER, Role.VIEWER):
        assert login(members[role]).post(page_url, {"manager": manager.pk, "reason": "x"}).status_code == 403
        assert api(members[role]).post(f"/api/v1/orgs/{org.slug}/money-grants/", {"manager": manager.pk, "reason": "x"},
                                       format="json").status_code == 403  # fmt: skip
    assert not MoneyGrant.objects.exists()
    grant = services.money_grant_create(org=org, actor=members[Role.ADMIN], manager=manager, reason="Review")
    assert login(members[Role.HR]).post(reverse("money_grant_revoke", args=[org.slug, grant.pk]),
                                        {"reason": "x"}).status_code == 403  # fmt: skip
    # An admin of another organisation: this organisation's grants do not exist for them.
    assert login(outsider).get(page_url).status_code == 404
    assert api(outsider).get(f"/api/v1/orgs/{org.slug}/money-grants/{grant.pk}/").status_code == 404
    assert login(outsider).post(reverse("money_grant_revoke", args=[other_org.slug, grant.pk]),
                                {"reason": "x"}).status_code == 404  # fmt: skip
    assert api(outsider).post(f"/api/v1/orgs/{other_org.slug}/money-grants/{grant.pk}/revoke/", {"reason": "x"},
                              format="json").status_code == 404  # fmt: skip
    refused = api(outsider).post(f"/api/v1/orgs/{other_org.slug}/money-grants/", {"manager": manager.pk, "reason": "x"},
                                 format="json")  # fmt: skip
    assert_error(refused, 400, type_="validation_error", attr="manager")  # another organisation's manager
    grant.refresh_from_db()
    assert grant.in_force


def test_the_grants_api(org, admin, manager, member, world):
    client = api(admin)
    base = f"/api/v1/orgs/{org.slug}/money-grants/"
    assert_error(client.post(base, {"manager": manager.pk, "reason": ""}, format="json"), 400,
                 type_="validation_error", attr="reason")  # fmt: skip
    assert_error(client.post(base, {"manager": member.pk, "reason": "x"}, format="json"), 400,
                 type_="validation_error", attr="manager")  # a member is no manager  # fmt: skip
    assert_error(client.post(base, {"manager": 2**62, "reason": "x"}, format="json"), 400,
                 type_="validation_error", attr="manager")  # fmt: skip
    created = client.post(base, {"manager": manager.pk, "reason": "Budget round"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["manager"] == manager.pk and body["in_force"] and body["revoked_at"] is None
    assert_error(client.post(base, {"manager": manager.pk, "reason": "again"}, format="json"), 400,
                 type_="validation_error", attr="manager")  # one grant in force  # fmt: skip
    assert AuditEntry.objects.filter(action="money_grant.create", target_id=body["id"]).count() == 1

    # The granted manager reads their teams' pay through the API — never Ops'.
    team_pay = api(manager).get(f"/api/v1/orgs/{org.slug}/team-pay/").json()["results"]
    by_name = {row["name"]: row for row in team_pay}
    assert by_name[member.user.get_full_name()]["base"] == "31111.00"
    assert by_name["Easterner"]["payout"]["total"] == "4202.00"
    assert "Opsie" not in by_name
    preview = f"/api/v1/orgs/{org.slug}/payouts/preview/"
    assert api(manager).get(preview, {"member": world["easterner"].pk}).status_code == 200
    assert api(manager).get(preview, {"member": world["stranger"].pk}).status_code == 403
    line_url = f"/api/v1/orgs/{org.slug}/payout-runs/{world['run'].pk}/lines/"
    assert api(manager).get(f"{line_url}{world['lines'][member.pk].pk}/").json()["total"] == "4101.00"
    assert api(manager).get(f"{line_url}{world['lines'][world['stranger'].pk].pk}/").status_code == 403

    assert_error(client.post(f"{base}{body['id']}/revoke/", {}, format="json"), 400,
                 type_="validation_error", attr="reason")  # fmt: skip
    revoked = client.post(f"{base}{body['id']}/revoke/", {"reason": "Done"}, format="json").json()
    assert (
        revoked["in_force"] is False
        and revoked["revoke_reason"] == "Done"
        and revoked["revoked_by"] == admin.pk
    )
    assert AuditEntry.objects.filter(action="money_grant.revoke", target_id=body["id"]).count() == 1
    assert_error(client.post(f"{base}{body['id']}/revoke/", {"reason": "twice"}, format="json"), 400,
                 type_="validation_error", attr="reason")  # fmt: skip
    assert [g["in_force"] for g in client.get(base).json()["results"]] == [False]
    # Revoked: no longer.
    names = [row["name"] for row in api(manager).get(f"/api/v1/orgs/{org.slug}/team-pay/").json()["results"]]
    assert names == [manager.user.get_full_name()]
    assert api(manager).get(preview, {"member": world["easterner"].pk}).status_code == 403
    assert api(manager).get(f"{line_url}{world['lines'][member.pk].pk}/").status_code == 403
    # A new grant after a revoked one is fine: the history stays.
    assert (
        client.post(base, {"manager": manager.pk, "reason": "Next round"}, format="json").status_code == 201
    )
    assert MoneyGrant.objects.filter(membership=manager).count() == 2


def test_one_payout_line_through_the_api(org, members, member, other_org, outsider, world):
    hr, run = world["hr"], world["run"]
    own = world["lines"][member.pk]
    url = f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/lines/"
    body = api(member).get(f"{url}{own.pk}/").json()
    assert body["total"] == "4101.00" and body["run"] == run.pk and body["start"] == "2026-07-01"
    # Not a colleague's line, not even to a manager without a grant or a viewer.
    for who in (member, members[Role.MANAGER], members[Role.VIEWER]):
        assert api(who).get(f"{url}{world['lines'][world['easterner'].pk].pk}/").status_code == 403
    assert api(hr).get(f"{url}{world['lines'][world['stranger'].pk].pk}/").json()["total"] == "4909.00"
    # A run still in review: HR reads it, the person does not yet.
    review = _run(org, RunStatus.REVIEW, version=2)
    pending = _line(review, member, "5000.00")
    pending_url = f"/api/v1/orgs/{org.slug}/payout-runs/{review.pk}/lines/{pending.pk}/"
    assert api(member).get(pending_url).status_code == 403
    assert api(hr).get(pending_url).status_code == 200
    # A line of another run reads like no line; another organisation like no run.
    assert api(hr).get(f"/api/v1/orgs/{org.slug}/payout-runs/{review.pk}/lines/{own.pk}/").status_code == 404
    assert (
        api(outsider).get(f"/api/v1/orgs/{other_org.slug}/payout-runs/{run.pk}/lines/{own.pk}/").status_code
        == 404
    )
    assert api(outsider).get(f"{url}{own.pk}/").status_code == 404


@pytest.mark.parametrize("extra", [0, 12])
def test_team_pay_and_grants_read_a_fixed_number_of_queries(org, admin, manager, world, extra):
    services.money_grant_create(org=org, actor=admin, manager=manager, reason="Review")
    sales = Team.objects.get(org=org, name="Sales")
    for index in range(extra):
        person = factories.member(org, Role.MEMBER, name=f"Extra {index}", teams=[sales])
        _line(world["run"], person, "100.00")
    assert_queries(PAGE_QUERIES, login(manager), reverse("team_pay", args=[org.slug]))
    assert_queries(GRANTS_QUERIES, login(admin), reverse("money_grants", args=[org.slug]))
    client = api(manager)
    client.get(f"/api/v1/orgs/{org.slug}/team-pay/")
    with pinned_queries(API_QUERIES, "team-pay API"):
        assert len(client.get(f"/api/v1/orgs/{org.slug}/team-pay/").json()["results"]) == 3 + extra


# The grants page lists no managers: its picker searches as you type (teams.people_picker).
PAGE_QUERIES, GRANTS_QUERIES, API_QUERIES = 13, 5, 9
