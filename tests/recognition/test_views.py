"""Recognition pages: the candidates, nominating and selecting, the honour board, notes, rules and
earned rewards — happy paths, bad input (400 with the field's message, nothing changed), another
organisation (404), a role without the right (403), and query counts that do not grow with rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from recognition import selectors, services
from recognition.models import GrowthReward, InstantRewardRule, Nomination, Star
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries
from tracking import services as tracking_services

from .conftest import blocked_standup, log_value, weekly_goal


def url(org, name, *args):
    return reverse(name, args=[org.slug, *args])


def test_the_recognition_page_shows_candidates_and_forms_under_incentives(org, ops, lead, zhang, li, month):
    tracking_services.standup_blocker_resolve(standup=blocked_standup(zhang), actor=li)
    services.nomination_create(nominator=li, nominee=zhang, month=month, reason="Three campaigns on time")
    response = login(lead).get(url(org, "recognition_index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Recognition</h1>" in page
    assert 'href="/o/acme/incentives/" aria-current="page"' in page  # the nav highlights Incentives
    assert 'data-testid="candidates"' in page and "Three campaigns on time" in page and "Li Si" in page
    assert 'data-testid="star-form"' in page and 'data-testid="nomination-form"' in page
    # a member sees no candidates and no selection form, but may nominate
    member_page = login(zhang).get(url(org, "recognition_index")).content.decode()
    assert 'data-testid="candidates"' not in member_page and 'data-testid="star-form"' not in member_page
    assert 'data-testid="nomination-form"' in member_page


def test_htmx_switches_the_team_of_the_candidates(org, ops, lead, zhang, members):
    sales = factories.team(org, "Sales")
    response = login(members[Role.ADMIN]).get(url(org, "recognition_index"), {"team": sales.pk},
                                              headers={"HX-Request": "true"})  # fmt: skip
    page = response.content.decode()
    assert (
        response.status_code == 200
        and page.lstrip().startswith('<div id="candidates"')
        and "<html" not in page
    )


def test_nominating_on_the_page(org, li, zhang, month):
    client = login(li)
    response = client.post(url(org, "recognition_nominate"),
                           {"nominee": zhang.pk, "month": f"{month:%Y-%m}", "reason": "Campaigns on time"})  # fmt: skip
    assert response.status_code == 302
    assert Nomination.objects.get().nominee == zhang


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": ""}, "This field is required."),
    ({"month": "2020-01"}, "Nominate for this month or the previous one."),
    ({"month": "soon"}, "Enter a month as YYYY-MM."),
    ({"nominee": "self"}, "Select a valid choice."),
])  # fmt: skip
def test_bad_nominations_on_the_page_get_400_with_the_message(org, li, zhang, month, data, message):
    body = {"nominee": zhang.pk, "month": f"{month:%Y-%m}", "reason": "Campaigns"} | data
    if body["nominee"] == "self":
        body["nominee"] = li.pk
    response = login(li).post(url(org, "recognition_nominate"), body)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Nomination.objects.exists()


def test_selecting_the_star_on_the_page_and_the_honour_board(org, ops, lead, zhang, li, month, members):
    response = login(lead).post(url(org, "recognition_star_select"), {
        "team": ops.pk, "month": f"{month:%Y-%m}", "member": zhang.pk, "citation": "80,000 new users"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == url(org, "honour_board")
    again = login(lead).post(url(org, "recognition_star_select"), {
        "team": ops.pk, "month": f"{month:%Y-%m}", "member": li.pk, "citation": "Second"})  # fmt: skip
    assert again.status_code == 400 and "already been selected" in again.content.decode()
    assert Star.objects.get().member == zhang
    for role in Role.values:  # everyone in the organisation sees the honour board
        page = login(members[role]).get(url(org, "honour_board"))
        assert (
            page.status_code == 200
            and "80,000 new users" in page.content.decode()
            and "Zhang San" in page.content.decode()
        )


def test_a_member_cannot_select_and_another_organisation_sees_nothing(org, ops, zhang, month, outsider):
    body = {"team": ops.pk, "month": f"{month:%Y-%m}", "member": zhang.pk, "citation": "x"}
    assert login(zhang).post(url(org, "recognition_star_select"), body).status_code == 403
    assert login(outsider).get(url(org, "recognition_index")).status_code == 404
    assert login(outsider).post(url(org, "recognition_star_select"), body).status_code == 404
    assert not Star.objects.exists()


def test_a_manager_of_another_team_cannot_select_for_this_one(org, ops, zhang, month):
    other = factories.member(org, Role.MANAGER)
    factories.team(org, "Sales").managers.add(other)
    response = login(other).post(url(org, "recognition_star_select"), {
        "team": ops.pk, "month": f"{month:%Y-%m}", "member": zhang.pk, "citation": "x"})  # fmt: skip
    assert response.status_code == 400 and not Star.objects.exists()


def test_training_and_promotion_notes_page(org, ops, lead, zhang, li):
    client = login(lead)
    response = client.post(url(org, "recognition_growth"),
                           {"member": zhang.pk, "kind": "training", "title": "Data analysis course", "note": ""})  # fmt: skip
    assert response.status_code == 302
    bad = client.post(url(org, "recognition_growth"), {"member": zhang.pk, "kind": "training", "title": ""})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    assert GrowthReward.objects.count() == 1
    assert "Data analysis course" in login(zhang).get(url(org, "recognition_index")).content.decode()
    assert "Data analysis course" in login(zhang).get(url(org, "recognition_growth")).content.decode()
    assert "Data analysis course" not in login(li).get(url(org, "recognition_growth")).content.decode()
    assert login(li).post(url(org, "recognition_growth"), {"member": zhang.pk}).status_code == 403


def test_instant_reward_rules_pages(org, ops, lead, zhang):
    client = login(lead)
    response = client.post(
        url(org, "instant_reward_rules"), {"team": ops.pk, "reward": "Afternoon tea", "enabled": "on"}
    )
    assert response.status_code == 302
    rule = InstantRewardRule.objects.get()
    assert "Afternoon tea" in login(zhang).get(url(org, "instant_reward_rules")).content.decode()
    bad = client.post(
        url(org, "instant_reward_rules"), {"team": ops.pk, "reward": "afternoon tea", "enabled": "on"}
    )
    assert bad.status_code == 400 and "already has this reward" in bad.content.decode()
    assert (
        login(zhang).post(url(org, "instant_reward_rules"), {"team": ops.pk, "reward": "Cake"}).status_code
        == 403
    )
    edit = url(org, "instant_reward_rule_edit", rule.pk)
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"team": ops.pk, "reward": "Milk tea"}).status_code == 302  # enabled unticked
    rule.refresh_from_db()
    assert (rule.reward, rule.enabled) == ("Milk tea", False)
    assert client.post(edit, {"delete": "1"}).status_code == 302 and not InstantRewardRule.objects.exists()


def test_rules_of_another_organisation_answer_404(org, admin, other_org, outsider):
    foreign = services.instant_rule_save(team=factories.team(other_org), actor=outsider, reward="Tea")
    assert login(admin).get(url(org, "instant_reward_rule_edit", foreign.pk)).status_code == 404
    assert (
        login(admin).post(url(org, "instant_reward_rule_edit", foreign.pk), {"delete": "1"}).status_code
        == 404
    )
    assert InstantRewardRule.objects.filter(pk=foreign.pk).exists()


PAGE_QUERIES = {
    "recognition_index": 10,  # the nomination and star pickers search as you type (teams.people_picker);
    # the candidates are kept in the shared cache (recognition.selectors.candidates)
    "honour_board": 5,
    "recognition_growth": 6,
    "instant_reward_rules": 8,
    "instant_rewards_earned": 5,
}


@pytest.mark.parametrize("name", PAGE_QUERIES)
def test_page_query_counts_do_not_grow_with_rows(org, ops, lead, zhang, month, members, name):
    hr, today, week = members[Role.HR], org_today(org), selectors.last_completed_week(org)
    client = login(lead)
    page = url(org, name)
    created = 0

    def grow(count: int) -> None:
        """People, nominations, blockers resolved, notes, and teams with a rule, a star and an
        instant reward earned."""
        nonlocal created
        for _ in range(count):
            created += 1
            person = factories.member(org, Role.MEMBER, teams=[ops])
            team = factories.team(org)
            team.managers.add(lead)
            lead.teams.add(team)
            standup = blocked_standup(zhang, today - timedelta(days=created))
            tracking_services.standup_blocker_resolve(standup=standup, actor=person)
            services.nomination_create(
                nominator=person, nominee=zhang, month=month, reason=f"Reason {created}"
            )
            services.nomination_create(nominator=zhang, nominee=person, month=month, reason=f"Back {created}")
            services.growth_reward_add(member=person, actor=hr, kind="training", title=f"Course {created}")
            services.instant_rule_save(team=team, actor=lead, reward="Afternoon tea")
            services.star_select(team=team, month=month, member=lead, citation=f"Star {created}", actor=lead)
            goal, piece = weekly_goal(org, team, lead, week=week, title=f"Weekly {created}")
            log_value(org, lead, goal, week, piece.base)
        services.instant_rewards_check(org=org, week_start=week)

    grow(1)
    assert_queries(PAGE_QUERIES[name], client, page)
    grow(5)
    assert_queries(PAGE_QUERIES[name], client, page)


def test_the_star_form_offers_the_teams_one_selects_for_with_the_shown_one_chosen(
    org, ops, lead, zhang, month
):
    sales = factories.team(org, "Sales")
    sales.managers.add(lead)
    factories.team(org, "Finance")  # not theirs
    page = login(lead).get(url(org, "recognition_index"), {"team": sales.pk}).content.decode()
    form = page[page.index('data-testid="star-form"') :]
    select = form[form.index('<select name="team"') : form.index("</select>")]
    assert 'id="star_team"' in select and " required" in select
    assert f'<option value="{sales.pk}" selected>Sales</option>' in select
    assert f'<option value="{ops.pk}">Operations</option>' in select and "Finance" not in select
    # the star shown for that team and month replaces the form; another team's star does not
    services.star_select(team=ops, month=month, member=zhang, citation="On time", actor=lead)
    page = login(lead).get(url(org, "recognition_index"), {"team": sales.pk}).content.decode()
    assert 'data-testid="star-form"' in page and 'data-testid="selected-star"' not in page
    page = login(lead).get(url(org, "recognition_index"), {"team": ops.pk}).content.decode()
    assert (
        'data-testid="star-form"' not in page and 'data-testid="selected-star"' in page and "On time" in page
    )
