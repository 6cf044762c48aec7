"""Money rules an outside check found broken: attainment is compared with thresholds unrounded
(79.99 % has not reached an 80 % step), and a cap can be an amount as well as a multiple."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from incentives import calculator, selectors, services
from incentives.calculator import Band, Curve, Part
from incentives.models import BonusScheme
from incentives.services import SchemeInput
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tracking import services as tracking

from .test_views_api import api

STEPS = SchemeInput(name="Steps", kind="steps", target_bonus=D(18000), steps=[["80", "50"], ["100", "100"]],
                    team_weight=D(1), own_weight=D(0))  # fmt: skip


@pytest.fixture
def hr(members):
    return members[Role.HR]


def pay(curve: Curve, attainment: str, target: D = D(18000)) -> calculator.Payout:
    return calculator.calculate(base=D(0), target_bonus=target, curve=curve, currency=lambda v: f"¥{v:,.0f}",
                                parts=[Part("g", D(1), D(attainment))])  # fmt: skip


def test_a_steps_scheme_pays_nothing_at_7999_and_shows_no_80():
    curve = Curve(kind="steps", steps=((D(80), D(50)), (D(100), D(100))))
    below, at = pay(curve, "79.99"), pay(curve, "80")
    assert below.bonus == 0 and at.bonus == D(9000)
    assert below.attainment == D("79.9") and below.lines[0] == "Attainment 79.9% (g)."  # never "80.0%"
    linear = Curve(kind="linear", threshold=D(60), bands=(Band(D(100), None, D("0.05")),))
    assert pay(linear, "59.99").bonus == 0 and pay(linear, "99.99").bonus < D(18000)
    assert pay(linear, "100.04").commission == calculator.money(D("0.04") * D("0.05") * D(18000))


def test_a_goal_at_7999_of_10000_pays_no_80_percent_step(org, hr, manager, member):
    team = factories.team(org, "Sales", managers=[manager])
    member.teams.add(team)
    today = org_today(org)
    start, end = today - timedelta(days=30), today + timedelta(days=60)
    goal = factories.goal(org, manager, team=team, scope="team", start_date=start, end_date=end, base=D(7000),
                          challenge=D(10000), stretch=D(12000), status="active")  # fmt: skip
    tracking.entries_save(org=org, actor=manager, rows=[tracking.EntryInput(goal_id=goal.pk, value="7999")])
    tracking.indicators_recompute(org=org)
    scheme = services.scheme_save(org=org, actor=hr, data=STEPS)
    services.scheme_assign(scheme=scheme, actor=hr, team=team)
    payout = selectors.person_payout(member=member, start=start, end=end)
    assert payout.exact_attainment == D("79.99") and payout.attainment == D("79.9")
    assert payout.bonus == 0 and payout.total == 0
    tracking.entries_save(org=org, actor=manager, rows=[tracking.EntryInput(goal_id=goal.pk, value="1")])
    tracking.indicators_recompute(org=org)
    assert selectors.person_payout(member=member, start=start, end=end).bonus == D(9000)  # 8,000: the step


def test_the_what_if_compares_the_figure_entered(org, hr, member):
    scheme = services.scheme_save(org=org, actor=hr, data=STEPS)
    services.scheme_assign(scheme=scheme, actor=hr, membership=member)
    url = f"/api/v1/orgs/{org.slug}/payouts/preview/"
    below = api(hr).get(url, {"member": member.pk, "attainment": "79.99"}).json()
    assert D(below["bonus"]) == 0 and D(below["attainment"]) == D("79.9")
    assert D(api(hr).get(url, {"member": member.pk, "attainment": "80"}).json()["bonus"]) == D(9000)
    page = (
        login(hr)
        .get(reverse("incentive_scheme", args=[org.slug, scheme.pk]), {"attainment": "79.99"})
        .content.decode()
    )
    assert "Below the threshold" in page or "¥0" in page
    assert selectors.scheme_payout(scheme=scheme, base=D(0), attainment=D("79.99")).bonus == 0


ARTICLE_AMOUNT = {"name": "Capped", "kind": "linear", "target_bonus": "18000.00", "threshold": "60",
                  "bands": [["100", "120", "0.05"], ["120", None, "0.10"]], "cap_amount": "40000.00",
                  "team_weight": "1", "own_weight": "0"}  # fmt: skip


def test_a_cap_of_40000_on_18000_through_the_api_and_its_explanation(org, hr, member):
    created = api(hr).post(f"/api/v1/orgs/{org.slug}/bonus-schemes/", ARTICLE_AMOUNT, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["cap_amount"] == "40000.00" and created.json()["cap_multiple"] is None
    scheme = BonusScheme.objects.get(name="Capped")
    # 200 %: bonus 18,000 + commission 20 × 5 % × 18,000 + 80 × 10 % × 18,000 = 18,000 + 18,000 + 144,000
    payout = selectors.scheme_payout(scheme=scheme, base=D(10000), attainment=D(200))
    assert payout.capped and payout.variable == D(40000) and payout.total == D(50000)
    assert "Capped at ¥40,000, the scheme's cap amount." in payout.lines
    with translation.override("zh-hans"):
        lines = selectors.scheme_payout(scheme=scheme, base=D(10000), attainment=D(200)).lines
    assert any("¥40,000" in line and "Capped" not in line for line in lines)
    both = api(hr).post(f"/api/v1/orgs/{org.slug}/bonus-schemes/",
                        {**ARTICLE_AMOUNT, "name": "Both", "cap_multiple": "2"}, format="json")  # fmt: skip
    assert both.status_code == 400 and "cap_amount" in both.content.decode()
    low = api(hr).post(f"/api/v1/orgs/{org.slug}/bonus-schemes/",
                       {**ARTICLE_AMOUNT, "name": "Low", "cap_amount": "100"}, format="json")  # fmt: skip
    assert low.status_code == 400 and "cap_amount" in low.content.decode()


def test_the_scheme_form_takes_a_cap_amount_and_keeps_input_on_refusal(org, hr):
    client = login(hr)
    url = reverse("incentive_schemes", args=[org.slug])
    form = {"name": "Ops", "kind": "linear", "target_bonus": "18000", "threshold": "60",
            **factories.band_fields([("100", "120", "5"), ("120", "", "10")]), "team_weight": "1", "own_weight": "0"}  # fmt: skip
    refused = client.post(url, {**form, "cap_multiple": "2", "cap_amount": "40000"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "not both" in page and 'value="40000"' in page
    assert client.post(url, {**form, "cap_amount": "40000"}).status_code == 302
    scheme = BonusScheme.objects.get(name="Ops")
    assert scheme.cap_amount == D(40000) and scheme.cap_multiple is None
    edit = client.get(reverse("incentive_scheme", args=[org.slug, scheme.pk])).content.decode()
    assert 'name="cap_amount"' in edit and "40000" in edit
    assert "cap 40,000" in client.get(url).content.decode()  # the list says the cap


def test_a_service_refuses_a_cap_amount_below_the_target_bonus(org, hr):
    with pytest.raises(ValidationError) as caught:
        services.scheme_save(
            org=org, actor=hr, data=SchemeInput(name="x", target_bonus=D(100), cap_amount=D(50))
        )
    assert "cap_amount" in caught.value.message_dict
