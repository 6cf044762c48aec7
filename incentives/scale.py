"""Payroll at scale for `manage.py seed_scale`: the organisation is topped up to
STRETCH_SCALE_PAYROLL people (5,000 by default), everyone gets a base salary, and the article's
scheme applies to members and managers, so a payout run of 5,000 lines can be benchmarked."""

from __future__ import annotations

import os
import random
from datetime import date
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from teams.models import Membership, Organization, Role, Team, User
from teams.scale import SCALE_PASSWORD

from .models import BonusScheme, PayoutRun, Salary, SchemeAssignment

SCHEME = "Scale scheme"


def payroll_wanted() -> int:
    return int(os.environ.get("STRETCH_SCALE_PAYROLL", "5000"))


def seed_incentives_scale(org: Organization, rng: random.Random) -> None:
    if Salary.objects.filter(org=org).exists():
        return
    have = Membership.objects.filter(org=org).count()
    wanted = payroll_wanted()
    if wanted > have:
        teams = list(Team.objects.filter(org=org, parent__isnull=False).order_by("pk")) or list(
            Team.objects.filter(org=org).order_by("pk")
        )
        password = make_password(SCALE_PASSWORD)
        users = User.objects.bulk_create(
            [User(email=f"person{i:04d}@scale.stretch", display_name=f"Person {i:04d}", password=password)
             for i in range(have, wanted)]
        )  # fmt: skip
        added = Membership.objects.bulk_create(
            [Membership(org=org, user=user, role=Role.MANAGER if (have + n) % 10 == 0 else Role.MEMBER,
                        employee_number=f"E{have + n:05d}") for n, user in enumerate(users)]
        )  # fmt: skip
        through = Membership.teams.through
        through.objects.bulk_create(
            [
                through(membership_id=m.pk, team_id=teams[(have + n) % len(teams)].pk)
                for n, m in enumerate(added)
            ],
            ignore_conflicts=True,
        )
    scheme = BonusScheme.objects.create(
        org=org, name=SCHEME, target_bonus_pct=Decimal(50), threshold=Decimal(60), cap_multiple=Decimal(3),
        bands=[["100", "120", "0.05"], ["120", None, "0.10"]],
    )  # fmt: skip
    SchemeAssignment.objects.bulk_create(
        [SchemeAssignment(org=org, scheme=scheme, role=role) for role in (Role.MEMBER, Role.MANAGER)]
    )
    people = Membership.objects.filter(org=org).order_by("pk").values_list("pk", flat=True)
    Salary.objects.bulk_create(
        [Salary(org=org, membership_id=pk, base=Decimal(rng.randrange(15000, 60000, 500)),
                effective_from=date(2026, 1, 1)) for pk in people],
        batch_size=900,
    )  # fmt: skip


def reset_incentives_scale(org: Organization) -> None:
    """Payout lines protect the people they pay: remove the runs before the organisation goes."""
    PayoutRun.objects.filter(org=org).update(previous=None)
    PayoutRun.objects.filter(org=org).delete()
