"""The knowledge base grows up: entries written directly, filters (team, metric, cause, tag,
period, stage), full-text and trigram search, practices moving candidate → trial → standard with an
owner, a review date and a watched indicator whose fall reminds the owner (once per fall, a beat job
under a job lock), lessons applied to a goal while it is drafted and counted with how those goals
ended, the causes-across-periods page, and the failure share publishing its experiments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from goals import services as goal_services
from plans import services as plan_services
from plans.models import Status as InitiativeStatus
from retros import selectors, services
from retros.models import Lesson, LessonApplication
from teams.errors import NotAllowed
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tracking import services as tracking_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(retro, boss, zhang):
    card = services.card_add(
        retro=retro, actor=zhang, kind="cause", category="resources", text="Too few people"
    )
    lesson = services.lesson_add(retro=retro, actor=boss, kind="try", text="裂变活动带来一半新用户 / Referral campaigns",
                                 tags="referral, 用户增长", metric_name="New users", evidence_card_id=card.pk)  # fmt: skip
    return services.lesson_publish(lesson=lesson, actor=boss)


def _search(org, **filters):
    return list(selectors.knowledge_search(org_id=org.pk, filters=selectors.KnowledgeFilters(**filters)))


def test_search_finds_chinese_substrings_and_english_words_and_the_filters_narrow_it(
    org, sales, published, boss
):
    other = services.knowledge_entry_create(team=sales, actor=boss, kind="keep", text="Weekly demo to the client",
                                            metric_name="Deal value", tags="sales")  # fmt: skip
    assert _search(org, query="新用户") == [published]
    assert _search(org, query="REFERRAL campaigns") == [published]
    assert _search(org, query="referral demo") == []  # every word must match
    assert _search(org, metric="deal value") == [other]
    assert _search(org, cause="resources") == [published]  # the evidence card's cause
    assert _search(org, tag="用户增长") == [published]
    assert _search(org, team_id=factories.team(org, "Ops").pk) == []
    start, end = published.period_end.replace(day=1) - timedelta(days=100), published.period_end
    assert _search(org, period=(start, end)) == [published]
    assert set(_search(org)) == {published, other}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's")
def test_postgres_finds_a_misspelt_word_by_trigram_similarity(org, published):
    assert _search(org, query="referal") == [published]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's")
def test_postgres_ranks_the_whole_word_first_and_looks_for_close_words_only_when_none_is_found(
    org, sales, boss, published
):
    newer = services.knowledge_entry_create(
        team=sales, actor=boss, kind="keep", text="Referrals doubled in May"
    )
    typo = services.knowledge_entry_create(
        team=sales, actor=boss, kind="keep", text="Referal bonus paid twice"
    )
    # the whole word before a longer word, though that entry is newer; the misspelt entry is not
    # offered while the word itself is found
    assert _search(org, query="referral") == [published, newer]
    assert _search(org, query="referal") == [typo]  # found as it is: no close words
    assert set(_search(org, query="referrel")) == {published, newer}  # found nowhere: close words
    assert _search(org, query="bonus-paid") == [typo]  # punctuation: the full-text words


def test_a_manager_writes_an_entry_directly_and_bad_input_is_named(org, sales, boss, zhang):
    url = reverse("knowledge_new", args=[org.slug])
    response = login(boss).post(url, {"team": sales.pk, "kind": "keep", "text": "", "tags": "x"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = login(boss).post(url, {"team": sales.pk, "kind": "keep", "text": "x" * 10_000})
    assert response.status_code == 400 and not Lesson.objects.exists()
    response = login(boss).post(url, {"team": sales.pk, "kind": "keep", "text": "Call every lead within a day",
                                      "cause_category": "execution", "tags": "leads，sales"})  # fmt: skip
    lesson = Lesson.objects.get()
    assert (
        response.status_code == 302
        and lesson.published
        and lesson.retro is None
        and lesson.tags == "leads, sales"
    )
    assert login(zhang).post(url, {"team": sales.pk, "kind": "keep", "text": "Mine"}).status_code == 403
    assert (
        "Call every lead"
        in login(zhang).get(reverse("knowledge_entry", args=[org.slug, lesson.pk])).content.decode()
    )


def test_another_organisation_gets_404_for_an_entry(org, published, other_org):
    outsider = factories.member(other_org, Role.ADMIN)
    assert login(outsider).get(reverse("knowledge_entry", args=[org.slug, published.pk])).status_code == 404


@pytest.fixture
def conversion(org, sales, boss):
    today = org_today(org)
    goal = factories.goal(org, boss, team=sales, title="Live-stream conversion", metric_name="Conversion", unit="%",
                          aggregation="average", start_date=today - timedelta(days=40), end_date=today + timedelta(days=40),
                          base=D(3), challenge=D("3.5"), stretch=D(4), status="active")  # fmt: skip
    return goal


def _value(org, boss, goal, day, value):
    tracking_services.entry_create(org=org, actor=boss, data=tracking_services.EntryInput(
        goal_id=goal.pk, value=str(value), day=day.isoformat()))  # fmt: skip
    tracking_services.indicators_recompute(org=org, goal_ids=[goal.pk], day=day)


def test_a_standard_practice_needs_owner_review_date_and_watched_indicator(
    org, published, boss, zhang, conversion
):
    with pytest.raises(Exception) as refused:
        services.practice_set(lesson=published, actor=boss, stage="standard")
    assert set(refused.value.message_dict) == {"owner", "review_on", "watched_goal"}
    with pytest.raises(NotAllowed):
        services.practice_set(lesson=published, actor=zhang, stage="candidate")
    services.practice_set(lesson=published, actor=boss, stage="trial", owner=zhang)
    assert Lesson.objects.get().stage == "trial"


def test_the_owner_is_reminded_once_when_the_watched_indicator_falls(
    org, published, boss, zhang, conversion, django_capture_on_commit_callbacks
):
    today = org_today(org)
    _value(org, boss, conversion, today - timedelta(days=3), "4.6")
    services.practice_set(lesson=published, actor=boss, stage="standard", owner=zhang,
                          review_on=today + timedelta(days=60), watched_goal_id=conversion.pk)  # fmt: skip
    published.refresh_from_db()
    assert published.watch_baseline is not None
    assert services.practice_reminders(org=org) == []  # nothing fell
    _value(org, boss, conversion, today - timedelta(days=2), "1.0")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.practice_reminders(org=org)
        again = services.practice_reminders(org=org)  # a second beat, a retried job
    assert [r.reason for r in first] == ["fall"] and again == []
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [zhang.user.email]
    assert "has fallen" in mail.outbox[0].body
    assert Lesson.objects.get().reminded_for == "fall"
    page = login(zhang).get(reverse("org_home", args=[org.slug])).content.decode()
    assert 'data-testid="home-practices"' in page
    _value(org, boss, conversion, today - timedelta(days=1), "20")  # back up: ready to remind again
    assert services.practice_reminders(org=org) == [] and Lesson.objects.get().reminded_for == ""


def test_the_review_date_reminds_once(org, published, boss, zhang, conversion):
    services.practice_set(lesson=published, actor=boss, stage="standard", owner=zhang,
                          review_on=org_today(org), watched_goal_id=conversion.pk)  # fmt: skip
    assert [r.reason for r in services.practice_reminders(org=org)] == ["review"]
    assert services.practice_reminders(org=org) == []


def test_a_lesson_ticked_apply_in_the_draft_panel_is_linked_to_the_new_goal_and_counted(
    org, sales, boss, published, last_quarter
):
    client = login(boss)
    panel = client.post(reverse("goal_smart_check", args=[org.slug]),
                        {"title": "Next quarter's users", "team": sales.pk, "apply_lesson": published.pk}).content.decode()  # fmt: skip
    assert (
        f'name="apply_lesson" value="{published.pk}" form="goal-form" id="apply-lesson-{published.pk}"'
        in panel
    )
    assert 'hx-preserve="true" checked' in panel
    start = org_today(org)
    response = client.post(reverse("goal_create", args=[org.slug]), {
        "title": "Next quarter's users", "scope": "team", "team": sales.pk, "owner": boss.pk, "metric_name": "New users",
        "unit": "", "direction": "up", "aggregation": "sum", "period_kind": "quarter", "weight": "1",
        "start_date": start.isoformat(), "end_date": (start + timedelta(days=80)).isoformat(),
        "base": "100", "challenge": "120", "stretch": "150", "description": "More users.", "rationale": "Growth.",
        "apply_lesson": published.pk,
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    applied = LessonApplication.objects.get()
    assert applied.lesson == published
    goal_page = client.get(response["Location"]).content.decode()
    assert 'data-testid="goal-lessons"' in goal_page and "Referral campaigns" in goal_page
    goal_services.goal_set_status(goal=applied.goal, actor=boss, status="active")
    goal_services.goal_set_status(goal=applied.goal, actor=boss, status="achieved", result_value=D(130))
    entry = selectors.knowledge_entry_get(org_id=org.pk, lesson_id=published.pk)
    assert (entry.applied, entry.reached) == (1, 1)
    page = client.get(reverse("retros_knowledge", args=[org.slug])).content.decode()
    assert "Applied 1 time; those goals reached their targets 1 times." in page


def test_applying_twice_links_once_and_needs_the_right_to_change_the_goal(
    org, sales, boss, zhang, published, conversion
):
    services.lesson_apply(lesson=published, goal=conversion, actor=boss)
    services.lesson_apply(lesson=published, goal=conversion, actor=boss)
    assert LessonApplication.objects.count() == 1
    with pytest.raises(NotAllowed):
        services.lesson_apply(lesson=published, goal=conversion, actor=zhang)


def test_the_causes_page_counts_causes_per_team_and_period_with_a_table(org, retro, zhang, li):
    services.card_add(retro=retro, actor=zhang, kind="cause", category="resources", text="Too few people")
    services.card_add(retro=retro, actor=li, kind="cause", category="resources", text="No budget")
    services.card_add(retro=retro, actor=li, kind="cause", category="external", text="Competition")
    outsider = factories.member(org, Role.VIEWER)
    page = login(outsider).get(reverse("retros_causes", args=[org.slug])).content.decode()
    assert 'data-chart="causes"' in page and "/static/vendor/plotly/plotly-basic.min.js" in page
    assert 'data-testid="causes-table"' in page and "Too few people" not in page  # counts, never cards
    trends = selectors.cause_trends(org_id=org.pk, today=org_today(org))
    assert [(r.team, r.counts) for r in trends.rows] == [("Sales", {"external": 1, "resources": 2})]


def test_the_causes_page_query_count_does_not_grow(org, retro, zhang, boss, sales, last_quarter):
    from tests.queries import assert_queries

    client = login(boss)
    url = reverse("retros_causes", args=[org.slug])
    services.card_add(retro=retro, actor=zhang, kind="cause", category="resources", text="A")
    client.get(url)
    assert_queries(6, client, url)
    for n in range(4):
        start = last_quarter[0] - timedelta(days=92 * (n + 1))
        other = services.retro_start(team=sales, actor=boss, kind="month", period_start=start,
                                     period_end=start + timedelta(days=27))  # fmt: skip
        services.card_add(retro=other, actor=zhang, kind="cause", category="strategy", text="B")
    assert_queries(6, client, url)


def test_the_goal_review_has_burn_up_recurring_blockers_and_leading_weeks(
    org, sales, boss, zhang, retro, quarter_goal
):
    metric = goal_services.supporting_metric_save(goal=quarter_goal, actor=boss, kind="leading", name="Customer visits",
                                                  weekly_target=D(10))  # fmt: skip
    start = retro.period_start
    tracking_services.entry_create(org=org, actor=boss, data=tracking_services.EntryInput(
        goal_id=quarter_goal.pk, supporting_metric_id=metric.pk, value="12", day=(start + timedelta(days=8)).isoformat()))  # fmt: skip
    review = selectors.goal_review(retro=retro, with_burnups=True)
    assert str(quarter_goal.pk) in review.burnups
    [leading] = review.leading
    assert (
        leading.name == "Customer visits"
        and leading.weeks_met >= 1
        and leading.weeks_met < len(leading.weeks)
    )
    client = login(boss)
    url = reverse("retro_detail", args=[org.slug, retro.pk])
    page = client.get(url).content.decode()
    # the page lists each goal's burn-up, loaded when opened: the chart and its own data
    assert 'data-testid="review-leading"' in page and f'hx-get="{url}?burnup={quarter_goal.pk}"' in page
    chart = client.get(url, {"burnup": quarter_goal.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-chart="burnup"' in chart and f'id="burnup-data-{quarter_goal.pk}"' in chart
    assert '"actual"' in chart and '"tiers"' in chart
    other_goal = factories.goal(org, boss, team=sales, title="Not in this retro")
    assert client.get(url, {"burnup": other_goal.pk}).status_code == 404


def test_recurring_blockers_are_the_same_words_on_several_days(org, sales, zhang, li, retro):
    from tracking.selectors.results import recurring_blockers

    today = org_today(org)
    for days_ago in (1, 2):
        tracking_services.standup_submit(member=zhang, actor=zhang, data=tracking_services.StandupInput(
            day=today - timedelta(days=days_ago), blockers="Waiting for legal review!"))  # fmt: skip
    tracking_services.standup_submit(member=li, actor=li, data=tracking_services.StandupInput(
        day=today - timedelta(days=1), blockers="waiting for  legal review"))  # fmt: skip
    tracking_services.standup_submit(member=li, actor=li, data=tracking_services.StandupInput(
        day=today - timedelta(days=2), blockers="Printer broken"))  # fmt: skip
    found = recurring_blockers(org=org, team_id=sales.pk, start=today - timedelta(days=5), end=today)
    assert [(b.days, set(b.people)) for b in found] == [(2, {"Zhang San", "Li Si"})]


def test_a_failure_share_publishes_its_tolerated_experiments_once(org, sales, boss, zhang, quarter_goal):
    today = org_today(org)
    active = factories.goal(org, boss, team=sales, title="This quarter", start_date=today - timedelta(days=30),
                            end_date=today + timedelta(days=30), status="active")  # fmt: skip
    experiment = plan_services.initiative_create(org=org, actor=boss, data=plan_services.InitiativeInput(
        title="Feed ads", goal=active, owner=zhang, start_date=today - timedelta(days=20),
        due_date=today - timedelta(days=5), is_experiment=True))  # fmt: skip
    plan_services.initiative_progress(initiative=experiment, actor=boss, progress=40, status=InitiativeStatus.FAILED,
                                      lesson="Test creatives on a small budget first")  # fmt: skip
    share = services.retro_start(team=sales, actor=boss, kind="failure_share", period_start=today - timedelta(days=30),
                                 period_end=today + timedelta(days=30))  # fmt: skip
    client = login(boss)
    url = reverse("retro_detail", args=[org.slug, share.pk])
    assert 'data-testid="publish-experiments"' in client.get(url).content.decode()
    client.post(url, {"do": "publish_experiments"})
    client.post(url, {"do": "publish_experiments"})
    [lesson] = Lesson.objects.filter(retro=share)
    assert lesson.published and "small budget" in lesson.text and lesson.evidence_goal == active
    assert _search(org, query="feed ads") == [lesson]


@pytest.mark.parametrize("where", ["revision", "decomposition"])
def test_past_lessons_are_offered_and_applied_while_a_goal_is_revised_or_decomposed(
    org, other_org, sales, boss, zhang, published, conversion, where
):
    """目标复审 and 拆解: the side panel of past lessons the new-goal form has is offered on the
    revision form and beside the decomposition table too, and "Apply" links a lesson to the goal."""
    client = login(boss)
    panel_url = reverse("goal_draft_panels", args=[org.slug, conversion.pk])
    if where == "revision":
        page = client.get(reverse("goal_detail", args=[org.slug, conversion.pk])).content.decode()
        assert 'data-testid="revision-details"' in page
    else:
        page = client.get(reverse("goal_decompose", args=[org.slug, conversion.pk])).content.decode()
        assert 'data-testid="decompose-lessons"' in page
    assert f'hx-get="{panel_url}?for={where}"' in page
    panel = client.get(panel_url, {"for": where}).content.decode()
    apply_url = reverse("knowledge_apply", args=[org.slug, published.pk])
    assert "Referral campaigns" in panel and f'action="{apply_url}"' in panel
    assert f'name="back" value="{where}"' in panel and 'name="apply_lesson"' not in panel
    response = client.post(apply_url, {"goal": conversion.pk, "back": where})
    assert response.status_code == 302
    expected = (
        reverse("goal_detail", args=[org.slug, conversion.pk]) + "#revisions"
        if where == "revision"
        else reverse("goal_decompose", args=[org.slug, conversion.pk])
    )
    assert response["Location"] == expected
    assert LessonApplication.objects.get().goal == conversion
    panel = client.get(panel_url, {"for": where}).content.decode()
    assert 'data-testid="lesson-applied"' in panel and f'action="{apply_url}"' not in panel
    goal_page = client.get(reverse("goal_detail", args=[org.slug, conversion.pk])).content.decode()
    assert 'data-testid="goal-lessons"' in goal_page and "Referral campaigns" in goal_page


def test_the_lessons_of_a_goal_are_read_by_its_organisation_and_applied_by_who_may_change_it(
    org, other_org, sales, boss, zhang, published, conversion
):
    panel_url = reverse("goal_draft_panels", args=[org.slug, conversion.pk])
    panel = login(zhang).get(panel_url, {"for": "revision"}).content.decode()
    assert "Referral campaigns" in panel and "knowledge_apply" not in panel and 'name="back"' not in panel
    response = login(zhang).post(reverse("knowledge_apply", args=[org.slug, published.pk]),
                                 {"goal": conversion.pk, "back": "revision"})  # fmt: skip
    assert response.status_code == 403 and not LessonApplication.objects.exists()
    outsider = factories.member(other_org, Role.ADMIN)
    assert (
        login(outsider).get(reverse("goal_draft_panels", args=[other_org.slug, conversion.pk])).status_code
        == 404
    )
    # a goal nothing fits: the panel says so
    lonely = factories.goal(org, boss, team=factories.team(org, "Ops"), title="Zzz", metric_name="Tickets",
                            status="active")  # fmt: skip
    assert (
        "No past lessons fit this goal yet."
        in login(boss).get(reverse("goal_draft_panels", args=[org.slug, lonely.pk])).content.decode()
    )
