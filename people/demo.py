"""People in the demo (added to `manage.py seed_demo`): 陈经理 and 张三's one-on-ones every two
weeks — the last one two weeks ago, with a talking point that was not reached and carried over to
today's meeting, an open action and a feeling check. Laid out relative to the organisation's today;
idempotent: nothing is added once the organisation has a series."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from teams.models import Membership, Organization, Team
from teams.selectors import org_today

from . import services
from .models import Cadence, Meeting, Series

OPERATIONS = "Operations 运营团队"


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
