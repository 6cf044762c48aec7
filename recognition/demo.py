"""Recognition in the demo (added to `manage.py seed_demo`): 张三 nominated by 李四 and selected as
the operations team's star of last month; 张三 resolving 李四's blockers at the stand-up; a training
opportunity and a promotion-track note; and the article's example 6 — the operations team met its
weekly target and earned afternoon tea (下午茶). Idempotent: nothing is added once the
organisation has a star of the month."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from goals.demo import OPS_USERS
from goals.models import Goal
from goals.periods import previous_month
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from tracking.selectors.results import unresolved_blockers
from tracking.services import standup_blocker_resolve

from . import selectors, services
from .models import EarnedReward, RewardKind, Star

OPERATIONS = "Operations 运营团队"
AFTERNOON_TEA = "下午茶 Afternoon tea"


def _people(org: Organization) -> dict[str, Membership]:
    return {m.user.email: m for m in Membership.objects.filter(org=org).select_related("user")}


@transaction.atomic
def seed_recognition(org: Organization) -> None:
    if Star.objects.filter(org=org).exists():
        return
    people = _people(org)
    team = Team.objects.filter(org=org, name=OPERATIONS).first()
    needed = ("manager@stretch.demo", "member@stretch.demo", "lisi@stretch.demo", "hr@stretch.demo")
    if team is None or any(email not in people for email in needed):
        return
    manager, zhang, li, hr = (people[email] for email in needed)
    today = org_today(org)
    last_month = previous_month(selectors.current_month(org))

    # 张三 cleared 李四's blocker (legal review) on the recent stand-ups that had one.
    for standup in unresolved_blockers(org=org, member=li):
        standup_blocker_resolve(standup=standup, actor=zhang)

    services.nomination_create(
        nominator=li, nominee=zhang, month=last_month,
        reason="三场裂变活动都按时上线，还帮我推动了法务审核。 / All three referral campaigns went live on time, "
               "and he pushed my contracts through legal review.",
    )  # fmt: skip
    services.star_select(
        team=team, month=last_month, member=zhang, actor=manager,
        citation="裂变活动带来 8 万新用户，团队周目标连续达成。 / The referral campaigns brought 80,000 new users, "
                 "and the team met its weekly target week after week.",
    )  # fmt: skip
    services.growth_reward_add(
        member=zhang, actor=hr, kind=RewardKind.TRAINING, title="增长黑客训练营 / Growth hacking course",
        note="公司资助，两天 / Paid by the company, two days", planned_for=today + timedelta(days=21),
    )  # fmt: skip
    services.growth_reward_add(
        member=zhang, actor=manager, kind=RewardKind.PROMOTION,
        title="晋升通道：高级增长运营 / Promotion track: senior growth marketer",
        note="下次晋升评审推荐 / Recommended at the next promotion review",
    )  # fmt: skip

    # 即时激励: afternoon tea when the team meets its weekly target, earned for the last week of
    # the operations goal that has ended (the real check, on the demo's values).
    rule = services.instant_rule_save(team=team, actor=manager, reward=AFTERNOON_TEA)
    goal = Goal.objects.filter(org=org, title=OPS_USERS).first()
    if goal is None:
        return
    week = min(selectors.last_completed_week(org), goal.end_date - timedelta(days=goal.end_date.weekday()))
    while week >= goal.start_date - timedelta(days=6) and not EarnedReward.objects.filter(rule=rule).exists():
        if services.instant_rewards_check(org=org, week_start=week):
            break
        week -= timedelta(days=7)  # a week the team fell short: try the one before
