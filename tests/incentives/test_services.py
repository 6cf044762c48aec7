"""Schemes, salaries and a person's payout, through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from incentives import selectors, services
from incentives.services import SchemeInput
from teams.errors import NotAllowed
from teams.models import AuditEntry, Role
from teams.selectors import org_today
from tests import factories
from tracking import services as tracking

ARTICLE = SchemeInput(name="Sales 2026", target_bonus=D(20000), threshold=D(60),
                      bands=[["100", "120", "0.05"], ["120", None, "0.10"]], cap_multiple=D(3))  # fmt: skip


@pytest.fixture
def hr(members):
    return members[Role.HR]


def test_hr_defines_the_articles_scheme_and_bad_schemes_are_refused(org, hr, manager):
    scheme = services.scheme_save(org=org, actor=hr, data=ARTICLE)
    assert scheme.bands == [["100", "120", "0.05"], ["120", None, "0.10"]]
    assert AuditEntry.objects.filter(action="scheme.create").exists()
    cases = [
        (
            SchemeInput(name="x", target_bonus=D(1), bands=[["100", "120", "0.05"], ["110", None, "0.1"]]),
            "bands",
        ),  # overlap
        (
            SchemeInput(name="x", target_bonus=D(1), bands=[["100", "120", "0.05"], ["125", None, "0.1"]]),
            "bands",
        ),  # gap
        (SchemeInput(name="x", target_bonus=D(1), bands=[["100", None, "1.5"]]), "bands"),  # above 100 %
        (SchemeInput(name="x", target_bonus=D(1), cap_multiple=D("0.5")), "cap_multiple"),
        (SchemeInput(name="x"), "target_bonus"),
        (SchemeInput(name="x", target_bonus=D(-5)), "target_bonus"),
        (SchemeInput(name="x", kind="steps", target_bonus=D(1), steps=[["90", "80"], ["80", "90"]]), "steps"),
        (
            SchemeInput(
                name="x",
                kind="tiers",
                target_bonus=D(1),
                multiples={"base": "1", "challenge": "0.5", "stretch": "2"},
            ),
            "multiples",
        ),  # fmt: skip
        (SchemeInput(name="Sales 2026", target_bonus=D(1)), "name"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.scheme_save(org=org, actor=hr, data=data)
        assert field in caught.value.message_dict, (data, caught.value.message_dict)
    with pytest.raises(ValidationError):
        services.scheme_save(org=org, actor=manager, data=SchemeInput(name="y", target_bonus=D(1)))


def test_salaries_are_never_negative_and_audited(org, hr, member):
    with pytest.raises(ValidationError) as caught:
        services.salary_set(org=org, actor=hr, membership=member, base=D(-1), effective_from=date(2026, 1, 1))
    assert "base" in caught.value.message_dict
    services.salary_set(org=org, actor=hr, membership=member, base=D(30000), effective_from=date(2026, 1, 1))
    services.salary_set(org=org, actor=hr, membership=member, base=D(32000), effective_from=date(2026, 7, 1))
    assert selectors.base_salary(member=member, on=date(2026, 6, 30)) == D(30000)
    assert selectors.base_salary(member=member, on=date(2026, 12, 31)) == D(32000)
    assert AuditEntry.objects.filter(action="salary.set").count() == 2


def test_a_persons_payout_from_tracking_attainment_explained(org, hr, manager, member):
    team = factories.team(org, "Sales", managers=[manager])  # the sales manager enters the team's values
    member.teams.add(team)
    today = org_today(org)
    start, end = today - timedelta(days=30), today + timedelta(days=60)
    team_goal = factories.goal(org, manager, team=team, scope="team", start_date=start, end_date=end, base=D(90),
                               challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    own = factories.goal(org, member, team=team, scope="personal", parent=team_goal, start_date=start, end_date=end,
                         base=D(90), challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    tracking.entries_save(
        org=org, actor=manager, rows=[tracking.EntryInput(goal_id=team_goal.pk, value="118")]
    )
    tracking.entries_save(org=org, actor=manager, rows=[tracking.EntryInput(goal_id=own.pk, value="103")])
    tracking.indicators_recompute(org=org)
    scheme = services.scheme_save(org=org, actor=hr, data=ARTICLE)
    services.scheme_assign(scheme=scheme, actor=hr, team=team)
    services.salary_set(org=org, actor=hr, membership=member, base=D(30000), effective_from=start)
    payout = selectors.person_payout(member=member, start=start, end=end)
    assert payout.attainment == D(112) and payout.bonus == D(20000) and payout.commission == D(12000)
    assert payout.lines[0] == "Attainment 112% = 0.6 × team goal 118% + 0.4 × own goal 103%."
    assert payout.total == D(62000)
    what_if = selectors.person_payout(member=member, start=start, end=end, attainment=D(80))
    assert what_if.bonus == D(10000) and what_if.commission == 0  # halfway from the 60 % threshold
    assert selectors.person_payout(member=factories.member(org), start=start, end=end) is None  # no scheme


def test_who_sees_money(org, admin, hr, manager, member, members, other_org, outsider):
    team = factories.team(org, "Sales")
    member.teams.add(team)
    team.managers.add(manager)
    viewer = members[Role.VIEWER]
    assert selectors.can_see_money(member=hr, person=member) and selectors.can_see_money(
        member=admin, person=member
    )
    assert selectors.can_see_money(member=member, person=member)
    assert not selectors.can_see_money(member=manager, person=member)  # not without the grant
    assert not selectors.can_see_money(member=viewer, person=member)
    assert not selectors.can_see_money(member=outsider, person=member)
    services.money_grant_create(org=org, actor=admin, manager=manager, reason="Salary review")
    assert selectors.can_see_money(member=manager, person=member)
    assert not selectors.can_see_money(
        member=manager, person=factories.member(org)
    )  # not in the manager's teams
    with pytest.raises(NotAllowed):  # HR cannot grant
        services.money_grant_create(org=org, actor=hr, manager=manager, reason="Salary review")


def test_band_errors_name_the_band(org, hr):
    with pytest.raises(ValidationError) as caught:
        services.scheme_save(org=org, actor=hr, data=SchemeInput(name="x", target_bonus=D(1),
                                                                 bands=[["100", "120", "0.05"], ["130", None, "0.1"]]))  # fmt: skip
    assert caught.value.message_dict["bands"] == [
        "Commission bands must start at 100% and follow each other without overlap or gap (band 2)."
    ]


def test_the_explanation_in_chinese(org, hr, member):
    from django.utils import translation

    scheme = services.scheme_save(org=org, actor=hr, data=ARTICLE)
    services.scheme_assign(scheme=scheme, actor=hr, membership=member)
    services.salary_set(org=org, actor=hr, membership=member, base=D(30000), effective_from=date(2026, 1, 1))
    with translation.override("zh-hans"):
        payout = selectors.person_payout(member=member, start=date(2026, 10, 1), end=date(2026, 12, 31),
                                        attainment=D(112))  # fmt: skip
    assert payout.lines[1] == "全额奖金 ¥20,000。"
    assert payout.lines[2] == "超额提成 12 个百分点 × 5% × ¥20,000 = ¥12,000。"


def test_demo_carries_the_articles_scheme(db):
    from django.core.management import call_command

    from goals.demo import demo_calendar
    from teams.models import Membership

    call_command("seed_demo")
    member = Membership.objects.get(org__slug="demo", user__email="member@stretch.demo")
    start, end = demo_calendar(member.org).quarter
    payout = selectors.person_payout(member=member, start=start, end=end, attainment=D(112))
    assert payout.base == D(30000) and payout.target_bonus == D(15000) and payout.commission == D(9000)
    call_command("seed_demo")
    from incentives.models import BonusScheme, Salary

    assert (
        BonusScheme.objects.filter(org=member.org).count() == 1
        and Salary.objects.filter(org=member.org).count() == 7
    )


def test_a_tiers_scheme_pays_the_tier_the_goals_reached(org, hr, manager, member):
    team = factories.team(org, "Ops", managers=[manager])
    member.teams.add(team)
    today = org_today(org)
    start, end = today - timedelta(days=30), today + timedelta(days=60)
    goal = factories.goal(org, manager, team=team, scope="team", start_date=start, end_date=end, base=D(90),
                          challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    tracking.entries_save(org=org, actor=manager, rows=[tracking.EntryInput(goal_id=goal.pk, value="140")])
    tracking.indicators_recompute(org=org)
    scheme = services.scheme_save(org=org, actor=hr, data=SchemeInput(
        name="Tiers", kind="tiers", target_bonus=D(10000), multiples={"base": "0.5", "challenge": "1",
                                                                      "stretch": "1.5"}, own_weight=D(0)))  # fmt: skip
    services.scheme_assign(scheme=scheme, actor=hr, membership=member)
    payout = selectors.person_payout(member=member, start=start, end=end)
    assert payout.bonus == D(15000)
    assert (
        payout.lines[1] == "Tiers reached (team goal: Stretch) pay 1.5× the target bonus ¥10,000 = ¥15,000."
    )


def test_a_grant_is_for_managers(org, admin, member):
    with pytest.raises(ValidationError):
        services.money_grant_create(org=org, actor=admin, manager=member, reason="Salary review")
