"""A goal's plan follows its goal: admins and the managers of its team (or of a team above it)
change it; an initiative's owner reports its progress; a manager of another team reads it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from plans import services
from plans.models import Dependency, Initiative, TeamBudget
from plans.services import InitiativeInput
from teams.errors import NotAllowed
from tests.conftest import login
from tests.teamworld import team_world


@pytest.fixture
def world(org):
    w = team_world(org)
    start = w.goal_a1.start_date

    def add(goal, title, owner, budget=None):
        return services.initiative_create(org=org, actor=w.admin, data=InitiativeInput(
            title=title, goal=goal, owner=owner, start_date=start, due_date=start + timedelta(days=20), budget=budget))  # fmt: skip

    w.a1_work = add(w.goal_a1, "A1 campaign", w.member_a1, D(1000))
    w.a1_more = add(w.goal_a1, "A1 follow-up", w.manager_a)
    w.b_work = add(w.goal_b, "B visits", w.manager_b, D(500))
    w.b_more = add(w.goal_b, "B proposals", w.manager_b)
    return w


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def _input(item: Initiative, **changes) -> InitiativeInput:
    values = {"title": item.title, "goal": item.goal, "owner": item.owner, "start_date": item.start_date,
              "due_date": item.due_date}  # fmt: skip
    return InitiativeInput(**{**values, **changes})


def test_services_refuse_another_teams_plan_and_change_nothing(org, world):
    w = world
    refusals = [
        lambda: services.initiative_create(org=org, actor=w.manager_a, data=_input(w.b_work, title="Poached")),
        lambda: services.initiative_update(initiative=w.b_work, actor=w.manager_a, data=_input(w.b_work, title="X")),
        lambda: services.initiative_progress(initiative=w.b_work, actor=w.manager_a, progress=90),
        lambda: services.dependency_add(predecessor=w.b_work, successor=w.b_more, actor=w.manager_a),
        lambda: services.budget_reallocate(org=org, actor=w.manager_a, source=w.b_work, target=w.a1_more,
                                           amount=D(100), reason="Ours now"),
        lambda: services.team_budget_set(org=org, actor=w.manager_a, team=w.team_b, start_date=w.goal_b.start_date,
                                         end_date=w.goal_b.end_date, amount=D(1)),
    ]  # fmt: skip
    for refuse in refusals:
        with pytest.raises(NotAllowed):
            refuse()
    b_work = Initiative.objects.get(pk=w.b_work.pk)
    assert (b_work.title, b_work.progress, b_work.budget) == ("B visits", 0, D(500))
    assert not Initiative.objects.filter(title="Poached").exists()
    assert not Dependency.objects.exists() and not TeamBudget.objects.exists()


def test_the_manager_above_plans_a_sub_teams_goal_and_owners_report_their_progress(org, world):
    w = world
    services.initiative_update(
        initiative=w.a1_work, actor=w.manager_a, data=_input(w.a1_work, title="A1 campaign 2", budget=D(1000))
    )
    services.dependency_add(predecessor=w.a1_work, successor=w.a1_more, actor=w.manager_a)
    services.budget_reallocate(org=org, actor=w.manager_a, source=w.a1_work, target=w.a1_more, amount=D(100),
                               reason="Follow-up needs it")  # fmt: skip
    services.team_budget_set(org=org, actor=w.manager_a, team=w.team_a1, start_date=w.goal_a1.start_date,
                             end_date=w.goal_a1.end_date, amount=D(5000))  # fmt: skip
    assert services.initiative_progress(initiative=w.a1_work, actor=w.member_a1, progress=40).progress == 40
    with pytest.raises(NotAllowed):  # a member reports only their own initiatives
        services.initiative_progress(initiative=w.a1_more, actor=w.member_a1, progress=40)


def test_the_api_answers_403_before_reading_the_body(org, world):
    w = world
    client = api(w.manager_a)
    base = f"/api/v1/orgs/{org.slug}"
    responses = [
        client.patch(f"{base}/initiatives/{w.b_work.pk}/", {"title": "Taken"}, format="json"),
        client.put(f"{base}/initiatives/{w.b_work.pk}/", {"bad": "body"}, format="json"),
        client.post(f"{base}/initiatives/{w.b_work.pk}/progress/", {"progress": "lots"}, format="json"),
        client.post(f"{base}/initiatives/", {"goal": w.goal_b.pk, "title": "Poached", "owner": w.manager_a.pk,
                                             "start_date": w.goal_b.start_date.isoformat(),
                                             "due_date": w.goal_b.end_date.isoformat()}, format="json"),
        client.post(f"{base}/dependencies/", {"predecessor": w.b_work.pk, "successor": w.b_more.pk}, format="json"),
        client.post(f"{base}/team-budgets/", {"team": w.team_b.pk, "start_date": "2026-10-01",
                                              "end_date": "2026-12-31", "amount": "1"}, format="json"),
        client.post(f"{base}/budget-reallocations/", {"source": w.b_work.pk, "target": w.a1_more.pk, "amount": "1",
                                                      "reason": "x"}, format="json"),
    ]  # fmt: skip
    assert [r.status_code for r in responses] == [403] * len(responses)
    assert Initiative.objects.get(pk=w.b_work.pk).title == "B visits"
    assert not Dependency.objects.exists() and not TeamBudget.objects.exists()
    assert (
        client.patch(f"{base}/initiatives/{w.a1_work.pk}/", {"title": "Mine"}, format="json").status_code
        == 200
    )


def test_another_teams_plan_page_offers_no_edit_or_progress_and_refuses_posts(org, world):
    w = world
    client = login(w.manager_a)
    page = client.get(reverse("goal_plan", args=[org.slug, w.goal_b.pk])).content.decode()
    for control in (reverse("initiative_edit", args=[org.slug, w.b_work.pk]),
                    reverse("initiative_progress", args=[org.slug, w.b_work.pk]),
                    reverse("plan_import", args=[org.slug, w.goal_b.pk]),
                    reverse("dependency_add", args=[org.slug, w.goal_b.pk]),
                    reverse("team_budget", args=[org.slug, w.goal_b.pk])):  # fmt: skip
        assert control not in page, control
    own = client.get(reverse("goal_plan", args=[org.slug, w.goal_a1.pk])).content.decode()
    assert reverse("initiative_edit", args=[org.slug, w.a1_work.pk]) in own
    assert reverse("initiative_progress", args=[org.slug, w.a1_work.pk]) in own
    posts = [
        (reverse("goal_plan", args=[org.slug, w.goal_b.pk]), {"title": "Poached"}),
        (reverse("initiative_progress", args=[org.slug, w.b_work.pk]), {"progress": "90"}),
        (reverse("initiative_edit", args=[org.slug, w.b_work.pk]), {"title": "Taken"}),
        (reverse("dependency_add", args=[org.slug, w.goal_b.pk]), {"predecessor": w.b_work.pk, "successor": w.b_more.pk}),
        (reverse("budget_reallocate", args=[org.slug, w.goal_b.pk]), {"source": w.b_work.pk, "target": w.b_more.pk,
                                                                      "amount": "1", "reason": "x"}),
        (reverse("team_budget", args=[org.slug, w.goal_b.pk]), {"amount": "1"}),
        (reverse("plan_import", args=[org.slug, w.goal_b.pk]), {}),
    ]  # fmt: skip
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("initiative_edit", args=[org.slug, w.b_work.pk])).status_code == 403
    b_work = Initiative.objects.get(pk=w.b_work.pk)
    assert (b_work.title, b_work.progress, b_work.budget) == ("B visits", 0, D(500))


def test_a_member_sees_a_progress_form_on_their_own_rows_only(org, world):
    w = world
    page = login(w.member_a1).get(reverse("goal_plan", args=[org.slug, w.goal_a1.pk])).content.decode()
    assert reverse("initiative_progress", args=[org.slug, w.a1_work.pk]) in page
    assert reverse("initiative_progress", args=[org.slug, w.a1_more.pk]) not in page
    assert reverse("initiative_edit", args=[org.slug, w.a1_work.pk]) not in page
