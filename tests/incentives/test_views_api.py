"""Pages and API of incentives: my pay with what-if, HR's schemes and salaries, and the rule that
nobody sees anyone else's money without a reason."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from incentives import selectors, services
from incentives.models import BonusScheme, Salary
from incentives.services import SchemeInput
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.teams.test_api import assert_error

from .test_services import ARTICLE


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


@pytest.fixture
def setup(org, members, member):
    hr = members[Role.HR]
    team = factories.team(org, "Sales")
    member.teams.add(team)
    scheme = services.scheme_save(org=org, actor=hr, data=ARTICLE)
    services.scheme_assign(scheme=scheme, actor=hr, team=team)
    services.salary_set(org=org, actor=hr, membership=member, base=D(30000), effective_from=date(2026, 1, 1))
    return {"hr": hr, "team": team, "scheme": scheme}


def test_my_pay_with_a_live_what_if(org, member, setup):
    client = login(member)
    url = reverse("incentives_index", args=[org.slug])
    page = client.get(url).content.decode()
    assert "My pay" in page and "Sales 2026" in page and 'data-chart="payout-curve"' in page
    curve = json.loads(
        page.split('<script id="curve-data" type="application/json">')[1].split("</script>")[0]
    )
    assert [p for p in curve if p[0] in (100.0, 110.0, 120.0)] == [
        [100.0, 20000.0],
        [110.0, 30000.0],
        [120.0, 40000.0],
    ]
    fragment = client.get(url, {"attainment": "112"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Commission 12 points × 5% × ¥20,000 = ¥12,000." in fragment
    assert "62,000" in fragment


def test_nobody_sees_anyone_elses_money(org, members, member, manager, setup, other_org, outsider):
    url = reverse("incentives_index", args=[org.slug])
    other = {"member": member.pk, "attainment": "100"}
    for viewer in (members[Role.VIEWER], manager, factories.member(org)):
        assert login(viewer).get(url, other).status_code == 403
        assert api(viewer).get(f"/api/v1/orgs/{org.slug}/payouts/preview/", other).status_code == 403
        assert api(viewer).get(f"/api/v1/orgs/{org.slug}/salaries/").status_code == 403
    assert login(outsider).get(reverse("incentives_index", args=[other_org.slug]), other).status_code == 404
    assert api(outsider).get(f"/api/v1/orgs/{other_org.slug}/payouts/preview/", other).status_code == 404
    setup["team"].managers.add(manager)
    services.money_grant_create(org=org, actor=members[Role.ADMIN], manager=manager, reason="Salary review")
    assert (
        login(manager).get(url, other).status_code == 200
    )  # granted, and the person is in the manager's team
    body = api(setup["hr"]).get(f"/api/v1/orgs/{org.slug}/payouts/preview/", other).json()
    assert body["total"] == "50000.00" and body["explanation"][1] == "Full bonus ¥20,000."


def test_hr_builds_a_scheme_assigns_it_and_sets_a_salary(org, members, member, manager):
    hr = members[Role.HR]
    client = login(hr)
    url = reverse("incentive_schemes", args=[org.slug])
    bad = client.post(url, {"name": "Broken", "kind": "linear", "target_bonus": "1000", "threshold": "60",
                            **factories.band_fields([("100", "120", "5"), ("130", "", "10")]), "team_weight": "0.6",
                            "own_weight": "0.4"})  # fmt: skip
    assert (
        bad.status_code == 400
        and "Leaves a gap after the band before it, which ends at 120 %." in bad.content.decode()
    )
    ok = client.post(url, {"name": "Ops 2026", "kind": "linear", "target_bonus": "10000", "threshold": "60",
                           **factories.band_fields([("100", "120", "5"), ("120", "", "10")]), "cap_multiple": "3",
                           "team_weight": "0.6", "own_weight": "0.4"})  # fmt: skip
    assert ok.status_code == 302
    scheme = BonusScheme.objects.get(name="Ops 2026")
    client.post(reverse("scheme_assign", args=[org.slug, scheme.pk]), {"target": f"member:{member.pk}"})
    assert selectors.scheme_for(member=member) == scheme
    client.post(
        reverse("salary_set", args=[org.slug]),
        {"member": member.pk, "base": "-5", "effective_from": "2026-01-01"},
    )
    assert not Salary.objects.exists()
    client.post(
        reverse("salary_set", args=[org.slug]),
        {"member": member.pk, "base": "25000", "effective_from": "2026-01-01"},
    )
    assert Salary.objects.get().base == D(25000)
    assert login(manager).get(url).status_code == 403


def test_schemes_and_salaries_api(org, members, member):
    hr = members[Role.HR]
    url = f"/api/v1/orgs/{org.slug}/bonus-schemes/"
    body = {"name": "API scheme", "kind": "linear", "target_bonus": "20000.00", "threshold": "60",
            "bands": [["100", "120", "0.05"], ["120", None, "0.10"]]}  # fmt: skip
    created = api(hr).post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert_error(api(hr).post(url, {**body, "name": "Other", "bands": [["100", None, "2"]]}, format="json"), 400,
                 type_="validation_error", attr="bands")  # fmt: skip
    assigned = api(hr).post(f"{url}{created.json()['id']}/assign/", {"role": "member"}, format="json")
    assert assigned.status_code == 201 and selectors.scheme_for(member=member).name == "API scheme"
    salary = api(hr).post(f"/api/v1/orgs/{org.slug}/salaries/", {"member": member.pk, "base": "30000.00",
                                                                 "effective_from": "2026-01-01"}, format="json")  # fmt: skip
    assert salary.status_code == 201
    mine = api(member).get(f"/api/v1/orgs/{org.slug}/payouts/preview/", {"attainment": "80"}).json()
    assert mine["bonus"] == "10000.00" and mine["base"] == "30000.00"
    assert api(member).get(url).status_code == 403


@pytest.mark.parametrize("field, value", [
    ("bands", [1]), ("bands", 5), ("bands", [None]), ("bands", [["100", None]]),
    ("steps", [1]), ("steps", 5), ("steps", [None, [1, 2]]),
    ("multiples", ["1", "2", "3"]), ("multiples", "x"), ("multiples", 5),
])  # fmt: skip
def test_badly_shaped_scheme_json_is_a_400_naming_the_field(org, members, field, value):
    kind = {"steps": "steps", "multiples": "tiers"}.get(field, "linear")
    body = {"name": "Shape", "kind": kind, "target_bonus": "1000", field: value}
    response = api(members[Role.HR]).post(f"/api/v1/orgs/{org.slug}/bonus-schemes/", body, format="json")
    assert response.status_code == 400 and field in [e["attr"] for e in response.json()["errors"]], (
        response.json()
    )


def test_the_scheme_form_refuses_lines_of_the_wrong_width(org, members):
    client = login(members[Role.HR])
    response = client.post(reverse("incentive_schemes", args=[org.slug]), {
        "name": "Lines", "kind": "steps", "target_bonus": "1000", "threshold": "0", "steps": "80, 50\n90",
        **factories.band_fields([("100", "120", "five")]), "team_weight": "0.6", "own_weight": "0.4"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "Line 2: give 2 values separated by commas." in page
    assert "Enter the rate, in % of the target bonus per point." in page and not BonusScheme.objects.exists()
    assert 'value="five"' in page  # what was typed stays


def test_assigning_to_an_unknown_target_says_so(org, members, setup, other_org):
    client = login(members[Role.HR])
    url = reverse("scheme_assign", args=[org.slug, setup["scheme"].pk])
    foreign = factories.team(other_org, "Theirs")
    for target in ("team:abc", f"team:{foreign.pk}", "member:0"):
        page = client.post(url, {"target": target}, follow=True).content.decode()
        assert "No such person or team in this organisation." in page, target
    assert (
        "one person, one team or one role" in client.post(url, {"target": "x"}, follow=True).content.decode()
    )


def test_a_scheme_applies_to_the_person_picked_rather_than_the_team_or_role_listed(
    org, members, setup, member
):
    """Each scheme's form offers teams and roles in a list and the person in a picker (searching as
    the user types: the page lists no one); a person picked wins over the list."""
    client = login(members[Role.HR])
    page = client.get(reverse("incentive_schemes", args=[org.slug])).content.decode()
    assert f'id="assign-{setup["scheme"].pk}-member"' in page and f'value="member:{member.pk}"' not in page
    scheme = services.scheme_save(
        org=org, actor=members[Role.HR], data=SchemeInput(name="Own", target_bonus=D(5))
    )
    url = reverse("scheme_assign", args=[org.slug, scheme.pk])
    client.post(url, {"target": "role:manager", "member": str(member.pk)})
    assert selectors.scheme_for(member=member) == scheme
    assert list(scheme.assignments.values_list("membership_id", "role")) == [(member.pk, "")]
    assert (
        "one person, one team or one role"
        in client.post(url, {"target": "", "member": ""}, follow=True).content.decode()
    )


def test_huge_figures_are_shown_not_a_500(org, members, member, setup):
    hr = members[Role.HR]
    services.salary_set(org=org, actor=hr, membership=member, base=D("999999999999.99"),
                        effective_from=date(2026, 2, 1))  # fmt: skip
    response = api(member).get(f"/api/v1/orgs/{org.slug}/payouts/preview/", {"attainment": "1000"})
    assert response.status_code == 200 and response.json()["base"] == "999999999999.99"


# The salary form's person picker searches as you type: it reads only the person chosen (none here).
# The schemes page: 11, since each scheme's "applies to" picks its person with the picker too
# (no longer a <select> of everyone, one query fewer).
INCENTIVE_PAGE_QUERIES = {"incentives_index": 14, "incentive_schemes": 11}


@pytest.mark.parametrize("name", ["incentives_index", "incentive_schemes"])
def test_incentive_pages_query_counts_are_flat(org, members, member, setup, name):
    from tests.queries import assert_queries

    client = login(members[Role.HR])
    url = reverse(name, args=[org.slug])

    def grow(n: int) -> None:
        for i in range(n):
            person = factories.member(org, teams=[setup["team"]])
            services.salary_set(org=org, actor=members[Role.HR], membership=person, base=D(1000 + i),
                                effective_from=date(2026, 1, 1))  # fmt: skip
            scheme = services.scheme_save(org=org, actor=members[Role.HR], data=SchemeInput(
                name=f"Scheme {person.pk}", target_bonus=D(100)))  # fmt: skip
            services.scheme_assign(scheme=scheme, actor=members[Role.HR], membership=person)

    grow(1)
    assert_queries(INCENTIVE_PAGE_QUERIES[name], client, url)
    grow(10)
    assert_queries(INCENTIVE_PAGE_QUERIES[name], client, url)
