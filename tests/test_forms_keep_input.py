"""A form that refuses input keeps what was typed and says why next to the field (the error is
announced with the field: aria-invalid and aria-describedby), and nothing is saved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from plans import services as plan_services
from plans.services import InitiativeInput
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.html import field_errors, form_data


@pytest.fixture
def team(org):
    return factories.team(org, "Sales")


@pytest.fixture
def lead(org, team):
    """A manager of the team (so the object-level rights of managers let them write)."""
    person = factories.member(org, Role.MANAGER, name="Sales Lead", teams=[team])
    team.managers.add(person)
    return person


# --- Weekly and monthly review -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["weekly_review", "monthly_review"])
def test_review_decisions_over_the_limit_are_kept_with_the_reason(org, team, lead, name):
    from tracking.models import Review

    url = reverse(name, args=[org.slug, team.pk])
    typed = "决定：在华东区加大推广预算。\n" + "x" * 5100
    response = login(lead).post(url, {"what": "decisions", "decisions": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert form_data(html, id="review-decisions")["decisions"] == [typed]  # the text is all there
    assert "5000" in field_errors(html, "decisions")
    assert not Review.objects.exists()


def test_review_decisions_within_the_limit_are_saved(org, team, lead):
    from tracking.models import Review

    url = reverse("weekly_review", args=[org.slug, team.pk])
    response = login(lead).post(url, {"what": "decisions", "decisions": "x" * 5000})
    assert response.status_code == 302
    assert len(Review.objects.get().decisions) == 5000
    page = login(lead).get(response["Location"]).content.decode()
    assert form_data(page, id="review-decisions")["decisions"] == ["x" * 5000]


# --- Alert rules ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "why"),
    [("abc", "Enter a number"), ("-999", "Between 1 and 100"), ("−999", "Between 1 and 100")],
)
def test_an_alert_rule_refuses_a_bad_threshold_naming_the_rule(org, admin, typed, why):
    from tracking.models import AlertRule

    url = reverse("alert_rule", args=[org.slug, "lagging_behind"])
    response = login(admin).post(url, {"threshold": typed, "escalate_after_days": "5", "enabled": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    error = field_errors(html, "threshold", action=url)
    assert why in error and "Lagging indicator behind expected" in error  # names the rule
    assert form_data(html, action=url)["threshold"] == [typed]
    assert form_data(html, action=url)["escalate_after_days"] == ["5"]
    assert "Alert rule saved." not in html
    assert not AlertRule.objects.exists()


def test_an_alert_rule_refuses_bad_escalation_days_next_to_the_field(org, admin):
    url = reverse("alert_rule", args=[org.slug, "standup_missed"])
    response = login(admin).post(url, {"threshold": "3", "escalate_after_days": "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Between 1 and 60" in field_errors(html, "escalate_after_days", action=url)
    assert form_data(html, action=url)["escalate_after_days"] == ["abc"]


def test_a_good_alert_rule_is_saved(org, admin):
    from tracking.models import AlertRule

    url = reverse("alert_rule", args=[org.slug, "lagging_behind"])
    response = login(admin).post(url, {"threshold": "12.5", "escalate_after_days": "4", "enabled": "1"})
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    assert (rule.threshold, rule.escalate_after_days, rule.enabled) == (D("12.5"), 4, True)


# --- HR: base salary and payout line adjustments ---------------------------------------------------
def test_the_base_salary_form_keeps_what_was_typed_after_an_error(org, members, member):
    from incentives.models import Salary

    hr = members[Role.HR]
    url = reverse("salary_set", args=[org.slug])
    response = login(hr).post(url, {"member": member.pk, "base": "-5", "effective_from": "2027-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    data = form_data(html, action=url)
    assert data["member"] == [str(member.pk)] and data["base"] == ["-5"]
    assert data["effective_from"] == ["2027-01-01"]
    assert field_errors(html, "base", action=url)
    assert not Salary.objects.exists()
    response = login(hr).post(url, {"member": member.pk, "base": "12,000", "effective_from": "2027-01-32"})
    html = response.content.decode()
    assert response.status_code == 400 and field_errors(html, "effective_from", action=url)
    assert form_data(html, action=url)["effective_from"] == ["2027-01-32"]


def test_a_refused_line_adjustment_keeps_the_amount_and_reason(
    org, members, member, django_capture_on_commit_callbacks
):
    from incentives import services as pay
    from incentives.models import PayoutRun

    hr = members[Role.HR]
    today = org_today(org)
    pay.salary_set(
        org=org, actor=hr, membership=member, base=D(30000), effective_from=today - timedelta(days=60)
    )
    scheme = pay.scheme_save(org=org, actor=hr, data=pay.SchemeInput(name="Article", target_bonus=D(20000)))
    pay.scheme_assign(scheme=scheme, actor=hr, membership=member)
    with django_capture_on_commit_callbacks(execute=True):
        run = pay.run_start(org=org, actor=hr, start=today - timedelta(days=30), end=today)
    run = PayoutRun.objects.get(pk=run.pk)
    line = run.lines.get(membership=member)
    url = reverse("payout_line_adjust", args=[org.slug, run.pk, line.pk])
    response = login(hr).post(url, {"amount": "1e99", "reason": "华东区回款延迟"})
    assert response.status_code == 400
    html = response.content.decode()
    data = form_data(html, action=url)
    assert data["amount"] == ["1e99"] and data["reason"] == ["华东区回款延迟"]
    assert field_errors(html, "amount", action=url)
    line.refresh_from_db()
    assert line.adjustment == 0


# --- Plans: team budget, budget moves, capacity -------------------------------------------------------
@pytest.fixture
def plan(org, team, lead, member):
    today = org_today(org)
    goal = factories.goal(
        org, lead, team=team, start_date=today - timedelta(days=10), end_date=today + timedelta(days=80)
    )
    spare = plan_services.initiative_create(org=org, actor=lead, data=InitiativeInput(
        title="Nice to have", goal=goal, owner=member, start_date=today, due_date=today + timedelta(days=20),
        budget=D("4000"), priority="P3"))  # fmt: skip
    urgent = plan_services.initiative_create(org=org, actor=lead, data=InitiativeInput(
        title="Campaigns", goal=goal, owner=member, start_date=today, due_date=today + timedelta(days=20),
        priority="P0"))  # fmt: skip
    return {"goal": goal, "spare": spare, "urgent": urgent}


def test_a_refused_budget_move_keeps_what_was_typed(org, lead, plan):
    url = reverse("budget_reallocate", args=[org.slug, plan["goal"].pk])
    typed = {"source": plan["spare"].pk, "target": plan["urgent"].pk, "amount": "9000", "reason": "活动落后"}
    response = login(lead).post(url, typed)
    assert response.status_code == 400
    html = response.content.decode()
    data = form_data(html, action=url)
    assert data["amount"] == ["9000"] and data["reason"] == ["活动落后"]
    assert data["source"] == [str(plan["spare"].pk)] and data["target"] == [str(plan["urgent"].pk)]
    assert "has only 4000.00 to give" in field_errors(html, "amount", action=url)
    plan["spare"].refresh_from_db()
    assert plan["spare"].budget == D("4000")


def test_a_refused_team_budget_keeps_what_was_typed(org, lead, plan):
    url = reverse("team_budget", args=[org.slug, plan["goal"].pk])
    response = login(lead).post(url, {"amount": "lots"})
    assert response.status_code == 400
    html = response.content.decode()
    assert form_data(html, action=url)["amount"] == ["lots"]
    assert "Enter a realistic, non-negative amount." in field_errors(html, "amount", action=url)


def test_a_refused_capacity_keeps_what_was_typed_next_to_the_person(org, team, lead, member, plan):
    member.teams.add(team)  # a manager sets the capacity of their own teams' people
    url = reverse("plan_people", args=[org.slug])
    response = login(lead).post(url, {"membership": member.pk, "load": "500"})
    assert response.status_code == 400
    html = response.content.decode()
    row = html.split(f'id="member-{member.pk}"')[1].split("</tr>")[0]
    assert form_data(row, action=url)["load"] == ["500"]
    assert "between 0 and 100" in field_errors(row, "load")


# --- Tracking: the stand-up rhythm ---------------------------------------------------------------
def test_a_refused_rhythm_keeps_what_was_typed(org, team, lead):
    url = reverse("team_rhythm", args=[org.slug, team.pk])
    response = login(lead).post(url, {"standup_time": "25:99", "working_days": ["1", "3"], "reminders": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    data = form_data(html, action=url)
    assert data["standup_time"] == ["25:99"] and data["working_days"] == ["1", "3"]
    assert field_errors(html, "standup_time", action=url)


# --- Goals: closing with a final result -----------------------------------------------------------
def test_closing_a_goal_with_a_bad_result_keeps_it(org, team, lead):
    goal = factories.goal(org, lead, team=team, status="active")
    url = reverse("goal_status", args=[org.slug, goal.pk])
    response = login(lead).post(url, {"status": "achieved", "result_value": "lots"})
    assert response.status_code == 400
    html = response.content.decode()
    assert form_data(html, action=url)["result_value"] == ["lots"]
    assert field_errors(html, "result_value", action=url)
    goal.refresh_from_db()
    assert goal.status == "active"
