"""People in the demo (added to `manage.py seed_demo`): 陈经理 and 张三's one-on-ones every two
weeks — the last one two weeks ago, with a talking point that was not reached and carried over to
today's meeting, an open action and a feeling check; 孙经理's one-on-ones with 钱七, an over-stretched
key account manager of Sales East (a personal goal far behind its pace, an overdue action, a falling
stand-up mood, stand-ups at the weekend: a high burnout signal); and the small-wins feed detected
from the other apps' demo data. Laid out relative to the organisation's today; idempotent: each
part is added once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from django.db import transaction
from django.utils import timezone

from goals import services as goal_services
from goals.models import Scope, Status
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from tracking import services as tracking_services

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
SALES_EAST = "Sales East 华东销售组"
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
    people = {m.user.email: m for m in Membership.objects.filter(org=org).select_related("user")}
    _one_on_ones(org, people)
    _over_stretched(org, people)
    services.small_wins_detect(org=org)


def _one_on_ones(org: Organization, people: dict[str, Membership]) -> None:
    if Series.objects.filter(org=org, member__user__email="member@stretch.demo").exists():
        return
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


def _over_stretched(org: Organization, people: dict[str, Membership]) -> None:
    """钱七 (Sales East): more than the recent pace can carry, and it shows."""
    sun, qian = people.get("sales.manager@stretch.demo"), people.get("east@stretch.demo")
    east = Team.objects.filter(org=org, name=SALES_EAST).first()
    if (
        sun is None
        or qian is None
        or east is None
        or Series.objects.filter(manager=sun, member=qian).exists()
    ):
        return
    today = org_today(org)
    goal = goal_services.goal_create(org=org, actor=sun, data=goal_services.GoalInput(
        title="华东大客户成交额 Key-account deals (East)", owner=qian, team=east, scope=Scope.PERSONAL,
        start_date=today - timedelta(days=45), end_date=today + timedelta(days=45), base=D(1500000),
        challenge=D(1800000), stretch=D(2100000), metric_name="Deal value", unit="¥",
        description="The key accounts of the East region, where competition intensified.",
    ))  # fmt: skip
    goal_services.goal_set_status(goal=goal, actor=sun, status=Status.ACTIVE)
    for days_ago, value in ((40, 120000), (25, 150000), (10, 90000)):  # far behind the pace it needs
        tracking_services.entry_create(org=org, actor=sun, data=tracking_services.EntryInput(
            goal_id=goal.pk, value=str(value), day=(today - timedelta(days=days_ago)).isoformat(), member_id=qian.pk))  # fmt: skip
    series = services.series_start(actor=sun, team=east, member=qian, cadence=Cadence.WEEKLY, next_date=today)
    meeting = series.meetings.get()
    services.action_add(meeting=meeting, actor=sun, owner=qian, due=today - timedelta(days=3),
                        text="发送华东新客户群名单 / Send the list of the new East customer segment")  # fmt: skip
    for back in range(1, 8):  # the last week: a low mood every day, the weekend included
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        tracking_services.standup_submit(member=qian, actor=qian, data=tracking_services.StandupInput(
            day=day, mood=2, yesterday="周末跟进华东客户 / Weekend follow-up with East customers" if weekend
            else "拜访 4 家客户 / Visited 4 customers", today="追回款 / Chase collections"))  # fmt: skip


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
