"""The star-of-the-month candidates with their evidence, who sees which notes, and the definition
of "the team met its weekly target"."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from django.urls import reverse

from goals.periods import month_end, previous_month
from plans import services as plan_services
from recognition import selectors, services
from teams.models import Role
from teams.page_forms import parse_month
from teams.selectors import org_today
from teams.services import membership_update
from tests import factories
from tracking import services as tracking_services

from .conftest import blocked_standup, log_value, weekly_goal


def test_candidates_come_with_their_evidence_and_who_leads_what(org, ops, lead, zhang, li, wang, month):
    today = org_today(org)
    # 张三: a personal goal at 80 % of its challenge target, and a nomination.
    personal = factories.goal(org, zhang, actor=lead, scope="personal", title="My sign-ups", status="active",
                              start_date=month, end_date=month_end(month) + timedelta(days=60),
                              base=D(80), challenge=D(100), stretch=D(120))  # fmt: skip
    log_value(org, lead, personal, today, 80)
    tracking_services.indicators_recompute(org=org)
    services.nomination_create(nominator=li, nominee=zhang, month=month, reason="Three campaigns on time")
    # 李四 resolved two of 张三's blockers; 王五 reached a milestone.
    for day in (today, today - timedelta(days=1)):
        tracking_services.standup_blocker_resolve(standup=blocked_standup(zhang, day), actor=li)
    team_goal = factories.goal(org, lead, team=ops, status="active", start_date=month,
                               end_date=month_end(month) + timedelta(days=60))  # fmt: skip
    milestone = plan_services.initiative_create(org=org, actor=lead, data=plan_services.InitiativeInput(
        title="Onboarding live", goal=team_goal, owner=wang, start_date=month, due_date=today, is_milestone=True))  # fmt: skip
    plan_services.initiative_progress(initiative=milestone, actor=lead, progress=100)
    outsider_of_team = factories.member(org, Role.MEMBER)  # nominated, but not in the team
    services.nomination_create(nominator=li, nominee=outsider_of_team, month=month, reason="Nice")

    candidates = {c.member.pk: c for c in selectors.star_candidates(org=org, team=ops, month=month)}
    assert set(candidates) == {
        zhang.pk,
        li.pk,
        wang.pk,
    }  # the manager has no evidence; others are not in the team
    assert candidates[zhang.pk].attainment == D("80.0") and candidates[zhang.pk].goals_counted == 1
    assert candidates[zhang.pk].nominations == 1 and candidates[zhang.pk].reasons == [
        "Three campaigns on time"
    ]
    assert set(candidates[zhang.pk].leads) == {"attainment", "nominations"}
    assert candidates[li.pk].blockers_resolved == 2 and candidates[li.pk].leads == ["blockers"]
    assert candidates[wang.pk].milestones == ["Onboarding live"] and candidates[wang.pk].leads == [
        "milestones"
    ]
    ranked = selectors.star_candidates(org=org, team=ops, month=month)
    assert ranked[0].member == zhang  # leads two categories
    # last month had none of it
    assert selectors.star_candidates(org=org, team=ops, month=previous_month(month)) == []


def test_notes_are_seen_by_the_person_their_managers_hr_and_admins(org, ops, lead, zhang, li, members):
    note = services.growth_reward_add(member=zhang, actor=lead, kind="training", title="Course")
    other_manager = factories.member(org, Role.MANAGER)
    factories.team(org, "Sales").managers.add(other_manager)
    for viewer, sees in [(zhang, True), (lead, True), (members[Role.HR], True), (members[Role.ADMIN], True),
                         (li, False), (other_manager, False), (members[Role.VIEWER], False)]:  # fmt: skip
        assert (note in selectors.growth_reward_list(org=org, viewer=viewer)) is sees, viewer


def test_months_parse_and_the_last_completed_week_is_a_monday(org):
    assert parse_month("2026-11") == date(2026, 11, 1)
    assert parse_month("2026-11-17") == date(2026, 11, 1)
    for bad in ("", "2026-13", "11-2026", "２０２６-11", "x", None, "2026-1-1-1"):
        assert parse_month(bad) is None, bad
    week = selectors.last_completed_week(org)
    assert week.weekday() == 0 and week + timedelta(days=6) < org_today(org) <= week + timedelta(days=13)


def test_a_team_meets_its_weekly_target_when_every_weekly_goal_reaches_its_base(org, ops, lead):
    week = selectors.last_completed_week(org)
    users, users_week = weekly_goal(org, ops, lead, week=week, title="Sign-ups")
    pushes, pushes_week = weekly_goal(org, ops, lead, week=week, title="Content pushes")
    log_value(org, lead, users, week, users_week.base)  # exactly the base: met
    log_value(org, lead, pushes, week + timedelta(days=2), pushes_week.base - 1)  # one short
    log_value(org, lead, pushes, week - timedelta(days=1), 10_000)  # the week before does not count
    result = selectors.team_week_results(org=org, team_ids=[ops.pk], week_start=week)[ops.pk]
    assert [(g.title, g.met) for g in result.goals] == [("Content pushes", False), ("Sign-ups", True)]
    assert not result.met
    log_value(org, lead, pushes, week + timedelta(days=6), 1)  # Sunday's value makes it
    result = selectors.team_week_results(org=org, team_ids=[ops.pk], week_start=week)[ops.pk]
    assert result.met and result.goals[0].tier == "base"
    assert result.as_json()["goals"][0]["actual"] == str(pushes_week.base.quantize(D("0.0001")))


def test_a_team_without_weekly_goals_or_values_does_not_meet_it(org, ops, lead):
    week = selectors.last_completed_week(org)
    assert not selectors.team_week_results(org=org, team_ids=[ops.pk], week_start=week)[ops.pk].met
    weekly_goal(org, ops, lead, week=week)  # a weekly goal, no value that week
    assert not selectors.team_week_results(org=org, team_ids=[ops.pk], week_start=week)[ops.pk].met


def test_months_outside_the_years_stretch_takes_are_refused_and_pages_answer(org, client, lead):
    for bad in ("0001-01", "9999-12", "1999-12", "2026-11-99", "2026-02-30", "2026-00"):
        assert parse_month(bad) is None, bad
    assert selectors.month_asked(org, "0001-01") == selectors.current_month(org)  # the default, no error
    assert selectors.month_asked(org, "2099-12") == selectors.current_month(org)  # never a later month
    client.force_login(lead.user)
    for month in ("0001-01", "9999-12", "2026-11-99"):
        assert client.get(reverse("recognition_index", args=[org.slug]), {"month": month}).status_code == 200
        answer = client.get(f"/api/v1/orgs/{org.slug}/star-candidates/", {"month": month, "team": 1})
        assert answer.status_code == 400, (month, answer.status_code)


def test_kept_candidates_follow_every_write_they_are_computed_from(org, ops, lead, zhang, li, wang, month):
    """The candidates are kept in the shared cache; each kind of evidence written since shows on the
    next read, as does a person joining the team or renamed."""

    def shown() -> dict[str, object]:
        return {c.member.user.get_full_name(): c.evidence for c in selectors.star_candidates(org=org, team=ops, month=month)}  # fmt: skip

    assert shown() == {}
    services.nomination_create(nominator=li, nominee=zhang, month=month, reason="Three campaigns on time")
    assert shown()["Zhang San"]["reasons"] == ["Three campaigns on time"]
    tracking_services.standup_blocker_resolve(standup=blocked_standup(zhang), actor=li)
    assert shown()["Li Si"]["blockers_resolved"] == 1
    team_goal = factories.goal(org, lead, team=ops, status="active", start_date=month,
                               end_date=month_end(month) + timedelta(days=60))  # fmt: skip
    milestone = plan_services.initiative_create(org=org, actor=lead, data=plan_services.InitiativeInput(
        title="Onboarding live", goal=team_goal, owner=wang, start_date=month, due_date=org_today(org),
        is_milestone=True))  # fmt: skip
    assert "Wang Wu" not in shown()
    plan_services.initiative_progress(initiative=milestone, actor=lead, progress=100)
    assert shown()["Wang Wu"]["milestones"] == ["Onboarding live"]
    zhang.user.display_name = "Zhang Sanfeng"
    zhang.user.save()
    assert "Zhang Sanfeng" in shown() and "Zhang San" not in shown()
    newcomer = factories.member(org, Role.MEMBER, name="Zhao Liu")
    services.nomination_create(nominator=li, nominee=newcomer, month=month, reason="Helped everyone")
    assert "Zhao Liu" not in shown()  # not in the team
    membership_update(membership=newcomer, role=Role.MEMBER, teams=[ops])
    assert shown()["Zhao Liu"]["nominations"] == 1
    # what is kept reads as what is computed, in the same order
    kept = selectors.star_candidates(org=org, team=ops, month=month)
    computed = selectors.star_candidates_computed(org=org, team=ops, month=month)
    assert [(c.member, c.evidence) for c in kept] == [(c.member, c.evidence) for c in computed]


def test_computing_the_candidates_takes_the_same_queries_for_one_person_or_many(
    org, ops, lead, zhang, li, month, django_assert_num_queries
):
    services.nomination_create(nominator=li, nominee=zhang, month=month, reason="One")
    with django_assert_num_queries(5):  # people, goals, blockers, milestones, nominations
        assert len(selectors.star_candidates_computed(org=org, team=ops, month=month)) == 1
    for n in range(6):
        person = factories.member(org, Role.MEMBER, teams=[ops])
        services.nomination_create(nominator=li, nominee=person, month=month, reason=f"Reason {n}")
    with django_assert_num_queries(5):
        assert (
            len(selectors.star_candidates_computed(org=org, team=ops, month=month)) == 7
        )  # 张三 and the six
