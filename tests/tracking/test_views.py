"""Tracking pages: the stand-up form, the team board, manual values, the indicator overview."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from goals import services as goal_services
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries
from tracking import services
from tracking.models import MetricEntry, Standup


@pytest.fixture
def team(org, member, manager):
    team = factories.team(org, "Operations", managers=[manager])
    member.teams.add(team)
    return team


@pytest.fixture
def goal(org, manager, team):
    today = org_today(org)
    goal = factories.goal(org, manager, team=team, title="200,000 new users", metric_name="New users",
                          start_date=today - timedelta(days=20), end_date=today + timedelta(days=70),
                          base=D(180000), challenge=D(200000), stretch=D(230000), status="active")  # fmt: skip
    goal_services.supporting_metric_save(goal=goal, actor=manager, kind="leading", name="Content pushes",
                                         weekly_target=D(20))  # fmt: skip
    return goal


def test_member_logs_the_standup_with_numbers_and_editing_updates_it(org, member, goal):
    client = login(member)
    url = reverse("standup", args=[org.slug])
    page = client.get(url).content.decode()
    assert "New users" in page and "Content pushes" in page and 'inputmode="decimal"' in page
    metric = goal.supporting_metrics.get()
    today = org_today(org).isoformat()
    response = client.post(url, {"day": today, "yesterday": "Referral post", "today": "Partner call",
                                 "blockers": "", "mood": "4", f"value_{goal.pk}": "1,850",
                                 f"value_{goal.pk}_{metric.pk}": "3"})  # fmt: skip
    assert response.status_code == 302
    assert sorted(MetricEntry.objects.values_list("value", flat=True)) == [D(3), D(1850)]
    page = client.get(url).content.decode()
    assert "Partner call" in page and 'value="1850"' in page and "saving again updates it" in page
    client.post(
        url, {"day": today, "today": "Partner call", "blockers": "Waiting for legal", f"value_{goal.pk}": ""}
    )
    assert Standup.objects.get().blockers == "Waiting for legal" and MetricEntry.objects.count() == 0


def test_standup_bad_input_is_shown_on_the_form(org, member, goal):
    client = login(member)
    url = reverse("standup", args=[org.slug])
    tomorrow = (org_today(org) + timedelta(days=1)).isoformat()
    response = client.post(url, {"day": tomorrow, "today": "x"})
    assert (
        response.status_code == 400 and "A stand-up cannot be for a future day." in response.content.decode()
    )
    response = client.post(url, {"day": org_today(org).isoformat(), "today": "x", f"value_{goal.pk}": "lots"})
    assert response.status_code == 400 and "Enter a number" in response.content.decode()
    assert not Standup.objects.exists()


def test_member_logs_todays_standup_from_the_home_page_and_then_sees_it_there(org, member, goal):
    client = login(member)
    home = reverse("org_home", args=[org.slug])
    page = client.get(home).content.decode()
    assert f'action="{reverse("standup", args=[org.slug])}"' in page
    assert 'name="today"' in page and 'name="from" value="home"' in page and "New users" in page
    response = client.post(reverse("standup", args=[org.slug]),
                           {"day": org_today(org).isoformat(), "today": "Partner call", "from": "home"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == home
    assert Standup.objects.get(member=member).today == "Partner call"
    page = client.get(home).content.decode()
    assert "Partner call" in page and "Edit today's stand-up" in page and 'name="today"' not in page


def test_home_standup_refused_keeps_the_text_and_the_way_home(org, member, goal):
    response = login(member).post(reverse("standup", args=[org.slug]), {
        "day": org_today(org).isoformat(), "today": "Partner call", f"value_{goal.pk}": "lots", "from": "home"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "Enter a number" in page
    assert "Partner call" in page and 'name="from" value="home"' in page
    assert not Standup.objects.exists()


HOME_QUERIES = 14  # a member's home with the standup form (and retros' drafts and practices, and pulses' panels), the same for 1 goal and for 7 (teams counted, no tree)


def test_home_standup_query_count_does_not_grow_with_goals(org, manager, member, goal, team):
    client = login(member)
    url = reverse("org_home", args=[org.slug])
    assert_queries(HOME_QUERIES, client, url)
    today = org_today(org)
    for n in range(6):
        extra = factories.goal(org, manager, team=team, title=f"Goal {n}", start_date=today - timedelta(days=5),
                               end_date=today + timedelta(days=60), status="active")  # fmt: skip
        goal_services.supporting_metric_save(goal=extra, actor=manager, kind="leading", name=f"Pushes {n}",
                                             weekly_target=D(5))  # fmt: skip
    assert_queries(HOME_QUERIES, client, url)


@pytest.mark.parametrize("role", ["hr", "viewer"])
def test_home_offers_no_standup_to_those_who_do_not_log_one(org, team, role):
    person = factories.member(org, role, teams=[team])
    page = login(person).get(reverse("org_home", args=[org.slug])).content.decode()
    assert 'data-testid="home-standup"' not in page


def test_board_shows_who_checked_in_blockers_and_values(org, manager, member, goal, team):
    factories.member(org, name="Quiet Person", teams=[team])
    services.standup_submit(member=member, actor=member, data=services.StandupInput(
        day=org_today(org), today="Calls", blockers="Legal review pending",
        values=(services.EntryInput(goal_id=goal.pk, value="1200"),)))  # fmt: skip
    page = login(manager).get(reverse("team_board", args=[org.slug, team.pk])).content.decode()
    assert "1 / 2" in page and "Legal review pending" in page and "Quiet Person" in page
    assert "not checked in" in page and "New users: 1,200" in page


BOARD_QUERIES = 10


def test_board_query_count_is_flat(org, manager, goal, team):
    client = login(manager)
    url = reverse("team_board", args=[org.slug, team.pk])

    def grow(n: int) -> None:
        for i in range(n):
            person = factories.member(org, teams=[team])
            services.standup_submit(member=person, actor=person, data=services.StandupInput(
                day=org_today(org), today="x", blockers="y" if i % 2 else "",
                values=(services.EntryInput(goal_id=goal.pk, value="1"),)))  # fmt: skip

    grow(1)
    assert_queries(BOARD_QUERIES, client, url)
    grow(40)
    assert_queries(BOARD_QUERIES, client, url)


def test_manual_values_page(org, manager, member, goal, members):
    client = login(member)
    url = reverse("goal_values", args=[org.slug, goal.pk])
    day = org_today(org).isoformat()
    assert (
        client.post(url, {"metric": "", "day": day, "value": "2500", "note": "Campaign 1"}).status_code == 302
    )
    entry = MetricEntry.objects.get()
    assert entry.value == D(2500) and entry.source == "manual" and entry.created_by == member.user
    bad = client.post(url, {"metric": "", "day": day, "value": "many"})
    assert bad.status_code == 400 and "Enter a number" in bad.content.decode()
    early = (goal.start_date - timedelta(days=1)).isoformat()
    bad = client.post(url, {"metric": "", "day": early, "value": "1"})
    assert bad.status_code == 400 and "within the goal&#x27;s period" in bad.content.decode()
    page = client.get(url).content.decode()
    assert "Campaign 1" in page and "Manual entry" in page
    # A viewer reads the values but has no form, and cannot post one.
    viewer = login(members["viewer"])
    assert "Enter a value" not in viewer.get(url).content.decode()
    assert viewer.post(url, {"metric": "", "day": day, "value": "1"}).status_code == 403
    client.post(reverse("entry_delete", args=[org.slug, entry.pk]))
    assert not MetricEntry.objects.exists()


def test_overview_shows_the_traffic_light(org, manager, goal):
    services.entry_create(org=org, actor=manager, data=services.EntryInput(goal_id=goal.pk, value="1000"))
    services.indicators_recompute(org=org)
    page = login(manager).get(reverse("tracking_index", args=[org.slug])).content.decode()
    assert "light-off_track" in page and "200,000 new users" in page


def test_pages_in_chinese(org, member, goal):
    member.user.language = "zh-hans"
    member.user.save()
    page = login(member).get(reverse("standup", args=[org.slug])).content.decode()
    assert "每日站会" in page


OVERVIEW_QUERIES = 8  # warm: the roll-up from the shared cache (goals.progress_cache), 3 fewer on a cold read


def test_overview_query_count_is_the_same_for_5_goals_and_for_60(org, manager, team):
    client = login(manager)
    url = reverse("tracking_index", args=[org.slug])
    today = org_today(org)

    def grow(n: int) -> None:
        for _ in range(n):
            goal = factories.goal(org, manager, team=team, start_date=today - timedelta(days=10),
                                  end_date=today + timedelta(days=20), status="active")  # fmt: skip
            goal_services.supporting_metric_save(goal=goal, actor=manager, kind="risk", name="Complaints",
                                                 direction="down", threshold=D(2))  # fmt: skip
            services.entry_create(
                org=org, actor=manager, data=services.EntryInput(goal_id=goal.pk, value="5")
            )
        services.indicators_recompute(org=org)

    grow(5)
    assert_queries(OVERVIEW_QUERIES, client, url)
    grow(55)
    assert_queries(OVERVIEW_QUERIES, client, url)


def test_my_work_shows_my_share_of_each_goal(org, manager, member, goal, team):
    other = factories.member(org, teams=[team])
    for person, value in ((member, "300"), (other, "700")):
        services.standup_submit(member=person, actor=person, data=services.StandupInput(
            day=org_today(org), today="x", values=(services.EntryInput(goal_id=goal.pk, value=value),)))  # fmt: skip
    services.indicators_recompute(org=org)
    page = login(member).get(reverse("my_work", args=[org.slug])).content.decode()
    assert "200,000 new users" in page and "30.0%" in page and ">300<" in page and ">1,000<" in page


def test_organisation_overview_for_managers(org, manager, member, goal, team, members):
    services.standup_submit(
        member=member, actor=member, data=services.StandupInput(day=org_today(org), today="x")
    )
    factories.member(org, teams=[team])
    services.entry_create(org=org, actor=manager, data=services.EntryInput(goal_id=goal.pk, value="1"))
    services.indicators_recompute(org=org)
    page = login(manager).get(reverse("org_overview", args=[org.slug])).content.decode()
    assert "Operations" in page and "1 / 2 (50%)" in page and "light-off_track" in page
    assert login(members["viewer"]).get(reverse("org_overview", args=[org.slug])).status_code == 403


MY_WORK_QUERIES = {"my_work": 11, "org_overview": 10}


@pytest.mark.parametrize("name", MY_WORK_QUERIES)
def test_my_work_and_overview_query_counts_are_flat(org, manager, team, name):
    client = login(manager)
    manager.teams.add(team)
    url = reverse(name, args=[org.slug])
    today = org_today(org)

    def grow(n: int) -> None:
        for _ in range(n):
            other = factories.team(org)
            manager.teams.add(other)
            goal = factories.goal(org, manager, team=other, start_date=today - timedelta(days=10),
                                  end_date=today + timedelta(days=20), status="active")  # fmt: skip
            services.entry_create(
                org=org, actor=manager, data=services.EntryInput(goal_id=goal.pk, value="5")
            )
        services.indicators_recompute(org=org)

    grow(2)
    assert_queries(MY_WORK_QUERIES[name], client, url)
    grow(8)
    assert_queries(MY_WORK_QUERIES[name], client, url)


def test_the_board_title_is_just_the_title(org, manager, team):
    page = login(manager).get(reverse("team_board", args=[org.slug, team.pk])).content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert "Team board · Operations" in title and "<" not in title and page.count('data-testid="rhythm"') == 1


TRACKING_PAGE_QUERIES = {
    "alert_list": 6,
    "inbox": 5,
    "standup": 8,
    "channels": 5,
    "tracking_index": 8,  # warm: the roll-up from the shared cache (goals.progress_cache), 3 fewer on a cold read
    "goal_values": 7,  # the value form's person picker lists no one (teams.people_picker)
}


@pytest.mark.parametrize("name", TRACKING_PAGE_QUERIES)
def test_tracking_pages_query_counts_do_not_grow(org, admin, manager, member, goal, team, name):
    from tracking.models import Alert

    client = login(admin)
    url = reverse(name, args=[org.slug, goal.pk] if name == "goal_values" else [org.slug])

    def grow(n: int) -> None:
        for i in range(n):
            other = factories.goal(org, manager, team=team, start_date=goal.start_date, end_date=goal.end_date,
                                   status="active")  # fmt: skip
            services.entry_create(
                org=org, actor=admin, data=services.EntryInput(goal_id=goal.pk, value=str(i + 1))
            )
            alert = Alert.objects.create(org=org, kind="lagging_behind", dedupe_key=f"grow:{other.pk}", goal=other,
                                         team=team, raised_on=goal.start_date, deviation_pct=D(12))  # fmt: skip
            services.alerts._notify(alert=alert, people=[admin], kind="alert", event="raised")
            services.channel_save(org=org, actor=admin, name=f"Chat {other.pk}", kind="slack",
                                  url="https://hooks.example.com/x", team_id=team.pk)  # fmt: skip
        services.indicators_recompute(org=org)

    grow(1)
    assert_queries(TRACKING_PAGE_QUERIES[name], client, url)
    grow(12)
    assert_queries(TRACKING_PAGE_QUERIES[name], client, url)
