"""Pulse surveys: running one, answering it once on a 1–5 scale, and the anonymity rule — nothing
below the threshold, nothing while it is open, and no group that could be worked out by
subtracting the shown ones from the total."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from people import selectors, services
from people.models import Pulse, PulseAnswer, PulseComment, PulseParticipation
from people.questions import ENPS, TOPICS
from teams.errors import NotAllowed
from teams.models import Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(org):
    return factories.member(org, Role.HR, name="Zhou HR")


def crew(org, name, size, score):
    team = factories.team(org, name)
    return team, [factories.member(org, Role.MEMBER, teams=[team]) for _ in range(size)], score


def answer_all(pulse, people, score, comment=""):
    keys = list(pulse.questions.values_list("key", flat=True))
    for person in people:
        services.pulse_answer(pulse=pulse, member=person, scores=dict.fromkeys(keys, score), comment=comment)


def after(pulse):
    return pulse.closes_on + timedelta(days=1)


def test_a_pulse_asks_four_rotating_questions_and_eNPS_once_a_quarter(org, hr, today):
    first = services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today + timedelta(days=3))
    second = services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today + timedelta(days=3))
    first_keys = list(first.questions.values_list("key", flat=True))
    second_keys = list(second.questions.values_list("key", flat=True))
    assert len(first_keys) == 5 and first_keys[-1] == ENPS  # 4 topics + the quarter's eNPS
    assert len(second_keys) == 4 and ENPS not in second_keys
    assert {k.split("-")[0] for k in first_keys[:4]} != {k.split("-")[0] for k in second_keys}
    assert {k.split("-")[0] for k in first_keys[:4] + second_keys} == set(TOPICS)


def test_a_threshold_below_3_or_a_past_date_is_refused(org, hr, today):
    for threshold in (2, 11, None):
        with pytest.raises(ValidationError) as error:
            services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today, threshold=threshold)
        assert "threshold" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.pulse_create(actor=hr, team=None, opens_on=today - timedelta(days=1), closes_on=today)
    assert "opens_on" in error.value.message_dict
    assert not Pulse.objects.exists()


def test_a_member_runs_no_pulse_and_a_manager_only_for_their_team(org, ops, lead, zhang, other_lead, today):
    with pytest.raises(NotAllowed):
        services.pulse_create(actor=zhang, team=ops, opens_on=today, closes_on=today)
    with pytest.raises(NotAllowed):
        services.pulse_create(actor=other_lead, team=ops, opens_on=today, closes_on=today)
    assert services.pulse_create(actor=lead, team=ops, opens_on=today, closes_on=today).team == ops


def test_an_answer_outside_1_to_5_or_twice_is_refused_and_nothing_is_stored(org, hr, zhang, today):
    pulse = services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today)
    keys = list(pulse.questions.values_list("key", flat=True))
    for bad in (0, 6, "x", None):
        with pytest.raises(ValidationError) as error:
            services.pulse_answer(pulse=pulse, member=zhang, scores={**dict.fromkeys(keys, 3), keys[0]: bad})
        assert keys[0] in error.value.message_dict
    assert not PulseParticipation.objects.exists() and not PulseAnswer.objects.exists()
    services.pulse_answer(
        pulse=pulse, member=zhang, scores=dict.fromkeys(keys, 3), comment="Too many targets"
    )
    with pytest.raises(ValidationError) as error:
        services.pulse_answer(pulse=pulse, member=zhang, scores=dict.fromkeys(keys, 5))
    assert "already answered" in str(error.value)
    assert PulseAnswer.objects.count() == len(keys) and PulseComment.objects.count() == 1
    assert set(PulseAnswer.objects.values_list("score", flat=True)) == {3}


def test_answers_and_comments_carry_nothing_that_leads_to_the_person():
    for model in (PulseAnswer, PulseComment):
        fields = model._meta.get_fields()
        assert not [f for f in fields if getattr(f, "related_model", None) is Membership]
        assert not [f.name for f in fields if f.get_internal_type() in ("DateTimeField", "DateField", "AutoField",
                                                                          "BigAutoField")]  # fmt: skip


def test_nothing_is_shown_while_open_or_below_the_threshold(org, hr, today):
    team, people, _score = crew(org, "Small", 4, 2)
    pulse = services.pulse_create(actor=hr, team=team, opens_on=today, closes_on=today)
    answer_all(pulse, people, 2, comment="Tired")
    while_open = selectors.pulse_results(pulse=pulse, today=today)
    assert not while_open.closed and while_open.total is None and while_open.groups == []
    results = selectors.pulse_results(pulse=pulse, today=after(pulse))
    assert results.closed and results.total is None and results.groups == [] and results.comments == []


def test_a_group_that_subtraction_would_reveal_is_hidden(org, hr, today):
    crews = [crew(org, "Alpha", 6, 4), crew(org, "Beta", 5, 3), crew(org, "Gamma", 2, 1)]
    pulse = services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today)
    for _team, people, score in crews:
        answer_all(pulse, people, score)
    results = selectors.pulse_results(pulse=pulse, today=after(pulse))
    # Gamma (2) is below 5; hiding only Gamma would let total − Alpha − Beta give its answer away,
    # so the smallest shown group (Beta) is hidden with it: 7 hidden respondents together.
    assert [g.name for g in results.groups] == ["Alpha"] and results.hidden_groups == 2
    assert results.total.respondents == 13
    assert [q.mean for q in results.groups[0].questions] == [4] * len(results.groups[0].questions)


def test_groups_that_all_reach_the_threshold_are_all_shown(org, hr, today):
    crews = [crew(org, "Alpha", 5, 4), crew(org, "Beta", 5, 2)]
    pulse = services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today)
    for _team, people, score in crews:
        answer_all(pulse, people, score, comment="ok")
    results = selectors.pulse_results(pulse=pulse, today=after(pulse))
    assert [(g.name, g.respondents, g.questions[0].mean) for g in results.groups] == [
        ("Alpha", 5, 4),
        ("Beta", 5, 2),
    ]
    assert results.total.questions[0].mean == 3 and results.comments == ["ok"] * 10


def test_the_eNPS_counts_promoters_minus_detractors(org, hr, today):
    team, people, _ = crew(org, "Alpha", 6, 0)
    pulse = services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today)
    keys = list(pulse.questions.values_list("key", flat=True))
    for person, score in zip(people, (5, 5, 5, 4, 2, 1), strict=True):
        services.pulse_answer(pulse=pulse, member=person, scores=dict.fromkeys(keys, score))
    results = selectors.pulse_results(pulse=pulse, today=after(pulse))
    enps = next(q for q in results.total.questions if q.key == ENPS)
    assert enps.enps == round(100 * (3 - 2) / 6)


def test_the_team_trend_follows_visible_pulses_only(org, hr, today):
    team, people, _ = crew(org, "Sales", 5, 0)
    first = services.pulse_create(actor=hr, team=team, opens_on=today, closes_on=today)
    answer_all(first, people, 4)
    second = services.pulse_create(actor=hr, team=team, opens_on=today, closes_on=today)
    answer_all(second, people[:3], 2)  # three answered: hidden
    trend = selectors.team_trend(org=org, team=team, today=today + timedelta(days=1))
    assert [set(p.topics.values()) for p in trend] == [{4}, {None}]
