"""Who changes a goal (docs/architecture.md, "Who changes what"): admins every goal; a manager the
goals of the teams they manage and of the teams below them; a company goal its owner; a personal
goal its owner and the managers of the owner's teams. Everyone else reads — with 403 from the API
and from page POSTs, and no edit controls on the page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from goals import selectors, services
from goals.models import Goal, PeriodTarget, Revision, Scope, Status, SupportingMetric
from goals.services import GoalInput, SliceInput
from teams.errors import NotAllowed
from teams.models import Role
from teams.selectors import managed_team_ids, team_scope_cache
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries, pinned_queries
from tests.teamworld import team_world


@pytest.fixture
def world(org):
    return team_world(org)


def _input(goal: Goal, **changes) -> GoalInput:
    version = goal.versions.order_by("-number").first()
    values = {
        "title": goal.title, "owner": goal.owner, "start_date": goal.start_date, "end_date": goal.end_date,
        "base": version.base, "challenge": version.challenge, "stretch": version.stretch, "scope": goal.scope,
        "team": goal.team, "parent": goal.parent, "metric_name": goal.metric_name, "description": goal.description,
    }  # fmt: skip
    values.update(changes)
    return GoalInput(**values)


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


# --- The rule -------------------------------------------------------------------------------------
def test_managed_teams_include_every_team_below_in_one_query(org, world):
    grandchild = factories.team(org, "A1a", parent=world.team_a1)
    with pinned_queries(1):
        reach = managed_team_ids(member=world.manager_a)
    assert reach == {world.team_a.pk, world.team_a1.pk, grandchild.pk}
    assert managed_team_ids(member=world.manager_b) == {world.team_b.pk}
    assert managed_team_ids(member=world.member_a1) == frozenset()
    with team_scope_cache(), pinned_queries(1):  # a request reads it once
        for _ in range(5):
            managed_team_ids(member=world.manager_a)


def test_who_changes_which_goal(org, world):
    def may(member, goal):
        return selectors.can_change_goal(member=member, goal=goal)

    w = world
    assert may(w.manager_a, w.goal_a1) and not may(w.manager_a, w.goal_b)  # A1 is below A
    assert may(w.manager_b, w.goal_b) and not may(w.manager_b, w.goal_a1)
    assert may(w.admin, w.goal_a1) and may(w.admin, w.goal_b)
    assert not may(w.member_a1, w.goal_a1) and not may(w.viewer, w.goal_a1)
    # A personal goal: the managers of the owner's teams (and its owner when a manager).
    assert may(w.manager_a, w.personal_a1) and not may(w.manager_b, w.personal_a1)
    assert not may(w.member_a1, w.personal_a1)  # members report values and ask for revisions
    # A company goal (no team): admins and its owner.
    strategy = factories.goal(org, w.manager_b, title="Company goal")
    assert may(w.manager_b, strategy) and may(w.admin, strategy) and not may(w.manager_a, strategy)
    # Many goals at once give the same answers, in a fixed number of queries.
    goals = [w.goal_a1, w.goal_b, w.personal_a1, strategy]
    assert selectors.changeable_goal_ids(member=w.manager_a, goals=goals) == {w.goal_a1.pk, w.personal_a1.pk}


# --- Services -------------------------------------------------------------------------------------
def test_a_manager_cannot_change_another_teams_goal_and_nothing_changes(world):
    w = world
    before = Goal.objects.get(pk=w.goal_b.pk)
    refusals = [
        lambda: services.goal_update(goal=w.goal_b, actor=w.manager_a, data=_input(w.goal_b, title="Taken over")),
        lambda: services.goal_set_status(goal=w.goal_b, actor=w.manager_a, status=Status.CANCELLED),
        lambda: services.goal_set_status(goal=w.goal_b, actor=w.manager_a, status=Status.ACHIEVED, result_value=D(1)),
        lambda: services.supporting_metric_save(goal=w.goal_b, actor=w.manager_a, kind="leading", name="Visits",
                                                weekly_target=D(5)),
        lambda: services.decomposition_apply(goal=w.goal_b, actor=w.manager_a, kind="month", rows=[]),
        lambda: services.goal_split_to_members(goal=w.goal_b, actor=w.manager_a, allocations=[]),
    ]  # fmt: skip
    for refuse in refusals:
        with pytest.raises(NotAllowed, match="“B”"):
            refuse()
    after = Goal.objects.get(pk=w.goal_b.pk)
    assert (after.title, after.status) == (before.title, before.status) == ("B goal", Status.ACTIVE)
    assert not SupportingMetric.objects.filter(goal=w.goal_b).exists()
    assert not PeriodTarget.objects.filter(version__goal=w.goal_b).exists()


def test_a_manager_changes_the_goals_of_a_sub_team(world):
    w = world
    services.goal_update(goal=w.goal_a1, actor=w.manager_a, data=_input(w.goal_a1, title="A1 goal, sharper"))
    services.supporting_metric_save(goal=w.goal_a1, actor=w.manager_a, kind="leading", name="Visits",
                                    weekly_target=D(5))  # fmt: skip
    services.goal_set_status(goal=w.goal_a1, actor=w.manager_a, status=Status.ACHIEVED, result_value=D(130))
    assert Goal.objects.get(pk=w.goal_a1.pk).status == Status.ACHIEVED


def test_admins_change_every_goal_and_members_none(world):
    w = world
    services.goal_update(goal=w.goal_b, actor=w.admin, data=_input(w.goal_b, title="B goal (admin)"))
    assert Goal.objects.get(pk=w.goal_b.pk).title == "B goal (admin)"
    with pytest.raises(NotAllowed):
        services.goal_set_status(goal=w.goal_a1, actor=w.member_a1, status=Status.CANCELLED)


def test_a_goal_goes_only_where_its_author_may_change_it(org, world):
    w = world
    data = GoalInput(title="Poach", owner=w.manager_a, start_date=date(2026, 1, 1), end_date=date(2026, 3, 31),
                     base=D(1), challenge=D(2), stretch=D(3), scope=Scope.TEAM, team=w.team_b)  # fmt: skip
    with pytest.raises(NotAllowed):
        services.goal_create(org=org, actor=w.manager_a, data=data)
    with pytest.raises(NotAllowed):  # nor move one of theirs into another team
        services.goal_update(goal=w.goal_a1, actor=w.manager_a, data=_input(w.goal_a1, team=w.team_b))
    assert Goal.objects.get(pk=w.goal_a1.pk).team == w.team_a1
    created = services.goal_create(
        org=org, actor=w.manager_a, data=GoalInput(**{**data.__dict__, "team": w.team_a1})
    )
    assert created.team == w.team_a1


def test_revisions_are_asked_by_the_goals_people_and_decided_within_the_team_scope(org, world):
    w = world
    stranger = factories.member(org, Role.MEMBER, name="Sam Sales", teams=[w.team_b])
    ask = {"reason": "market", "comment": "Competition", "base": D(90), "challenge": D(110), "stretch": D(140),
           "effective_from": w.goal_a1.start_date + timedelta(days=1)}  # fmt: skip
    with pytest.raises(NotAllowed):  # neither its owner nor of its team
        services.revision_request(goal=w.goal_a1, requester=stranger, **ask)
    with pytest.raises(NotAllowed):
        services.revision_request(goal=w.goal_a1, requester=w.manager_b, **ask)
    assert not Revision.objects.exists()
    revision = services.revision_request(goal=w.personal_a1, requester=w.member_a1, **ask)
    # Amy's share serves the A1 goal, owned by Alice, who manages A (above A1): Alice decides.
    with pytest.raises(NotAllowed):
        services.revision_decide(revision=revision, decider=w.manager_b, approve=True)
    assert services.revision_decide(revision=revision, decider=w.manager_a, approve=False).state == "rejected"


# --- API ------------------------------------------------------------------------------------------
def test_the_api_answers_403_to_another_teams_manager_before_reading_the_body(org, world):
    w = world
    client = api(w.manager_a)
    base = f"/api/v1/orgs/{org.slug}/goals/{w.goal_b.pk}/"
    attempts = [
        client.patch(base, {"title": "Taken over"}, format="json"),
        client.put(base, {"nonsense": True}, format="json"),  # 403, not 400: the body is never read
        client.post(base + "status/", {"status": "cancelled"}, format="json"),
        client.post(base + "decomposition/preview/", {"kind": "month", "method": "even"}, format="json"),
        client.put(base + "decomposition/", {"kind": "month", "rows": []}, format="json"),
        client.post(base + "split/", {"allocations": []}, format="json"),
        client.post(f"/api/v1/orgs/{org.slug}/supporting-metrics/",
                    {"goal": w.goal_b.pk, "kind": "leading", "name": "Visits", "weekly_target": "5"}, format="json"),
    ]  # fmt: skip
    for response in attempts:
        assert response.status_code == 403, response.content
        assert response.json()["type"] == "permission_denied"
    assert "“B”" in attempts[0].json()["detail"]
    goal = Goal.objects.get(pk=w.goal_b.pk)
    assert (goal.title, goal.status) == ("B goal", Status.ACTIVE)
    assert not SupportingMetric.objects.exists()
    # Reading stays open, and their own sub-team's goal is theirs to change.
    assert client.get(base).status_code == 200
    mine = client.patch(
        f"/api/v1/orgs/{org.slug}/goals/{w.goal_a1.pk}/", {"title": "A1, renamed"}, format="json"
    )
    assert mine.status_code == 200 and mine.json()["title"] == "A1, renamed"


def test_the_api_refuses_a_goal_in_a_team_the_manager_does_not_manage(org, world):
    w = world
    body = {"title": "Poach", "scope": "team", "team": w.team_b.pk, "owner": w.manager_a.pk,
            "start_date": "2026-10-01", "end_date": "2026-12-31", "base": "1", "challenge": "2", "stretch": "3"}  # fmt: skip
    assert api(w.manager_a).post(f"/api/v1/orgs/{org.slug}/goals/", body, format="json").status_code == 403
    assert not Goal.objects.filter(title="Poach").exists()


# --- Pages ----------------------------------------------------------------------------------------
def test_another_teams_goal_page_offers_no_edit_close_or_cancel(org, world):
    w = world
    page = login(w.manager_a).get(reverse("goal_detail", args=[org.slug, w.goal_b.pk])).content.decode()
    for control in (reverse("goal_edit", args=[org.slug, w.goal_b.pk]), reverse("goal_split", args=[org.slug, w.goal_b.pk]),
                    reverse("goal_status", args=[org.slug, w.goal_b.pk]), "Close as achieved", "Cancel goal",
                    reverse("goal_metric", args=[org.slug, w.goal_b.pk]), "Decompose"):  # fmt: skip
        assert control not in page, control
    own = login(w.manager_a).get(reverse("goal_detail", args=[org.slug, w.goal_a1.pk])).content.decode()
    for control in (reverse("goal_edit", args=[org.slug, w.goal_a1.pk]), "Close as achieved", "Cancel goal"):
        assert control in own, control
    decompose = (
        login(w.manager_a).get(reverse("goal_decompose", args=[org.slug, w.goal_b.pk])).content.decode()
    )
    assert "readonly" in decompose and 'value="save"' not in decompose


def test_page_posts_on_another_teams_goal_are_refused_with_403(org, world):
    w = world
    client = login(w.manager_a)
    posts = [
        ("goal_edit", {"title": "Taken over"}),
        ("goal_status", {"status": "cancelled"}),
        ("goal_metric", {"kind": "leading", "name": "Visits", "weekly_target": "5"}),
        ("goal_decompose", {"rows": "0", "action": "save"}),
        ("goal_split", {}),
    ]
    for name, data in posts:
        response = client.post(reverse(name, args=[org.slug, w.goal_b.pk]), data)
        assert response.status_code == 403, name
    assert client.get(reverse("goal_edit", args=[org.slug, w.goal_b.pk])).status_code == 403  # no form either
    refused = client.post(reverse("goal_status", args=[org.slug, w.goal_b.pk]), {"status": "cancelled"})
    assert "“B”" in refused.content.decode()  # the page says why
    assert Goal.objects.get(pk=w.goal_b.pk).status == Status.ACTIVE


def test_the_goal_form_offers_only_the_teams_a_manager_may_use(org, world):
    w = world
    form = login(w.manager_a).get(reverse("goal_create", args=[org.slug])).context["form"]
    assert set(form.fields["team"].queryset) == {w.team_a, w.team_a1}
    refused = login(w.manager_a).post(reverse("goal_create", args=[org.slug]), {
        "title": "Company goal for someone else", "scope": "strategy", "owner": w.manager_b.pk, "rationale": "x",
        "start_date": "2026-10-01", "end_date": "2026-12-31", "weight": "1", "direction": "up", "aggregation": "sum",
        "period_kind": "quarter", "base": "1", "challenge": "2", "stretch": "3"})  # fmt: skip
    assert refused.status_code == 400 and "owner" in refused.context["form"].errors  # said next to the field
    assert not Goal.objects.filter(title="Company goal for someone else").exists()


GOAL_TREE_QUERIES = (
    8  # warm: the roll-up from the shared cache (goals.progress_cache), 3 fewer on a cold read
)


def test_the_goal_tree_reads_the_managers_reach_once_whatever_the_number_of_goals(org, world):
    client = login(world.manager_a)
    url = reverse("goals_index", args=[org.slug])

    assert_queries(GOAL_TREE_QUERIES, client, url)
    for n in range(20):
        factories.goal(org, world.manager_b, actor=world.admin, team=world.team_b, scope="team", title=f"B{n}",
                       parent=world.goal_b, start_date=world.goal_b.start_date, end_date=world.goal_b.end_date)  # fmt: skip
    assert_queries(GOAL_TREE_QUERIES, client, url)


def test_decomposition_of_a_sub_team_goal_is_saved_by_the_manager_above(org, world):
    w = world
    rows = [SliceInput(s.start, s.end, s.base, s.challenge, s.stretch)
            for s in services.decomposition_preview(goal=w.goal_a1, kind="month", method="even")]  # fmt: skip
    Goal.objects.filter(pk=w.goal_a1.pk).update(status=Status.DRAFT)  # active goals decompose once
    w.goal_a1.refresh_from_db()
    services.decomposition_apply(goal=w.goal_a1, actor=w.manager_a, kind="month", rows=rows)
    assert PeriodTarget.objects.filter(version__goal=w.goal_a1, kind="month").count() == len(rows)
