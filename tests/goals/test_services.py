from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from goals import selectors, services
from goals.models import Goal, PeriodTarget, Revision, Scope, Status, TargetVersion
from goals.services import GoalInput, SliceInput
from goals.smart import HistoryPoint, suggest_tiers
from teams.errors import NotAllowed
from teams.models import AuditEntry, Role
from tests import factories


def data(owner, **overrides) -> GoalInput:
    values = {
        "title": "New registered users",
        "owner": owner,
        "start_date": date(2026, 4, 1),
        "end_date": date(2026, 6, 30),
        "base": D("160000"),
        "challenge": D("200000"),
        "stretch": D("240000"),
        "scope": Scope.STRATEGY,
        "metric_name": "New registered users",
        "description": "Grow sign-ups this quarter.",
    }
    values.update(overrides)
    return GoalInput(**values)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_create_goal_with_three_tiers_and_audit(org, manager):
    goal = services.goal_create(org=org, actor=manager, data=data(manager))
    assert goal.status == Status.DRAFT
    version = goal.versions.get()
    assert (version.number, version.base, version.challenge, version.stretch) == (
        1,
        D("160000"),
        D("200000"),
        D("240000"),
    )
    entry = AuditEntry.objects.get(target_type="goal", target_id=goal.pk)
    assert entry.action == "goal.create" and entry.actor == manager.user
    assert entry.changes["stretch"] == [None, "240000"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"base": D("210000")}, "challenge"),  # base above challenge
        ({"stretch": D("190000")}, "stretch"),  # challenge above stretch
        ({"base": D("-5")}, "base"),  # negative user count
        ({"stretch": D("1e15")}, "stretch"),  # absurd
        ({"end_date": date(2026, 3, 1)}, "end_date"),  # end before start
        ({"scope": Scope.TEAM}, "team"),  # team goal without a team
    ],
)
def test_bad_goals_name_the_field_and_save_nothing(org, manager, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.goal_create(org=org, actor=manager, data=data(manager, **overrides))
    assert field in errors_of(excinfo)
    assert not Goal.objects.exists()


def test_lower_is_better_reverses_the_tier_order(org, manager):
    goal = services.goal_create(
        org=org, actor=manager,
        data=data(manager, direction="down", aggregation="average", base=D("3"), challenge=D("2.5"), stretch=D("2")),
    )  # fmt: skip
    assert goal.versions.get().stretch == D("2")
    with pytest.raises(ValidationError) as excinfo:
        services.goal_create(
            org=org, actor=manager,
            data=data(manager, direction="down", aggregation="average", base=D("2"), challenge=D("2.5"), stretch=D("3")),
        )  # fmt: skip
    assert "challenge" in errors_of(excinfo)


def test_cascade_rules(org, other_org, manager):
    strategy = factories.goal(org, manager, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    team = factories.team(org, "Operations", managers=[manager])
    child = services.goal_create(
        org=org, actor=manager, data=data(manager, scope=Scope.TEAM, team=team, parent=strategy)
    )
    # outside the parent's period
    with pytest.raises(ValidationError) as excinfo:
        services.goal_create(
            org=org, actor=manager,
            data=data(manager, scope=Scope.TEAM, team=team, parent=strategy, end_date=date(2027, 1, 31)),
        )  # fmt: skip
    assert "end_date" in errors_of(excinfo)
    # a parent in another organisation
    foreign = factories.goal(other_org)
    with pytest.raises(ValidationError) as excinfo:
        services.goal_create(
            org=org, actor=manager, data=data(manager, scope=Scope.TEAM, team=team, parent=foreign)
        )
    assert "parent" in errors_of(excinfo)
    # a cycle: the strategy goal cannot serve its own child
    with pytest.raises(ValidationError) as excinfo:
        services.goal_update(
            goal=strategy, actor=manager,
            data=data(manager, scope=Scope.TEAM, team=team, parent=child, start_date=date(2026, 4, 1)),
        )  # fmt: skip
    assert "parent" in errors_of(excinfo)


def test_status_flow_and_closing_needs_a_result(org, manager):
    goal = factories.goal(org, manager)
    services.goal_set_status(goal=goal, actor=manager, status=Status.PROPOSED)
    services.goal_set_status(goal=goal, actor=manager, status=Status.ACTIVE)
    with pytest.raises(ValidationError) as excinfo:
        services.goal_set_status(goal=goal, actor=manager, status=Status.ACHIEVED)
    assert "result_value" in errors_of(excinfo)
    services.goal_set_status(goal=goal, actor=manager, status=Status.ACHIEVED, result_value=D("131"))
    with pytest.raises(ValidationError):
        services.goal_set_status(goal=goal, actor=manager, status=Status.ACTIVE)


def test_active_goal_targets_only_change_by_revision(org, manager):
    goal = factories.goal(org, manager, status=Status.ACTIVE)
    version = goal.versions.get()
    with pytest.raises(ValidationError) as excinfo:
        services.goal_update(
            goal=goal, actor=manager,
            data=GoalInput(title=goal.title, owner=manager, start_date=goal.start_date, end_date=goal.end_date,
                           base=D("1"), challenge=version.challenge, stretch=version.stretch, scope=goal.scope,
                           metric_name=goal.metric_name, description="x"),
        )  # fmt: skip
    assert "base" in errors_of(excinfo)
    assert goal.versions.get().base == D("100")


def test_comments_and_proposals(org, manager, member):
    goal = factories.goal(org, manager, status=Status.PROPOSED)
    services.comment_add(
        goal=goal, author=member, body="Too low", base=D("120"), challenge=D("140"), stretch=D("170")
    )
    with pytest.raises(ValidationError) as excinfo:
        services.comment_add(
            goal=goal, author=member, body="Bad", base=D("200"), challenge=D("140"), stretch=D("170")
        )
    assert "challenge" in errors_of(excinfo)
    assert [c.proposed_stretch for c in selectors.comment_list(goal=goal)] == [D("170")]


# --- Decomposition ----------------------------------------------------------------------------
def test_decompose_the_article_goal_into_weeks_evenly(org, manager):
    goal = services.goal_create(org=org, actor=manager, data=data(manager))
    slices = services.decomposition_preview(goal=goal, kind="week", method="even")
    assert len(slices) == 14  # 1 Apr (Wed) – 30 Jun 2026 touches 14 Monday-weeks
    assert sum(s.challenge for s in slices) == D("200000")
    rows = [SliceInput(s.start, s.end, s.base, s.challenge, s.stretch) for s in slices]
    saved = services.decomposition_apply(goal=goal, actor=manager, kind="week", rows=rows)
    assert len(saved) == 14 and PeriodTarget.objects.filter(kind="week").count() == 14
    assert AuditEntry.objects.filter(action="period_target.set").count() == 14


def test_decompose_by_working_days_and_weights(org, manager):
    goal = services.goal_create(org=org, actor=manager, data=data(manager))
    by_days = services.decomposition_preview(goal=goal, kind="month", method="working_days")
    assert [s.start for s in by_days] == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert sum(s.base for s in by_days) == D("160000")
    weighted = services.decomposition_preview(
        goal=goal, kind="month", method="weights", weights=[D(1), D(1), D(2)]
    )
    assert [s.stretch for s in weighted] == [D("60000"), D("60000"), D("120000")]
    with pytest.raises(ValidationError) as excinfo:
        services.decomposition_preview(goal=goal, kind="month", method="weights", weights=[D(1)])
    assert "weights" in errors_of(excinfo)


def test_parts_that_do_not_add_up_need_an_override_reason(org, manager):
    goal = services.goal_create(org=org, actor=manager, data=data(manager))
    slices = services.decomposition_preview(goal=goal, kind="month", method="even")
    rows = [SliceInput(s.start, s.end, s.base, s.challenge, s.stretch) for s in slices]
    rows[0] = SliceInput(
        rows[0].start_date, rows[0].end_date, rows[0].base, rows[0].challenge + 10, rows[0].stretch + 10
    )
    with pytest.raises(ValidationError) as excinfo:
        services.decomposition_apply(goal=goal, actor=manager, kind="month", rows=rows)
    assert "override_reason" in errors_of(excinfo)
    assert "challenge +10" in errors_of(excinfo)["override_reason"][0]
    assert not PeriodTarget.objects.exists()
    services.decomposition_apply(
        goal=goal, actor=manager, kind="month", rows=rows, override_reason="Launch in April"
    )
    version = goal.versions.get()
    assert version.overrides["month"]["reason"] == "Launch in April"
    assert AuditEntry.objects.filter(action="goal.decomposition_override").exists()


def test_rates_get_a_level_or_a_ramp(org, manager):
    goal = services.goal_create(
        org=org, actor=manager,
        data=data(manager, metric_name="DAU growth", aggregation="latest", unit="%", baseline=D("0"),
                  base=D("10"), challenge=D("15"), stretch=D("20")),
    )  # fmt: skip
    level = services.decomposition_preview(goal=goal, kind="month", method="level")
    assert [s.challenge for s in level] == [D("15")] * 3
    ramp = services.decomposition_preview(goal=goal, kind="month", method="ramp")
    assert [s.challenge for s in ramp] == [D("5.00"), D("10.00"), D("15.00")]
    with pytest.raises(ValidationError):
        services.decomposition_preview(goal=goal, kind="month", method="even")


def test_split_team_goal_into_members(org, manager, member):
    team = factories.team(org, "Sales", managers=[manager])
    goal = services.goal_create(org=org, actor=manager, data=data(manager, scope=Scope.TEAM, team=team))
    other = factories.member(org)
    allocations = [
        services.Allocation(member, D("80000"), D("100000"), D("120000")),
        services.Allocation(other, D("80000"), D("100000"), D("110000")),
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.goal_split_to_members(goal=goal, actor=manager, allocations=allocations)
    assert "stretch -10000" in errors_of(excinfo)["override_reason"][0]
    children = services.goal_split_to_members(
        goal=goal, actor=manager, allocations=allocations, override_reason="New hire ramps up"
    )
    assert {c.owner for c in children} == {member, other}
    assert all(c.parent == goal and c.scope == Scope.PERSONAL for c in children)


# --- Revisions ------------------------------------------------------------------------------------
def test_revision_is_approved_by_the_parent_owner_and_keeps_history(org, manager, member):
    head = factories.member(org, Role.MANAGER, name="Head")
    strategy = factories.goal(
        org, head, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), status=Status.ACTIVE
    )
    commercial = factories.team(org, "Commercial", managers=[head])  # the head manages the team above Sales
    team = factories.team(org, "Sales", parent=commercial, managers=[manager])
    goal = services.goal_create(
        org=org, actor=manager, data=data(manager, scope=Scope.TEAM, team=team, parent=strategy)
    )
    services.decomposition_apply(
        goal=goal, actor=manager, kind="month",
        rows=[SliceInput(s.start, s.end, s.base, s.challenge, s.stretch)
              for s in services.decomposition_preview(goal=goal, kind="month", method="even")],
    )  # fmt: skip
    services.goal_set_status(goal=goal, actor=manager, status=Status.ACTIVE)
    revision = services.revision_request(
        goal=goal, requester=manager, reason=Revision.Reason.FORCE_MAJEURE, comment="Epidemic closes offline channels",
        base=D("130000"), challenge=D("160000"), stretch=D("190000"), effective_from=date(2026, 5, 1),
    )  # fmt: skip
    with pytest.raises(NotAllowed, match="your own"):
        services.revision_decide(revision=revision, decider=manager, approve=True)
    with pytest.raises(NotAllowed, match="the owner of the goal it serves"):
        services.revision_decide(revision=revision, decider=member, approve=True)
    services.revision_decide(revision=revision, decider=head, approve=True, comment="Agreed")
    versions = list(goal.versions.order_by("number"))
    assert [(v.number, v.challenge) for v in versions] == [(1, D("200000")), (2, D("160000"))]
    goal = Goal.objects.get(pk=goal.pk)
    assert selectors.version_in_force(goal=goal, on=date(2026, 4, 15)).number == 1
    assert selectors.version_in_force(goal=goal, on=date(2026, 5, 1)).number == 2
    # April's slice is history; May and June share what remains.
    months = list(versions[1].period_targets.filter(kind="month").order_by("start_date"))
    april_v1 = versions[0].period_targets.get(kind="month", start_date=date(2026, 4, 1))
    assert months[0].challenge == april_v1.challenge
    assert sum(m.challenge for m in months) == D("160000")
    assert AuditEntry.objects.filter(action="revision.approve").exists()


def test_revision_bad_input(org, manager):
    closed = factories.goal(org, manager, status=Status.ACTIVE)
    services.goal_set_status(goal=closed, actor=manager, status=Status.MISSED, result_value=D("90"))
    with pytest.raises(ValidationError, match="Only an active goal"):
        services.revision_request(
            goal=closed, requester=manager, reason="market", comment="x", base=D(1), challenge=D(2), stretch=D(3),
            effective_from=date(2026, 2, 1),
        )  # fmt: skip
    active = factories.goal(org, manager, status=Status.ACTIVE)
    with pytest.raises(ValidationError) as excinfo:
        services.revision_request(
            goal=active, requester=manager, reason="nope", comment="", base=D(3), challenge=D(2), stretch=D(1),
            effective_from=date(2027, 1, 1),
        )  # fmt: skip
    assert set(errors_of(excinfo)) >= {"reason", "comment", "challenge", "effective_from"}
    assert not Revision.objects.exists()
    assert TargetVersion.objects.filter(goal=active).count() == 1


# --- History and SMART -----------------------------------------------------------------------------
def test_tier_suggestion_from_past_quarters(org, manager):
    for i, value in enumerate([150000, 160000, 172000, 180000]):
        g = factories.goal(
            org, manager, metric_name="New registered users", start_date=date(2025, 1 + 3 * i, 1),
            end_date=date(2025, 3 + 3 * i, 28), status=Status.ACTIVE,
        )  # fmt: skip
        services.goal_set_status(goal=g, actor=manager, status=Status.ACHIEVED, result_value=D(value))
    history = selectors.metric_history(org=org, metric_name="new registered users")
    assert [p.value for p in history] == [D(150000), D(160000), D(172000), D(180000)]
    from goals.smart import suggest_tiers

    suggestion = suggest_tiers(history)
    assert suggestion.base <= suggestion.challenge <= suggestion.stretch
    assert suggestion.stretch == D("193500")  # 180000 × (1 + best growth 7.5 %)
    assert "4 past periods" in suggestion.reasoning


def test_suggestions_from_odd_histories():
    def points(*values):
        return [HistoryPoint(str(i), date(2025, 1 + i, 1), D(v)) for i, v in enumerate(values)]

    improving = suggest_tiers(points(-100, -50), direction="up")
    assert improving is not None and "+50.0%" not in improving.reasoning and improving.stretch >= D(-50)
    assert "average of 50.0%" in improving.reasoning  # -100 → -50 is growth, not decline
    assert improving.base <= improving.challenge <= improving.stretch
    falling = suggest_tiers(points(100, 10), direction="up", non_negative=True)
    assert falling is not None and falling.base >= 0
    suggest_tiers(points("0.0001", "9999999999999"))  # an absurd history must not raise
    assert suggest_tiers(points(5)) is None
