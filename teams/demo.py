"""Demo data for `manage.py seed_demo`: the teams of the article's worked examples and one login
per role. Idempotent: every row is looked up by a natural key before it is created, and an
existing row is left as it is, so running the command twice changes nothing. Later apps add
their own demo data through the `seed_demo_extensions` hook list below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from .models import Membership, Organization, Role, Team, User

DEMO_PASSWORD = "stretch-demo-2026"  # noqa: S105 - documented demo password
DEMO_ORG_SLUG = "demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    teams: tuple[str, ...]
    title: str = ""


TEAMS: list[tuple[str, str | None, str]] = [
    # name, parent, description
    (
        "Operations 运营团队",
        None,
        "Internet operations team: user growth, content and channels (article example 1–2).",
    ),
    ("Sales 销售团队", None, "Sales team: customer visits, deal value, collection rate (article example 3)."),
    ("Sales East 华东销售组", "Sales 销售团队", "Key region where competition intensified."),
    (
        "Manufacturing 制造团队",
        None,
        "Manufacturer that cut order delivery time with scheduling (article example 4).",
    ),
    (
        "E-commerce 电商团队",
        None,
        "E-commerce team whose retrospective made live streaming a regular channel (example 7).",
    ),
    ("People 人力资源部", None, "HR: bonus schemes, payouts and recognition."),
]

USERS: list[DemoUser] = [
    DemoUser("admin@stretch.demo", "Admin 管理员", Role.ADMIN, (), "Org admin"),
    DemoUser(
        "manager@stretch.demo", "陈经理 Chen", Role.MANAGER, ("Operations 运营团队",), "Head of operations"
    ),
    DemoUser(
        "member@stretch.demo", "张三 Zhang San", Role.MEMBER, ("Operations 运营团队",), "Growth marketer"
    ),
    DemoUser("hr@stretch.demo", "周HR Zhou", Role.HR, ("People 人力资源部",), "HR business partner"),
    DemoUser("viewer@stretch.demo", "吴观察 Wu", Role.VIEWER, (), "Finance (read-only)"),
    DemoUser(
        "lisi@stretch.demo", "李四 Li Si", Role.MEMBER, ("Operations 运营团队",), "Channel partnerships"
    ),
    DemoUser(
        "wangwu@stretch.demo", "王五 Wang Wu", Role.MEMBER, ("Operations 运营团队",), "Product operations"
    ),
    DemoUser(
        "zhaoliu@stretch.demo", "赵六 Zhao Liu", Role.MEMBER, ("Operations 运营团队",), "Community operations"
    ),
    DemoUser("sales.manager@stretch.demo", "孙经理 Sun", Role.MANAGER, ("Sales 销售团队",), "Head of sales"),
    DemoUser(
        "east@stretch.demo", "钱七 Qian Qi", Role.MEMBER, ("Sales East 华东销售组",), "Key account manager"
    ),
    DemoUser(
        "factory@stretch.demo", "郑工 Zheng", Role.MANAGER, ("Manufacturing 制造团队",), "Plant manager"
    ),
    DemoUser("shop@stretch.demo", "冯店长 Feng", Role.MANAGER, ("E-commerce 电商团队",), "E-commerce lead"),
]

# The logins printed by `make run` and listed in the README: one per role.
ROLE_LOGINS = [u for u in USERS if u.email.split("@")[0] in {"admin", "manager", "member", "hr", "viewer"}]

TEAM_MANAGERS = {
    "Operations 运营团队": "manager@stretch.demo",
    "Sales 销售团队": "sales.manager@stretch.demo",
    "Manufacturing 制造团队": "factory@stretch.demo",
    "E-commerce 电商团队": "shop@stretch.demo",
    "People 人力资源部": "hr@stretch.demo",
}

# Later apps append callables here (from their AppConfig.ready) to add their demo data.
seed_demo_extensions: list[Callable[[Organization], None]] = []


@transaction.atomic
def seed_demo() -> Organization:
    org, _ = Organization.objects.get_or_create(
        slug=DEMO_ORG_SLUG,
        defaults={
            "name": "Stretch Demo 星辰科技",
            "timezone": "Asia/Shanghai",
            "currency": "CNY",
            "default_language": "zh-hans",
            "fiscal_year_start_month": 1,
        },
    )
    teams: dict[str, Team] = {}
    for name, parent, description in TEAMS:
        team, _ = Team.objects.get_or_create(
            org=org,
            name=name,
            defaults={"parent": teams.get(parent) if parent else None, "description": description},
        )
        teams[name] = team

    memberships: dict[str, Membership] = {}
    for number, spec in enumerate(USERS, start=1):
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User.objects.create_user(spec.email, DEMO_PASSWORD, display_name=spec.name)
        membership, created = Membership.objects.get_or_create(
            org=org,
            user=user,
            defaults={"role": spec.role, "title": spec.title, "employee_number": f"SD{number:04d}"},
        )
        if created:
            membership.teams.set([teams[t] for t in spec.teams])
        memberships[spec.email] = membership

    for team_name, email in TEAM_MANAGERS.items():
        team = teams[team_name]
        if not team.managers.filter(pk=memberships[email].pk).exists():
            team.managers.add(memberships[email])

    # A second, small organisation so that switching organisations can be tried.
    labs, _ = Organization.objects.get_or_create(
        slug="labs",
        defaults={
            "name": "Stretch Labs",
            "timezone": "Europe/Berlin",
            "currency": "EUR",
            "default_language": "en",
        },
    )
    admin = User.objects.get(email="admin@stretch.demo")
    Membership.objects.get_or_create(org=labs, user=admin, defaults={"role": Role.ADMIN})
    Team.objects.get_or_create(
        org=labs, name="Research", defaults={"description": "A small second organisation."}
    )

    for extend in seed_demo_extensions:
        extend(org)
    return org
