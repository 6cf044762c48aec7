"""The meeting page's later controls in the browser, in 中文, on a phone (360×740) and on a desktop:
the manager adds a card that links its evidence (an initiative of the goal review), groups cards
on the board (one form: the Group button of a card groups that card, nothing else), opens a
goal's burn-up (loaded when opened), turns one action into an initiative on this quarter's goal
and another into a corrective action, and names a member facilitator. Every state is checked
(中文, fits the screen, axe) and screenshotted."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from goals.periods import quarter_containing
from plans.models import Initiative
from retros import services
from retros.models import Card, RetroAction, Vote
from teams.selectors import org_today
from tests import factories

from .test_main_flows_zh import acme, check, field, screen, sign_in, zh, zh_page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EVIDENCE_CARD = "裂变活动第三场推迟了两周"


@pytest.fixture
def meeting(acme):  # noqa: F811 - the fixture
    org, ops, boss = acme["org"], acme["ops"], acme["manager"]
    this_quarter = quarter_containing(org_today(org))
    start, end = quarter_containing(this_quarter[0] - timedelta(days=1))
    last = factories.goal(org, boss, team=ops, title="上季度新增注册用户", start_date=start, end_date=end,
                          period_kind="quarter", metric_name="新增注册用户", unit="人", base=Decimal(1000),
                          challenge=Decimal(1200), stretch=Decimal(1500), status="active")  # fmt: skip
    current = factories.goal(org, boss, team=ops, title="本季度新增注册用户", start_date=this_quarter[0],
                             end_date=this_quarter[1], period_kind="quarter", metric_name="新增注册用户", unit="人",
                             status="active")  # fmt: skip
    Initiative.objects.create(org=org, goal=last, title="裂变活动", owner=boss, start_date=start,
                              baseline_start=start, due_date=end - timedelta(days=5),
                              baseline_due=end - timedelta(days=20))  # fmt: skip
    retro = services.retro_start(
        team=ops, actor=boss, kind="goal", goal_id=last.pk, title="上季度新增注册用户复盘"
    )
    services.card_add(
        retro=retro, actor=acme["zhang"], kind="cause", category="resources", text="设计资源不足"
    )
    services.card_add(retro=retro, actor=acme["li"], kind="cause", category="resources", text="预算批得太晚")
    for text, person in (("第 1 周锁定设计预算", "zhang"), ("每周复盘渠道数据", "li")):
        services.action_add(retro=retro, actor=boss, description=text, owner=acme[person],
                            due_date=this_quarter[0] + timedelta(days=30))  # fmt: skip
    return {"retro": retro, "last": last, "current": current}


def test_the_manager_uses_the_meeting_pages_controls(zh_page, acme, meeting):  # noqa: F811 - the fixture
    page, retro = zh_page, meeting["retro"]
    sign_in(page, acme["manager"])
    page.goto(f"/o/acme/retros/{retro.pk}/")
    check(page, "retro-controls")

    # A card that links its evidence: an initiative of the goal review.
    form = page.get_by_test_id("add-card")
    field(form, "What is it?").select_option(index=1)
    field(form, "Card").fill(EVIDENCE_CARD)
    field(form, "Evidence (optional)").select_option(label="上季度新增注册用户: 裂变活动")
    form.get_by_role("button", name=zh("Add the card")).click()
    expect(page.get_by_role("status")).to_contain_text(zh("Card added."))
    card = page.get_by_test_id("card").filter(has_text=EVIDENCE_CARD)
    expect(card.get_by_test_id("card-evidence")).to_contain_text(zh("Initiative"))

    # Grouping: the two resource cards under one label, from the board's one form (htmx, no reload).
    for text in ("设计资源不足", "预算批得太晚"):
        row = page.get_by_test_id("card").filter(has_text=text)
        row.get_by_label(re.compile(f"^{zh('Group')}: ")).fill("资源")
        button = row.locator("button[name=group]")  # named "分组: <the card>" (its hidden words)
        expect(button).to_have_text(f"{zh('Group')}: {text}")
        button.click()
        expect(page.get_by_test_id("card").filter(has_text=text).locator(".chip")).to_contain_text("资源")
    assert set(Card.objects.filter(group_label="资源").values_list("text", flat=True)) == {
        "设计资源不足",
        "预算批得太晚",
    }
    assert Card.objects.get(text=EVIDENCE_CARD).group_label == ""  # only the cards whose button was pressed
    assert not Vote.objects.filter(retro=retro).exists()  # grouping votes for nothing
    check(page, "retro-grouped")

    # A goal's burn-up is loaded when it is opened.
    review = page.get_by_test_id("review-burnups")
    review.locator("summary").filter(has_text="上季度新增注册用户").click()
    expect(review.locator("[data-chart=burnup] .main-svg").first).to_be_attached(timeout=8000)
    check(page, "retro-burnup")

    # The actions become an initiative on this quarter's goal and a corrective action.
    actions = page.get_by_test_id("actions")
    for text, into, done, shot in (
        (
            "第 1 周锁定设计预算",
            "An initiative on a later period's goal",
            "The action became an initiative.",
            "initiative",
        ),
        ("每周复盘渠道数据", "A corrective action", "The action became a corrective action.", "corrective"),
    ):
        row = page.get_by_test_id("actions").locator("li").filter(has_text=text)
        row.locator("summary").click()
        field(row, "Becomes").select_option(label=zh(into))
        field(row, "Goal").select_option(value=str(meeting["current"].pk))
        check(page, f"retro-convert-{shot}")
        row.get_by_role("button", name=zh("Convert")).click()
        expect(page.get_by_role("status")).to_contain_text(zh(done))
    expect(actions.get_by_test_id("became")).to_have_count(2)
    first, second = RetroAction.objects.order_by("pk")
    assert first.initiative.goal == meeting["current"] and second.corrective_action_id is not None

    # A member runs the meeting from now on.
    facilitator = page.get_by_test_id("facilitator-form")
    field(facilitator, "Facilitator").select_option(label="张三")
    facilitator.get_by_role("button", name=zh("Name the facilitator")).click()
    expect(page.get_by_role("status")).to_contain_text(zh("Facilitator saved."))
    expect(page.locator(".page-header")).to_contain_text(f"{zh('Facilitator')}: 张三")
    retro.refresh_from_db()
    assert retro.facilitator == acme["zhang"]
    check(page, "retro-facilitator")
