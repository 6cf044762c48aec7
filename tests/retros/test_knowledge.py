"""知识库: published lessons are searchable by the whole organisation in Chinese and English, and
offered beside the goal form while a new goal of the team (or with the same metric) is drafted,
with the cause statistics of similar past goals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from goals.hooks import GoalDraft
from goals.models import Status
from retros import selectors, services
from teams.models import Role
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(retro, boss):
    live = services.lesson_add(retro=retro, actor=boss, kind="keep", text="直播带货转化率高：纳入常态化渠道",
                               tags="直播, live streaming", metric_name="Deal value")  # fmt: skip
    services.lesson_publish(lesson=live, actor=boss)
    services.lesson_add(retro=retro, actor=boss, kind="try", text="Unpublished idea")
    return live


def test_the_knowledge_base_finds_published_lessons_in_chinese_and_english(org, lessons):
    assert list(selectors.knowledge_search(org_id=org.pk, query="直播")) == [lessons]
    assert list(selectors.knowledge_search(org_id=org.pk, query="LIVE streaming")) == [lessons]
    assert list(selectors.knowledge_search(org_id=org.pk, query="unpublished")) == []


def test_another_team_reads_the_knowledge_base_page_but_not_unpublished_lessons(org, lessons):
    elsewhere = factories.member(org, Role.MEMBER, teams=[factories.team(org, "Ops")])
    page = login(elsewhere).get(reverse("retros_knowledge", args=[org.slug]), {"q": "直播"}).content.decode()
    assert "纳入常态化渠道" in page and "Unpublished idea" not in page


def test_lessons_are_offered_while_a_goal_of_the_team_is_drafted(org, sales, boss, lessons):
    response = login(boss).post(reverse("goal_smart_check", args=[org.slug]),
                                {"title": "Next quarter's deal value", "team": sales.pk})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="draft-lessons"' in page and "纳入常态化渠道" in page


def test_nothing_is_offered_for_an_unrelated_draft(org, lessons):
    other = factories.team(org, "Ops")
    draft = GoalDraft(org=org, team_id=other.pk, parent_id=None, title="Hire two engineers", metric_name="Hires",
                      unit="")  # fmt: skip
    assert selectors.lessons_for_draft(draft) == []


def test_the_cause_statistics_of_similar_past_goals(org, sales, boss, zhang, last_quarter):
    start = last_quarter[0] - timedelta(days=200)
    for n, status in enumerate(("missed", "missed", "achieved")):
        goal = factories.goal(org, boss, team=sales, title=f"Deals {n}", start_date=start, end_date=start + timedelta(days=60),
                              metric_name="Deal value", status="active")  # fmt: skip
        from goals import services as goal_services

        goal_services.goal_set_status(
            goal=goal, actor=boss, status=status, result_value=D(90 if status == "missed" else 130)
        )
        retro = services.retro_start(team=sales, actor=boss, kind="goal", goal_id=goal.pk)
        if status == Status.MISSED:
            services.card_add(
                retro=retro, actor=zhang, kind="cause", category="resources", text="Too few people"
            )
        start += timedelta(days=61)
    stats = selectors.cause_stats(
        draft=GoalDraft(
            org=org, team_id=sales.pk, parent_id=None, title="", metric_name="Deal value", unit=""
        )
    )
    assert (stats.goals, stats.missed) == (3, 2)
    assert "2 of the last 3 similar goals missed their base target." in stats.text
    assert "2 of them for: Insufficient resources" in stats.text
