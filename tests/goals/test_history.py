"""The goal page's History panel reads as sentences, in the reader's language, with numbers as
people write them: never `revision.approve`, `∅` or `10000000.0000`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from goals import services
from goals.services import GoalInput
from plans import services as plan_services
from teams.models import Role
from tests import factories
from tests.conftest import login


@pytest.fixture
def story(org):
    head = factories.member(org, Role.ADMIN, name="Hana Head")
    manager = factories.member(org, Role.MANAGER, name="陈经理")
    team = factories.team(org, "Sales", managers=[manager])
    goal = factories.goal(org, manager, team=team, title="Deal value", metric_name="Deal value", unit="¥",
                          start_date=date(2027, 1, 1), end_date=date(2027, 3, 31), base=D(8_000_000),
                          challenge=D(10_000_000), stretch=D(12_000_000))  # fmt: skip
    services.goal_update(goal=goal, actor=manager, data=GoalInput(
        title="Deal value Q1", owner=manager, team=team, start_date=date(2027, 1, 1), end_date=date(2027, 3, 31),
        base=D(8_000_000), challenge=D("10500000"), stretch=D(12_000_000), metric_name="Deal value", unit="¥",
        description="More deals."))  # fmt: skip
    services.supporting_metric_save(goal=goal, actor=manager, kind="leading", name="Customer visits",
                                    weekly_target=D(40))  # fmt: skip
    services.decomposition_apply(goal=goal, actor=manager, kind="month", rows=[
        services.SliceInput(start_date=s.start, end_date=s.end, base=s.tier("base"), challenge=s.tier("challenge"),
                            stretch=s.tier("stretch"))
        for s in services.decomposition_preview(goal=goal, kind="month", method="even")])  # fmt: skip
    services.goal_set_status(goal=goal, actor=manager, status="active")
    revision = services.revision_request(goal=goal, requester=manager, reason="market", comment="A competitor's price cut.",
                                         base=D(8_000_000), challenge=D(9_000_000), stretch=D(12_000_000),
                                         effective_from=date(2027, 2, 1))  # fmt: skip
    services.revision_decide(revision=revision, decider=head, approve=True)
    plan_services.initiative_create(org=org, actor=manager, data=plan_services.InitiativeInput(
        title="East region promotion", goal=goal, owner=manager, start_date=date(2027, 2, 1),
        due_date=date(2027, 2, 28)))  # fmt: skip
    return {"goal": goal, "manager": manager, "head": head}


def history_of(client, org, goal) -> list[str]:
    html = client.get(reverse("goal_detail", args=[org.slug, goal.pk])).content.decode()
    panel = html.split('data-testid="history">')[1].split("</ul>")[0]
    return [item.split("</small>")[1].split("</li>")[0].strip() for item in panel.split("<li>")[1:]]


def test_the_history_reads_as_sentences(org, story):
    lines = history_of(login(story["head"]), org, story["goal"])
    assert lines == [
        "陈经理 added the initiative “East region promotion” to the plan.",
        "Hana Head approved the revision: challenge 10,500,000 → 9,000,000, in force from 02/01/2027.",
        "陈经理 asked for a revision (Market change), effective from 02/01/2027: base 8,000,000, "
        "challenge 9,000,000, stretch 12,000,000.",
        "陈经理 activated the goal.",
        "陈经理 set the month targets of 3 periods.",
        "陈经理 added the supporting metric “Customer visits”.",
        "陈经理 edited the goal: title “Deal value” → “Deal value Q1”; challenge 10,000,000 → 10,500,000; "
        "description “More people sign up.” → “More deals.”.",
        "陈经理 created the goal: base 8,000,000, challenge 10,000,000, stretch 12,000,000, "
        "from 01/01/2027 to 03/31/2027.",
    ]


def test_the_history_is_written_in_chinese_for_a_chinese_reader(org, story):
    story["head"].user.language = "zh-hans"
    story["head"].user.save()
    text = " ".join(history_of(login(story["head"]), org, story["goal"]))
    assert "Hana Head 批准了目标复审：挑战目标 10,500,000 → 9,000,000，自 2027年2月1日 起生效。" in text
    assert "标题 “Deal value” → “Deal value Q1”；挑战目标" in text  # a Chinese list separator
    assert "2027年2月1日" in text
    for code in ("revision.approve", "∅", ".0000", "approved"):
        assert code not in text


def test_people_teams_and_choices_are_named_not_numbered(org, story):
    goal, manager = story["goal"], story["manager"]
    other_team = factories.team(org, "East", managers=[manager])
    draft = factories.goal(org, manager, team=goal.team, title="Visits", start_date=date(2027, 1, 1),
                           end_date=date(2027, 3, 31))  # fmt: skip
    services.goal_update(goal=draft, actor=manager, data=GoalInput(
        title="Visits", owner=story["head"], team=other_team, start_date=date(2027, 1, 1),
        end_date=date(2027, 3, 31), base=D(100), challenge=D(120), stretch=D(150), aggregation="average",
        allows_negative=True, metric_name="New users", description="More people sign up."))  # fmt: skip
    line = history_of(login(manager), org, draft)[0]
    assert line == (
        "陈经理 edited the goal: team Sales → East; owner 陈经理 → Hana Head; "
        "values combine by Sum over time (e.g. new users) → Average (e.g. collection rate); values may be negative no → yes."
    )
