"""The retro's rules, through the real services: unique per key, phases in order with one move at a
time, cards (anonymous ones name nobody, anywhere), votes within the limit, lessons and actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from retros import selectors, services
from retros.models import PHASES, Card, PhaseState, RetroPhase, Retrospective, RetroState
from teams.errors import NotAllowed
from teams.models import AuditEntry, Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_manager_starts_a_quarter_retro_with_the_team_goals_and_four_phases_in_order(retro, quarter_goal):
    assert list(retro.goals.all()) == [quarter_goal]
    phases = list(RetroPhase.objects.filter(retro=retro).order_by("position"))
    assert [p.phase for p in phases] == list(PHASES)
    assert [p.state for p in phases] == [
        PhaseState.CURRENT,
        PhaseState.PENDING,
        PhaseState.PENDING,
        PhaseState.PENDING,
    ]
    assert retro.state == RetroState.DRAFT and retro.org_id == retro.team.org_id


def test_the_same_retro_is_never_started_twice(retro, sales, boss, last_quarter):
    with pytest.raises(ValidationError) as error:
        services.retro_start(team=sales, actor=boss, kind="quarter", period_start=last_quarter[0],
                             period_end=last_quarter[1])  # fmt: skip
    assert "already exists" in str(error.value.message_dict["kind"])
    assert Retrospective.objects.count() == 1


def test_a_member_or_a_manager_of_another_team_cannot_start_one(org, sales, zhang, last_quarter):
    other = factories.member(org, Role.MANAGER, name="Other Boss", teams=[factories.team(org, "Ops")])
    for person in (zhang, other):
        with pytest.raises(NotAllowed):
            services.retro_start(team=sales, actor=person, kind="month", period_start=last_quarter[0],
                                 period_end=last_quarter[0] + timedelta(days=30))  # fmt: skip


def test_bad_periods_and_goals_are_refused_next_to_their_field(sales, boss, last_quarter):
    with pytest.raises(ValidationError) as error:
        services.retro_start(team=sales, actor=boss, kind="month", period_start=last_quarter[1],
                             period_end=last_quarter[0])  # fmt: skip
    assert "period_end" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.retro_start(team=sales, actor=boss, kind="goal", goal_id=999999)
    assert "goal" in error.value.message_dict


def test_the_facilitator_moves_phases_and_each_phase_keeps_its_state_and_notes(retro, boss):
    moved = services.phase_move(
        retro=retro, actor=boss, phase="analysis", version=retro.version, notes="Facts read"
    )
    assert moved.phase == "analysis" and moved.state == RetroState.RUNNING
    review = RetroPhase.objects.get(retro=retro, phase="goal_review")
    assert review.state == PhaseState.DONE and review.notes == "Facts read" and review.finished_at
    assert RetroPhase.objects.get(retro=retro, phase="analysis").state == PhaseState.CURRENT


def test_two_facilitators_moving_at_once_do_not_both_win(retro, boss, admin):
    services.phase_move(retro=retro, actor=boss, phase="analysis", version=retro.version)
    with pytest.raises(ValidationError) as error:
        services.phase_move(retro=retro, actor=admin, phase="lessons", version=retro.version)  # a stale page
    assert "Someone else has just moved" in str(error.value.message_dict["phase"])
    assert Retrospective.objects.get(pk=retro.pk).phase == "analysis"


def test_a_named_facilitator_runs_it_and_a_member_does_not(sales, boss, zhang, li, quarter_goal):
    retro = services.retro_start(
        team=sales, actor=boss, kind="goal", goal_id=quarter_goal.pk, facilitator=zhang
    )
    services.phase_move(retro=retro, actor=zhang, phase="analysis", version=retro.version)
    with pytest.raises(NotAllowed):
        services.phase_move(retro=retro, actor=li, phase="lessons", version=retro.version + 1)


def test_a_closed_retro_is_read_only(retro, boss, zhang):
    services.retro_close(retro=retro, actor=boss, summary="Competition in the key region cost us 10%.")
    retro.refresh_from_db()
    with pytest.raises(NotAllowed) as error:
        services.phase_move(retro=retro, actor=boss, phase="analysis", version=retro.version)
    assert "closed" in str(error.value)
    with pytest.raises(NotAllowed):
        services.card_add(retro=retro, actor=zhang, kind="note", text="Late card")


def test_closing_needs_a_summary(retro, boss):
    with pytest.raises(ValidationError) as error:
        services.retro_close(retro=retro, actor=boss, summary="  ")
    assert "summary" in error.value.message_dict
    assert Retrospective.objects.get(pk=retro.pk).state == RetroState.DRAFT


def test_cards_empty_or_too_long_are_refused_with_a_message(retro, zhang):
    for text, words in (("", "Write something"), ("x" * 10_000, "At most 2000")):
        with pytest.raises(ValidationError) as error:
            services.card_add(retro=retro, actor=zhang, kind="note", text=text)
        assert words in str(error.value.message_dict["text"])
    assert not Card.objects.exists()


def test_a_cause_card_needs_a_cause_of_the_taxonomy(retro, zhang):
    with pytest.raises(ValidationError) as error:
        services.card_add(retro=retro, actor=zhang, kind="cause", category="innovation", text="?")
    assert "category" in error.value.message_dict
    card = services.card_add(retro=retro, actor=zhang, kind="cause", category="external",
                             text="Competition in the key region")  # fmt: skip
    assert card.category == "external" and card.author == zhang


def test_a_double_clicked_submit_adds_one_card(retro, zhang):
    first = services.card_add(retro=retro, actor=zhang, kind="note", text="Once", token="t-1")
    second = services.card_add(retro=retro, actor=zhang, kind="note", text="Once", token="t-1")
    assert first.pk == second.pk and Card.objects.count() == 1


def test_an_anonymous_card_names_nobody_in_the_database_the_board_or_the_audit(anonymous_retro, zhang, boss):
    card = services.card_add(retro=anonymous_retro, actor=zhang, kind="cause", category="resources",
                             text="Not enough people")  # fmt: skip
    card.refresh_from_db()
    assert card.author is None and card.anonymous
    views = selectors.card_views(retro=anonymous_retro, member=boss)
    assert views[0].author == "Anonymous" and not views[0].mine
    assert selectors.card_views(retro=anonymous_retro, member=zhang)[0].mine  # the author still knows
    entry = AuditEntry.objects.get(action="retro_card.create")
    assert entry.actor is None and str(zhang.pk) not in str(entry.changes)
    services.card_delete(card=card, actor=zhang)  # the author removes it without being named
    assert AuditEntry.objects.get(action="retro_card.delete").actor is None


def test_someone_else_cannot_remove_a_members_card_but_the_facilitator_can(retro, zhang, li, boss):
    card = services.card_add(retro=retro, actor=zhang, kind="note", text="Mine")
    with pytest.raises(NotAllowed):
        services.card_delete(card=card, actor=li)
    services.card_delete(card=card, actor=boss)
    assert not Card.objects.exists()


def test_people_outside_the_team_add_no_cards(org, retro):
    for role in (Role.MEMBER, Role.VIEWER, Role.HR):
        with pytest.raises(NotAllowed):
            services.card_add(retro=retro, actor=factories.member(org, role), kind="note", text="Hello")


def test_votes_stop_at_the_limit_and_stay_hidden_until_revealed(retro, zhang, li, boss):
    cards = [services.card_add(retro=retro, actor=li, kind="note", text=f"Card {n}") for n in range(4)]
    for card in cards[:3]:
        assert services.vote_toggle(card=card, actor=zhang) is True
    with pytest.raises(ValidationError) as error:
        services.vote_toggle(card=cards[3], actor=zhang)
    assert "used your 3 votes" in str(error.value.message_dict["vote"])
    assert services.vote_toggle(card=cards[0], actor=zhang) is False  # a vote taken back frees one
    assert services.vote_toggle(card=cards[3], actor=zhang) is True
    assert all(v.votes is None for v in selectors.card_views(retro=retro, member=boss))
    services.votes_reveal(retro=retro, actor=boss)
    retro.refresh_from_db()
    counts = {v.text: v.votes for v in selectors.card_views(retro=retro, member=boss)}
    assert counts == {"Card 0": 0, "Card 1": 1, "Card 2": 1, "Card 3": 1}


def test_an_action_owner_must_be_a_person_of_the_team(org, retro, boss, zhang):
    stranger = factories.member(org, Role.MEMBER, name="Stranger", teams=[factories.team(org, "Ops")])
    due = retro.period_end + timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        services.action_add(
            retro=retro, actor=boss, description="More promotion budget", owner=stranger, due_date=due
        )
    assert "person of this team" in str(error.value.message_dict["owner"])
    action = services.action_add(retro=retro, actor=boss, description="More promotion budget", owner=zhang,
                                 due_date=due, token="a-1")  # fmt: skip
    again = services.action_add(retro=retro, actor=boss, description="More promotion budget", owner=zhang,
                                due_date=due, token="a-1")  # fmt: skip
    assert action.pk == again.pk


def test_the_owner_marks_an_action_done_after_the_retro_closed(retro, boss, zhang, li):
    action = services.action_add(retro=retro, actor=boss, description="New customer segment", owner=zhang,
                                 due_date=retro.period_end + timedelta(days=20))  # fmt: skip
    services.retro_close(retro=retro, actor=boss, summary="Done")
    with pytest.raises(NotAllowed):
        services.action_set_status(action=action, actor=li, status="done")
    assert services.action_set_status(action=action, actor=zhang, status="done").status == "done"


def test_open_actions_come_back_in_the_next_retro_of_the_team(retro, sales, boss, zhang, last_quarter):
    services.action_add(retro=retro, actor=boss, description="Promotion budget in the key region", owner=zhang,
                        due_date=last_quarter[1] + timedelta(days=30))  # fmt: skip
    services.retro_close(retro=retro, actor=boss, summary="Behind by 10%")
    start = last_quarter[1] + timedelta(days=1)
    following = services.retro_start(team=sales, actor=boss, kind="month", period_start=start,
                                     period_end=start + timedelta(days=27))  # fmt: skip
    review = selectors.goal_review(retro=following)
    assert [p.action.description for p in review.past_actions] == ["Promotion budget in the key region"]


def test_lessons_are_written_by_the_facilitator_and_published(retro, boss, zhang):
    with pytest.raises(NotAllowed):
        services.lesson_add(retro=retro, actor=zhang, kind="keep", text="Live streaming")
    lesson = services.lesson_add(retro=retro, actor=boss, kind="keep", text="Live streaming converts",
                                 tags="直播， e-commerce")  # fmt: skip
    assert lesson.tags == "直播, e-commerce"
    assert services.lesson_publish(lesson=lesson, actor=boss).published
