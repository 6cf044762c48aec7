"""Recognition (精神激励) in the browser, on a phone and a desktop: a member resolves a colleague's
stand-up blocker and nominates her; the manager sees her among the candidates with that evidence,
selects her as star of the month with a citation and records a training opportunity; the honour
board shows her, to her too. And the weekly check's afternoon tea shows on the team page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from recognition import selectors, services
from recognition.tasks import check_instant_rewards
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.recognition.conftest import log_value, weekly_goal
from tracking import services as tracking

from .conftest import ARTIFACTS, assert_accessible, pick_person
from .test_shell import assert_fits_the_screen, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = factories.organization(name="Acme Growth", slug="acme")
    ops = factories.team(org, "Operations")
    lead = factories.member(org, Role.MANAGER, name="Chen Lead", teams=[ops])
    ops.managers.add(lead)
    li = factories.member(org, Role.MEMBER, name="Li Si", teams=[ops])
    zhang = factories.member(org, Role.MEMBER, name="Zhang San", teams=[ops])
    return {"org": org, "ops": ops, "lead": lead, "li": li, "zhang": zhang}


def shot(page, name: str) -> None:
    """A full-page screenshot of the page as the user sees it, after checking it fits the screen
    and passes the accessibility checks."""
    assert_fits_the_screen(page)
    assert_accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"recognition-{name}-{page.viewport_name}.png"), full_page=True)


def switch_user(page, membership) -> None:
    page.context.clear_cookies()
    sign_in(page, membership.user.email)


def test_nominate_select_the_star_and_see_the_honour_board(page, world):
    org, ops, lead, li, zhang = (world[k] for k in ("org", "ops", "lead", "li", "zhang"))
    month = f"{selectors.current_month(org):%Y-%m}"
    tracking.standup_submit(member=zhang, actor=zhang, data=tracking.StandupInput(
        day=org_today(org), today="Contracts", blockers="Waiting for legal review"))  # fmt: skip

    # 李四 resolves 张三's blocker on the team board, then nominates her.
    sign_in(page, li.user.email)
    page.goto(f"/o/acme/tracking/teams/{ops.pk}/board/")
    expect(page.get_by_test_id("blockers")).to_contain_text("Waiting for legal review")
    page.get_by_test_id("resolve-blocker").click()
    expect(page.get_by_test_id("blocker-resolved")).to_have_text("Resolved by Li Si")
    assert_accessible(page)

    page.goto("/o/acme/recognition/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recognition")
    expect(page.get_by_test_id("month")).to_have_text(month)
    expect(page.get_by_test_id("candidates")).to_have_count(0)  # members nominate; they do not select
    expect(page.get_by_test_id("star-form")).to_have_count(0)
    nominate = page.get_by_test_id("nomination-form")
    expect(nominate.locator("input[name=month]")).to_have_value(month)
    pick_person(nominate.get_by_label("Colleague"), "Zhang San")
    nominate.get_by_label("Reason").fill("Three referral campaigns on time, and she unblocked legal")
    nominate.get_by_role("button", name="Nominate").click()
    expect(page.locator(".message-success")).to_have_text("Thank you: your nomination of Zhang San is in.")
    expect(page.get_by_test_id("nomination-form")).to_contain_text("My nominations this month")
    expect(page.get_by_test_id("nomination-form")).to_contain_text("Three referral campaigns on time")
    expect(page.get_by_test_id("month-stars")).to_contain_text("No star selected for this month yet.")
    shot(page, "index-member")

    # The manager sees 张三 among the candidates, with the nomination as evidence, and selects her.
    switch_user(page, lead)
    page.goto("/o/acme/recognition/")
    candidates = page.get_by_test_id("candidate")
    zhang_row = candidates.filter(has_text="Zhang San")
    expect(zhang_row).to_contain_text("most nominated")
    expect(zhang_row).to_contain_text("“Three referral campaigns on time, and she unblocked legal”")
    expect(candidates.filter(has_text="Li Si")).to_contain_text("most blockers resolved")
    shot(page, "index-manager")
    star_form = page.get_by_test_id("star-form")
    expect(star_form.get_by_label("Team")).to_have_value(str(ops.pk))
    expect(star_form.locator("#star_month")).to_have_value(month)  # its own id: the label points at it
    pick_person(star_form.get_by_label("Star of the month"), "Zhang San")
    star_form.get_by_label("Citation").fill("Ran three referral campaigns on time: 12,000 new users.")
    star_form.get_by_role("button", name="Select").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Honour board")
    expect(page.locator(".message-success")).to_have_text("Zhang San is the star of the month.")
    board = page.get_by_test_id("honour-month").filter(has=page.get_by_role("heading", name=month))
    star = board.get_by_test_id("star")
    expect(star).to_have_count(1)
    expect(star).to_contain_text("★ Zhang San")
    expect(star).to_contain_text("Operations")
    expect(star).to_contain_text("Ran three referral campaigns on time: 12,000 new users.")
    expect(star).to_contain_text("Selected by Chen Lead")
    shot(page, "honour-board")

    # The candidates now say who was selected, and the form is gone (one star per team and month).
    page.goto("/o/acme/recognition/")
    expect(page.get_by_test_id("selected-star")).to_contain_text(
        "Zhang San is the star of the month of Operations."
    )
    expect(page.get_by_test_id("star-form")).to_have_count(0)

    # A training opportunity for the star (培训机会).
    page.get_by_role("navigation", name="Recognition").get_by_role(
        "link", name="Training and promotion"
    ).click()
    growth = page.get_by_test_id("growth-form")
    pick_person(growth.get_by_label("Person"), "Zhang San")
    growth.get_by_label("Kind").select_option(index=0)
    growth.get_by_label("Title").fill("Data analysis course")
    growth.get_by_role("button", name="Save").click()
    expect(page.locator(".message-success")).to_have_text("Saved.")
    expect(page.get_by_test_id("growth-list")).to_contain_text("Data analysis course")
    shot(page, "growth-manager")

    # 张三 sees herself on the honour board, and her training opportunity.
    switch_user(page, zhang)
    page.goto("/o/acme/recognition/")
    expect(page.get_by_test_id("month-stars")).to_contain_text("Zhang San")
    expect(page.get_by_test_id("my-growth")).to_contain_text("Data analysis course")
    shot(page, "index-star")
    page.get_by_role("navigation", name="Recognition").get_by_role("link", name="Honour board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Honour board")
    star = page.get_by_test_id("honour-month").filter(has=page.get_by_role("heading", name=month))
    expect(star.get_by_test_id("star")).to_contain_text("★ Zhang San")
    expect(star.get_by_test_id("star")).to_contain_text("Ran three referral campaigns on time")
    shot(page, "honour-board-star")


def test_the_team_earns_afternoon_tea_and_the_team_page_shows_it(page, world):
    org, ops, lead, zhang = (world[k] for k in ("org", "ops", "lead", "zhang"))
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    week = selectors.last_completed_week(org)
    goal, piece = weekly_goal(org, ops, lead, week=week)
    log_value(org, lead, goal, week + timedelta(days=3), piece.base + 5)
    assert check_instant_rewards.delay(org_id=org.pk).get() == 1  # the weekly job (Mondays)

    sign_in(page, lead.user.email)
    page.goto("/o/acme/recognition/instant/")
    rules = page.get_by_test_id("rules")
    expect(rules).to_contain_text("Operations")
    expect(rules).to_contain_text("Afternoon tea")
    shot(page, "rules-manager")
    rules.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Afternoon tea · Operations")
    shot(page, "rule-edit")

    switch_user(page, zhang)
    page.goto("/o/acme/teams/")
    wins = page.get_by_test_id("small-wins")
    expect(wins).to_contain_text(
        f"Afternoon tea earned: the team met its weekly target (week of {week.isoformat()})"
    )
    shot(page, "team-page")
    wins.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rewards earned")
    earned = page.get_by_test_id("earned")
    expect(earned).to_have_count(1)
    expect(earned.get_by_role("heading")).to_have_text("🎉 Afternoon tea · Operations")
    expect(earned).to_contain_text(f"The team met its weekly target in the week of {week.isoformat()}.")
    expect(earned).to_contain_text("Weekly sign-ups")
    shot(page, "earned")
    page.get_by_role("navigation", name="Recognition").get_by_role("link", name="Instant rewards").click()
    expect(page.get_by_test_id("rule-form")).to_have_count(0)  # members read the rules, managers set them
    shot(page, "rules-member")
