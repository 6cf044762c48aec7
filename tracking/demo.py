"""Several weeks of stand-ups and metric values for the demo (added to `manage.py seed_demo`):
the operations goal ahead of its challenge path, the sales team about 10 % behind with an open
alert, its cause (competition in a key region) and a corrective action (more promotion budget
there, a new customer segment) — the article's example 3. Idempotent: nothing is added once the
organisation has stand-ups.

Dates follow the demo's calendar (goals.demo.DemoCalendar): values up to yesterday (today's are
still coming in), each day's value a share of the day's target on the goal's own decomposition
path, so the story holds whatever day the demo is seeded on."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal as D

from django.db import transaction

from goals.demo import OPS_DAU, OPS_USERS, SALES_DEALS, demo_calendar
from goals.models import Goal, Status
from teams.models import Membership, Organization

from . import services
from .models import Alert, MetricEntry, Source, Standup

STANDUP_DAYS = 15  # working days of stand-ups before today
OPS_PACE = 1.1  # the operations team runs ahead of its challenge path
SALES_PACE = 0.885  # the sales team about 10 % behind its (revised) path
SLICE_KINDS = ("week", "month", "quarter")  # finest first

TASKS = {
    "member@stretch.demo": ("第二场裂变活动上线 / Second referral campaign went live", "准备第三场活动设计 / Brief the designer on campaign 3"),
    "lisi@stretch.demo": ("与两家渠道洽谈 / Talks with two channel partners", "法务审核合同 / Contract to legal"),
    "wangwu@stretch.demo": ("新人引导 A/B 测试 / Onboarding A/B test", "分析测试结果 / Read the test results"),
    "zhaoliu@stretch.demo": ("社群活动 / Community event", "整理用户反馈 / Sort user feedback"),
    "manager@stretch.demo": ("周会准备 / Weekly review prep", "渠道预算 / Partner budget"),
    "sales.manager@stretch.demo": ("华东大客户拜访 / East key accounts", "促销方案 / Promotion plan"),
    "east@stretch.demo": ("拜访 4 家客户 / Visited 4 customers", "新客户群名单 / New segment list"),
}  # fmt: skip


def daily_path(goal: Goal) -> dict[date, D]:
    """Each day's share of the challenge target, on the finest decomposition of the targets in force
    (the newest version), or spread evenly over the period."""
    version = goal.versions.order_by("-number").first()
    pieces = list(version.period_targets.all()) if version else []
    kind = next((k for k in SLICE_KINDS if any(p.kind == k for p in pieces)), None)
    spans = [(p.start_date, p.end_date, p.challenge) for p in pieces if p.kind == kind]
    if not spans and version is not None:
        spans = [(goal.start_date, goal.end_date, version.challenge)]
    path: dict[date, D] = {}
    for start, end, challenge in spans:
        days = (end - start).days + 1
        for offset in range(days):
            path[start + timedelta(days=offset)] = challenge / days
    return path


def _working_days(until: date, count: int) -> list[date]:
    days: list[date] = []
    cursor = until
    while len(days) < count:
        if cursor.weekday() < 5:
            days.append(cursor)
        cursor -= timedelta(days=1)
    return sorted(days)


@transaction.atomic
def seed_tracking(org: Organization) -> None:
    if Standup.objects.filter(org=org).exists():
        return
    ops = Goal.objects.filter(org=org, title=OPS_USERS, status=Status.ACTIVE).first()
    sales = Goal.objects.filter(org=org, title=SALES_DEALS, status=Status.ACTIVE).first()
    if ops is None:
        return
    rng = random.Random(2026)  # noqa: S311 - demo numbers, not secrets
    calendar = demo_calendar(org)
    today, last = calendar.today, calendar.last_reported
    people = {m.user.email: m for m in Membership.objects.filter(org=org).select_related("user")}
    entries: list[MetricEntry] = []

    def add(goal: Goal, day: date, value: D, *, metric_name: str = "", member: Membership | None = None,
            source: str = Source.MANUAL, external_id: str | None = None) -> None:  # fmt: skip
        metric = goal.supporting_metrics.filter(name=metric_name).first() if metric_name else None
        entries.append(MetricEntry(org=org, goal=goal, supporting_metric=metric, day=day, value=value, member=member,
                                   source=source, external_id=external_id))  # fmt: skip

    # Operations: ahead of its weekly path to 200,000 — projected to reach the challenge target.
    path = daily_path(ops)
    day = ops.start_date
    while day <= last:
        share = float(path.get(day, 0))
        add(
            ops,
            day,
            D(round(share * OPS_PACE * rng.uniform(0.9, 1.1))),
            member=people.get("member@stretch.demo"),
        )
        add(ops, day, D(str(round(rng.uniform(0.9, 1.6), 2))), metric_name="客户投诉率 Complaint rate")
        if day.weekday() < 5:
            add(ops, day, D(rng.choice([5, 6, 6, 7])), metric_name="内容推广量 Content pushes",
                member=people.get("member@stretch.demo"))  # fmt: skip
        if day.weekday() == 2:
            add(
                ops,
                day,
                D(1),
                metric_name="渠道合作数 Channel partnerships",
                member=people.get("lisi@stretch.demo"),
            )
        day += timedelta(days=1)

    # DAU: the latest daily figure climbs toward +15 % by the end of the quarter.
    dau = Goal.objects.filter(org=org, title=OPS_DAU, status=Status.ACTIVE).first()
    if dau is not None:
        version = dau.versions.order_by("-number").first()
        slices = list(version.period_targets.filter(kind="month").order_by("start_date")) if version else []
        day = dau.start_date
        while day <= min(last, dau.end_date):
            piece = next((p for p in slices if p.start_date <= day <= p.end_date), None)
            if piece is not None:  # a little above each month's level by the month's end
                share = (day - piece.start_date).days / max((piece.end_date - piece.start_date).days, 1)
                add(
                    dau,
                    day,
                    D(str(round(float(piece.challenge) * (0.9 + 0.15 * share) * rng.uniform(0.99, 1.02), 2))),
                )
            day += timedelta(days=1)

    # Sales: about 10 % behind the (revised) path, deals pushed daily by the CRM; visits a little
    # short of 40 a week.
    if sales is not None:
        path = daily_path(sales)
        day = sales.start_date
        while day <= min(last, sales.end_date):
            share = float(path.get(day, 0))
            add(sales, day, D(round(share * SALES_PACE * rng.uniform(0.95, 1.05))), member=people.get("east@stretch.demo"),
                source=Source.API, external_id=f"crm-demo-{day.isoformat()}")  # fmt: skip
            if day.weekday() < 5:
                add(sales, day, D(rng.choice([6, 7, 8, 8, 9])), metric_name="客户拜访量 Customer visits",
                    member=people.get("east@stretch.demo"))  # fmt: skip
                add(sales, day, D(str(round(rng.uniform(91, 96), 1))), metric_name="回款率 Collection rate")
            day += timedelta(days=1)
    MetricEntry.objects.bulk_create(entries, batch_size=2000)

    # Stand-ups for the last three weeks (not yet today, so a member can log it); 赵六 has missed
    # the last three working days, which the stand-up rule turns into an alert.
    for day in _working_days(today - timedelta(days=1), STANDUP_DAYS):
        for email, (done, plan) in TASKS.items():
            member = people.get(email)
            if member is None or (
                email == "zhaoliu@stretch.demo" and day >= _working_days(today - timedelta(days=1), 3)[0]
            ):
                continue
            blockers = (
                "等待法务审核 / Waiting for legal review"
                if email == "lisi@stretch.demo" and day.weekday() in (1, 3)
                else ""
            )
            Standup.objects.create(org=org, member=member, day=day, yesterday=done, today=plan, blockers=blockers,
                                   mood=rng.choice([3, 4, 4, 5]))  # fmt: skip
    Membership.objects.filter(org=org).update(
        joined_at=min(m.joined_at for m in people.values()) - timedelta(days=60)
    )

    start = min(ops.start_date, sales.start_date if sales else ops.start_date)
    services.indicators_recompute(org=org, since=start)
    services.alerts_evaluate(org=org)
    if sales is not None:
        alert = Alert.objects.filter(org=org, goal=sales, kind="lagging_behind").first()
        manager = people.get("sales.manager@stretch.demo")
        if alert is not None and manager is not None:
            services.alert_acknowledge(
                alert=alert, actor=manager, cause="competition",
                cause_note="重点区域（华东）竞争加剧 / Competition intensified in the key region (East)",
                action=services.ActionInput(
                    description="加大华东促销投入，开发新客户群 / More promotion budget in the East, and a new customer segment",
                    owner=manager, due_date=today + timedelta(days=14),
                ),
            )  # fmt: skip
