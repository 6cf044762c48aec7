from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse

from goals.models import Goal
from plans import services
from plans.models import Initiative
from teams.models import Membership
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries


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
                 "weeks 2–6", "weeks 3–5", "ongoing", "5,000.00 CNY", "Legal support", "Product development",
                 "Customer-service staff", "Design"):  # fmt: skip
        assert text in body, text
    assert 'data-testid="conflicts"' in body and "Starts before a predecessor finishes." in body
    assert 'class="critical' in body


def plan_table(html: str) -> str:
    """The plan table alone (the add form's checkboxes also carry the need labels)."""
    return html.split('data-testid="plan-table"')[1].split("</table>")[0]


def test_typed_resource_needs_show_in_the_table(db):
    goal, org = demo()
    member = Membership.objects.get(org=org, user__email="lisi@stretch.demo")
    member.user.language = "en"
    member.user.save()
    body = login(member).get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    assert 'name="needs"' not in body  # a member sees no add form: the labels can only come from the table
    table = plan_table(body)
    for label in ("Legal support", "Product development", "Customer-service staff", "Design"):
        assert f'<span class="chip">{label}</span>' in table, label
    member.user.language = "zh-hans"
    member.user.save()
    assert '<span class="chip">法务支持</span>' in plan_table(
        login(member).get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    )


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


def test_a_row_added_in_place_says_so_there_and_counts_in_the_budget_requested(org, manager, member):
    """The htmx answer carries its confirmation (swapped into the page's message area) and the
    plan's new budget total; the next page the manager opens does not repeat the confirmation."""
    goal = factories.goal(
        org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31), status="active"
    )
    client = login(manager)
    url = reverse("goal_plan", args=[org.slug, goal.pk])
    row = {"title": "3 online referral campaigns", "owner": member.pk, "start_date": "2026-10-01",
           "due_date": "2026-10-28", "budget": "1500", "priority": "P1"}  # fmt: skip
    answer = client.post(url, row, headers={"HX-Request": "true"}).content.decode()
    messages = answer[answer.index(' id="messages"') :]
    assert 'hx-swap-oob="innerHTML"' in messages.split(">", 1)[0] and "Initiative added." in messages
    summary = answer[answer.index(' id="plan-summary"') :].split("</p>", 1)[0]
    assert 'hx-swap-oob="true"' in summary and "1,500.00" in summary
    after = client.get(reverse("goal_detail", args=[org.slug, goal.pk])).content.decode()
    assert "Initiative added." not in after
    # Without htmx: the page reloads and shows the message once, with the summary in its place.
    page = client.post(url, {**row, "title": "5 channel partners"}, follow=True).content.decode()
    assert page.count("Initiative added.") == 1 and page.count(' id="plan-summary"') == 1
    assert "hx-swap-oob" not in page


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


def big_plan_rows(org, goals, owners, squads, dimensions, start: int, n: int) -> None:
    """n initiatives spread over the goals, with dimensions, squads, needs, budgets, milestones,
    experiments and finish-to-start links (bulk-inserted, as seed_scale does)."""
    from plans.models import Dependency

    rows = Initiative.objects.bulk_create([
        Initiative(org=org, goal=goals[i % len(goals)], dimension=dimensions[goals[i % len(goals)].pk][i % 2],
                   title=f"Row {i}", owner=owners[i % len(owners)], squad=squads[i % len(squads)] if i % 3 else None,
                   start_date=date(2026, 1, 1) + timedelta(days=i % 300),
                   due_date=date(2026, 1, 10) + timedelta(days=i % 300), baseline_start=date(2026, 1, 1),
                   baseline_due=date(2026, 1, 10), budget=Decimal(1000) if i % 4 == 0 else None,
                   needs=["design", "legal"] if i % 2 else ["product"], needs_note="Two editors" if i % 5 == 0 else "",
                   priority=["P0", "P1", "P2", "P3"][i % 4], is_milestone=i % 7 == 0, is_experiment=i % 11 == 0,
                   status="failed" if i % 22 == 0 else "not_started", lesson="L" if i % 22 == 0 else "",
                   finished_at=date(2026, 1, 15) if i % 22 == 0 else None)
        for i in range(start, start + n)
    ])  # fmt: skip
    Dependency.objects.bulk_create(
        [
            Dependency(predecessor=a, successor=b)
            for a, b in zip(rows, rows[2:], strict=False)
            if a.goal_id == b.goal_id
        ]
    )


def big_plan_world(org, manager, goals):
    from plans.models import Dimension

    owners = [factories.member(org) for _ in range(5)]
    squads = [services.squad_create(org=org, actor=manager, name=f"Squad {n}", lead=owners[n], members=owners[:2])
              for n in range(2)]  # fmt: skip
    dimensions = {g.pk: [Dimension.objects.create(goal=g, name=f"Dimension {n}", position=n) for n in range(2)]
                  for g in goals}  # fmt: skip
    for goal in goals:
        if goal.team:
            services.team_budget_set(org=org, actor=manager, team=goal.team, start_date=goal.start_date,
                                     end_date=goal.end_date, amount=Decimal("100000"))  # fmt: skip
    return owners, squads, dimensions


# assert_queries prints the SQL when this changes. 17 since the page asks once which teams the
# manager reaches (teams.selectors.managed_team_ids) to offer only the edits allowed; 12 when the
# plan's analysis comes from the shared cache (plans.cache), 17 when the plans just changed; one
# fewer since the owner picker searches as you type (teams.people_picker) instead of listing people.
PLAN_PAGE_QUERIES = 11
PLAN_PAGE_QUERIES_AFTER_A_WRITE = 16


def assert_cold_queries(expected: int, client, url: str, org) -> None:
    """Right after a write to the organisation's plans (the cached analysis is stale), one GET of
    `url` runs exactly `expected` queries."""
    from plans.cache import plans_changed
    from tests.queries import pinned_queries

    plans_changed(org_id=org.pk)
    with pinned_queries(expected, url):
        assert client.get(url).status_code == 200


def test_plan_page_query_count_is_flat_up_to_500_initiatives(org, manager):
    team = factories.team(org, "Ops", managers=[manager])
    goal = factories.goal(org, manager, team=team, scope="team", start_date=date(2026, 1, 1),
                          end_date=date(2026, 12, 31))  # fmt: skip
    client = login(manager)
    url = reverse("goal_plan", args=[org.slug, goal.pk])
    owners, squads, dimensions = big_plan_world(org, manager, [goal])

    big_plan_rows(org, [goal], owners, squads, dimensions, 0, 1)
    assert_queries(PLAN_PAGE_QUERIES, client, url)
    assert_cold_queries(PLAN_PAGE_QUERIES_AFTER_A_WRITE, client, url, org)
    big_plan_rows(org, [goal], owners, squads, dimensions, 1, 499)
    assert Initiative.objects.filter(goal=goal).count() == 500
    assert_queries(PLAN_PAGE_QUERIES, client, url)
    assert_cold_queries(PLAN_PAGE_QUERIES_AFTER_A_WRITE, client, url, org)


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
    team = factories.team(org, "Operations", managers=[manager])
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

    team = factories.team(org, "Ops", managers=[manager])
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
    assert "Ops has 4,000.00 CNY for this period" in page
    assert "Budget requested 5,000.00" in page and "exceeds the team" in page
    assert login(member).post(url, {"amount": "1"}).status_code == 403


def test_editing_a_row_keeps_its_squad_and_note(org, manager, member):
    from plans.views import _input_from_form

    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    squad = services.squad_create(org=org, actor=manager, name="Growth squad", lead=member, members=[])
    item = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="Campaigns", goal=goal, owner=member, start_date=date(2026, 10, 1), due_date=date(2026, 10, 28),
        squad=squad, needs_note="Two video editors", is_milestone=True))  # fmt: skip
    client = login(manager)
    url = reverse("initiative_edit", args=[org.slug, item.pk])
    row = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'value="Two video editors"' in row and f'<option value="{squad.pk}" selected>' in row
    data = {"title": "3 campaigns", "owner": member.pk, "start_date": "2026-10-01", "due_date": "2026-10-28",
            "priority": "P0", "squad": squad.pk, "needs_note": "Two video editors", "is_milestone": "on"}  # fmt: skip
    assert client.post(url, data, headers={"HX-Request": "true"}).status_code == 200
    item.refresh_from_db()
    assert (item.title, item.squad, item.needs_note, item.is_milestone) == ("3 campaigns", squad, "Two video editors",
                                                                            True)  # fmt: skip
    # Fields a form does not carry keep the initiative's values.
    carried = {k: v for k, v in {**data, "owner": member, "start_date": item.start_date, "due_date": item.due_date,
               "ongoing": False, "dimension_name": "", "budget": None, "needs": []}.items()
               if k not in ("squad", "needs_note", "is_milestone")}  # fmt: skip
    kept = _input_from_form(goal, carried, current=item)
    assert (kept.squad, kept.needs_note, kept.is_milestone) == (squad, "Two video editors", True)
    too_long = client.post(url, {**data, "dimension_name": "D" * 121}, headers={"HX-Request": "true"})
    assert (
        too_long.status_code == 400
        and "Ensure this value has at most 120 characters" in too_long.content.decode()
    )


def test_a_done_initiative_can_go_back_to_zero_from_the_page(org, manager, member):
    goal = factories.goal(org, manager)
    item = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="Campaigns", goal=goal, owner=member, start_date=date(2026, 1, 5), due_date=date(2026, 2, 1)))  # fmt: skip
    client = login(member)
    url = reverse("initiative_progress", args=[org.slug, item.pk])
    client.post(url, {"progress": "100"})
    page = client.post(url, {"progress": "0"}, follow=True).content.decode()
    item.refresh_from_db()
    assert (item.progress, item.status) == (0, "not_started") and "Progress saved." in page


def test_owner_closes_a_failed_experiment_with_its_lesson_and_sees_the_allowance(org, manager, member):
    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))

    def experiment(title):
        return services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
            title=title, goal=goal, owner=member, start_date=date(2026, 10, 5), due_date=date(2026, 10, 20),
            is_experiment=True))  # fmt: skip

    first, second = experiment("Live-stream test"), experiment("Mini-program test")
    client = login(member)
    index = client.get(reverse("plans_index", args=[org.slug])).content.decode()
    assert f'data-testid="close-experiment-{first.pk}"' in index
    url = reverse("initiative_progress", args=[org.slug, first.pk])
    refused = client.post(
        url, {"progress": "30", "status": "failed", "lesson": " ", "next": "index"}, follow=True
    )
    assert "Record the lesson learned" in refused.content.decode()
    assert refused.redirect_chain[-1][0] == reverse("plans_index", args=[org.slug])
    closed = client.post(url, {"progress": "30", "status": "failed", "lesson": "Weekday audience too small",
                               "next": "index"}, follow=True)  # fmt: skip
    assert "Experiment closed: lesson recorded." in closed.content.decode()
    client.post(reverse("initiative_progress", args=[org.slug, second.pk]),
                {"progress": "10", "status": "failed", "lesson": "No budget for ads"})  # fmt: skip
    table = plan_table(client.get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode())
    assert "Failed — lesson recorded (within allowance)" in table
    assert "Failed — lesson recorded (beyond allowance)" in table
    assert "Weekday audience too small" in table
    assert f'data-testid="close-experiment-{first.pk}"' not in table  # closed: nothing more to close


def test_owners_are_contributors_and_readers_get_no_progress_form(org, manager, members):
    goal = factories.goal(org, manager)
    client = login(manager)
    body = client.get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    # The owner picker searches the rule "initiative-owner" (teams.people_picker) as you type.
    search = reverse("people_pick", args=[org.slug, "initiative-owner"])
    assert search in body
    owner_select = client.get(search).content.decode()
    assert members["member"].user.get_full_name() in owner_select
    assert members["viewer"].user.get_full_name() not in owner_select
    assert members["hr"].user.get_full_name() not in owner_select
    item = services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
        title="Campaigns", goal=goal, owner=members["member"], start_date=date(2026, 1, 5), due_date=date(2026, 2, 1)))  # fmt: skip
    from plans.models import Initiative as I

    I.objects.filter(pk=item.pk).update(owner=members["viewer"])  # demoted after the fact
    viewer_page = (
        login(members["viewer"]).get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    )
    assert reverse("initiative_progress", args=[org.slug, item.pk]) not in viewer_page


def test_organisation_sets_its_experiment_allowance(org, admin):
    client = login(admin)
    url = reverse("org_settings", args=[org.slug])
    page = client.get(url).content.decode()
    assert "Failed experiments tolerated per person per quarter" in page and 'value="1"' in page
    form = {"name": org.name, "timezone": org.timezone, "currency": org.currency, "default_language": "en",
            "fiscal_year_start_month": "1"}  # fmt: skip
    assert client.post(url, {**form, "experiment_allowance": "-1"}).status_code == 400
    assert client.post(url, {**form, "experiment_allowance": "2"}).status_code == 302
    org.refresh_from_db()
    assert org.experiment_allowance == 2


def test_an_overload_from_another_plan_shows_on_this_one(org, manager, member):
    goals = [
        factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31)) for _ in "ab"
    ]
    for goal in (*goals, *goals):
        services.initiative_create(org=org, actor=manager, data=services.InitiativeInput(
            title=f"P0 of {goal.title}", goal=goal, owner=member, start_date=date(2026, 11, 2),
            due_date=date(2026, 11, 20), priority="P0"))  # fmt: skip
    body = login(manager).get(reverse("goal_plan", args=[org.slug, goals[0].pk])).content.decode()
    assert "priority-weighted load 6.0 against a capacity of 3" in body
    assert "and 2 more in other plans" in body
