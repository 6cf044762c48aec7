"""The demo carries 陈经理 and 张三's one-on-ones: the last one two weeks ago with a point that was
not reached (carried over to today's), an open action and a feeling check; 陈经理's private note
stays his. Seeding twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command

from people import selectors
from people.models import ActionItem, AgendaItem, Meeting, PrivateNote, Series, SmallWin
from people.selectors import load
from teams.selectors import org_today


def counts():
    return tuple(m.objects.count() for m in (Series, Meeting, AgendaItem, ActionItem, PrivateNote))


def test_demo_one_on_ones(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    series = Series.objects.select_related("manager__user", "member__user", "org").get(
        member__user__email="member@stretch.demo"
    )
    assert (series.manager.user.email, series.member.user.email) == (
        "manager@stretch.demo",
        "member@stretch.demo",
    )
    today = org_today(series.org)
    held, upcoming = series.meetings.order_by("day")
    assert held.held_at is not None and held.feeling == 3 and upcoming.day == today == series.next_date
    assert upcoming.agenda.filter(carried_from__isnull=False).count() == 1
    view = selectors.meeting_view(meeting=upcoming, viewer=series.member)
    assert [a.done_at for a in view.actions] == [None] and view.note is None  # the note is 陈经理's
    assert selectors.meeting_view(meeting=held, viewer=series.manager).note is not None
    # 钱七 of Sales East is over-stretched: 孙经理 sees a high signal in their one-on-one.
    qian = Series.objects.select_related("member", "team").get(member__user__email="east@stretch.demo")
    facts = selectors.prepared_facts(org=series.org, member=qian.member, team=qian.team)
    assert facts.burnout.level == "high", facts.burnout.factors
    assert {f.key for f in facts.burnout.factors if f.points} >= {"mood", "stretch", "overdue", "off_days"}
    [sales] = load.team_loads(org=series.org, teams=[qian.team], viewer=qian.manager)
    assert [t.member for t in sales.talk_to] == [qian.member]
    # The small-wins feed has wins from the other apps' demo data.
    assert SmallWin.objects.filter(org=series.org).exists()
    before = counts()
    wins = SmallWin.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before and SmallWin.objects.count() == wins


def test_demo_six_weeks_of_sales_pulses_with_a_falling_workload(db):
    from people.models import Pulse, PulseSchedule
    from teams.models import Team

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sales = Team.objects.get(name="Sales 销售团队")
    org = sales.org
    today = org_today(org)
    assert PulseSchedule.objects.get(team=sales).next_on == today + timedelta(days=7)
    closed = Pulse.objects.filter(team=sales, closes_on__lt=today).order_by("opens_on")
    assert closed.count() == 6 and closed.first().opens_on == today - timedelta(days=42)
    assert Pulse.objects.filter(team=sales, opens_on=today).count() == 1  # this week's, open
    trend = selectors.team_trend(org=org, team=sales, today=today)
    workload = [p.topics["workload"] for p in trend]
    assert len(workload) == 6 and None not in workload
    assert workload == sorted(workload, reverse=True) and workload[0] - workload[-1] >= 1
    results = selectors.pulse_results(pulse=closed.last(), today=today)
    assert results.total is not None and results.total.respondents >= 5
    before = Pulse.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Pulse.objects.count() == before
