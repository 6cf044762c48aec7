"""The article's bonus scheme for the demo (added to `manage.py seed_demo`): pay = base salary +
performance bonus + over-achievement commission; 100% attainment pays the full bonus and the
excess earns 5% of it per point up to 120%, 10% beyond. Salaries for the demo people. Idempotent."""

from __future__ import annotations

from decimal import Decimal as D

from django.db import transaction

from goals.demo import demo_calendar
from teams.models import Membership, Organization, Role

from . import services
from .models import BonusScheme

SCHEME = "超额激励方案 2026 / Over-achievement scheme 2026"
SALARIES = {
    "manager@stretch.demo": 45000, "member@stretch.demo": 30000, "lisi@stretch.demo": 28000,
    "wangwu@stretch.demo": 32000, "zhaoliu@stretch.demo": 26000, "sales.manager@stretch.demo": 42000,
    "east@stretch.demo": 27000,
}  # fmt: skip


@transaction.atomic
def seed_incentives(org: Organization) -> None:
    if BonusScheme.objects.filter(org=org, name=SCHEME).exists():
        return
    hr = Membership.objects.filter(org=org, role=Role.HR).first()
    if hr is None:
        return
    scheme = services.scheme_save(org=org, actor=hr, data=services.SchemeInput(
        name=SCHEME, target_bonus_pct=D(50), threshold=D(60), cap_multiple=D(3),
        bands=[["100", "120", "0.05"], ["120", None, "0.10"]], team_weight=D("0.6"), own_weight=D("0.4"),
    ))  # fmt: skip
    for role in (Role.MEMBER, Role.MANAGER):
        services.scheme_assign(scheme=scheme, actor=hr, role=role)
    people = {m.user.email: m for m in Membership.objects.filter(org=org).select_related("user")}
    calendar = demo_calendar(org)
    for email, base in SALARIES.items():
        if email in people:
            services.salary_set(org=org, actor=hr, membership=people[email], base=D(base),
                                effective_from=calendar.history[0][0])  # fmt: skip
    admin = Membership.objects.filter(org=org, role=Role.ADMIN).exclude(pk=hr.pk).first()
    if admin is not None:
        seed_locked_run(org, hr=hr, admin=admin, people=people)


def seed_locked_run(
    org: Organization, *, hr: Membership, admin: Membership, people: dict[str, Membership]
) -> None:
    """The quarter before the demo's (2026 Q3 when the story is told in Q4), paid from the
    operations team's closed quarter: computed, one line adjusted with its reason, submitted by HR,
    approved (and so locked) by the admin — ready to export."""
    start, end = demo_calendar(org).previous_quarter
    run = services.run_start(org=org, actor=hr, start=start, end=end, language="en")
    services.run_compute(run_id=run.pk)  # now, so the demo shows it at once (the queued job finds it done)
    run.refresh_from_db()
    line = run.lines.filter(membership=people.get("lisi@stretch.demo")).first()
    if line is not None:
        services.run_line_adjust(line=line, actor=hr, amount=D(1500),
                                 reason="渠道合作额外奖励 / Extra reward for the fifth channel partnership")  # fmt: skip
    services.run_submit(run=run, actor=hr)
    services.run_approve(run=run, actor=admin)
