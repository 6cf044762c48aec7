from __future__ import annotations

from datetime import date

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client

from goals.models import Goal, PeriodTarget, TargetVersion
from incentives.models import PayoutLine, PayoutRun, Salary, SchemeAssignment
from plans.models import Initiative
from teams.demo import DEMO_PASSWORD, ROLE_LOGINS
from teams.models import ApiToken, AuditEntry, Membership, Organization, Role, Team, User
from teams.scale import seed_scale
from tests.queries import capped_queries
from tracking.models import IndicatorSnapshot, MetricEntry, Standup


def snapshot():
    return {
        "orgs": sorted(Organization.objects.values_list("slug", "name", "default_language")),
        "teams": sorted(Team.objects.values_list("org__slug", "name", "parent__name", "description")),
        "members": sorted(
            Membership.objects.values_list("org__slug", "user__email", "role", "title", "is_active")
        ),
        "team_members": sorted(Membership.teams.through.objects.values_list("membership_id", "team_id")),
        "managers": sorted(Team.managers.through.objects.values_list("team_id", "membership_id")),
        "users": sorted(User.objects.values_list("email", "display_name", "password")),
        "goals": sorted(Goal.objects.values_list("title", "status", "parent__title")),
        "versions": sorted(
            TargetVersion.objects.values_list("goal__title", "number", "base", "challenge", "stretch")
        ),
        "slices": PeriodTarget.objects.count(),
        "audit": AuditEntry.objects.count(),
        "initiatives": sorted(Initiative.objects.values_list("title", "status", "progress", "budget")),
    }


def test_seed_demo_is_idempotent_and_has_one_login_per_role(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == first
    assert {spec.role for spec in ROLE_LOGINS} == set(Role.values)
    teams = {name for _slug, name, *_ in first["teams"]}
    assert {"Operations 运营团队", "Sales 销售团队", "Manufacturing 制造团队", "E-commerce 电商团队"} <= teams
    people = {email for _slug, email, *_ in first["members"]}
    assert {
        "member@stretch.demo",
        "lisi@stretch.demo",
        "wangwu@stretch.demo",
        "zhaoliu@stretch.demo",
    } <= people


def test_every_demo_login_works(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for spec in ROLE_LOGINS:
        client = Client()
        response = client.post("/accounts/login/", {"username": spec.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, spec.email
        home = client.get("/o/demo/")
        assert home.status_code == 200, spec.email
    admin = User.objects.get(email="admin@stretch.demo")
    assert Membership.objects.filter(user=admin).count() == 2  # can switch organisations


def test_seed_scale_builds_a_large_org_with_bulk_inserts(db, monkeypatch):
    # 1,000,000 values and 100,000 stand-ups by default (make bench); fewer here, same code path.
    monkeypatch.setenv("STRETCH_SCALE_ENTRIES", "30000")
    monkeypatch.setenv("STRETCH_SCALE_STANDUPS", "3000")
    monkeypatch.setenv("STRETCH_SCALE_PAYROLL", "150")  # 5,000 by default: incentives tops the people up
    # Bulk inserts and COPY, never one query per row (SQLite caps a statement at 999 variables,
    # so its batches are smaller: 30,000 values take about 360 inserts there, 1 COPY on PostgreSQL).
    with capped_queries(500 if connection.vendor == "postgresql" else 1000):
        result = seed_scale(people=120, teams=12)
    # The people at the end: 120 with the teams, topped up to 150 by the payroll extension.
    assert result.created and result.people == 150 and result.teams == 12
    org = result.org
    assert Team.objects.filter(org=org, parent__isnull=False).count() == 11
    assert Membership.objects.filter(org=org, role=Role.ADMIN).count() == 2
    assert all(Membership.objects.filter(org=org).exclude(teams=None).values_list("id", flat=True))
    again = seed_scale(people=120, teams=12)
    assert not again.created and Membership.objects.filter(org=org).count() == 150
    assert (
        Salary.objects.filter(org=org).count() == 150 and Salary.objects.filter(base__lt=15000).count() == 0
    )
    assert SchemeAssignment.objects.filter(org=org).count() == 2
    assert Goal.objects.filter(org=org).count() == 2000
    assert TargetVersion.objects.filter(goal__org=org).count() == 2000
    assert Initiative.objects.filter(org=org).count() == 10000
    biggest = Initiative.objects.filter(org=org).values("goal").annotate(n=Count("id")).order_by("-n").first()
    assert biggest is not None and biggest["n"] == 500  # the benchmark's big plan
    assert (
        MetricEntry.objects.filter(org=org).count() == 30000
        and Standup.objects.filter(org=org).count() == 3000
    )
    assert IndicatorSnapshot.objects.filter(org=org, metric_key=0).count() == 2000  # every active goal, today
    run = PayoutRun.objects.create(
        org=org, start=date(2026, 1, 1), end=date(2026, 3, 31)
    )  # protects its people
    PayoutLine.objects.create(org=org, run=run, membership=org.memberships.first(), name="x", scheme="x", base=1,
                              target_bonus=1, attainment=1, bonus=1, commission=0, total=2)  # fmt: skip
    fresh = seed_scale(people=30, teams=10, reset=True)
    assert (
        fresh.created and Membership.objects.filter(org=fresh.org).count() == 150
    )  # topped up to the payroll
    assert not PayoutRun.objects.exists()
    assert not ApiToken.objects.exists()
