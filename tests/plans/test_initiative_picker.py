"""The initiative pickers of the plan page (plans.pickers): a dependency's two ends and a budget
move's source and target are search boxes, never a <select> of the whole plan; the search answers
the first 20 initiatives of that goal's plan by title (a budget move's source: only those with
budget), in the signed-in person's organisation; a refused budget move shows its choices again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.urls import reverse

from plans import services
from plans.services import InitiativeInput
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries


def _plan(org, manager, member, titles, budget=None):
    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    items = [
        services.initiative_create(
            org=org,
            actor=manager,
            data=InitiativeInput(
                title=t,
                goal=goal,
                owner=member,
                start_date=date(2026, 10, 5),
                due_date=date(2026, 10, 20),
                budget=budget(n) if budget else None,
            ),
        )  # fmt: skip
        for n, t in enumerate(titles)
    ]
    return goal, items


def pick(client, org, goal, q="", **extra):
    return client.get(
        reverse("initiative_pick", args=[org.slug, goal.pk]), {"q": q, "for": "id_predecessor", **extra}
    )


def test_the_plan_page_offers_search_boxes_not_every_initiative(org, manager, member):
    goal, items = _plan(org, manager, member, [f"Campaign {n:02d}" for n in range(30)])
    body = login(manager).get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    # No initiative is listed as an option (the squad and priority selects keep their few).
    assert "Campaign 00</option>" not in body and f'<option value="{items[0].pk}"' not in body
    for box in ("id_predecessor", "id_successor", "move-source", "move-target"):
        assert f'id="{box}" name="q"' in body and 'role="combobox"' in body
    assert reverse("initiative_pick", args=[org.slug, goal.pk]) + "?budget=1&amp;for=move-source" in body


def test_search_by_title_in_this_plan_only(org, manager, member):
    goal, items = _plan(
        org, manager, member, ["3 online referral campaigns", "5 channel partners", "Onboarding"]
    )
    other, foreign = _plan(org, manager, member, ["Other referral"])
    client = login(member)  # anyone who reads the plan reads its titles
    body = pick(client, org, goal, "REFERRAL").content.decode()
    assert f'data-value="{items[0].pk}"' in body and 'id="id_predecessor-initiative-' in body
    assert "channel" not in body and f'data-value="{foreign[0].pk}"' not in body
    assert pick(client, org, goal, "online campaigns").content.decode().count("data-value=") == 1
    nothing = pick(client, org, goal, "nothing like this").content.decode()
    assert "No initiative found" in nothing and "data-value" not in nothing


def test_a_budget_source_is_one_with_budget(org, manager, member):
    goal, items = _plan(
        org, manager, member, ["Spare", "Urgent"], budget=lambda n: D("4000") if n == 0 else None
    )
    body = pick(login(manager), org, goal, budget="1").content.decode()
    assert f'data-value="{items[0].pk}"' in body and f'data-value="{items[1].pk}"' not in body
    assert "4,000.00" in body or "4000.00" in body


def test_at_most_twenty_matches_and_a_flat_query_count(org, manager, member):
    goal, _items = _plan(org, manager, member, [f"Task {n:02d}" for n in range(25)])
    client = login(manager)
    body = pick(client, org, goal, "task").content.decode()
    assert body.count("data-value=") == 20 and "The first 20 matches" in body
    url = reverse("initiative_pick", args=[org.slug, goal.pk]) + "?q=task"
    few_goal, _few = _plan(org, manager, member, ["Task"])
    few_url = reverse("initiative_pick", args=[org.slug, few_goal.pk]) + "?q=task"
    assert_queries(PICK_QUERIES, client, url)
    assert_queries(PICK_QUERIES, client, few_url)


PICK_QUERIES = 4  # session + user, membership, the goal, the matches


def test_bad_input_and_another_organisation(org, manager, member, outsider, other_org):
    goal, _items = _plan(org, manager, member, ["A", "B"])
    client = login(manager)
    odd = client.get(reverse("initiative_pick", args=[org.slug, goal.pk]),
                     {"q": "x" * 5000 + "\x00%", "for": '"><script>', "budget": "yes"})  # fmt: skip
    assert odd.status_code == 200 and "<script>" not in odd.content.decode()
    assert login(outsider).get(reverse("initiative_pick", args=[other_org.slug, goal.pk])).status_code == 404


def test_a_refused_budget_move_shows_the_initiatives_chosen(org, manager, member):
    goal, (spare, urgent) = _plan(org, manager, member, ["Nice to have", "Campaigns"],
                                  budget=lambda n: D("4000") if n == 0 else None)  # fmt: skip
    url = reverse("budget_reallocate", args=[org.slug, goal.pk])
    refused = login(manager).post(
        url, {"source": spare.pk, "target": urgent.pk, "amount": "9000", "reason": "x"}
    )
    body = refused.content.decode()
    assert refused.status_code == 400 and "has only 4000.00 to give" in body
    assert 'id="move-source" name="q" value="Nice to have"' in body
    assert 'id="move-target" name="q" value="Campaigns"' in body
    # A source without budget is refused, naming the field.
    bad = login(manager).post(url, {"source": urgent.pk, "target": spare.pk, "amount": "1", "reason": "x"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
