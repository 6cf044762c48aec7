"""Recognition services: nominations, the star of the month, training and promotion notes and
instant reward rules — the happy paths and every bad input (each changes nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from goals.periods import month_end, previous_month
from recognition import services
from recognition.models import GrowthReward, InstantRewardRule, Nomination, Star
from teams.models import AuditEntry, Role
from tests import factories


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


# --- Nominations ------------------------------------------------------------------------------------
def test_a_member_nominates_a_colleague_with_a_reason(org, li, zhang, month):
    nomination = services.nomination_create(nominator=li, nominee=zhang, month=month + timedelta(days=9),
                                            reason="  Pushed my contracts through legal  ")  # fmt: skip
    assert nomination.month == month and nomination.reason == "Pushed my contracts through legal"
    assert AuditEntry.objects.filter(action="nomination.create", target_id=nomination.pk).exists()
    # early in a month the previous one can still be nominated for
    earlier = services.nomination_create(nominator=li, nominee=zhang, month=previous_month(month),
                                         reason="Three campaigns on time")  # fmt: skip
    assert earlier.month == previous_month(month)


@pytest.mark.parametrize(
    ("case", "field"),
    [("self", "nominee"), ("no reason", "reason"), ("blank reason", "reason"), ("other org", "nominee"),
     ("future month", "month"), ("old month", "month"), ("too long", "reason")],
)  # fmt: skip
def test_bad_nominations_are_refused_with_the_field_and_change_nothing(
    org, li, zhang, month, other_org, case, field
):
    nominee, reason, when = zhang, "Great work", month
    if case == "self":
        nominee = li
    elif case == "no reason":
        reason = ""
    elif case == "blank reason":
        reason = "   "
    elif case == "other org":
        nominee = factories.member(other_org, Role.MEMBER)
    elif case == "future month":
        when = month_end(month) + timedelta(days=1)
    elif case == "old month":
        when = previous_month(previous_month(month))
    elif case == "too long":
        reason = "x" * 1001
    errors = errors_of(
        lambda: services.nomination_create(nominator=li, nominee=nominee, month=when, reason=reason)
    )
    assert field in errors, errors
    assert (
        not Nomination.objects.exists() and not AuditEntry.objects.filter(action="nomination.create").exists()
    )


def test_one_nomination_per_nominator_nominee_and_month(org, li, zhang, wang, month):
    services.nomination_create(nominator=li, nominee=zhang, month=month, reason="Campaigns")
    errors = errors_of(
        lambda: services.nomination_create(nominator=li, nominee=zhang, month=month, reason="Again")
    )
    assert "already nominated" in errors["nominee"][0]
    services.nomination_create(
        nominator=wang, nominee=zhang, month=month, reason="Helped me too"
    )  # another colleague
    assert Nomination.objects.count() == 2


def test_a_viewer_cannot_nominate(org, zhang, month):
    viewer = factories.member(org, Role.VIEWER)
    errors = errors_of(
        lambda: services.nomination_create(nominator=viewer, nominee=zhang, month=month, reason="x")
    )
    assert "nominate" in errors["__all__"][0] and not Nomination.objects.exists()


# --- Star of the month --------------------------------------------------------------------------------
def test_the_teams_manager_selects_the_star_with_a_citation_and_the_evidence(
    org, ops, lead, li, zhang, month
):
    services.nomination_create(nominator=li, nominee=zhang, month=month, reason="Three campaigns on time")
    star = services.star_select(team=ops, month=month, member=zhang, citation="80,000 new users", actor=lead)
    assert (star.team, star.month, star.member, star.selected_by) == (ops, month, zhang, lead)
    assert star.evidence["nominations"] == 1 and star.evidence["reasons"] == ["Three campaigns on time"]
    assert AuditEntry.objects.filter(action="star.select", target_id=star.pk).exists()


def test_hr_and_admins_select_for_any_team(org, ops, zhang, li, month, members):
    services.star_select(team=ops, month=month, member=zhang, citation="Great", actor=members[Role.HR])
    services.star_select(team=ops, month=previous_month(month), member=li, citation="Great",
                         actor=members[Role.ADMIN])  # fmt: skip
    assert Star.objects.count() == 2


def test_selecting_twice_is_refused_and_the_first_star_stays(org, ops, lead, zhang, li, month):
    services.star_select(team=ops, month=month, member=zhang, citation="First", actor=lead)
    errors = errors_of(
        lambda: services.star_select(team=ops, month=month, member=li, citation="Second", actor=lead)
    )
    assert "already been selected" in errors["month"][0]
    assert list(Star.objects.values_list("member", "citation")) == [(zhang.pk, "First")]


@pytest.mark.parametrize("who", ["member", "viewer", "manager of another team"])
def test_only_the_teams_managers_hr_and_admins_select(org, ops, zhang, li, month, who):
    if who == "manager of another team":
        actor = factories.member(org, Role.MANAGER)
        factories.team(org, "Sales").managers.add(actor)
    else:
        actor = li if who == "member" else factories.member(org, Role.VIEWER)
    errors = errors_of(
        lambda: services.star_select(team=ops, month=month, member=zhang, citation="x", actor=actor)
    )
    assert "Only the team's managers, HR and admins" in errors["__all__"][0]
    assert not Star.objects.exists() and not AuditEntry.objects.filter(action="star.select").exists()


@pytest.mark.parametrize(("case", "field"), [("not in the team", "member"), ("no citation", "citation"),
                                             ("future month", "month"), ("other org", "member")])  # fmt: skip
def test_bad_selections_name_the_field(org, ops, lead, zhang, month, other_org, case, field):
    member, citation, when = zhang, "Great month", month
    if case == "not in the team":
        member = factories.member(org, Role.MEMBER)
    elif case == "no citation":
        citation = " "
    elif case == "future month":
        when = month_end(month) + timedelta(days=1)
    elif case == "other org":
        member = factories.member(other_org, Role.MEMBER)
    errors = errors_of(
        lambda: services.star_select(team=ops, month=when, member=member, citation=citation, actor=lead)
    )
    assert field in errors, errors
    assert not Star.objects.exists()


# --- Training and promotion notes ---------------------------------------------------------------------
def test_the_persons_manager_and_hr_record_training_and_promotion_notes(org, lead, zhang, members):
    training = services.growth_reward_add(
        member=zhang, actor=lead, kind="training", title="Data analysis course"
    )
    promotion = services.growth_reward_add(member=zhang, actor=members[Role.HR], kind="promotion",
                                           title="Senior growth marketer", note="At the next review")  # fmt: skip
    assert {training.kind, promotion.kind} == {"training", "promotion"} and training.created_by == lead
    assert AuditEntry.objects.filter(action="growth_reward.create").count() == 2


@pytest.mark.parametrize("who", ["member", "manager of another team", "viewer", "the person themself"])
def test_others_cannot_record_notes(org, zhang, li, who):
    actor = {"member": li, "viewer": factories.member(org, Role.VIEWER), "the person themself": zhang}.get(
        who
    )
    if actor is None:
        actor = factories.member(org, Role.MANAGER)
        factories.team(org, "Sales").managers.add(actor)
    errors = errors_of(
        lambda: services.growth_reward_add(member=zhang, actor=actor, kind="training", title="Course")
    )
    assert "managers, HR and admins" in errors["__all__"][0] and not GrowthReward.objects.exists()


@pytest.mark.parametrize(("kind", "title", "field"), [("bonus", "Course", "kind"), ("training", " ", "title"),
                                                      ("training", "x" * 201, "title")])  # fmt: skip
def test_bad_notes_name_the_field(org, lead, zhang, kind, title, field):
    errors = errors_of(lambda: services.growth_reward_add(member=zhang, actor=lead, kind=kind, title=title))
    assert field in errors and not GrowthReward.objects.exists()


def test_someone_of_another_organisation_gets_no_note(org, lead, other_org):
    stranger = factories.member(other_org, Role.MEMBER)
    errors = errors_of(
        lambda: services.growth_reward_add(member=stranger, actor=lead, kind="training", title="x")
    )
    assert errors and not GrowthReward.objects.exists()


# --- Instant reward rules -----------------------------------------------------------------------------
def test_the_teams_manager_sets_an_instant_reward_and_changes_it(org, ops, lead):
    rule = services.instant_rule_save(team=ops, actor=lead, reward=" Afternoon tea ")
    assert rule.reward == "Afternoon tea" and rule.enabled and rule.condition == "weekly_target"
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea", enabled=False, rule=rule)
    rule.refresh_from_db()
    assert not rule.enabled
    assert AuditEntry.objects.filter(action__startswith="instant_rule.").count() == 2


def test_bad_rules_are_refused(org, ops, lead, zhang):
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    assert "reward" in errors_of(
        lambda: services.instant_rule_save(team=ops, actor=lead, reward="afternoon TEA")
    )
    assert "reward" in errors_of(lambda: services.instant_rule_save(team=ops, actor=lead, reward=""))
    assert "condition" in errors_of(lambda: services.instant_rule_save(team=ops, actor=lead, reward="Cake",
                                                                       condition="sunny"))  # fmt: skip
    assert "__all__" in errors_of(lambda: services.instant_rule_save(team=ops, actor=zhang, reward="Cake"))
    other_manager = factories.member(org, Role.MANAGER)
    assert "__all__" in errors_of(
        lambda: services.instant_rule_save(team=ops, actor=other_manager, reward="Cake")
    )
    assert InstantRewardRule.objects.count() == 1


def test_a_rule_is_deleted_by_its_teams_manager_only(org, ops, lead, members):
    rule = services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    other_manager = factories.member(org, Role.MANAGER)
    assert errors_of(lambda: services.instant_rule_delete(rule=rule, actor=other_manager))
    services.instant_rule_delete(rule=rule, actor=members[Role.ADMIN])
    assert not InstantRewardRule.objects.exists()


def test_a_star_is_for_one_of_the_last_twelve_months(org, ops, lead, zhang, month):
    long_ago = month.replace(year=month.year - 1) - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.star_select(team=ops, month=long_ago, member=zhang, citation="Late", actor=lead)
    assert caught.value.message_dict["month"] == ["Select a star for one of the last twelve months."]
    assert not Star.objects.exists()
