"""The article's goals in the demo organisation (added to `manage.py seed_demo`). Idempotent:
a goal that already exists (same title) is left alone.

The story is laid out relative to today (see `DemoCalendar`), so that it holds on any day: the
operations team is ahead of its challenge path, the sales team about 10 % behind with its goal
review approved mid-quarter, four closed quarters of history feed the tier suggestion."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal as D

from django.db import transaction
from django.utils import timezone

from teams.models import Membership, Organization, Team

from . import services
from .models import Goal, Revision, Scope, Status
from .periods import Span, fiscal_year, quarter_containing
from .services import GoalInput, SliceInput

STRATEGY_USERS = "{year} 增长战略：用户规模 / {year} growth strategy: user base"
STRATEGY_REVENUE = "{year} 增长战略：收入 / {year} growth strategy: revenue"
OPS_USERS = "新增注册用户 20 万 / 200,000 new registered users"
OPS_DAU = "日活提升 15% / Daily active users +15%"
SALES_DEALS = "季度成交额 / Quarterly deal value"

# The story needs a few weeks of a quarter behind it: until this many days of the current quarter
# have passed, it is told on the quarter that has just ended (its goals still open, awaiting review).
STORY_MIN_DAYS = 21


@dataclass(frozen=True)
class DemoCalendar:
    """Where the demo's story sits on the calendar, worked out from the organisation's today."""

    today: date
    quarter: Span  # the quarter of the operations and sales goals
    history: tuple[Span, ...]  # the four closed quarters before it, oldest first
    year: Span  # the (fiscal) year of the strategy goals
    fiscal_start_month: int = 1

    @property
    def start(self) -> date:
        return self.quarter[0]

    @property
    def end(self) -> date:
        return self.quarter[1]

    @property
    def last_reported(self) -> date:
        """The last day with values: yesterday (today's values are still coming in), at most the
        quarter's last day."""
        return min(self.today - timedelta(days=1), self.end)

    @property
    def previous_quarter(self) -> Span:
        return self.history[-1]

    @property
    def revision_from(self) -> date:
        """When the sales goal's revised targets apply: a Monday after about three fifths of the
        weeks reported so far (never sooner than two weeks in), before the last few days."""
        elapsed = (self.last_reported - self.start).days
        day = self.start + timedelta(days=max(14, elapsed * 3 // 5))
        day += timedelta(days=(7 - day.weekday()) % 7)
        return day if day <= self.last_reported - timedelta(days=3) else self.start + timedelta(days=14)

    def label(self, span: Span) -> str:
        """ "2026 Q4" (fiscal years that start in another month than January: "FY2026 Q3")."""
        first = fiscal_year_start(span[0], self.fiscal_start_month)
        number = ((span[0].year - first.year) * 12 + span[0].month - first.month) // 3 + 1
        prefix = str(first.year) if self.fiscal_start_month == 1 else f"FY{first.year}"
        return f"{prefix} Q{number}"


def fiscal_year_start(day: date, start_month: int) -> date:
    return date(day.year if day.month >= start_month else day.year - 1, start_month, 1)


def demo_calendar(org: Organization, today: date | None = None) -> DemoCalendar:
    today = today or timezone.localdate(timezone.now(), timezone=zoneinfo.ZoneInfo(org.timezone))
    month = org.fiscal_year_start_month or 1
    quarter = quarter_containing(today - timedelta(days=STORY_MIN_DAYS), start_month=month)
    history: list[Span] = []
    cursor = quarter[0]
    for _ in range(4):
        previous = quarter_containing(cursor - timedelta(days=1), start_month=month)
        history.insert(0, previous)
        cursor = previous[0]
    year = fiscal_year(year=fiscal_year_start(quarter[0], month).year, start_month=month)
    return DemoCalendar(
        today=today, quarter=quarter, history=tuple(history), year=year, fiscal_start_month=month
    )


def _member(org: Organization, email: str) -> Membership:
    return Membership.objects.select_related("user").get(org=org, user__email=email)


def _team(org: Organization, name: str) -> Team:
    return Team.objects.get(org=org, name=name)


def _goal(org: Organization, actor: Membership, data: GoalInput, status: str | None = None) -> Goal:
    existing = Goal.objects.filter(org=org, title=data.title).first()
    if existing:
        return existing
    goal = services.goal_create(org=org, actor=actor, data=data)
    if status:
        services.goal_set_status(goal=goal, actor=actor, status=status)
    return goal


@transaction.atomic
def seed_goals(org: Organization) -> None:
    admin = _member(org, "admin@stretch.demo")
    ops_manager = _member(org, "manager@stretch.demo")
    sales_manager = _member(org, "sales.manager@stretch.demo")
    operations = _team(org, "Operations 运营团队")
    sales = _team(org, "Sales 销售团队")
    calendar = demo_calendar(org)
    if Goal.objects.filter(org=org, title=OPS_USERS).exists():
        return  # seeded before (perhaps in another quarter): the demo is left as it is
    start, end = calendar.quarter
    year_label = calendar.label(calendar.year).split(" ")[0]

    # History: four closed quarters of the same metric, so the form can suggest tiers (跳一跳能够到).
    for (h_start, h_end), result in zip(calendar.history, (150000, 160000, 172000, 180000), strict=True):
        title = f"{calendar.label((h_start, h_end))} 新增注册用户 / new registered users"
        if Goal.objects.filter(org=org, title=title).exists():
            continue
        past = services.goal_create(
            org=org, actor=ops_manager,
            data=GoalInput(title=title, owner=ops_manager, start_date=h_start, end_date=h_end, base=D(result - 20000),
                           challenge=D(result), stretch=D(result + 20000), scope=Scope.TEAM, team=operations,
                           metric_name="New registered users", unit="users", description="Quarterly user growth.",
                           rationale="Company growth."),
        )  # fmt: skip
        services.goal_set_status(goal=past, actor=ops_manager, status=Status.ACTIVE)
        services.goal_set_status(goal=past, actor=ops_manager, status=Status.ACHIEVED, result_value=D(result))

    strategy_users = _goal(org, admin, GoalInput(
        title=STRATEGY_USERS.format(year=year_label), owner=admin, start_date=calendar.year[0], end_date=calendar.year[1],
        base=D(650000), challenge=D(720000), stretch=D(800000), scope=Scope.STRATEGY, period_kind="year",
        metric_name="New registered users", unit="users",
        description=f"The company strategy for {year_label}: a larger, more active user base.",
        rationale="Growth is the company's first priority this year.",
    ), Status.ACTIVE)  # fmt: skip
    strategy_revenue = _goal(org, admin, GoalInput(
        title=STRATEGY_REVENUE.format(year=year_label), owner=admin, start_date=calendar.year[0], end_date=calendar.year[1],
        base=D(30000000), challenge=D(36000000), stretch=D(42000000), scope=Scope.STRATEGY, period_kind="year",
        metric_name="Revenue", unit="¥", description="Revenue from direct sales and e-commerce.",
        rationale="Fund the growth plan.",
    ), Status.ACTIVE)  # fmt: skip

    # Article example 1: the operations team's quarterly goal, with its weekly supporting metrics.
    if not Goal.objects.filter(org=org, title=OPS_USERS).exists():
        ops = services.goal_create(org=org, actor=ops_manager, data=GoalInput(
            title=OPS_USERS, owner=ops_manager, start_date=start, end_date=end,
            base=D(160000), challenge=D(200000), stretch=D(240000), baseline=D(180000), scope=Scope.TEAM,
            team=operations, parent=strategy_users, weight=D("0.25"), metric_name="New registered users",
            unit="users",
            description="新增注册用户 20 万：通过历史数据分析、市场容量测算及团队能力评估确定。 / 200,000 new registered "
                        "users this quarter, set from history, market size and the team's capacity.",
        ))  # fmt: skip
        services.supporting_metric_save(goal=ops, actor=ops_manager, kind="leading", name="内容推广量 Content pushes",
                                        unit="pushes", weekly_target=D(25))  # fmt: skip
        services.supporting_metric_save(goal=ops, actor=ops_manager, kind="leading",
                                        name="渠道合作数 Channel partnerships", unit="partners", weekly_target=D(1))  # fmt: skip
        services.supporting_metric_save(goal=ops, actor=ops_manager, kind="risk", name="客户投诉率 Complaint rate",
                                        unit="%", direction="down", threshold=D(2))  # fmt: skip
        weeks = services.decomposition_preview(goal=ops, kind="week", method="even")
        services.decomposition_apply(goal=ops, actor=ops_manager, kind="week",
                                     rows=[SliceInput(s.start, s.end, s.base, s.challenge, s.stretch) for s in weeks])  # fmt: skip
        services.goal_set_status(goal=ops, actor=ops_manager, status=Status.PROPOSED)
        services.comment_add(goal=ops, author=_member(org, "member@stretch.demo"),
                             body="裂变活动预计带来 8 万用户，挑战目标可行。 / The referral campaigns should bring 80k users.")  # fmt: skip
        services.comment_add(goal=ops, author=_member(org, "lisi@stretch.demo"),
                             body="渠道合作需要法务支持，冲刺目标偏高。 / Partnerships need legal support; stretch is high.",
                             base=D(150000), challenge=D(190000), stretch=D(220000))  # fmt: skip
        services.goal_set_status(goal=ops, actor=ops_manager, status=Status.ACTIVE)

    if not Goal.objects.filter(org=org, title=OPS_DAU).exists():
        dau = services.goal_create(org=org, actor=ops_manager, data=GoalInput(
            title=OPS_DAU, owner=ops_manager, start_date=start, end_date=end,
            base=D(10), challenge=D(15), stretch=D(20), baseline=D(0), scope=Scope.TEAM, team=operations,
            parent=strategy_users, weight=D("0.1"), metric_name="DAU growth", unit="%", aggregation="latest",
            allows_negative=True,
            description="Daily active users 15% above the end of the previous quarter, through onboarding and community work.",
        ))  # fmt: skip
        months = services.decomposition_preview(goal=dau, kind="month", method="ramp")
        services.decomposition_apply(goal=dau, actor=ops_manager, kind="month",
                                     rows=[SliceInput(s.start, s.end, s.base, s.challenge, s.stretch) for s in months])  # fmt: skip
        services.goal_set_status(goal=dau, actor=ops_manager, status=Status.ACTIVE)

    # Article example 3: a sales team behind its quarterly target because competition intensified in a
    # key region; the goal review (目标复审) is approved by the owner of the strategy goal.
    if not Goal.objects.filter(org=org, title=SALES_DEALS).exists():
        deals = services.goal_create(org=org, actor=sales_manager, data=GoalInput(
            title=SALES_DEALS, owner=sales_manager, start_date=start, end_date=end,
            base=D(8000000), challenge=D(10000000), stretch=D(12000000), scope=Scope.TEAM, team=sales,
            parent=strategy_revenue, weight=D("0.3"), metric_name="Deal value", unit="¥",
            description="Quarterly deal value, driven by customer visits and a healthy collection rate.",
        ))  # fmt: skip
        services.supporting_metric_save(goal=deals, actor=sales_manager, kind="leading",
                                        name="客户拜访量 Customer visits", unit="visits", weekly_target=D(40))  # fmt: skip
        services.supporting_metric_save(goal=deals, actor=sales_manager, kind="risk", name="回款率 Collection rate",
                                        unit="%", direction="up", threshold=D(90))  # fmt: skip
        months = services.decomposition_preview(goal=deals, kind="month", method="working_days")
        services.decomposition_apply(goal=deals, actor=sales_manager, kind="month",
                                     rows=[SliceInput(s.start, s.end, s.base, s.challenge, s.stretch) for s in months])  # fmt: skip
        services.goal_set_status(goal=deals, actor=sales_manager, status=Status.ACTIVE)
        revision = services.revision_request(
            goal=deals, requester=sales_manager, reason=Revision.Reason.MARKET,
            comment="重点区域（华东）竞争加剧，季度目标滞后 10%。 / Competition intensified in the key region (East); "
                    "the quarter is 10% behind.",
            base=D(7200000), challenge=D(9000000), stretch=D(11000000), effective_from=calendar.revision_from,
        )  # fmt: skip
        services.revision_decide(revision=revision, decider=admin, approve=True,
                                 comment="同意，并增加华东促销投入、开发新客户群。 / Approved, with more promotion budget "
                                         "in the East and a new customer segment.")  # fmt: skip
