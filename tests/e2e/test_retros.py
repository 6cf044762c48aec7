"""A retrospective (复盘) in the browser, in 中文, on phones: the manager starts it for the goal
whose quarter ended; two members add cards from their phones and vote, and the manager's board
shows them without a reload; the manager runs the four steps, records and publishes a lesson,
records an action and closes the retro; then, drafting the next quarter's goal, the manager is
offered that lesson beside the form, ticks "Apply", and the new goal shows it; the knowledge base
counts it, the entry becomes a practice on trial, and the causes page charts the cause the members
named. Every page is checked (中文, fits a 360 px screen, axe)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import translation
from playwright.sync_api import expect

from goals.periods import quarter_containing
from teams.selectors import org_today
from tests import factories

from .test_main_flows_zh import acme, check, field, sign_in, zh  # noqa: F401 - the acme fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LESSON = "每季度提前锁定设计预算"


def test_a_manager_runs_a_retro_while_members_add_cards_from_phones(open_page, acme):  # noqa: F811 - the fixture
    org, ops = acme["org"], acme["ops"]
    this_quarter = quarter_containing(org_today(org))
    start, end = quarter_containing(this_quarter[0] - timedelta(days=1))
    factories.goal(org, acme["manager"], team=ops, title="上季度新增注册用户", start_date=start, end_date=end,
                   metric_name="新增注册用户", unit="人", status="active")  # fmt: skip

    boss = open_page("phone", locale="zh-CN")
    sign_in(boss, acme["manager"])
    boss.goto("/o/acme/retros/")
    check(boss, "retros-empty")
    boss.get_by_role("link", name=f"+ {zh('Start a retrospective')}").click()
    field(boss, "Team").select_option(label="运营团队")
    field(boss, "Kind").select_option(label=zh("Goal retrospective"))
    field(boss, "Goal").select_option(label="上季度新增注册用户")
    check(boss, "retro-start")
    boss.get_by_role("button", name=zh("Start"), exact=True).click()
    expect(boss.get_by_role("status")).to_contain_text(
        zh("Retrospective started: the team can add cards now.")
    )
    retro_url = boss.url
    check(boss, "retro-draft")

    # Two members add cards from their phones, before and during the meeting, and vote.
    phones = {}
    for name, what, text in (("zhang", "Insufficient resources (资源不足)", "设计资源不足，第三场活动推迟"),
                             ("li", "Innovative method (创新方法)", "裂变活动带来一半新用户")):  # fmt: skip
        phone = phones[name] = open_page("phone", locale="zh-CN")
        sign_in(phone, acme[name])
        expect(phone.get_by_test_id("home-retros")).to_contain_text("上季度新增注册用户")
        phone.goto(retro_url)
        form = phone.get_by_test_id("add-card")
        field(form, "What is it?").select_option(label=zh(what))
        field(form, "Card").fill(text)
        form.get_by_role("button", name=zh("Add the card")).click()
        expect(phone.get_by_role("status")).to_contain_text(zh("Card added."))
    expect(boss.get_by_test_id("cards")).to_contain_text(
        "裂变活动带来一半新用户", timeout=6000
    )  # polled, no reload
    expect(boss.get_by_test_id("cards")).to_contain_text("设计资源不足")
    for phone in phones.values():
        phone.get_by_test_id("card").filter(has_text="设计资源不足").get_by_role(
            "button", name=re.compile(f"^{zh('Vote')}")
        ).click()
        with translation.override("zh-hans"):
            left = translation.ngettext("You have %(n)s vote left.", "You have %(n)s votes left.", 2) % {
                "n": 2
            }
        expect(phone.get_by_test_id("votes-left")).to_contain_text(left)
    check(phones["zhang"], "retro-member")

    # The manager runs the four steps.
    for step in ("Result analysis", "Lessons", "Action plan"):
        boss.get_by_test_id("next-phase").click()
        expect(boss.locator("[aria-current=step]")).to_contain_text(zh(step))
    boss.get_by_test_id("reveal").click()
    expect(boss.get_by_test_id("card").filter(has_text="设计资源不足")).to_contain_text("2")
    lessons = boss.get_by_test_id("lessons")
    field(lessons, "Lesson").select_option(label=zh("Keep doing"))
    field(lessons, "Statement").fill(LESSON)
    field(lessons, "Tags").fill("用户增长, 裂变")
    lessons.get_by_role("button", name=zh("Record the lesson")).click()
    boss.get_by_test_id("lessons").get_by_role("button", name=zh("Publish to the knowledge base")).click()
    expect(boss.get_by_test_id("lessons")).to_contain_text(zh("In the knowledge base"))
    actions = boss.get_by_test_id("actions")
    field(actions, "Action").fill("第 1 周锁定设计预算")
    field(actions, "Owner").select_option(label="张三")
    field(actions, "Due").fill((end + timedelta(days=30)).isoformat())
    actions.get_by_role("button", name=zh("Record the action")).click()
    expect(boss.get_by_test_id("actions")).to_contain_text("第 1 周锁定设计预算")
    check(boss, "retro-actions")
    field(boss.get_by_test_id("close"), "Summary").fill("资源不足导致延期；裂变活动继续。")
    boss.get_by_test_id("close").get_by_role("button", name=zh("Close"), exact=True).click()
    expect(boss.get_by_test_id("summary")).to_contain_text("资源不足导致延期")
    expect(boss.get_by_test_id("add-card")).to_have_count(0)  # read-only now
    check(boss, "retro-closed")

    # Drafting the next quarter's goal, the lesson is offered beside the form.
    boss.goto("/o/acme/goals/new/")
    field(boss, "Team").select_option(label="运营团队")
    field(boss, "Title").fill("本季度新增注册用户")
    expect(boss.get_by_test_id("draft-lessons")).to_contain_text(LESSON, timeout=6000)
    field(boss, "Description").fill("运营团队，本季度。")
    field(boss, "Metric").fill("新增注册用户")
    for tier, typed in (
        ("Base target", "160000"),
        ("Challenge target", "200000"),
        ("Stretch target", "240000"),
    ):
        field(boss, tier).fill(typed)
    lesson = boss.get_by_test_id("draft-lesson").filter(has_text=LESSON)
    expect(lesson).to_be_visible(timeout=6000)
    boss.wait_for_timeout(800)  # the panel refreshes as the form is typed in
    apply = lesson.get_by_role("checkbox", name=re.compile(f"^{zh('Apply')}"))
    apply.check()
    field(boss, "Unit").fill("人")  # typing on refreshes the panel: the tick stays (hx-preserve)
    boss.wait_for_timeout(800)
    expect(
        boss.get_by_test_id("draft-lesson").filter(has_text=LESSON).get_by_role("checkbox")
    ).to_be_checked()
    check(boss, "goal-form-lessons")
    boss.get_by_role("button", name=zh("Create draft")).click()
    expect(boss.get_by_role("status")).to_contain_text(
        zh("Goal “%(title)s” created as a draft.", title="本季度新增注册用户")
    )
    expect(boss.get_by_test_id("goal-lessons")).to_contain_text(LESSON)  # the link is shown on the goal

    # The knowledge base counts it; the manager makes the entry a practice on trial.
    boss.goto("/o/acme/retros/knowledge/")
    entry = boss.get_by_test_id("knowledge-entry").filter(has_text=LESSON)
    with translation.override("zh-hans"):
        counted = translation.ngettext(
            "Applied %(n)s time; those goals reached their targets %(reached)s times.",
            "Applied %(n)s times; those goals reached their targets %(reached)s times.", 1,
        ) % {"n": 1, "reached": 0}  # fmt: skip
    expect(entry).to_contain_text(counted)
    check(boss, "knowledge")
    entry.get_by_role("link", name=LESSON).click()
    practice = boss.get_by_test_id("practice")
    field(practice, "Stage").select_option(label=zh("On trial"))
    practice.locator("select[name=owner], input[name=owner]").first.wait_for(state="attached")
    check(boss, "knowledge-entry")

    # Causes across periods: the cause the members named, charted and in a table.
    boss.goto("/o/acme/retros/causes/")
    expect(boss.get_by_test_id("causes-table")).to_contain_text("运营团队")
    expect(boss.locator("[data-chart=causes] .main-svg").first).to_be_attached()
    check(boss, "causes")
