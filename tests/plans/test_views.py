from __future__ import annotations

from datetime import date, timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Goal
from plans import services
from plans.models import Initiative
from teams.models import Membership
from tests import factories
from tests.conftest import login


def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    goal = Goal.objects.get(title__startswith="新增注册用户 20 万")
    return goal, goal.org


def test_the_article_plan_reads_like_the_article(db):
    goal, org = demo()
    manager = Membership.objects.get(org=org, user__email="manager@stretch.demo")
    manager.user.language = "en"  # the demo organisation speaks Chinese by default
    manager.user.save()
    page = login(manager).get(reverse("goal_plan", args=[org.slug, goal.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    for text in ("用户获取 User acquisition", "用户留存 User retention", "张三", "李四", "王五", "赵六", "weeks 1–4",
                 "weeks 2–6", "weeks 3–5", "ongoing", "5000 CNY", "Legal support", "Product development",
                 "Customer-service staff", "Design"):  # fmt: skip
        assert text in body, text
    assert 'data-testid="conflicts"' in body and "Starts before a predecessor finishes." in body
    assert 'class="critical' in body


def test_manager_adds_a_row_inline_and_bad_rows_are_explained(org, manager, member):
    goal = factories.goal(
        org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31), status="active"
    )
    client = login(manager)
    url = reverse("goal_plan", args=[org.slug, goal.pk])
    row = {"dimension_name": "User acquisition", "title": "5 channel partners", "owner": member.pk,
           "start_date": "2026-10-08", "due_date": "2026-11-11", "priority": "P1", "needs": ["legal"]}  # fmt: skip
    response = client.post(url, row, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert "5 channel partners" in response.content.decode()
    bad = client.post(url, {**row, "due_date": "2026-09-01"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "The due date must not be before the start." in bad.content.decode()
    assert Initiative.objects.count() == 1
    assert login(member).post(url, row).status_code == 403


def test_owner_updates_progress_from_the_plans_page(org, manager, member):
    goal = factories.goal(org, manager)
    item = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="Campaigns", goal=goal, owner=member, start_date=date(2026, 1, 5), due_date=date(2026, 2, 1)))  # fmt: skip
    client = login(member)
    assert "Campaigns" in client.get(reverse("plans_index", args=[org.slug])).content.decode()
    client.post(reverse("initiative_progress", args=[org.slug, item.pk]), {"progress": "60"})
    item.refresh_from_db()
    assert item.progress == 60 and item.status == "in_progress"
    other = factories.member(org)
    login(other).post(reverse("initiative_progress", args=[org.slug, item.pk]), {"progress": "5"})
    item.refresh_from_db()
    assert item.progress == 60


def test_plan_page_query_count_is_flat_up_to_500_initiatives(org, manager):
    goal = factories.goal(org, manager, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    client = login(manager)
    url = reverse("goal_plan", args=[org.slug, goal.pk])
    owners = [factories.member(org) for _ in range(5)]

    def add(n: int) -> None:
        Initiative.objects.bulk_create([
            Initiative(org=org, goal=goal, title=f"Row {i}", owner=owners[i % 5], start_date=date(2026, 1, 1) + timedelta(days=i % 300),
                       due_date=date(2026, 1, 10) + timedelta(days=i % 300), baseline_start=date(2026, 1, 1),
                       baseline_due=date(2026, 1, 10)) for i in range(n)
        ])  # fmt: skip

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add(1)
    few = count()
    add(499)
    assert count() == few


def test_plan_page_in_chinese(db):
    goal, org = demo()
    member = Membership.objects.get(
        org=org, user__email="member@stretch.demo"
    )  # 张三, default language zh-hans
    body = login(member).get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    assert "行动计划" in body and "第 1–4 周" in body and "持续进行" in body
    assert "%%" not in body


def test_dependencies_on_the_plan_page(org, manager, member):
    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    a, b = (services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title=t, goal=goal, owner=member, start_date=date(2026, 10, 5), due_date=date(2026, 10, 20))) for t in "AB")  # fmt: skip
    client = login(manager)
    add = reverse("dependency_add", args=[org.slug, goal.pk])
    assert client.post(add, {"predecessor": a.pk, "successor": b.pk}).status_code == 302
    refused = client.post(add, {"predecessor": b.pk, "successor": a.pk}, follow=True)
    assert "This would create a cycle: “B” → “A” → “B”." in refused.content.decode()
    garbage = client.post(add, {"predecessor": "²", "successor": "x"}, follow=True)
    assert "Choose two initiatives of this plan." in garbage.content.decode()
    other_goal = factories.goal(org, manager)
    foreign = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="C", goal=other_goal, owner=member, start_date=date(2026, 1, 5), due_date=date(2026, 1, 20)))  # fmt: skip
    client.post(add, {"predecessor": foreign.pk, "successor": a.pk})
    from plans.models import Dependency

    assert Dependency.objects.count() == 1
    dependency = Dependency.objects.get()
    assert login(member).post(reverse("dependency_remove", args=[org.slug, dependency.pk])).status_code == 403
    client.post(reverse("dependency_remove", args=[org.slug, dependency.pk]))
    assert not Dependency.objects.exists()


def test_a_reached_milestone_is_celebrated_on_the_team_page(org, manager, member):
    team = factories.team(org, "Operations")
    goal = factories.goal(org, manager, team=team, scope="team")
    win = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="3 referral campaigns", goal=goal, owner=member, start_date=date(2026, 1, 5),
        due_date=date(2026, 2, 1), is_milestone=True))  # fmt: skip
    page = login(member).get(reverse("team_directory", args=[org.slug])).content.decode()
    assert 'data-testid="small-wins"' not in page
    services.initiative_progress(initiative=win, actor=member, progress=100)
    page = login(member).get(reverse("team_directory", args=[org.slug])).content.decode()
    assert "Milestone reached: 3 referral campaigns" in page


def test_manager_edits_a_row_in_place(org, manager, member):
    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    item = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="Partners", goal=goal, owner=member, start_date=date(2026, 10, 8), due_date=date(2026, 11, 11)))  # fmt: skip
    client = login(manager)
    url = reverse("initiative_edit", args=[org.slug, item.pk])
    row = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert row.lstrip().startswith("<tr") and 'value="Partners"' in row
    data = {"title": "5 channel partners", "owner": member.pk, "start_date": "2026-10-08", "due_date": "2026-11-20",
            "priority": "P1", "dimension_name": "User acquisition"}  # fmt: skip
    saved = client.post(url, data, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "5 channel partners" in saved.content.decode()
    item.refresh_from_db()
    assert (item.due_date, item.baseline_due) == (
        date(2026, 11, 20),
        date(2026, 11, 11),
    )  # the slip stays visible
    bad = client.post(url, {**data, "due_date": "2026-09-01"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "The due date must not be before the start." in bad.content.decode()
    assert login(member).get(url).status_code == 403


def test_budget_suggestion_and_reallocation_on_the_page(org, manager, member):
    from decimal import Decimal as D

    from plans.selectors import budget_suggestions

    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    spare = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="Nice to have", goal=goal, owner=member, start_date=date(2026, 11, 1), due_date=date(2026, 12, 1),
        budget=D("4000"), priority="P3"))  # fmt: skip
    urgent = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="Campaigns", goal=goal, owner=member, start_date=date(2026, 10, 1), due_date=date(2026, 10, 31),
        priority="P0"))  # fmt: skip
    suggestions = budget_suggestions(initiatives=[spare, urgent], today=date(2026, 10, 21))
    assert [(s.source, s.target, s.amount) for s in suggestions] == [(spare, urgent, D("2000.00"))]
    client = login(manager)
    url = reverse("budget_reallocate", args=[org.slug, goal.pk])
    refused = client.post(
        url, {"source": spare.pk, "target": urgent.pk, "amount": "9000", "reason": "x"}, follow=True
    )
    assert "has only 4000.00 to give" in refused.content.decode()
    client.post(
        url, {"source": spare.pk, "target": urgent.pk, "amount": "1500", "reason": "Campaigns are behind"}
    )
    spare.refresh_from_db()
    urgent.refresh_from_db()
    assert (spare.budget, urgent.budget) == (D("2500.00"), D("1500.00"))
    assert (
        login(member)
        .post(url, {"source": spare.pk, "target": urgent.pk, "amount": "1", "reason": "x"})
        .status_code
        == 403
    )


def test_team_budget_is_set_on_the_plan_page_and_drives_the_conflict(org, manager, member):
    from decimal import Decimal as D

    team = factories.team(org, "Ops")
    goal = factories.goal(org, manager, team=team, scope="team")
    services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="Campaigns", goal=goal, owner=member, start_date=date(2026, 1, 5), due_date=date(2026, 2, 1),
        budget=D("5000")))  # fmt: skip
    client = login(manager)
    url = reverse("team_budget", args=[org.slug, goal.pk])
    bad = client.post(url, {"amount": "lots"}, follow=True)
    assert "Enter a realistic, non-negative amount." in bad.content.decode()
    client.post(url, {"amount": "4000"})
    page = client.get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    assert "Ops has 4000 CNY for this period" in page
    assert "Budget requested 5000" in page and "exceeds the team" in page
    assert login(member).post(url, {"amount": "1"}).status_code == 403
