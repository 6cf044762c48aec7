"""Regression tests for defects found in review: each would have been a wrong number, a takeover
or a server error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from goals import selectors, services
from goals.models import Goal, PeriodTarget, Status
from goals.services import GoalInput, SliceInput
from goals.smart import HistoryPoint, suggest_tiers
from teams.errors import NotAllowed
from teams.models import AuditEntry, Role
from tests import factories
from tests.conftest import login


def _input(goal, **changes) -> GoalInput:
    version = goal.versions.order_by("-number").first()
    values = {
        "title": goal.title, "owner": goal.owner, "start_date": goal.start_date, "end_date": goal.end_date,
        "base": version.base, "challenge": version.challenge, "stretch": version.stretch, "scope": goal.scope,
        "team": goal.team, "parent": goal.parent, "metric_name": goal.metric_name, "description": goal.description,
        "rationale": goal.rationale, "aggregation": goal.aggregation, "direction": goal.direction,
    }  # fmt: skip
    values.update(changes)
    return GoalInput(**values)


def _decompose(goal, actor, kind="month", method="even"):
    rows = [SliceInput(s.start, s.end, s.base, s.challenge, s.stretch)
            for s in services.decomposition_preview(goal=goal, kind=kind, method=method)]  # fmt: skip
    services.decomposition_apply(goal=goal, actor=actor, kind=kind, rows=rows)


def test_a_manager_cannot_take_over_an_active_goal_to_approve_its_revisions(org, admin, manager):
    strategy = factories.goal(org, admin, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), status="active",
                              rationale="x")  # fmt: skip
    with pytest.raises(NotAllowed, match="company goal"):  # not theirs to change at all
        services.goal_update(goal=strategy, actor=manager, data=_input(strategy, owner=manager))
    assert Goal.objects.get(pk=strategy.pk).owner == admin
    team = factories.team(org, "T", managers=[manager])
    team_goal = factories.goal(org, manager, parent=strategy, team=team, scope="team", status="active")
    member = factories.member(org, Role.MEMBER, teams=[team])
    with pytest.raises(ValidationError) as excinfo:  # managing the team does not hand an active goal over
        services.goal_update(goal=team_goal, actor=manager, data=_input(team_goal, owner=member))
    assert "owner" in excinfo.value.message_dict
    revision = services.revision_request(
        goal=team_goal, requester=member, reason="market", comment="x", base=D(90), challenge=D(110), stretch=D(130),
        effective_from=date(2026, 2, 1),
    )  # fmt: skip
    assert not selectors.can_decide_revision(revision=revision, member=manager)  # owner of the goal itself
    with pytest.raises(NotAllowed, match="your own goal"):
        services.revision_decide(revision=revision, decider=manager, approve=True)
    services.revision_decide(revision=revision, decider=admin, approve=True)


def test_a_parent_cannot_shrink_around_its_children(org, manager):
    parent = factories.goal(
        org, manager, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), rationale="x"
    )
    factories.goal(org, manager, parent=parent, team=factories.team(org, "T"), scope="team",
                   start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        services.goal_update(goal=parent, actor=manager, data=_input(parent, end_date=date(2026, 3, 31)))
    assert "end_date" in excinfo.value.message_dict


def test_moving_a_draft_clears_its_old_period_targets(org, manager):
    goal = factories.goal(org, manager)
    _decompose(goal, manager)
    services.goal_update(goal=goal, actor=manager, data=_input(goal, start_date=date(2026, 7, 1),
                                                               end_date=date(2026, 9, 30)))  # fmt: skip
    assert not PeriodTarget.objects.filter(version__goal=goal).exists()


def test_revisions_never_rewrite_the_past_and_keep_the_decomposition_shape(org, admin, manager):
    goal = factories.goal(org, manager, base=D(100), challenge=D(200), stretch=D(300))
    rows = [SliceInput(s.start, s.end, s.base, s.challenge, s.stretch) for s in
            services.decomposition_preview(goal=goal, kind="month", method="weights", weights=[D(1), D(1), D(2)])]  # fmt: skip
    services.decomposition_apply(goal=goal, actor=manager, kind="month", rows=rows)
    services.goal_set_status(goal=goal, actor=manager, status=Status.ACTIVE)
    # The months before March already carry 100 of the challenge: 80 is not enough.
    with pytest.raises(ValidationError) as excinfo:
        services.revision_request(goal=goal, requester=manager, reason="market", comment="x", base=D(40),
                                  challenge=D(80), stretch=D(300), effective_from=date(2026, 3, 1))  # fmt: skip
    assert "effective_from" in excinfo.value.message_dict
    revision = services.revision_request(goal=goal, requester=manager, reason="market", comment="x", base=D(90),
                                         challenge=D(180), stretch=D(270), effective_from=date(2026, 2, 1))  # fmt: skip
    services.revision_decide(revision=revision, decider=admin, approve=True)
    months = list(goal.versions.get(number=2).period_targets.order_by("start_date"))
    assert [m.challenge for m in months] == [
        D(50),
        D(43),
        D(87),
    ]  # January kept; 130 left shared 1:2 like before
    assert sum(m.challenge for m in months) == D(180)
    with pytest.raises(ValidationError) as excinfo:  # before the version in force: refused
        services.revision_request(goal=goal, requester=manager, reason="market", comment="x", base=D(90),
                                  challenge=D(180), stretch=D(270), effective_from=date(2026, 1, 15))  # fmt: skip
    assert "effective_from" in excinfo.value.message_dict


def test_an_error_in_the_original_targets_can_apply_from_the_start(org, admin, manager):
    goal = factories.goal(org, manager, status=Status.ACTIVE)
    revision = services.revision_request(goal=goal, requester=manager, reason="error", comment="Typo", base=D(10),
                                         challenge=D(12), stretch=D(15), effective_from=goal.start_date)  # fmt: skip
    services.revision_decide(revision=revision, decider=admin, approve=True)
    from goals.selectors import version_in_force

    assert version_in_force(goal=goal, on=goal.start_date).number == 2


def test_more_than_four_decimals_are_refused(org, manager):
    with pytest.raises(ValidationError) as excinfo:
        factories.goal(org, manager, base=D("33.33333"))
    assert "Use at most 4 decimal places." in excinfo.value.message_dict["base"]


def test_closing_records_the_result_in_the_audit_trail(org, manager):
    goal = factories.goal(org, manager, status=Status.ACTIVE)
    services.goal_set_status(goal=goal, actor=manager, status=Status.ACHIEVED, result_value=D(131))
    entry = AuditEntry.objects.get(action="goal.achieved")
    assert entry.changes["result_value"] == [None, "131"]


def test_active_goals_slices_change_only_by_revision_and_history_shows_everything(org, admin, manager):
    goal = factories.goal(org, manager)
    _decompose(goal, manager)
    services.goal_set_status(goal=goal, actor=manager, status=Status.ACTIVE)
    with pytest.raises(ValidationError) as excinfo:
        _decompose(goal, manager)
    assert "kind" in excinfo.value.message_dict
    services.supporting_metric_save(
        goal=goal, actor=manager, kind="leading", name="Visits", weekly_target=D(5)
    )
    client = APIClient()
    client.force_authenticate(manager.user)
    actions = {e["action"] for e in client.get(f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/history/").json()}
    assert {"goal.create", "period_target.set", "goal.active", "supporting_metric.create"} <= actions


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


@pytest.mark.parametrize(
    ("name", "params"),
    [("goals_index", {"team": "²"}), ("goals_index", {"root": "²"}), ("goals_index", {"root": "9" * 30})],
)
def test_odd_query_strings_never_crash(org, member, name, params):
    assert login(member).get(reverse(name, args=[org.slug]), params).status_code in (200, 404)


def test_odd_numbers_on_the_pages_are_clear_errors(org, manager):
    goal = factories.goal(org, manager)
    client = login(manager)
    decompose = reverse("goal_decompose", args=[org.slug, goal.pk])
    for weights in ("NaN,1,1", "Infinity,1,1", "1e999999999,1,1"):
        response = client.get(decompose, {"kind": "month", "method": "weights", "weights": weights})
        assert response.status_code == 400, weights
    page = client.get(decompose, {"kind": "month", "method": "even"})
    post = {"kind": "month", "method": "even", "rows": len(page.context["rows"]), "action": "save"}
    for i, r in enumerate(page.context["rows"]):
        post.update({f"start_{i}": r["start_date"].isoformat(), f"end_{i}": r["end_date"].isoformat(),
                     f"base_{i}": r["base"], f"challenge_{i}": r["challenge"], f"stretch_{i}": r["stretch"]})  # fmt: skip
    assert client.post(decompose, {**post, "base_0": "1e999999999"}).status_code == 400
    smart = client.post(
        reverse("goal_smart_check", args=[org.slug]), {"stretch": "NaN", "metric_name": goal.metric_name}
    )
    assert smart.status_code == 200


def test_patch_with_a_non_object_body_is_a_400(org, manager):
    goal = factories.goal(org, manager)
    client = APIClient()
    client.force_authenticate(manager.user)
    response = client.patch(f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/", [1, 2], format="json")
    assert response.status_code == 400 and response.json()["type"] == "validation_error"
