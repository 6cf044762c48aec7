"""One-on-one writes: starting a series, the shared agenda and its carry-over, actions that stay
until done, the feeling check, and refusals that store nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from people import selectors, services
from people.models import ActionItem, AgendaItem, Cadence, Meeting, Series
from teams.errors import NotAllowed
from teams.models import AuditEntry, Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_manager_starts_one_on_ones_with_a_member_of_their_team(series, lead, zhang, today):
    assert (series.manager, series.member, series.cadence) == (lead, zhang, Cadence.BIWEEKLY)
    assert series.org_id == lead.org_id
    assert list(series.meetings.values_list("day", flat=True)) == [today + timedelta(days=1)]


def test_a_cadence_in_the_past_is_refused_and_nothing_is_stored(lead, ops, zhang, today):
    with pytest.raises(ValidationError) as error:
        services.series_start(actor=lead, team=ops, member=zhang, cadence=Cadence.WEEKLY,
                              next_date=today - timedelta(days=1))  # fmt: skip
    assert "next_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.series_start(actor=lead, team=ops, member=zhang, cadence="daily", next_date=today)
    assert "cadence" in error.value.message_dict
    assert not Series.objects.exists() and not Meeting.objects.exists()


def test_one_series_per_manager_and_member(series, lead, ops, zhang, today):
    with pytest.raises(ValidationError) as error:
        services.series_start(actor=lead, team=ops, member=zhang, cadence=Cadence.WEEKLY, next_date=today)
    assert "member" in error.value.message_dict
    assert Series.objects.count() == 1


def test_only_a_manager_of_the_team_starts_a_series(org, ops, lead, zhang, li, other_lead, today):
    with pytest.raises(NotAllowed):
        services.series_start(actor=li, team=ops, member=zhang, cadence=Cadence.WEEKLY, next_date=today)
    with pytest.raises(ValidationError) as error:
        services.series_start(
            actor=other_lead, team=ops, member=zhang, cadence=Cadence.WEEKLY, next_date=today
        )
    assert "team" in error.value.message_dict
    stranger = factories.member(org, Role.MEMBER)  # not on the team
    with pytest.raises(ValidationError) as error:
        services.series_start(actor=lead, team=ops, member=stranger, cadence=Cadence.WEEKLY, next_date=today)
    assert "member" in error.value.message_dict
    assert not Series.objects.exists()


def test_both_add_talking_points_and_unchecked_ones_carry_over(meeting, lead, zhang):
    mine = services.agenda_add(meeting=meeting, author=zhang, text="Budget for the campaign")
    theirs = services.agenda_add(meeting=meeting, author=lead, text="What to learn next quarter")
    services.agenda_check(item=mine, actor=lead, done=True)

    following = services.meeting_hold(meeting=meeting, actor=lead)

    assert following.day == meeting.day + timedelta(days=14)
    carried = list(AgendaItem.objects.filter(meeting=following))
    assert [(i.text, i.author_id, i.carried_from_id, i.done) for i in carried] == [
        (theirs.text, lead.pk, theirs.pk, False)
    ]
    assert Series.objects.get().next_date == following.day
    with pytest.raises(ValidationError):  # holding twice changes nothing more
        services.meeting_hold(meeting=Meeting.objects.get(pk=meeting.pk), actor=zhang)
    assert Meeting.objects.count() == 2
    with pytest.raises(ValidationError):  # a held meeting takes no new points
        services.agenda_add(meeting=Meeting.objects.get(pk=meeting.pk), author=zhang, text="Late point")


def test_a_monthly_series_keeps_the_day_of_the_month_or_the_last_day():
    from datetime import date

    assert services.next_after(date(2027, 1, 31), Cadence.MONTHLY) == date(2027, 2, 28)
    assert services.next_after(date(2027, 12, 15), Cadence.MONTHLY) == date(2028, 1, 15)
    assert services.next_after(date(2027, 12, 15), Cadence.WEEKLY) == date(2027, 12, 22)


def test_an_agenda_item_of_ten_thousand_characters_is_refused(meeting, zhang):
    with pytest.raises(ValidationError) as error:
        services.agenda_add(meeting=meeting, author=zhang, text="x" * 10_000)
    assert "text" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.agenda_add(meeting=meeting, author=zhang, text="   ")
    assert not AgendaItem.objects.exists()


def test_actions_carry_over_until_done(meeting, lead, zhang, today):
    action = services.action_add(meeting=meeting, actor=lead, owner=zhang, text="Send the partner list",
                                 due=today + timedelta(days=3))  # fmt: skip
    following = services.meeting_hold(meeting=meeting, actor=lead)
    assert [a.pk for a in selectors.meeting_view(meeting=following, viewer=zhang).actions] == [action.pk]

    services.action_done(action=action, actor=zhang)
    after = services.meeting_hold(meeting=following, actor=zhang)
    assert selectors.meeting_view(meeting=after, viewer=zhang).actions == []
    # …but the meeting where it was agreed still shows it, done.
    first = selectors.meeting_view(meeting=Meeting.objects.get(pk=meeting.pk), viewer=zhang)
    assert [a.done_at is not None for a in first.actions] == [True]


def test_an_action_belongs_to_one_of_the_two_people(meeting, lead, li):
    with pytest.raises(ValidationError) as error:
        services.action_add(meeting=meeting, actor=lead, owner=li, text="Not theirs", due=None)
    assert "owner" in error.value.message_dict
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("feeling", [0, 6, None])
def test_a_feeling_outside_one_to_five_is_refused(meeting, zhang, feeling):
    with pytest.raises(ValidationError) as error:
        services.feeling_set(meeting=meeting, actor=zhang, feeling=feeling)
    assert "feeling" in error.value.message_dict
    assert Meeting.objects.get().feeling is None


def test_the_feeling_check_is_kept(meeting, zhang):
    services.feeling_set(meeting=meeting, actor=zhang, feeling=4)
    assert Meeting.objects.get().feeling == 4


def test_nobody_outside_the_series_and_its_managers_writes_to_it(meeting, li, other_lead, org):
    hr = factories.member(org, Role.HR)
    for outsider in (li, other_lead, hr):
        with pytest.raises(NotAllowed):
            services.agenda_add(meeting=meeting, author=outsider, text="Peeking")
        with pytest.raises(NotAllowed):
            services.private_note_save(meeting=meeting, author=outsider, body="Peeking")
    assert not AgendaItem.objects.exists()


def test_a_private_note_is_read_by_its_author_only(meeting, lead, zhang, org):
    services.private_note_save(meeting=meeting, author=lead, body="Zhang seems tired")
    services.private_note_save(meeting=meeting, author=lead, body="Zhang seems tired; watch the workload")
    admin = factories.member(org, Role.ADMIN)

    assert selectors.meeting_view(meeting=meeting, viewer=lead).note.body.endswith("watch the workload")
    for other in (zhang, admin):
        assert selectors.meeting_view(meeting=meeting, viewer=other).note is None
        assert selectors.private_note_get(org=org, meeting=meeting, author=other) is None
    # Never in the audit trail either.
    assert not [e for e in AuditEntry.objects.all() if "tired" in f"{e.changes} {e.target_repr}"]


def test_a_new_rhythm_moves_the_open_meeting(series, meeting, zhang, today):
    services.series_schedule(
        series=series, actor=zhang, cadence=Cadence.WEEKLY, next_date=today + timedelta(days=5)
    )
    meeting.refresh_from_db()
    assert meeting.day == today + timedelta(days=5)
    assert Series.objects.get().cadence == Cadence.WEEKLY
    with pytest.raises(ValidationError) as error:
        services.series_schedule(
            series=series, actor=zhang, cadence=Cadence.WEEKLY, next_date=today - timedelta(days=2)
        )
    assert "next_date" in error.value.message_dict
