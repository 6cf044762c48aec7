"""Small wins (小胜利): detected from the data once — a rerun or a duplicated job adds nothing —,
shown in the team's feed with a prompt to recognise the person behind each (a nomination in the
recognition app, reached only through `teams.hooks`), and announced once a day per team."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.urls import reverse

from goals.periods import week_start
from people import services
from people.models import SmallWin, WinKind
from people.tasks import small_wins as small_wins_task
from plans import services as plan_services
from teams.hooks import recognition_prompt
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.queries import queries_for
from tests.recognition.conftest import blocked_standup, log_value, weekly_goal
from tests.tracking.test_alerts import Receiver, receiver  # noqa: F401 - the webhook receiver fixture
from tracking import services as tracking_services
from tracking.models import Delivery


@pytest.fixture
def last_week(today):
    return week_start(today) - timedelta(days=7)


def _week_met(org, ops, lead, last_week):
    goal, piece = weekly_goal(org, ops, lead, week=last_week)
    log_value(org, lead, goal, last_week + timedelta(days=2), piece.base + 5)
    return goal, piece


def _milestone(org, lead, zhang, ops, today):
    goal = factories.goal(org, lead, team=ops, scope="team", start_date=today - timedelta(days=30),
                          end_date=today + timedelta(days=30))  # fmt: skip
    item = plan_services.initiative_create(org=org, actor=lead, data=plan_services.InitiativeInput(
        title="3 referral campaigns", goal=goal, owner=zhang, start_date=today - timedelta(days=20),
        due_date=today + timedelta(days=5), is_milestone=True))  # fmt: skip
    plan_services.initiative_progress(initiative=item, actor=zhang, progress=100)
    return goal


def test_each_kind_of_win_is_detected_with_its_numbers(org, ops, lead, zhang, li, today, last_week):
    goal, piece = _week_met(org, ops, lead, last_week)
    _milestone(org, lead, zhang, ops, today)
    parent = factories.goal(org, lead, team=ops, scope="team", status="active", start_date=today - timedelta(days=20),
                            end_date=today + timedelta(days=10))  # fmt: skip
    sub = factories.goal(org, li, team=ops, parent=parent, status="active", title="Channel partners",
                         start_date=today - timedelta(days=20), end_date=today + timedelta(days=10),
                         base=D(5), challenge=D(6), stretch=D(8))  # fmt: skip
    log_value(org, li, sub, today - timedelta(days=1), 5)
    standup = blocked_standup(zhang, today - timedelta(days=1))
    tracking_services.standup_blocker_resolve(standup=standup, actor=li)

    found = services.small_wins_detect(org=org)

    kinds = {w.kind: w for w in found}
    assert set(kinds) == {WinKind.WEEK_MET, WinKind.MILESTONE, WinKind.BASE_TIER, WinKind.BLOCKER}
    week = kinds[WinKind.WEEK_MET]
    assert (week.team, week.person, week.goal_id_ref, week.detail["week"]) == (
        ops,
        lead,
        goal.pk,
        last_week.isoformat(),
    )
    assert D(week.detail["actual"]) == piece.base + 5 and D(week.detail["base"]) == piece.base
    assert (
        kinds[WinKind.MILESTONE].person == zhang and kinds[WinKind.MILESTONE].title == "3 referral campaigns"
    )
    assert (kinds[WinKind.BASE_TIER].person, kinds[WinKind.BASE_TIER].detail["base"]) == (li, "5")
    assert (kinds[WinKind.BLOCKER].person, kinds[WinKind.BLOCKER].helped) == (li, zhang)


def test_a_week_below_its_base_target_is_no_win(org, ops, lead, last_week):
    goal, piece = weekly_goal(org, ops, lead, week=last_week)
    log_value(org, lead, goal, last_week + timedelta(days=2), piece.base - 1)
    assert services.small_wins_detect(org=org) == []


def test_detection_is_idempotent_a_rerun_or_a_second_job_adds_nothing(
    org, ops, lead, zhang, today, last_week
):
    _week_met(org, ops, lead, last_week)
    _milestone(org, lead, zhang, ops, today)
    assert len(services.small_wins_detect(org=org)) == 2
    assert services.small_wins_detect(org=org) == []
    assert small_wins_task.delay().get() == 0  # the beat job, duplicated
    assert SmallWin.objects.count() == 2


def test_the_day_batch_is_announced_once_per_team(
    org,
    ops,
    lead,
    zhang,
    members,
    today,
    last_week,
    receiver,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    tracking_services.channel_save(org=org, actor=members[Role.ADMIN], name="Ops chat", kind="json",
                                   url=f"{receiver}/ops", team_id=ops.pk)  # fmt: skip
    _week_met(org, ops, lead, last_week)
    services.small_wins_detect(org=org)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.small_wins_announce(org=org, today=today) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.small_wins_announce(org=org, today=today) == 0  # a rerun posts nothing
    _milestone(org, lead, zhang, ops, today)
    services.small_wins_detect(org=org)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.small_wins_announce(org=org, today=today) == 0  # today's batch is out: tomorrow
    assert Delivery.objects.count() == 1 and len(Receiver.received) == 1
    body = Receiver.received[0][2]
    assert body["event"] == "people.small_wins" and "Small wins of Operations" in body["text"]
    assert "met its week target" in body["text"] and "/people/small-wins/?team=" in body["text"]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.small_wins_announce(org=org, today=today + timedelta(days=1)) == 1
    assert len(Receiver.received) == 2 and "3 referral campaigns" in Receiver.received[1][2]["text"]


def test_the_beat_job_announces_from_nine_in_the_morning_local(org, ops, lead, last_week, today):
    from django.utils import timezone

    _week_met(org, ops, lead, last_week)
    early = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()).replace(hour=7),
                                timezone=__import__("zoneinfo").ZoneInfo(org.timezone))  # fmt: skip
    assert services.small_wins_run(org=org, now=early) == 1
    assert SmallWin.objects.get().announced_on is None
    services.small_wins_run(org=org, now=early + timedelta(hours=3))
    assert SmallWin.objects.get().announced_on == today


def test_the_feed_offers_to_recognise_the_person_through_the_hook(org, ops, lead, zhang, li, today, members):
    _milestone(org, lead, zhang, ops, today)
    services.small_wins_detect(org=org)
    url = reverse("people_small_wins", args=[org.slug]) + f"?team={ops.pk}"
    page = login(li).get(url).content.decode()
    assert "Zhang San finished the milestone “3 referral campaigns”." in page
    assert "Nominate Zhang San for star of the month" in page
    assert 'data-testid="recognise"' not in login(zhang).get(url).content.decode()  # not oneself
    viewer = factories.member(org, Role.VIEWER)
    assert 'data-testid="recognise"' not in login(viewer).get(url).content.decode()  # viewers do not nominate
    # The prompt leads to the recognition app's nomination, filled in.
    prompt = recognition_prompt(
        viewer=li, nominee_id=zhang.pk, nominee_name="Zhang San", reason="Campaigns done"
    )
    form = login(li).get(prompt.url).content.decode()
    assert f'value="{zhang.pk}"' in form and "Campaigns done" in form


def test_the_hook_is_the_only_link_between_people_and_recognition():
    from teams.hooks import recognition_prompt_providers

    assert [p.__module__ for p in recognition_prompt_providers] == ["recognition.prompts"]


def test_the_team_page_shows_recent_wins(org, ops, lead, last_week, django_capture_on_commit_callbacks):
    url = reverse("team_directory", args=[org.slug])
    assert "met its week target" not in login(lead).get(url).content.decode()  # cached: nothing yet
    _week_met(org, ops, lead, last_week)
    with django_capture_on_commit_callbacks(execute=True):
        services.small_wins_detect(org=org)  # a new win moves the cache on
    page = login(lead).get(url).content.decode()
    assert "Chen Lead: “Weekly sign-ups” met its week target" in page


def test_the_feed_of_another_organisations_team_is_404(org, other_org, lead):
    team = factories.team(other_org, "Elsewhere")
    assert (
        login(lead).get(reverse("people_small_wins", args=[org.slug]) + f"?team={team.pk}").status_code == 404
    )
    assert login(lead).get(reverse("people_small_wins", args=[org.slug]) + "?team=x").status_code == 404


def _many_wins(org, ops, people, n):
    SmallWin.objects.bulk_create([
        SmallWin(org=org, team=ops, kind=WinKind.BLOCKER, key=f"blocker:t{i}", person=people[i % 2],
                 helped=people[(i + 1) % 2], happened_on=date(2026, 11, 1) + timedelta(days=i % 20),
                 detail={"day": "2026-11-01"})
        for i in range(n)
    ])  # fmt: skip


def test_the_feed_and_the_api_keep_their_query_count(org, ops, lead, zhang, li):
    client = login(li)
    page = reverse("people_small_wins", args=[org.slug])
    api = reverse("small-win-list", args=[org.slug])
    _many_wins(org, ops, [zhang, lead], 1)
    one = (queries_for(client, page), queries_for(client, api))
    _many_wins(org, ops, [zhang, lead], 0)
    SmallWin.objects.all().delete()
    _many_wins(org, ops, [zhang, lead], 40)
    assert (queries_for(client, page), queries_for(client, api)) == one


def test_the_api_lists_wins_with_the_recognise_link(org, ops, lead, zhang, li, other_org):
    _many_wins(org, ops, [zhang, lead], 2)
    response = login(li).get(reverse("small-win-list", args=[org.slug]), {"team": ops.pk})
    rows = response.json()["results"]
    assert response.status_code == 200 and len(rows) == 2
    assert {r["person_name"] for r in rows} == {"Zhang San", "Chen Lead"}
    assert all(r["recognise_url"] and "nominee=" in r["recognise_url"] for r in rows)
    assert "resolved a blocker for" in rows[0]["text"]
    foreign = factories.team(other_org, "Elsewhere")
    bad = login(li).get(reverse("small-win-list", args=[org.slug]), {"team": foreign.pk})
    assert bad.status_code == 400 and bad.json()["attr"] == "team"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="session locks are PostgreSQL's")
def test_a_second_worker_leaves_the_organisation_to_the_one_holding_its_job_lock(org, ops, lead, last_week):
    from tests.jobs import live_owner

    _week_met(org, ops, lead, last_week)
    with live_owner("small_wins", org.pk):
        assert services.small_wins_run(org=org) == 0 and not SmallWin.objects.exists()
    # Once that worker's session is gone (the server drops its lock a moment after), the job runs.
    for _ in range(50):
        if (found := services.small_wins_run(org=org)) or SmallWin.objects.exists():
            break
        time.sleep(0.1)
    assert found == 1 and SmallWin.objects.count() == 1
