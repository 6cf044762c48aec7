"""Squads (专项小组) and people's capacity pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.urls import reverse

from plans import services
from plans.models import Capacity, Squad
from plans.services import InitiativeInput
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries


def test_manager_creates_a_cross_team_squad_and_sees_its_initiatives(org, manager, member):
    tech, design = factories.team(org, "Technology"), factories.team(org, "Design")
    engineer = factories.member(org, Role.MEMBER, name="Engineer One", teams=[tech])
    designer = factories.member(org, Role.MEMBER, name="Designer One", teams=[design])
    client = login(manager)
    url = reverse("plan_squads", args=[org.slug])
    form = client.get(url).content.decode()
    # Lead and members are searched as the user types (teams.people_picker): nobody is listed.
    assert "Engineer One" not in form and "Designer One" not in form and 'type="checkbox"' not in form
    assert form.count('role="combobox"') == 2 and reverse("people_pick", args=[org.slug, "people"]) in form
    response = client.post(url, {"name": "Product push", "description": "Launch the mini-program",
                                 "lead": engineer.pk, "members": [designer.pk, member.pk]})  # fmt: skip
    assert response.status_code == 302
    squad = Squad.objects.get(name="Product push")
    assert {m.pk for m in squad.members.all()} == {engineer.pk, designer.pk, member.pk}
    goal = factories.goal(org, manager)
    services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Mini-program beta", goal=goal, owner=designer, start_date=date(2026, 1, 5),
        due_date=date(2026, 2, 1), squad=squad))  # fmt: skip
    page = login(member).get(url).content.decode()  # everyone reads
    section = page.split(f'data-testid="squad-{squad.pk}"')[1].split("</section>")[0]
    assert "Mini-program beta" in section and "Lead: Engineer One" in section and "Technology" in section
    assert 'name="lead"' not in page  # no create form for a member
    # The squad is picked in the plan's row form.
    plan = client.get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    assert f'<option value="{squad.pk}">Product push</option>' in plan


def test_squad_bad_input_is_explained_and_saves_nothing(org, other_org, manager):
    stranger = factories.member(other_org, Role.MEMBER)
    client = login(manager)
    url = reverse("plan_squads", args=[org.slug])
    foreign = client.post(url, {"name": "Push", "lead": stranger.pk, "members": [stranger.pk]})
    assert foreign.status_code == 400
    assert set(foreign.context["form"].errors) == {"lead", "members"}
    services.squad_create(org=org, actor=manager, name="Push", lead=manager, members=[])
    clash = client.post(url, {"name": "PUSH", "lead": manager.pk})
    assert clash.status_code == 400 and "A squad with this name already exists." in clash.content.decode()
    too_long = client.post(url, {"name": "S" * 121, "lead": manager.pk})
    assert too_long.status_code == 400
    assert Squad.objects.count() == 1


def test_manager_edits_a_squad_and_members_cannot(org, other_org, manager, member):
    squad = services.squad_create(org=org, actor=manager, name="Push", lead=manager, members=[])
    url = reverse("plan_squad_edit", args=[org.slug, squad.pk])
    client = login(manager)
    assert 'value="Push"' in client.get(url).content.decode()
    assert (
        client.post(url, {"name": "Product push", "lead": member.pk, "members": [manager.pk]}).status_code
        == 302
    )
    squad.refresh_from_db()
    assert squad.name == "Product push" and squad.lead == member
    stranger = factories.member(other_org, Role.MEMBER)
    assert client.post(url, {"name": "X", "lead": stranger.pk}).status_code == 400
    assert login(member).get(url).status_code == 403
    foreign = services.squad_create(org=other_org, actor=stranger, name="Theirs", lead=stranger, members=[])
    assert client.get(reverse("plan_squad_edit", args=[org.slug, foreign.pk])).status_code == 404


# 12 while the lead <select> and the members' checkboxes listed every person with their teams (two
# queries each); their pickers list no one.
SQUADS_PAGE_QUERIES = 8


def test_squads_page_query_count_does_not_grow(org, manager):
    client = login(manager)
    url = reverse("plan_squads", args=[org.slug])
    goal = factories.goal(org, manager)

    def add(n):
        for i in range(n):
            lead = factories.member(org, teams=[factories.team(org)])
            squad = services.squad_create(org=org, actor=manager, name=f"Squad {lead.pk}-{i}", lead=lead,
                                          members=[manager])  # fmt: skip
            services.initiative_create(org=org, actor=manager, data=InitiativeInput(
                title=f"Work {i}", goal=goal, owner=lead, start_date=date(2026, 1, 5), due_date=date(2026, 2, 1),
                squad=squad))  # fmt: skip

    add(1)
    assert_queries(SQUADS_PAGE_QUERIES, client, url)
    add(10)
    assert_queries(SQUADS_PAGE_QUERIES, client, url)


def test_manager_sets_a_capacity_and_the_overload_follows(org, manager, member):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    factories.team(org, "Ops", managers=[manager]).members.add(member)  # the manager's own person
    goal = factories.goal(
        org, manager, start_date=today - timedelta(days=30), end_date=today + timedelta(days=60)
    )
    for _n in range(3):
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title="P0 push", goal=goal, owner=member, start_date=today - timedelta(days=3),
            due_date=today + timedelta(days=7), priority="P0"))  # fmt: skip
    client = login(manager)
    plan = client.get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    people_url = reverse("plan_people", args=[org.slug])
    assert f"{people_url}#member-{member.pk}" in plan  # the overload links to the person's capacity
    page = client.get(people_url).content.decode()
    row = page.split(f'id="member-{member.pk}"')[1].split("</tr>")[0]
    assert "4.5" in row and "overloaded" in row  # all three are under way today
    bad = client.post(people_url, {"membership": member.pk, "load": "-1"})
    assert bad.status_code == 400
    assert client.post(people_url, {"membership": member.pk, "load": "5"}).status_code == 302
    assert Capacity.objects.get(membership=member).load == D("5")
    assert (
        "Owner overloaded" not in client.get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    )
    assert login(member).post(people_url, {"membership": member.pk, "load": "9"}).status_code == 403
    row = (
        login(member).get(people_url).content.decode().split(f'id="member-{member.pk}"')[1].split("</tr>")[0]
    )
    assert "4.5" in row and "overloaded" not in row and 'name="load"' not in row  # members read only


def test_a_manager_sets_the_capacity_of_their_teams_people_only(org, manager, member):
    """Capacity drives the overload conflicts of a team's plan: a manager sets it for the people of
    the teams they manage (and the teams below), an admin for everyone; the others' rows are read
    only, and a forged request is refused without changing anything."""
    ops = factories.team(org, "Ops", managers=[manager])
    growth = factories.team(org, "Growth", parent=ops)
    mine = factories.member(org, Role.MEMBER, name="Mine", teams=[growth])  # in a sub-team
    factories.team(org, "Sales").members.add(member)
    client = login(manager)
    url = reverse("plan_people", args=[org.slug])
    page = client.get(url).content.decode()

    def row(person):
        return page.split(f'id="member-{person.pk}"')[1].split("</tr>")[0]

    assert 'name="load"' in row(mine) and 'name="load"' not in row(member)
    assert client.post(url, {"membership": member.pk, "load": "9"}).status_code == 403
    assert not Capacity.objects.filter(membership=member).exists()
    assert client.post(url, {"membership": mine.pk, "load": "2"}).status_code == 302
    assert Capacity.objects.get(membership=mine).load == D("2")


def test_a_refused_squad_keeps_its_chosen_members_as_chips(org, manager, member):
    engineer = factories.member(org, Role.MEMBER, name="Engineer One")
    designer = factories.member(org, Role.MEMBER, name="Designer One")
    client = login(manager)
    url = reverse("plan_squads", args=[org.slug])
    refused = client.post(url, {"name": "", "lead": engineer.pk, "members": [designer.pk, member.pk]})
    assert refused.status_code == 400
    body = refused.content.decode()
    for person in (designer, member):
        assert f'<input type="hidden" name="members" value="{person.pk}">' in body
        assert f"Remove {person.user.display_name}" in body
    assert f'name="lead" value="{engineer.pk}"' in body and 'value="Engineer One"' in body
    saved = client.post(url, {"name": "Push", "lead": engineer.pk, "members": [designer.pk, member.pk]})
    assert saved.status_code == 302
    squad = Squad.objects.get(name="Push")
    assert {m.pk for m in squad.members.all()} == {engineer.pk, designer.pk, member.pk}
    edit = client.get(reverse("plan_squad_edit", args=[org.slug, squad.pk])).content.decode()
    assert f'<input type="hidden" name="members" value="{designer.pk}">' in edit
