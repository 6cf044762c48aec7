"""People in the demo (added to `manage.py seed_demo`): 陈经理 and 张三's one-on-ones every two
weeks — the last one two weeks ago, with a talking point that was not reached and carried over to
today's meeting, an open action and a feeling check. Laid out relative to the organisation's today;
idempotent: nothing is added once the organisation has a series."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from teams.models import Membership, Organization, Team
from teams.selectors import org_today

from . import services
from .models import (
    Cadence,
    Meeting,
    Pulse,
    PulseAnswer,
    PulseParticipation,
    PulseQuestion,
    PulseSchedule,
    Series,
)
from .questions import BANK_VERSION, question

OPERATIONS = "Operations 运营团队"
SALES = "Sales 销售团队"
SALES_REPS = [("sales1@stretch.demo", "蒋一 Jiang Yi"), ("sales2@stretch.demo", "沈二 Shen Er"),
              ("sales3@stretch.demo", "韩三 Han San"), ("sales4@stretch.demo", "杨四 Yang Si"),
              ("sales5@stretch.demo", "朱五 Zhu Wu"), ("sales6@stretch.demo", "秦六 Qin Liu")]  # fmt: skip
# The sales team's mean workload score, six weeks ago to last week: the competition squeezes it.
WORKLOAD = (4.0, 3.7, 3.3, 3.0, 2.6, 2.3)
OTHERS = 3.7
SPREAD = (-0.6, -0.4, -0.2, 0.0, 0.2, 0.4, 0.6, -0.1, 0.1)


@transaction.atomic
def seed_people(org: Organization) -> None:
    if Series.objects.filter(org=org).exists():
        return
    people = {m.user.email: m for m in Membership.objects.filter(org=org).select_related("user")}
    team = Team.objects.filter(org=org, name=OPERATIONS).first()
    manager, zhang = people.get("manager@stretch.demo"), people.get("member@stretch.demo")
    if team is None or manager is None or zhang is None:
        return
    today = org_today(org)
    series = services.series_start(
        actor=manager, team=team, member=zhang, cadence=Cadence.BIWEEKLY, next_date=today
    )
    first = series.meetings.get()
    Meeting.objects.filter(pk=first.pk).update(day=today - timedelta(days=14))  # the history of the story
    first.refresh_from_db()
    reached = services.agenda_add(meeting=first, author=zhang,
                                  text="裂变活动第二轮的设计预算 / Design budget for the second referral campaign")  # fmt: skip
    services.agenda_add(meeting=first, author=manager,
                        text="下季度想学什么？/ What would you like to learn next quarter?")  # fmt: skip
    services.agenda_check(item=reached, actor=manager, done=True)
    services.feeling_set(meeting=first, actor=zhang, feeling=3)
    services.action_add(meeting=first, actor=manager, owner=manager, due=today + timedelta(days=3),
                        text="和财务确认 ¥5,000 设计预算 / Confirm the ¥5,000 design budget with finance")  # fmt: skip
    services.private_note_save(meeting=first, author=manager,
                               body="张三有些疲惫，留意工作量。/ Zhang seems tired: watch the workload.")  # fmt: skip
    following = services.meeting_hold(meeting=first, actor=manager)
    services.agenda_add(meeting=following, author=zhang,
                        text="渠道合作的法务审核太慢 / Legal review of channel partners is slow")  # fmt: skip


def _scores(mean: float, people: int) -> list[int]:
    return [min(5, max(1, round(mean + SPREAD[n % len(SPREAD)]))) for n in range(people)]


@transaction.atomic
def seed_pulses(org: Organization) -> None:
    """Six weekly pulses of the sales team, closed, in which the workload score falls (a schedule
    opens the next one today): six sales reps join the team so that, with 孙经理, seven people
    answer — above the threshold of 5. Answers are written as they would have been stored then:
    without the person. Idempotent: nothing is added once the sales team has a schedule."""
    from teams.demo import DEMO_PASSWORD
    from teams.models import User

    sales = Team.objects.filter(org=org, name=SALES).first()
    lead = Membership.objects.filter(org=org, user__email="sales.manager@stretch.demo").first()
    if sales is None or lead is None or PulseSchedule.objects.filter(org=org, team=sales).exists():
        return
    for number, (email, name) in enumerate(SALES_REPS, start=101):
        user = User.objects.filter(email=email).first() or User.objects.create_user(email, DEMO_PASSWORD,
                                                                                    display_name=name)  # fmt: skip
        rep, _created = Membership.objects.get_or_create(org=org, user=user, defaults={
            "role": "member", "title": "Sales rep", "employee_number": f"SD{number:04d}"})  # fmt: skip
        rep.teams.add(sales)
    respondents = list(Membership.objects.filter(org=org, teams=sales, is_active=True).order_by("pk"))
    today = org_today(org)
    schedule = PulseSchedule.objects.create(org=org, team=sales, cadence=Cadence.WEEKLY, next_on=today, days_open=3,
                                            threshold=5, created_by=lead)  # fmt: skip
    for week, workload in enumerate(WORKLOAD):
        opens_on = today - timedelta(days=7 * (len(WORKLOAD) - week))
        pulse = services.pulse_make(org=org, team=sales, opens_on=opens_on, closes_on=opens_on + timedelta(days=2),
                                    threshold=5, actor=lead, schedule=schedule)  # fmt: skip
        Pulse.objects.filter(pk=pulse.pk).update(reminded_at=timezone.now())
        questions = list(pulse.questions.all())
        if not any(q.topic == "workload" for q in questions):  # the demo asks the workload every week
            asked = question("workload-1", BANK_VERSION)
            assert asked is not None  # noqa: S101 - the bank's own key
            questions.append(PulseQuestion.objects.create(org=org, pulse=pulse, key=asked.key, topic=asked.topic,
                                                          position=len(questions)))  # fmt: skip
        PulseParticipation.objects.bulk_create(
            [PulseParticipation(org=org, pulse=pulse, member=m) for m in respondents]
        )
        PulseAnswer.objects.bulk_create(
            [PulseAnswer(org=org, pulse=pulse, question=q, team=sales, score=score)
             for q in questions
             for score in _scores(workload if q.topic == "workload" else OTHERS, len(respondents))]
        )  # fmt: skip
    services.scheduled_pulses_open(org=org, today=today)
