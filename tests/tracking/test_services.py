"""Stand-ups, metric values and the indicator recompute, through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from goals import services as goal_services
from goals.progress import goal_progress
from teams.models import OutboxJob, Role
from teams.selectors import org_today
from tests import factories
from tests.tracking.deal import fall_behind, sales_deal
from tracking import indicators, services
from tracking.indicators import GoalFacts
from tracking.models import IndicatorSnapshot, MetricEntry, Standup
from tracking.services import EntryInput, StandupInput


@pytest.fixture
def team(org, member, manager):
    team = factories.team(org, "Operations", managers=[manager])
    member.teams.add(team)
    return team


@pytest.fixture
def goal(org, manager, team):
    today = org_today(org)
    return factories.goal(
        org, manager, team=team, title="New users", start_date=today - timedelta(days=29),
        end_date=today + timedelta(days=60), base=D(900), challenge=D(1000), stretch=D(1200), status="active",
    )  # fmt: skip


def test_a_standup_with_values_recomputes_the_goal_after_commit(
    org, member, goal, django_capture_on_commit_callbacks
):
    today = org_today(org)
    with django_capture_on_commit_callbacks(execute=True):
        standup = services.standup_submit(member=member, actor=member, data=StandupInput(
            day=today, yesterday="Two referral posts", today="Partner call", blockers="Waiting for legal",
            mood=4, values=(EntryInput(goal_id=goal.pk, value="120"),)))  # fmt: skip
    assert standup.has_blockers and MetricEntry.objects.get(standup=standup).value == D(120)
    snapshot = IndicatorSnapshot.objects.get(goal=goal, metric_key=0, day=today)
    assert snapshot.actual == D(120) and snapshot.status == "off_track"
    assert goal_progress([goal])[goal.pk] == D("12.0")  # of the challenge target


def test_editing_the_same_day_updates_it_and_replaces_its_values(org, member, goal):
    today = org_today(org)
    first = services.standup_submit(member=member, actor=member, data=StandupInput(
        day=today, today="Calls", values=(EntryInput(goal_id=goal.pk, value="5"),)))  # fmt: skip
    again = services.standup_submit(member=member, actor=member, data=StandupInput(
        day=today, today="More calls", values=(EntryInput(goal_id=goal.pk, value="7"),)))  # fmt: skip
    assert first.pk == again.pk and Standup.objects.count() == 1 and again.today == "More calls"
    assert list(MetricEntry.objects.values_list("value", flat=True)) == [D(7)]


def test_a_standup_edited_again_recomputes_only_the_goals_whose_values_changed(
    org, member, manager, goal, team
):
    """The recompute job (in the outbox until commit) is for the goals whose values changed: none
    for the same stand-up sent again, the goal of a value taken out of it too."""
    today = org_today(org)
    visits = factories.goal(org, manager, team=team, title="Visits", start_date=goal.start_date,
                            end_date=goal.end_date, status="active")  # fmt: skip

    def submit(*values: tuple[int, str]) -> list[dict]:
        before = set(OutboxJob.objects.values_list("pk", flat=True))
        services.standup_submit(member=member, actor=member, data=StandupInput(
            day=today, today="Calls", values=tuple(EntryInput(goal_id=g, value=v) for g, v in values)))  # fmt: skip
        return [job.kwargs for job in OutboxJob.objects.exclude(pk__in=before).order_by("pk")]

    since = today.isoformat()
    assert submit((goal.pk, "5"), (visits.pk, "2")) == [
        {"org_id": org.pk, "goal_ids": sorted([goal.pk, visits.pk]), "since": since}
    ]
    assert submit((goal.pk, "5"), (visits.pk, "2")) == []  # nothing changed: nothing to recompute
    assert submit((goal.pk, "6"), (visits.pk, "2")) == [
        {"org_id": org.pk, "goal_ids": [goal.pk], "since": since}
    ]
    assert submit((goal.pk, "6")) == [{"org_id": org.pk, "goal_ids": [visits.pk], "since": since}]
    assert list(MetricEntry.objects.values_list("goal_id", "value")) == [(goal.pk, D(6))]


def test_standup_bad_input_changes_nothing(org, member, manager, goal, other_org, outsider):
    today = org_today(org)
    foreign = factories.goal(other_org, outsider, status="active", start_date=today - timedelta(days=3),
                             end_date=today + timedelta(days=3))  # fmt: skip
    cases = [
        (manager, StandupInput(day=today, today="x"), "member"),  # someone else's stand-up
        (member, StandupInput(day=today + timedelta(days=1), today="x"), "day"),
        (member, StandupInput(day=today - timedelta(days=30), today="x"), "day"),
        (member, StandupInput(day=today, today="x", mood=9), "mood"),
        (member, StandupInput(day=today), "today"),  # nothing written at all
        (
            member,
            StandupInput(day=today, today="x", values=(EntryInput(goal_id=foreign.pk, value="1"),)),
            "values.0.goal",
        ),
        (
            member,
            StandupInput(day=today, today="x", values=(EntryInput(goal_id=goal.pk, value="lots"),)),
            "values.0.value",
        ),
    ]
    for actor, data, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.standup_submit(member=member, actor=actor, data=data)
        assert field in caught.value.message_dict, (data, caught.value.message_dict)
    assert not Standup.objects.exists() and not MetricEntry.objects.exists()


def test_bulk_push_is_idempotent_by_external_id(org, manager, goal, django_capture_on_commit_callbacks):
    today = org_today(org)
    rows = [EntryInput(goal_id=goal.pk, value=str(10 + n % 5), day=(today - timedelta(days=n % 20)).isoformat(),
                       external_id=f"crm-{n}") for n in range(3000)]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        first = services.entries_save(org=org, actor=manager, rows=rows)
    assert (first.created, first.updated, first.unchanged) == (3000, 0, 0)
    again = services.entries_save(org=org, actor=manager, rows=rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3000)
    corrected = services.entries_save(org=org, actor=manager, rows=[EntryInput(
        goal_id=goal.pk, value="99", day=today.isoformat(), external_id="crm-0")])  # fmt: skip
    assert corrected.updated == 1 and MetricEntry.objects.count() == 3000
    assert MetricEntry.objects.get(external_id="crm-0").value == D(99)
    assert IndicatorSnapshot.objects.filter(goal=goal, metric_key=0, day=today).exists()


def test_bulk_bad_rows_are_reported_by_row_and_nothing_is_stored(org, manager, goal, other_org, outsider):
    today = org_today(org)
    foreign = factories.goal(other_org, outsider, status="active")
    rows = [
        EntryInput(goal_id=goal.pk, value="1", day=today.isoformat()),
        EntryInput(goal_id=foreign.pk, value="1", day=today.isoformat()),
        EntryInput(goal_id=goal.pk, value="1e400", day=today.isoformat()),
        EntryInput(goal_id=goal.pk, value="1", day="2026-13-01"),
        EntryInput(goal_id=goal.pk, value="1", day=(today + timedelta(days=1)).isoformat()),
        EntryInput(goal_id=goal.pk, value="1", day=today.isoformat(), external_id="a"),
        EntryInput(goal_id=goal.pk, value="2", day=today.isoformat(), external_id="a"),
    ]
    with pytest.raises(ValidationError) as caught:
        services.entries_save(org=org, actor=manager, rows=rows)
    assert caught.value.rows == {
        2: {"goal": "No such goal in this organisation."},
        3: {"value": "Enter a number (for example 1250 or 3.5)."},
        4: {"day": "Enter a date as YYYY-MM-DD."},
        5: {"day": "A value cannot be for a future day."},
        7: {"external_id": "Same external id as row 6 with another value."},
    }
    assert not MetricEntry.objects.exists()


def test_bulk_limit(org, manager, goal, settings):
    settings.TRACKING_BULK_LIMIT = 10
    with pytest.raises(ValidationError) as caught:
        services.entries_save(org=org, actor=manager, rows=[EntryInput(goal_id=goal.pk, value="1")] * 11)
    assert "At most 10 values per request; this one has 11." in caught.value.message_dict["entries"]


def test_who_may_enter_values(org, members, goal, team):
    viewer, hr = members[Role.VIEWER], members[Role.HR]
    outsider_member = factories.member(org)  # a member, not in the goal's team
    for actor in (viewer, hr, outsider_member):
        with pytest.raises(ValidationError):
            services.entry_create(org=org, actor=actor, data=EntryInput(goal_id=goal.pk, value="1"))
    entry = services.entry_create(
        org=org, actor=members[Role.MEMBER], data=EntryInput(goal_id=goal.pk, value="3")
    )
    assert entry.value == D(3) and entry.source == "manual"


def test_recompute_twice_gives_the_same_rows_and_history_is_backfilled(org, manager, goal):
    today = org_today(org)
    metric = goal_services.supporting_metric_save(goal=goal, actor=manager, kind="leading", name="Content pushes",
                                                  weekly_target=D(20))  # fmt: skip
    risk = goal_services.supporting_metric_save(goal=goal, actor=manager, kind="risk", name="Complaint rate",
                                                direction="down", threshold=D(2))  # fmt: skip
    services.entries_save(org=org, actor=manager, rows=[
        EntryInput(goal_id=goal.pk, value="15", day=(today - timedelta(days=n)).isoformat()) for n in range(10)
    ] + [EntryInput(goal_id=goal.pk, supporting_metric_id=metric.pk, value="4", day=today.isoformat()),
         EntryInput(goal_id=goal.pk, supporting_metric_id=risk.pk, value="2.5", day=today.isoformat())])  # fmt: skip
    written = services.indicators_recompute(org=org, since=today - timedelta(days=9))
    assert written == 30  # 10 days × (goal + leading + risk)

    def rows():
        return list(IndicatorSnapshot.objects.order_by("goal", "metric_key", "day").values_list(
            "goal", "metric_key", "day", "actual", "expected", "status", "tier_projected", "detail"))  # fmt: skip

    before = rows()
    services.indicators_recompute(org=org, since=today - timedelta(days=9))
    assert rows() == before and len(before) == 30
    latest = IndicatorSnapshot.objects.get(goal=goal, metric_key=risk.pk, day=today)
    assert (
        latest.kind == "risk"
        and latest.status == "off_track"
        and latest.detail["breached_since"] == today.isoformat()
    )
    lagging = IndicatorSnapshot.objects.get(goal=goal, metric_key=0, day=today)
    assert lagging.actual == D(150) and lagging.kind == "lagging"


def test_demo_carries_the_articles_tracking_example(db):
    from django.core.management import call_command

    from goals.demo import OPS_USERS, SALES_DEALS
    from tracking.models import Alert, CorrectiveAction

    call_command("seed_demo")
    ops = IndicatorSnapshot.objects.filter(goal__title=OPS_USERS, metric_key=0).latest("day")
    sales = IndicatorSnapshot.objects.filter(goal__title=SALES_DEALS, metric_key=0).latest("day")
    assert ops.pace >= 100 and ops.tier_projected in ("challenge", "stretch")
    assert D(5) <= D(100) - sales.pace <= D(15) and sales.status == "off_track"  # about 10 % behind
    alert = Alert.objects.get(goal__title=SALES_DEALS, kind="lagging_behind")
    assert alert.state == "acknowledged" and alert.cause == "competition"
    assert "promotion budget" in CorrectiveAction.objects.get(alert=alert).description
    assert Standup.objects.count() > 50
    before = (Standup.objects.count(), MetricEntry.objects.count(), Alert.objects.count())
    call_command("seed_demo")
    assert (Standup.objects.count(), MetricEntry.objects.count(), Alert.objects.count()) == before


def test_an_approved_revision_recomputes_from_its_date(
    org, member, manager, admin, django_capture_on_commit_callbacks
):
    goal = sales_deal(org, manager, member).goal
    fall_behind(org, manager, goal)
    revision = goal_services.revision_request(goal=goal, requester=manager, reason="market", comment="Competition",
                                              base=D(700), challenge=D(800), stretch=D(900),
                                              effective_from=org_today(org) - timedelta(days=5))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        goal_services.revision_decide(revision=revision, decider=admin, approve=True)
    snapshot = IndicatorSnapshot.objects.get(goal=goal, metric_key=0, day=org_today(org) - timedelta(days=3))
    assert snapshot.target == D(800)


def test_rates_average_within_a_day_and_costs_meet_tiers_only_at_the_end(org, member, manager):
    goal = sales_deal(org, manager, member).goal
    collection = goal_services.supporting_metric_save(goal=goal, actor=manager, kind="risk", name="Collection rate",
                                                      direction="up", threshold=D(90))  # fmt: skip
    services.entries_save(org=org, actor=manager, rows=[
        services.EntryInput(goal_id=goal.pk, supporting_metric_id=collection.pk, value=v) for v in ("92", "94")])  # fmt: skip
    services.indicators_recompute(org=org)
    snapshot = IndicatorSnapshot.objects.get(goal=goal, metric_key=collection.pk)
    assert snapshot.actual == D(93) and snapshot.status == "on_track"  # not 186
    cost = GoalFacts(
        date(2026, 10, 1),
        date(2026, 12, 30),
        "down",
        "sum",
        {"base": D(50), "challenge": D(40), "stretch": D(30)},
    )
    assert indicators.lagging(cost, {date(2026, 10, 1): D(1)}, date(2026, 10, 1)).tier_reached == "none"
    assert indicators.lagging(cost, {date(2026, 10, 1): D(25)}, date(2027, 1, 5)).tier_reached == "stretch"


def test_the_organisations_threshold_sets_the_snapshot_status(org, member, admin, manager):
    goal = sales_deal(org, manager, member).goal
    services.rule_save(
        org=org, actor=admin, kind="lagging_behind", enabled=True, threshold=D(20), escalate_after_days=3
    )
    fall_behind(org, manager, goal)  # 10.7 % behind: within a 20 % allowance, so only "at risk"
    assert IndicatorSnapshot.objects.get(goal=goal, metric_key=0, day=org_today(org)).status == "at_risk"
