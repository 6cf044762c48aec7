"""The article's action plan for the operations goal (added to `manage.py seed_demo`). Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from django.db import transaction

from goals.models import Goal
from teams.models import Membership, Organization

from . import services
from .models import Initiative, Squad
from .services import InitiativeInput

OPS_GOAL = "新增注册用户 20 万 / 200,000 new registered users"


@transaction.atomic
def seed_plan(org: Organization) -> None:
    goal = Goal.objects.filter(org=org, title=OPS_GOAL).first()
    if goal is None or Initiative.objects.filter(goal=goal).exists():
        return

    def member(email: str) -> Membership:
        return Membership.objects.get(org=org, user__email=email)

    manager = member("manager@stretch.demo")
    zhang, li, wang, zhao = (member(f"{n}@stretch.demo") for n in ("member", "lisi", "wangwu", "zhaoliu"))

    def week(n: int) -> date:  # first day of week n of the goal's period
        return goal.start_date + timedelta(weeks=n - 1)

    squad = services.squad_create(
        org=org, actor=manager, name="新人引导攻坚组 Onboarding squad", lead=wang, members=[zhang, manager],
        description="Product, design and marketing people improving the first-week experience.",
    )  # fmt: skip

    def add(title: str, owner: Membership, start: date, due: date | None, **kwargs: object) -> Initiative:
        return services.initiative_create(
            org=org, actor=manager,
            data=InitiativeInput(title=title, goal=goal, owner=owner, start_date=start, due_date=due, **kwargs),  # type: ignore[arg-type]
        )  # fmt: skip

    campaigns = add("策划 3 场线上裂变活动 / 3 online referral campaigns", zhang, week(1), week(5) - timedelta(days=1),
                    dimension_name="用户获取 User acquisition", budget=D("5000"), needs=["design"], priority="P0",
                    is_milestone=True)  # fmt: skip
    partners = add("拓展 5 个渠道合作伙伴 / 5 channel partners", li, week(2), week(7) - timedelta(days=1),
                   dimension_name="用户获取 User acquisition", needs=["legal"], priority="P1")  # fmt: skip
    onboarding = add("优化新人引导流程 / Improve onboarding", wang, week(3), week(6) - timedelta(days=1),
                     dimension_name="用户留存 User retention", needs=["product"], priority="P1", squad=squad)  # fmt: skip
    add("建立用户社群运营体系 / Community operations", zhao, week(1), None, ongoing=True,
        dimension_name="用户留存 User retention", needs=["customer_service"], priority="P2")  # fmt: skip
    # Onboarding uses the partners' channels, but is planned to start before they are signed:
    # the plan shows this as a conflict to resolve.
    services.dependency_add(predecessor=partners, successor=onboarding, actor=manager)
    # Where the quarter stands: the campaigns are done (a milestone reached: a small win), onboarding
    # is half-way, the partnerships are behind — the plan shows that slip as a risk to the goal.
    services.initiative_progress(initiative=campaigns, actor=manager, progress=100)
    services.initiative_progress(initiative=onboarding, actor=manager, progress=50)
    services.initiative_progress(initiative=partners, actor=manager, progress=60)
    if goal.team is not None:
        services.team_budget_set(org=org, actor=manager, team=goal.team, start_date=goal.start_date,
                                 end_date=goal.end_date, amount=D("20000"))  # fmt: skip
    assert Squad.objects.filter(org=org).exists()  # noqa: S101
