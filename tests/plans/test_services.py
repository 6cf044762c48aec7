from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import ValidationError

from plans import selectors, services
from plans.models import Dependency, Status
from plans.schedule import Task, critical_path, find_cycle, overloads
from plans.services import InitiativeInput
from teams.models import AuditEntry, Role
from tests import factories
from tests.queries import pinned_queries


@pytest.fixture
def plan(org, manager):
    """The article's action table for the operations goal (weeks from 1 October 2026)."""
    ops = factories.team(org, "Operations", managers=[manager])
    goal = factories.goal(org, manager, team=ops, scope="team", title="200,000 new registered users",
                          start_date=date(2026, 10, 1), end_date=date(2026, 12, 31), status="active")  # fmt: skip
    people = {
        name: factories.member(org, Role.MEMBER, name=name, teams=[ops])
        for name in ("张三", "李四", "王五", "赵六")
    }
    week = lambda n: date(2026, 10, 1) + timedelta(weeks=n - 1)  # noqa: E731

    def add(title, who, start, due, **kw):
        return services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title=title, goal=goal, owner=people[who], start_date=start, due_date=due, **kw))  # fmt: skip

    rows = {
        "campaigns": add("3 online referral campaigns", "张三", week(1), week(5) - timedelta(days=1),
                         dimension_name="User acquisition", budget=D("5000"), needs=["design"], priority="P0"),
        "partners": add("5 channel partners", "李四", week(2), week(7) - timedelta(days=1),
                        dimension_name="User acquisition", needs=["legal"], priority="P1"),
        "onboarding": add("Improve onboarding", "王五", week(3), week(6) - timedelta(days=1),
                          dimension_name="User retention", needs=["product"], priority="P1", is_milestone=True),
        "community": add("Community operations", "赵六", week(1), None, ongoing=True,
                         dimension_name="User retention", needs=["customer_service"], priority="P2"),
    }  # fmt: skip
    return {"goal": goal, "people": people, "rows": rows}


def test_the_article_plan_has_two_dimensions_and_baseline_dates(plan):
    rows = plan["rows"]
    assert rows["campaigns"].dimension.name == rows["partners"].dimension.name == "User acquisition"
    assert rows["onboarding"].dimension.name == "User retention"
    assert rows["community"].ongoing and rows["community"].due_date is None
    assert rows["campaigns"].baseline_due == rows["campaigns"].due_date
    assert AuditEntry.objects.filter(action="initiative.create").count() == 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_date": date(2026, 9, 1)}, "due_date"),
        ({"budget": D("-5")}, "budget"),
        ({"budget": D("1.234")}, "budget"),
        ({"needs": ["astrology"]}, "needs"),
        ({"ongoing": True}, "due_date"),
    ],
)
def test_bad_initiatives_name_the_field(org, manager, plan, changes, field):
    values = {"title": "X", "goal": plan["goal"], "owner": manager, "start_date": date(2026, 10, 5),
              "due_date": date(2026, 10, 20)}  # fmt: skip
    values.update(changes)
    with pytest.raises(ValidationError) as excinfo:
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(**values))
    assert field in excinfo.value.message_dict


def test_owner_outside_the_org_is_refused(org, other_org, manager, plan):
    stranger = factories.member(other_org)
    with pytest.raises(ValidationError) as excinfo:
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title="X", goal=plan["goal"], owner=stranger, start_date=date(2026, 10, 5), due_date=date(2026, 10, 9)))  # fmt: skip
    assert "owner" in excinfo.value.message_dict


def test_dependencies_refuse_cycles_naming_them(manager, plan):
    rows = plan["rows"]
    services.dependency_add(predecessor=rows["partners"], successor=rows["onboarding"], actor=manager)
    services.dependency_add(predecessor=rows["onboarding"], successor=rows["campaigns"], actor=manager)
    with pytest.raises(ValidationError) as excinfo:
        services.dependency_add(predecessor=rows["campaigns"], successor=rows["partners"], actor=manager)
    message = excinfo.value.message_dict["predecessor"][0]
    assert (
        "cycle" in message
        and "“3 online referral campaigns”" in message
        and "“5 channel partners”" in message
    )
    assert Dependency.objects.count() == 2


def test_dependency_across_organisations_is_refused(other_org, manager, plan):
    foreign_goal = factories.goal(other_org)
    foreign = services.initiative_create(org=other_org, actor=foreign_goal.owner, data=InitiativeInput(
        title="Foreign", goal=foreign_goal, owner=foreign_goal.owner, start_date=date(2026, 1, 5),
        due_date=date(2026, 1, 9)))  # fmt: skip
    with pytest.raises(ValidationError):
        services.dependency_add(predecessor=foreign, successor=plan["rows"]["partners"], actor=manager)


def test_conflicts_and_critical_path_of_the_article_plan(org, manager, plan):
    rows = plan["rows"]
    # Onboarding needs the partners first, but is planned to start before they are signed.
    services.dependency_add(predecessor=rows["partners"], successor=rows["onboarding"], actor=manager)
    # 李四 also carries two more P0s in the same weeks: over capacity.
    for n in range(2):
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title=f"Extra {n}", goal=plan["goal"], owner=plan["people"]["李四"], start_date=date(2026, 10, 12),
            due_date=date(2026, 10, 30), priority="P0"))  # fmt: skip
    initiatives = list(selectors.initiative_list(org=org, goal=plan["goal"]))
    analysis = selectors.plan_analysis(org=org, initiatives=initiatives, today=date(2026, 10, 1))
    kinds = {c.kind for c in analysis.conflicts}
    assert {"overload", "early_start"} <= kinds
    overload = next(c for c in analysis.conflicts if c.kind == "overload")
    assert rows["partners"].pk in overload.ids
    assert analysis.critical.ids[-1] == rows["onboarding"].pk  # starts only after the partners are signed
    assert rows["partners"].pk in analysis.critical.ids
    assert not analysis.at_risk_goal_ids


def test_a_p0_blocked_by_lower_priority_and_a_deadline_past_the_goal(org, manager, plan):
    rows = plan["rows"]
    services.dependency_add(
        predecessor=rows["partners"], successor=rows["campaigns"], actor=manager
    )  # P0 after P1
    late = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Late", goal=plan["goal"], owner=manager, start_date=date(2026, 12, 1), due_date=date(2027, 1, 15)))  # fmt: skip
    analysis = selectors.plan_analysis(org=org, initiatives=list(selectors.initiative_list(org=org)),
                                       today=date(2026, 10, 1))  # fmt: skip
    assert any(c.kind == "blocked_p0" and rows["campaigns"].pk in c.ids for c in analysis.conflicts)
    assert any(c.kind == "late" and c.ids == (late.pk,) for c in analysis.conflicts)


def test_a_slip_on_the_critical_path_puts_the_goal_at_risk(org, manager, plan):
    initiatives = list(selectors.initiative_list(org=org, goal=plan["goal"]))
    analysis = selectors.plan_analysis(org=org, initiatives=initiatives, today=date(2026, 12, 20))
    assert plan["goal"].pk in analysis.at_risk_goal_ids
    assert plan["rows"]["partners"].pk in analysis.slipped_ids


def test_budget_beyond_the_team_budget_is_a_conflict(org, manager, plan):
    services.team_budget_set(org=org, actor=manager, team=plan["goal"].team, start_date=date(2026, 10, 1),
                             end_date=date(2026, 12, 31), amount=D("4000"))  # fmt: skip
    analysis = selectors.plan_analysis(org=org, initiatives=list(selectors.initiative_list(org=org)),
                                       today=date(2026, 10, 1))  # fmt: skip
    budget = next(c for c in analysis.conflicts if c.kind == "budget")
    assert budget.detail["requested"] == D("5000") and budget.detail["available"] == D("4000")


def test_reallocation_moves_budget_with_a_reason(org, manager, plan):
    rows = plan["rows"]
    with pytest.raises(ValidationError) as excinfo:
        services.budget_reallocate(org=org, actor=manager, source=rows["campaigns"], target=rows["partners"],
                                   amount=D("6000"), reason="x")  # fmt: skip
    assert "amount" in excinfo.value.message_dict
    services.budget_reallocate(org=org, actor=manager, source=rows["campaigns"], target=rows["partners"],
                               amount=D("1500"), reason="Legal fees")  # fmt: skip
    rows["campaigns"].refresh_from_db()
    rows["partners"].refresh_from_db()
    assert (rows["campaigns"].budget, rows["partners"].budget) == (D("3500"), D("1500"))


@time_machine.travel(datetime(2026, 11, 20, 4, tzinfo=UTC), tick=False)  # during the plan's quarter
def test_milestones_and_tolerated_experiments(org, manager, plan):
    onboarding = plan["rows"]["onboarding"]
    services.initiative_progress(initiative=onboarding, actor=manager, progress=100)
    onboarding.refresh_from_db()
    assert onboarding.status == Status.DONE and onboarding.milestone_reached_at is not None
    owner = plan["people"]["张三"]
    experiments = [
        services.initiative_create(
            org=org,
            actor=manager,
            data=InitiativeInput(
                title=f"Live-stream test {n}",
                goal=plan["goal"],
                owner=owner,
                start_date=date(2026, 10, 5),
                due_date=date(2026, 10, 20),
                is_experiment=True,
            ),
        )  # fmt: skip
        for n in range(2)
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.initiative_progress(initiative=experiments[0], actor=manager, progress=30, status="failed")
    assert "lesson" in excinfo.value.message_dict
    for exp in experiments:
        services.initiative_progress(initiative=exp, actor=manager, progress=30, status="failed",
                                     lesson="Audience too small on weekdays")  # fmt: skip
    tolerated = selectors.experiments_within_allowance(org=org, owner_id=owner.pk, quarter_start=date(2026, 10, 1),
                                                      quarter_end=date(2026, 12, 31))  # fmt: skip
    assert len(tolerated) == 1  # one per person per quarter
    with pytest.raises(ValidationError):
        services.initiative_progress(initiative=plan["rows"]["partners"], actor=manager, progress=10, status="failed",
                                     lesson="x")  # fmt: skip


def test_squads(org, manager, plan):
    squad = services.squad_create(org=org, actor=manager, name="Product push", lead=plan["people"]["王五"],
                                  members=[plan["people"]["张三"], manager])  # fmt: skip
    assert squad.members.count() == 3
    with pytest.raises(ValidationError):
        services.squad_create(org=org, actor=manager, name="product PUSH", lead=manager, members=[])


def test_critical_path_and_conflicts_handle_ten_thousand_initiatives():
    """Correct at scale; the timing is measured by bench/plans_algorithms.py, not asserted here."""
    import random

    rng = random.Random(7)
    tasks, edges = [], []
    for i in range(10000):
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
        tasks.append(Task(i, "t", start, start + timedelta(days=rng.randrange(1, 30)), owner_id=rng.randrange(500),
                          priority=rng.choice(["P0", "P1", "P2", "P3"])))  # fmt: skip
        if i and rng.random() < 0.5:
            edges.append((rng.randrange(i), i))
    path = critical_path(tasks, edges)
    assert path.ids and path.finish
    assert all(path.slack[i] == 0 for i in path.ids)
    assert all((a, b) in set(edges) for a, b in zip(path.ids, path.ids[1:], strict=False))
    assert overloads(tasks, {}, default=D(3), horizon=date(2026, 12, 31))
    assert find_cycle(edges, (9999, 0)) is None or find_cycle(edges, (9999, 0))[0] == 9999
    a, b = edges[-1]
    closing = find_cycle(edges, (b, a))  # reversing an existing link always closes a cycle
    assert closing is not None and closing[0] == closing[-1] == b and a in closing


# --- The review's findings ----------------------------------------------------------------------
def test_progress_without_a_status_sets_the_status_from_the_progress(org, manager, plan):
    item = plan["rows"]["partners"]
    services.initiative_progress(initiative=item, actor=manager, progress=100)
    assert (item.status, item.progress) == (Status.DONE, 100)
    services.initiative_progress(initiative=item, actor=manager, progress=0)  # done by mistake: back to 0
    item.refresh_from_db()
    assert (item.status, item.progress, item.finished_at) == (Status.NOT_STARTED, 0, None)
    services.initiative_progress(initiative=item, actor=manager, progress=40)
    assert item.status == Status.IN_PROGRESS
    services.initiative_progress(initiative=item, actor=manager, progress=0, status=Status.BLOCKED)
    assert item.status == Status.BLOCKED  # an explicit status wins


def test_a_closed_experiment_stays_closed_when_its_progress_changes(org, manager, plan):
    experiment = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Live-stream test", goal=plan["goal"], owner=plan["people"]["张三"], start_date=date(2026, 10, 5),
        due_date=date(2026, 10, 20), is_experiment=True))  # fmt: skip
    services.initiative_progress(
        initiative=experiment, actor=manager, progress=30, status="failed", lesson="Too small"
    )
    services.initiative_progress(initiative=experiment, actor=manager, progress=0)
    experiment.refresh_from_db()
    assert (experiment.status, experiment.progress, experiment.lesson) == (Status.FAILED, 0, "Too small")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "T" * 201}, "title", "At most 200 characters (this one has 201)."),
        ({"dimension_name": "D" * 121}, "dimension", "At most 120 characters (this one has 121)."),
        ({"needs_note": "N" * 201}, "needs_note", "At most 200 characters (this one has 201)."),
    ],
)
def test_text_beyond_the_column_is_refused_with_the_limit(org, manager, plan, changes, field, message):
    values = {"title": "X", "goal": plan["goal"], "owner": manager, "start_date": date(2026, 10, 5),
              "due_date": date(2026, 10, 20), **changes}  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(**values))
    assert excinfo.value.message_dict[field] == [message]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.HR])
def test_viewers_and_hr_cannot_own_initiatives(org, manager, plan, role):
    reader = factories.member(org, role)
    with pytest.raises(ValidationError) as excinfo:
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title="X", goal=plan["goal"], owner=reader, start_date=date(2026, 10, 5), due_date=date(2026, 10, 9)))  # fmt: skip
    assert "viewers and HR cannot report progress" in excinfo.value.message_dict["owner"][0]


def test_reallocation_checks_the_amount_against_the_locked_row(org, manager, plan):
    from plans.models import Initiative

    rows = plan["rows"]
    stale = Initiative.objects.get(pk=rows["campaigns"].pk)  # read while it still had 5000
    services.budget_reallocate(org=org, actor=manager, source=rows["campaigns"], target=rows["partners"],
                               amount=D("4000"), reason="Legal fees")  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:  # a second move from the stale copy: only 1000 is left
        services.budget_reallocate(org=org, actor=manager, source=stale, target=rows["onboarding"],
                                   amount=D("3000"), reason="Onboarding")  # fmt: skip
    assert "has only 1000.00 to give" in excinfo.value.message_dict["amount"][0]
    stale.refresh_from_db()
    assert stale.budget == D("1000")


def test_amounts_with_more_than_two_decimals_are_refused(org, manager, plan):
    rows = plan["rows"]
    with pytest.raises(ValidationError) as excinfo:
        services.budget_reallocate(org=org, actor=manager, source=rows["campaigns"], target=rows["partners"],
                                   amount=D("0.001"), reason="x")  # fmt: skip
    assert excinfo.value.message_dict["amount"] == ["Use at most 2 decimal places."]
    with pytest.raises(ValidationError) as excinfo:
        services.team_budget_set(org=org, actor=manager, team=plan["goal"].team, start_date=date(2026, 10, 1),
                                 end_date=date(2026, 12, 31), amount=D("100.005"))  # fmt: skip
    assert excinfo.value.message_dict["amount"] == ["Use at most 2 decimal places."]


def test_overload_counts_the_owners_work_in_every_goal(org, manager, plan):
    """4 × P0 across two goals: load 6 against a capacity of 3, visible from either plan."""
    owner = plan["people"]["王五"]
    other_goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31),
                                status="active")  # fmt: skip
    for goal in (plan["goal"], plan["goal"], other_goal, other_goal):
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title="Push", goal=goal, owner=owner, start_date=date(2026, 11, 10), due_date=date(2026, 11, 20),
            priority="P0"))  # fmt: skip
    for goal in (plan["goal"], other_goal):
        items = list(selectors.initiative_list(org=org, goal=goal))
        analysis = selectors.plan_analysis(org=org, initiatives=items, today=date(2026, 10, 1))
        overload = next(
            c for c in analysis.conflicts if c.kind == "overload" and c.detail["owner"] == owner.pk
        )
        assert overload.detail["load"] == D("6.0")
        assert len(overload.ids) == 4 and {i.pk for i in items} & set(overload.ids)
    services.capacity_set(org=org, actor=manager, membership=owner, load=D("6"))
    analysis = selectors.plan_analysis(
        org=org, initiatives=list(selectors.initiative_list(org=org, goal=other_goal))
    )
    assert not [c for c in analysis.conflicts if c.kind == "overload"]


def test_an_overload_elsewhere_is_not_shown_on_a_plan_it_does_not_touch(org, manager, plan):
    owner = plan["people"]["赵六"]  # also carries the ongoing community operations from week 1
    other_goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    for _n in range(3):
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title="Elsewhere", goal=other_goal, owner=owner, start_date=date(2026, 11, 2),
            due_date=date(2026, 11, 20), priority="P0"))  # fmt: skip
    mine = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Small", goal=plan["goal"], owner=factories.member(org), start_date=date(2026, 10, 1),
        due_date=date(2026, 10, 2)))  # fmt: skip
    analysis = selectors.plan_analysis(org=org, initiatives=[mine], today=date(2026, 10, 1))
    assert not analysis.conflicts


def test_team_budget_counts_the_requests_of_every_goal_of_the_team(org, manager, plan):
    team = plan["goal"].team
    second = factories.goal(org, manager, team=team, scope="team", start_date=date(2026, 10, 1),
                            end_date=date(2026, 12, 31))  # fmt: skip
    services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Ads", goal=second, owner=manager, start_date=date(2026, 11, 1), due_date=date(2026, 11, 30),
        budget=D("4000")))  # fmt: skip
    services.initiative_create(
        org=org,
        actor=manager,
        data=InitiativeInput(
            title="Next year",
            goal=second,
            owner=manager,
            start_date=date(2027, 2, 1),
            due_date=date(2027, 2, 20),
            budget=D("99999"),
        ),
    )  # fmt: skip  (outside the budget's period)
    services.team_budget_set(org=org, actor=manager, team=team, start_date=date(2026, 10, 1),
                             end_date=date(2026, 12, 31), amount=D("8000"))  # fmt: skip
    items = list(selectors.initiative_list(org=org, goal=plan["goal"]))  # 5000 requested on this page
    with pinned_queries(5):  # links, owners' other work, capacities, budgets, one aggregate
        analysis = selectors.plan_analysis(org=org, initiatives=items, today=date(2026, 10, 1))
    budget = next(c for c in analysis.conflicts if c.kind == "budget")
    assert budget.detail == {"team": team.pk, "requested": D("9000"), "available": D("8000")}
    assert budget.ids == (plan["rows"]["campaigns"].pk,)


def two_goal_org(org, manager, member):
    """Two goals: a long, healthy plan and a short one whose critical work has slipped."""
    long_goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2027, 3, 31),
                               status="active")  # fmt: skip
    short_goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31),
                                status="active")  # fmt: skip

    def add(goal, title, start, due):
        return services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title=title, goal=goal, owner=member, start_date=start, due_date=due))  # fmt: skip

    a = add(long_goal, "Long A", date(2026, 10, 1), date(2026, 12, 31))
    b = add(long_goal, "Long B", date(2027, 1, 1), date(2027, 3, 20))
    services.dependency_add(predecessor=a, successor=b, actor=manager)
    slipping = add(short_goal, "Short slipping", date(2026, 10, 1), date(2026, 11, 10))
    add(short_goal, "Short side", date(2026, 10, 1), date(2026, 10, 5))
    return long_goal, short_goal, slipping


def test_critical_path_and_risk_are_per_goal_across_the_organisation(org, manager, member):
    long_goal, short_goal, slipping = two_goal_org(org, manager, member)
    today = date(2026, 11, 20)  # the short goal's critical initiative is 10 days late
    analysis = selectors.plan_analysis(
        org=org, initiatives=list(selectors.initiative_list(org=org)), today=today
    )
    assert analysis.critical_by_goal[short_goal.pk].ids == [slipping.pk]
    assert len(analysis.critical_by_goal[long_goal.pk].ids) == 2
    assert analysis.at_risk_goal_ids == {short_goal.pk}
    assert analysis.critical.ids == analysis.critical_by_goal[long_goal.pk].ids  # the one that ends last
    assert slipping.pk in analysis.critical_ids


def test_goals_at_risk_for_the_tracking_alerts(org, other_org, manager, member):
    long_goal, short_goal, slipping = two_goal_org(org, manager, member)
    with pinned_queries(2):
        assert selectors.goals_at_risk(org=org, today=date(2026, 11, 20)) == {short_goal.pk}
    assert selectors.goals_at_risk(org=org, today=date(2026, 10, 2)) == set()
    # Asking about some goals answers the same for them (paths are per goal): the worker's
    # incremental job asks only about the goals a new value touched.
    assert selectors.goals_at_risk(org=org, today=date(2026, 11, 20), goal_ids=[short_goal.pk]) == {
        short_goal.pk
    }
    assert selectors.goals_at_risk(org=org, today=date(2026, 11, 20), goal_ids=[long_goal.pk]) == set()
    services.initiative_progress(initiative=slipping, actor=manager, progress=100)
    side = short_goal.initiatives.get(title="Short side")  # now the side task is the late critical one
    assert selectors.goals_at_risk(org=org, today=date(2026, 11, 20)) == {short_goal.pk}
    services.initiative_progress(initiative=side, actor=manager, progress=100)
    assert selectors.goals_at_risk(org=org, today=date(2026, 11, 20)) == set()
    assert selectors.goals_at_risk(org=other_org, today=date(2026, 11, 20)) == set()


def test_experiment_allowance_is_the_organisations_per_person_per_fiscal_quarter(org, manager, plan):
    from plans.models import Initiative

    owner = plan["people"]["张三"]
    other = plan["people"]["李四"]

    def failed(who, day):
        item = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title=f"Experiment {day}", goal=plan["goal"], owner=who, start_date=date(2026, 10, 5),
            due_date=date(2026, 10, 20), is_experiment=True))  # fmt: skip
        services.initiative_progress(initiative=item, actor=manager, progress=10, status="failed", lesson="L")
        Initiative.objects.filter(pk=item.pk).update(finished_at=day)
        return item.pk

    a = failed(owner, date(2026, 10, 10))
    b = failed(owner, date(2026, 11, 10))
    c = failed(owner, date(2027, 1, 5))  # the next quarter: its own allowance
    d = failed(other, date(2026, 12, 1))
    assert selectors.tolerated_experiment_ids(org=org, start=date(2026, 10, 1), end=date(2027, 3, 31)) == {
        a,
        c,
        d,
    }
    # Asked about November only, the October failure still uses up the quarter's allowance.
    assert (
        selectors.tolerated_experiment_ids(org=org, start=date(2026, 11, 1), end=date(2026, 11, 30)) == set()
    )
    org.experiment_allowance = 2
    org.save()
    assert selectors.tolerated_experiment_ids(org=org, start=date(2026, 11, 1), end=date(2026, 11, 30)) == {b}
    org.fiscal_year_start_month = 11  # fiscal quarters Nov–Jan: b and c now share one
    org.experiment_allowance = 1
    org.save()
    assert selectors.tolerated_experiment_ids(org=org, start=date(2026, 10, 1), end=date(2027, 3, 31)) == {
        a,
        b,
        d,
    }
    items = list(selectors.initiative_list(org=org, goal=plan["goal"]))
    assert selectors.experiment_verdicts(org=org, initiatives=items) == {a: True, b: True, c: False, d: True}


def test_squad_update_and_bad_people(org, other_org, manager, plan):
    squad = services.squad_create(org=org, actor=manager, name="Push", lead=manager, members=[])
    stranger = factories.member(other_org)
    with pytest.raises(ValidationError) as excinfo:
        services.squad_update(squad=squad, actor=manager, name="Push", lead=stranger, members=[stranger])
    assert set(excinfo.value.message_dict) == {"lead", "members"}
    with pytest.raises(ValidationError) as excinfo:
        services.squad_create(org=org, actor=manager, name="S" * 121, lead=manager, members=[])
    assert "name" in excinfo.value.message_dict
    people = plan["people"]
    services.squad_update(squad=squad, actor=manager, name="Product push", lead=people["王五"],
                          members=[people["张三"]])  # fmt: skip
    assert {m.pk for m in squad.members.all()} == {people["王五"].pk, people["张三"].pk}
    assert AuditEntry.objects.filter(action="squad.update").exists()


def test_a_plan_slips_on_the_organisations_day_not_the_servers(org, manager, member):
    """Shanghai is already on 21 November at 17:00 UTC on the 20th: an initiative due on the 20th and
    not finished has slipped there, whatever the server's clock says (jobs run outside a request)."""
    org.timezone = "Asia/Shanghai"
    org.save()
    goal = factories.goal(
        org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31), status="active"
    )
    services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Due on the 20th", goal=goal, owner=member, start_date=date(2026, 11, 2), due_date=date(2026, 11, 20)))  # fmt: skip
    with time_machine.travel(datetime(2026, 11, 20, 17, 0, tzinfo=UTC), tick=False):
        assert selectors.goals_at_risk(org=org) == {goal.pk}
