"""Retrospectives in the demo (added to `manage.py seed_demo`), laid out relative to the
organisation's today through `goals.demo.demo_calendar`:

- the sales team's last-quarter retro: about 10 % behind, the cause an external change
  (competition in the key region), two actions — more promotion budget there and a new customer
  segment — carried into this quarter's deal-value goal (the article's example 3);
- the e-commerce team's retro: live-stream conversion rose, so live streaming becomes a regular
  sales channel, watched by its conversion rate (example 7), published to the knowledge base;
- the operations team's last-quarter retro, whose lessons are published for the next quarter's
  user-growth goal;
- a failure share (经验分享会, FAQ2) with one tolerated failed experiment and its lesson, published to
  the knowledge base;
- the e-commerce lesson made a standard practice (标准化流程) this quarter, owned by the shop's
  manager, watched by this quarter's live-stream conversion rate; one operations lesson applied to
  this quarter's user-growth goal (the knowledge base counts it).

Idempotent: nothing is added once the organisation has a retrospective."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from django.db import transaction

from goals import services as goal_services
from goals.demo import OPS_USERS, SALES_DEALS, demo_calendar
from goals.models import Goal, Scope, Status
from goals.services import GoalInput
from plans import services as plan_services
from plans.models import Initiative
from plans.models import Status as InitiativeStatus
from plans.services import InitiativeInput
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from tracking import services as tracking_services

from . import services
from .models import Retrospective

SALES = "Sales 销售团队"
SHOP = "E-commerce 电商团队"
OPERATIONS = "Operations 运营团队"
LAST_QUARTER_SALES = "上季度成交额 / Last quarter's deal value"
LIVE_CONVERSION = "直播带货转化率 / Live-stream conversion rate"
EXPERIMENT = "短视频信息流投放实验 / Short-video feed ads experiment"
LIVE_NOW = "本季度直播带货转化率 / Live-stream conversion this quarter"


def _people(org: Organization) -> dict[str, Membership]:
    return {m.user.email: m for m in Membership.objects.filter(org=org).select_related("user")}


def _closed_goal(
    org: Organization, actor: Membership, data: GoalInput, result: D | None, status: str
) -> Goal:
    goal = Goal.objects.filter(org=org, title=data.title).first()
    if goal is None:
        goal = goal_services.goal_create(org=org, actor=actor, data=data)
        goal_services.goal_set_status(goal=goal, actor=actor, status=Status.ACTIVE)
        if status != Status.ACTIVE:
            goal_services.goal_set_status(goal=goal, actor=actor, status=status, result_value=result)
    return goal


def _walk(retro: Retrospective, facilitator: Membership, summary: str) -> None:
    """Through the four steps to the close, as the facilitator would."""
    for phase in ("analysis", "lessons", "actions"):
        retro = services.phase_move(retro=retro, actor=facilitator, phase=phase, version=retro.version)
    services.votes_reveal(retro=retro, actor=facilitator)
    services.retro_close(retro=retro, actor=facilitator, summary=summary)


@transaction.atomic
def seed_retros(org: Organization) -> None:
    if Retrospective.objects.filter(org=org).exists():
        return
    people = _people(org)
    teams = {t.name: t for t in Team.objects.filter(org=org, name__in=[SALES, SHOP, OPERATIONS])}
    needed = ("sales.manager@stretch.demo", "east@stretch.demo", "shop@stretch.demo", "manager@stretch.demo",
              "member@stretch.demo", "lisi@stretch.demo", "wangwu@stretch.demo")  # fmt: skip
    if len(teams) < 3 or any(email not in people for email in needed):
        return
    sun, qian, feng, chen, zhang, li, wang = (people[email] for email in needed)
    calendar = demo_calendar(org)
    last_start, last_end = calendar.history[-1]
    today = org_today(org)
    _sales(org, teams[SALES], sun, qian, last_start, last_end)
    _shop(org, teams[SHOP], feng, last_start, last_end, calendar.quarter, today)
    _operations(org, teams[OPERATIONS], chen, zhang, li, last_start, last_end)
    _failure_share(org, teams[OPERATIONS], chen, wang, li, calendar.quarter, today)


def _sales(org: Organization, team: Team, sun: Membership, qian: Membership, start: date, end: date) -> None:
    goal = _closed_goal(org, sun, GoalInput(
        title=LAST_QUARTER_SALES, owner=sun, start_date=start, end_date=end, base=D(8000000),
        challenge=D(10000000), stretch=D(12000000), scope=Scope.TEAM, team=team, metric_name="Deal value",
        unit="CNY", description="Quarterly deal value of the sales team.", rationale="Company revenue.",
    ), result=D(7200000), status=Status.MISSED)  # fmt: skip
    retro = services.retro_start(team=team, actor=sun, kind="goal", goal_id=goal.pk)
    card = services.card_add(retro=retro, actor=qian, kind="cause", category="external",
                             text="华东重点区域竞争加剧，对手降价抢客户 / Competition intensified in the key East region: "
                                  "a competitor cut prices to win our customers.")  # fmt: skip
    services.card_add(retro=retro, actor=sun, kind="cause", category="resources",
                      text="促销预算平均分配，重点区域投入不足 / Promotion budget was spread evenly; "
                           "the key region got too little.")  # fmt: skip
    services.vote_toggle(card=card, actor=sun)
    services.vote_toggle(card=card, actor=qian)
    services.lesson_add(retro=retro, actor=sun, kind="try", evidence_card_id=card.pk, metric_name="Deal value",
                        tags="sales, competition, 竞争",
                        text="竞争加剧时，把促销资源向重点区域倾斜，并开发新客户群体 / When competition intensifies, "
                             "shift promotion budget to the key region and develop a new customer segment.")  # fmt: skip
    this_quarter = Goal.objects.filter(org=org, title=SALES_DEALS).first()
    due = max(end + timedelta(days=45), org_today(org) + timedelta(days=14))
    services.action_add(retro=retro, actor=sun, description="增加华东区域促销预算 / More promotion budget in the East region",
                        owner=qian, due_date=due, goal_id=this_quarter.pk if this_quarter else None)  # fmt: skip
    services.action_add(retro=retro, actor=sun, description="开发新客户群体：中小企业 / Develop a new customer segment: SMEs",
                        owner=sun, due_date=due, goal_id=this_quarter.pk if this_quarter else None)  # fmt: skip
    _walk(retro, sun, "季度成交额落后目标约 10%：重点区域竞争加剧。本季度增加该区域促销投入并开发新客户群体。 / "
                      "About 10% behind the quarterly target: competition in the key region. This quarter: more "
                      "promotion budget there and a new customer segment.")  # fmt: skip


def _shop(org: Organization, team: Team, feng: Membership, start: date, end: date,
          quarter: tuple[date, date], today: date) -> None:  # fmt: skip
    goal = _closed_goal(org, feng, GoalInput(
        title=LIVE_CONVERSION, owner=feng, start_date=start, end_date=end, base=D(3), challenge=D("3.5"),
        stretch=D(4), scope=Scope.TEAM, team=team, metric_name="Live-stream conversion rate", unit="%",
        aggregation="average", description="Share of live-stream viewers who buy.", rationale="Online sales.",
    ), result=D("4.6"), status=Status.ACHIEVED)  # fmt: skip
    retro = services.retro_start(team=team, actor=feng, kind="goal", goal_id=goal.pk)
    card = services.card_add(retro=retro, actor=feng, kind="factor", category="innovation",
                             text="直播带货转化率显著提升：4.6%，远超冲刺目标 / Live-stream conversion rose to 4.6%, "
                                  "above the stretch target.")  # fmt: skip
    lesson = services.lesson_add(retro=retro, actor=feng, kind="keep", evidence_card_id=card.pk,
                                 metric_name="Live-stream conversion rate", tags="直播, live streaming, e-commerce",
                                 text="将直播纳入常态化销售渠道，以直播转化率作为观察指标 / Make live streaming a regular "
                                      "sales channel, watched by its conversion rate.")  # fmt: skip
    services.lesson_publish(lesson=lesson, actor=feng)
    # This quarter the practice is standard (标准化流程), watched by the live-stream conversion rate.
    watched = _closed_goal(org, feng, GoalInput(
        title=LIVE_NOW, owner=feng, start_date=quarter[0], end_date=quarter[1], base=D("3.5"), challenge=D(4),
        stretch=D("4.5"), scope=Scope.TEAM, team=team, metric_name="Live-stream conversion rate", unit="%",
        aggregation="average", description="Live streaming as a regular sales channel.", rationale="Online sales.",
    ), result=None, status=Status.ACTIVE)  # fmt: skip
    for days_ago, value in ((3, "4.4"), (2, "4.2"), (1, "4.3")):
        day = today - timedelta(days=days_ago)
        if quarter[0] <= day <= quarter[1]:
            tracking_services.entry_create(org=org, actor=feng, data=tracking_services.EntryInput(
                goal_id=watched.pk, value=value, day=day.isoformat()))  # fmt: skip
    tracking_services.indicators_recompute(org=org, goal_ids=[watched.pk], day=min(today, quarter[1]))
    services.practice_set(lesson=lesson, actor=feng, stage="standard", owner=feng, review_on=quarter[1],
                          watched_goal_id=watched.pk)  # fmt: skip
    _walk(retro, feng, "直播成为常态化销售渠道（标准化流程）。 / Live streaming becomes a regular sales channel "
                       "(standard practice).")  # fmt: skip


def _operations(
    org: Organization, team: Team, chen: Membership, zhang: Membership, li: Membership, start: date, end: date
) -> None:
    goal = Goal.objects.filter(org=org, team=team, start_date=start, end_date=end).order_by("pk").first()
    if goal is None:
        return
    retro = services.retro_start(team=team, actor=chen, kind="quarter", period_start=start, period_end=end)
    card = services.card_add(retro=retro, actor=zhang, kind="factor", category="innovation",
                             text="裂变活动带来的新用户占一半以上 / Referral campaigns brought more than half of "
                                  "the new users.")  # fmt: skip
    services.card_add(retro=retro, actor=li, kind="cause", category="execution",
                      text="渠道合作签约晚了两周：法务审核排队 / Channel partnerships signed two weeks late: "
                           "legal review queue.")  # fmt: skip
    for text, kind, tags in (
        ("每季度至少策划 3 场裂变活动，提前锁定设计预算 / Plan at least 3 referral campaigns a quarter and book "
         "the design budget early.", "keep", "user growth, 用户增长, referral"),
        ("渠道合作在第 1 周就提交法务审核 / Send channel-partner contracts to legal review in week 1.", "try",
         "user growth, 用户增长, channels"),
    ):  # fmt: skip
        lesson = services.lesson_add(retro=retro, actor=chen, kind=kind, text=text, tags=tags, evidence_card_id=card.pk,
                                     metric_name="New registered users")  # fmt: skip
        services.lesson_publish(lesson=lesson, actor=chen)
    this_quarter = Goal.objects.filter(org=org, title=OPS_USERS).first()
    if this_quarter is not None:  # this quarter's goal applied a lesson when it was drafted
        services.lesson_apply(lesson=lesson, goal=this_quarter, actor=chen)
    services.action_add(retro=retro, actor=chen, description="第 1 周提交渠道合同法务审核 / Legal review of partner "
                        "contracts in week 1", owner=li, due_date=max(end + timedelta(days=21), org_today(org)),
                        goal_id=this_quarter.pk if this_quarter else None)  # fmt: skip
    _walk(retro, chen, "用户增长达成挑战目标；裂变活动是主要来源。 / User growth reached the challenge target; "
                       "referral campaigns were the main source.")  # fmt: skip


def _failure_share(org: Organization, team: Team, chen: Membership, wang: Membership, li: Membership,
                   quarter: tuple[date, date], today: date) -> None:  # fmt: skip
    goal = Goal.objects.filter(org=org, title=OPS_USERS).first()
    if goal is None:
        return
    experiment = Initiative.objects.filter(org=org, title=EXPERIMENT).first()
    if experiment is None:
        experiment = plan_services.initiative_create(org=org, actor=chen, data=InitiativeInput(
            title=EXPERIMENT, goal=goal, owner=wang, start_date=max(goal.start_date, today - timedelta(days=20)),
            due_date=max(goal.start_date, today - timedelta(days=20)) + timedelta(days=14), is_experiment=True,
            dimension_name="用户获取 / User acquisition",
        ))  # fmt: skip
        plan_services.initiative_progress(
            initiative=experiment, actor=chen, progress=40, status=InitiativeStatus.FAILED,
            lesson="信息流广告获客成本是裂变活动的 4 倍；先小预算测试素材再放量 / Feed ads cost 4× the referral "
                   "campaigns per user: test creatives on a small budget before scaling.",
        )  # fmt: skip
    retro = services.retro_start(team=team, actor=chen, kind="failure_share", period_start=quarter[0],
                                 period_end=max(quarter[1], today), title="经验分享会：本季度的创新尝试 / "
                                 "Failure share: this quarter's experiments")  # fmt: skip
    services.card_add(retro=retro, actor=li, kind="note",
                      text="失败的尝试也让我们少走了弯路 / The failed experiment saved us a costly channel.")  # fmt: skip
    lesson = services.lesson_add(retro=retro, actor=chen, kind="try", tags="experiment, 容错, user growth",
                                 metric_name="New registered users",
                                 text="新渠道先用小预算做 2 周实验，再决定是否放量 / Try a new channel on a small budget "
                                      "for two weeks before scaling it.")  # fmt: skip
    services.lesson_publish(lesson=lesson, actor=chen)
    services.failure_share_publish(
        retro=retro, actor=chen
    )  # the experiment and its lesson, to the knowledge base
