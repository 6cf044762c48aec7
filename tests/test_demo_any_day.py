"""The demo tells the article's story on whatever day it is seeded: the operations team ahead of its
challenge path, the sales team about 10 % behind with its alert acknowledged (competition in the key
region) and its goal review approved, the stand-ups of the last weeks, a locked payout run for the
quarter before, a star of the month and an afternoon tea. `make run` seeds it on the day someone
first tries Stretch, so it is checked here on awkward days: the first days of a quarter, its last
evening (in UTC, when the organisation in Shanghai is already in the next one), a Sunday, a Monday
in January, 29 February."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from goals.demo import OPS_USERS, SALES_DEALS, demo_calendar
from goals.models import Goal, Revision
from incentives.models import PayoutRun, RunStatus
from recognition.models import EarnedReward, Star
from teams.models import Organization
from tracking.models import Alert, CorrectiveAction, IndicatorSnapshot, MetricEntry, Standup

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOMENTS = {
    "first day of a quarter": datetime(2027, 4, 1, 9, 0, tzinfo=SHANGHAI),
    "day 21 of a quarter": datetime(2027, 4, 22, 9, 0, tzinfo=SHANGHAI),
    "last evening of a quarter (UTC)": datetime(2027, 3, 31, 22, 30, tzinfo=UTC),
    "a Sunday": datetime(2027, 6, 13, 12, 0, tzinfo=SHANGHAI),
    "a Monday in January": datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI),
    "29 February": datetime(2028, 2, 29, 12, 0, tzinfo=SHANGHAI),
}


def seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def counts() -> tuple[int, ...]:
    return (Goal.objects.count(), Standup.objects.count(), MetricEntry.objects.count(), Alert.objects.count(),
            PayoutRun.objects.count(), Star.objects.count())  # fmt: skip


@pytest.mark.parametrize("moment", list(MOMENTS.values()), ids=list(MOMENTS))
def test_the_demo_tells_the_articles_story_on_any_day(db, moment):
    with time_machine.travel(moment, tick=False):
        seed()
        org = Organization.objects.get(slug="demo")
        calendar = demo_calendar(org)
        today = moment.astimezone(SHANGHAI).date()
        assert calendar.today == today
        assert calendar.start <= today - timedelta(days=21)  # weeks of the quarter to tell

        ops = IndicatorSnapshot.objects.filter(goal__title=OPS_USERS, metric_key=0).latest("day")
        sales = IndicatorSnapshot.objects.filter(goal__title=SALES_DEALS, metric_key=0).latest("day")
        assert ops.day == sales.day == min(today, calendar.end)
        assert ops.pace >= 100 and ops.tier_projected in ("challenge", "stretch"), (
            ops.pace,
            ops.tier_projected,
            ops.actual,
            ops.expected,
            ops.detail,
        )
        assert D(5) <= D(100) - sales.pace <= D(15) and sales.status == "off_track", (
            sales.pace,
            sales.status,
        )

        alert = Alert.objects.get(goal__title=SALES_DEALS, kind="lagging_behind")
        assert alert.state == "acknowledged" and alert.cause == "competition"
        assert "promotion budget" in CorrectiveAction.objects.get(alert=alert).description
        revision = Revision.objects.get(goal__title=SALES_DEALS)
        assert revision.state == "approved"
        assert calendar.start + timedelta(days=14) <= revision.effective_from < today

        standups = Standup.objects.filter(org=org)
        assert standups.count() > 50 and not standups.filter(day__gte=today).exists()
        assert standups.filter(day__gte=today - timedelta(days=7)).exists()  # the last weeks, not long ago
        assert Alert.objects.filter(org=org, kind="standup_missed").exists()  # 赵六 missed three days

        run = PayoutRun.objects.get(org=org, status=RunStatus.LOCKED)
        assert (run.start, run.end) == calendar.previous_quarter and run.end < today
        assert Star.objects.filter(org=org).exists() and EarnedReward.objects.filter(team__org=org).exists()

        before = counts()
        seed()
        assert counts() == before


def test_the_story_moves_to_the_new_quarter_once_it_has_three_weeks():
    org = Organization(slug="x", timezone="Asia/Shanghai", fiscal_year_start_month=1)
    early = demo_calendar(org, today=date(2027, 4, 21))
    later = demo_calendar(org, today=date(2027, 4, 22))
    assert early.quarter == (date(2027, 1, 1), date(2027, 3, 31))
    assert later.quarter == (date(2027, 4, 1), date(2027, 6, 30))
    assert [early.label(span) for span in early.history] == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    april = demo_calendar(Organization(slug="y", timezone="UTC", fiscal_year_start_month=4),
                          today=date(2027, 5, 30))  # fmt: skip
    assert april.quarter[0] == date(2027, 4, 1) and april.label(april.quarter) == "FY2027 Q1"
    assert april.year == (date(2027, 4, 1), date(2028, 3, 31))
