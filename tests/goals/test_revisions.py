"""Revising an active goal's targets: a revision never rewrites the past and keeps the shape of the
decomposition; an error in the original targets may apply from the start; an active goal's slices
change only by revision, and its history shows every change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from goals import services
from goals.models import Status
from goals.services import SliceInput
from tests import factories
from tests.goals.test_goal_edits import decompose


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


def test_active_goals_slices_change_only_by_revision_and_history_shows_everything(org, admin, manager):
    goal = factories.goal(org, manager)
    decompose(goal, manager)
    services.goal_set_status(goal=goal, actor=manager, status=Status.ACTIVE)
    with pytest.raises(ValidationError) as excinfo:
        decompose(goal, manager)
    assert "kind" in excinfo.value.message_dict
    services.supporting_metric_save(
        goal=goal, actor=manager, kind="leading", name="Visits", weekly_target=D(5)
    )
    client = APIClient()
    client.force_authenticate(manager.user)
    actions = {e["action"] for e in client.get(f"/api/v1/orgs/{org.slug}/goals/{goal.pk}/history/").json()}
    assert {"goal.create", "period_target.set", "goal.active", "supporting_metric.create"} <= actions
