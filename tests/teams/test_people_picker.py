"""The person picker (teams.people_picker): forms render a search box, never the organisation's
people; the search endpoint answers the first 20 matches of the field's rule, by name or e-mail,
in the signed-in person's organisation; a refused form shows the chosen person again."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from teams.models import Role, Team
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries


def pick(client, org, rule: str, q: str = "", for_id: str = "id_owner"):
    return client.get(reverse("people_pick", args=[org.slug, rule]), {"q": q, "for": for_id})


def test_search_by_name_or_email_in_the_field_rule(org, manager, members):
    factories.member(org, Role.MEMBER, name="张三")
    li = factories.member(org, Role.MEMBER, name="李四")
    li.user.email = "lisi@acme.example"
    li.user.save()
    hr_person = members[Role.HR]
    client = login(manager)

    body = pick(client, org, "initiative-owner", "张").content.decode()
    assert "张三" in body and "李四" not in body
    assert 'role="option"' in body and 'id="id_owner-person-' in body
    by_mail = pick(client, org, "initiative-owner", "LISI@acme").content.decode()
    assert f'data-value="{li.pk}"' in by_mail and "张三" not in by_mail
    # HR may not own an initiative: the owner picker never offers them, the "people" rule does.
    assert hr_person.user.display_name not in pick(client, org, "initiative-owner").content.decode()
    assert hr_person.user.display_name in pick(client, org, "people").content.decode()
    nothing = pick(client, org, "initiative-owner", "nobody-like-this").content.decode()
    assert "No one found" in nothing and "data-value" not in nothing


def test_at_most_twenty_matches_and_a_note_to_type_more(org, manager):
    for n in range(25):
        factories.member(org, Role.MEMBER, name=f"Wang {n:02d}")
    body = pick(login(manager), org, "people", "wang").content.decode()
    assert body.count("data-value=") == 20
    assert "Wang 00" in body and "Wang 19" in body and "Wang 20" not in body
    assert "The first 20 matches" in body


def test_the_rule_follows_the_signed_in_person(org, manager, member):
    """A nomination is for someone else; a plain member attributes values only to themself."""
    client = login(member)
    assert f'data-value="{member.pk}"' not in pick(client, org, "colleague").content.decode()
    assert f'data-value="{manager.pk}"' in pick(client, org, "colleague").content.decode()
    own = pick(client, org, "value-person").content.decode()
    assert own.count("data-value=") == 1 and f'data-value="{member.pk}"' in own


def test_bad_input_is_harmless(org, manager, outsider):
    client = login(manager)
    assert pick(client, org, "no-such-rule").status_code == 404
    assert pick(client, org, "people", "x" * 5000, for_id='"><script>').status_code == 200
    assert "<script>" not in pick(client, org, "people", "", for_id='"><script>').content.decode()
    # Another organisation's people are never found, and its slug answers 404.
    assert outsider.user.display_name not in pick(client, org, "people", "Outsider").content.decode()
    assert pick(client, outsider.org, "people").status_code == 404


# user, membership + organisation, the matches (the session is read with the user).
PICK_QUERIES = 3


def test_the_search_query_count_is_flat(org, manager):
    client = login(manager)
    url = reverse("people_pick", args=[org.slug, "initiative-owner"]) + "?q=a&for=id_owner"
    factories.member(org, Role.MEMBER, name="Anna")
    assert_queries(PICK_QUERIES, client, url)
    for n in range(50):
        factories.member(org, Role.MEMBER, name=f"Alex {n}")
    assert_queries(PICK_QUERIES, client, url)


def test_the_plan_form_renders_a_search_box_and_keeps_the_chosen_person(org, manager, member):
    team = factories.team(org, "Ops", managers=[manager])
    goal = factories.goal(org, manager, team=team, scope="team", start_date=date(2026, 10, 1),
                          end_date=date(2026, 12, 31))  # fmt: skip
    for n in range(30):
        factories.member(org, Role.MEMBER, name=f"Someone {n}")
    client = login(manager)
    url = reverse("goal_plan", args=[org.slug, goal.pk])
    page = client.get(url).content.decode()
    assert "Someone 1" not in page  # no <option> per person
    assert 'role="combobox"' in page and reverse("people_pick", args=[org.slug, "initiative-owner"]) in page
    # Refused (no title): the chosen owner is shown again, and still posted as an id.
    refused = client.post(
        url, {"title": "", "owner": member.pk, "start_date": "2026-10-05", "priority": "P1"}
    )
    body = refused.content.decode()
    assert refused.status_code == 400
    assert f'name="owner" value="{member.pk}"' in body and f'value="{member.user.display_name}"' in body
    saved = client.post(url, {"title": "Campaigns", "owner": member.pk, "start_date": "2026-10-05",
                              "due_date": "2026-10-20", "priority": "P1"})  # fmt: skip
    assert saved.status_code == 302 and goal.initiatives.get().owner == member
    # An id the rule does not allow (HR cannot own an initiative) is refused on the field.
    hr_person = factories.member(org, Role.HR, name="HR Person 2")
    refused = client.post(
        url, {"title": "X", "owner": hr_person.pk, "start_date": "2026-10-05", "priority": "P1"}
    )
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()


def test_pinyin_full_or_initials_finds_a_chinese_name(org, manager):
    zhang = factories.member(org, Role.MEMBER, name="张三")
    zeng = factories.member(org, Role.MEMBER, name="曾小贤")  # 曾 reads zeng as a surname
    factories.member(org, Role.MEMBER, name="李四")
    client = login(manager)

    def found(q: str) -> set[str]:
        body = pick(client, org, "people", q).content.decode()
        return {name for name in ("张三", "曾小贤", "李四") if name in body}

    for query in ("zs", "ZS", "zhangsan", "zhang san", "Zhang", "张三"):
        assert found(query) == {"张三"}, query
    assert found("zxx") == {"曾小贤"} and found("zengxiaoxian") == {"曾小贤"}
    assert found("ls") == {"李四"} and found("wangwu") == set()
    # A new name is found by its own pinyin at once, no longer by the old one.
    from teams.services.accounts import user_update_profile

    user_update_profile(user=zhang.user, display_name="王五", language="")
    assert "王五" in pick(client, org, "people", "ww").content.decode()
    assert "王五" not in pick(client, org, "people", "zs").content.decode()
    assert zeng.user.search_key.startswith("曾小贤")


def test_people_created_in_bulk_are_found_by_pinyin(org, manager):
    from teams.models import Membership, User

    users = User.objects.bulk_create(
        [User(email=f"p{n}@bulk.example", display_name=f"赵六{n}") for n in range(3)]
    )
    Membership.objects.bulk_create([Membership(org=org, user=u, role=Role.MEMBER) for u in users])
    body = pick(login(manager), org, "people", "zl").content.decode()
    assert body.count("data-value=") == 3 and "赵六0" in body


# --- Several people (a team's managers, a squad's members): chips over the same search box --------
def test_team_form_lists_no_one_and_posts_several_managers(org, admin, manager):
    second = factories.member(org, Role.MANAGER, name="Second Manager")
    for n in range(40):
        factories.member(org, Role.MEMBER, name=f"Person {n:02d}")
    client = login(admin)
    url = reverse("team_list", args=[org.slug])
    page = client.get(url).content.decode()
    assert (
        "Person 01" not in page and 'type="hidden" name="managers"' not in page
    )  # no checkbox per person, no chip
    assert 'id="id_managers" name="q"' in page and 'role="combobox"' in page
    assert reverse("people_pick", args=[org.slug, "people"]) + "?for=id_managers" in page
    created = client.post(url, {"name": "Sales", "description": "", "managers": [manager.pk, second.pk]})
    assert created.status_code == 302
    team = Team.objects.get(org=org, name="Sales")
    assert {m.pk for m in team.managers.all()} == {manager.pk, second.pk}
    # Editing shows them as chips, in the order they were posted, and removing one posts the other.
    edit_url = reverse("team_edit", args=[org.slug, team.pk])
    edit = client.get(edit_url).content.decode()
    assert edit.count('type="hidden" name="managers"') == 2 and f"Remove {second.user.display_name}" in edit
    assert client.post(edit_url, {"name": "Sales", "managers": [second.pk]}).status_code == 302
    assert list(team.managers.all()) == [second]
    assert client.post(edit_url, {"name": "Sales"}).status_code == 302  # no chip left: no manager
    assert not team.managers.exists()


def test_a_refused_team_form_keeps_the_chosen_managers(org, other_org, admin, manager):
    second = factories.member(org, Role.MANAGER, name="Second Manager")
    stranger = factories.member(other_org, Role.MANAGER, name="Stranger")
    client = login(admin)
    url = reverse("team_list", args=[org.slug])
    refused = client.post(url, {"name": "", "managers": [manager.pk, second.pk]})
    assert refused.status_code == 400
    body = refused.content.decode()
    for person in (manager, second):
        assert f'<input type="hidden" name="managers" value="{person.pk}">' in body
        assert f"Remove {person.user.display_name}" in body
    # Someone of another organisation is refused, and never shown as a chip.
    foreign = client.post(url, {"name": "X", "managers": [manager.pk, stranger.pk]})
    assert foreign.status_code == 400 and "managers" in foreign.context["form"].errors
    assert "Stranger" not in foreign.content.decode()
    assert not Team.objects.filter(org=org, name="X").exists()
