"""Reads of money grants (who may see which team's pay, granted and revoked by admins) and the
team pay a person may see: base salary, target bonus and the newest approved payout of each person
within their reach (`rights.money_reach`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from teams.models import Membership, Organization, Role
from teams.selectors import org_today

from ..models import MoneyGrant, PayoutLine, RunStatus, Salary
from .rights import money_reach

GRANTS_SHOWN = 200


def money_grant_list(*, org: Organization) -> list[MoneyGrant]:
    """The organisation's grants, those in force first, then the revoked ones, newest first."""
    return sorted(
        MoneyGrant.objects.filter(org=org)
        .select_related("membership__user", "granted_by__user", "revoked_by__user")
        .order_by("-created_at", "-id")[:GRANTS_SHOWN],
        key=lambda grant: not grant.in_force,
    )


def money_grant_get(*, org: Organization, grant_id: int) -> MoneyGrant:
    """A grant of this organisation; another organisation's grant reads exactly like none."""
    grant = (
        MoneyGrant.objects.filter(org=org, pk=grant_id)
        .select_related("membership__user", "granted_by__user", "revoked_by__user")
        .first()
    )
    if grant is None:
        raise Http404("No grant found.")
    return grant


def grantable_managers(*, org: Organization) -> QuerySet[Membership]:
    """The active managers of the organisation without a grant in force: whom an admin may grant."""
    return (
        Membership.objects.filter(org=org, role=Role.MANAGER, is_active=True)
        .exclude(Exists(MoneyGrant.objects.filter(membership=OuterRef("pk"), revoked_at__isnull=True)))
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


@dataclass(frozen=True)
class TeamPayRow:
    """One person's pay as a granted manager (or HR) reads it. `line` is the newest approved payout."""

    member: Membership
    teams: str
    base: Decimal | None
    line: PayoutLine | None

    @property
    def start(self) -> date | None:
        return self.line.run.start if self.line else None

    @property
    def end(self) -> date | None:
        return self.line.run.end if self.line else None


def team_pay_people(*, org: Organization, viewer: Membership) -> QuerySet[Membership]:
    """The active people whose pay `viewer` may see, by name: everyone for HR and admins; a manager
    with a grant in force the people of the teams they manage (sub-teams included) and themself;
    anyone else only themself."""
    people = Membership.objects.filter(org=org, is_active=True).select_related("user")
    reach = money_reach(member=viewer)
    if reach is not None:
        people = people.filter(pk__in=reach)
    return people.prefetch_related("teams").order_by("user__display_name", "pk")


def team_pay_rows(*, org: Organization, people: list[Membership]) -> list[TeamPayRow]:
    """The rows of `people` (already within the reader's reach) in two more queries: the base salary
    in force today and the newest line of an approved run (a corrected period: its newest version)."""
    ids = [person.pk for person in people]
    today = org_today(org)
    bases: dict[int, Decimal] = {}
    salaries = Salary.objects.filter(org=org, membership_id__in=ids, effective_from__lte=today)
    for membership_id, base in salaries.order_by("membership_id", "effective_from").values_list(
        "membership_id", "base"
    ):
        bases[membership_id] = base  # the newest wins
    lines: dict[int, PayoutLine] = {}
    approved = (
        PayoutLine.objects.filter(org=org, membership_id__in=ids, run__status=RunStatus.LOCKED)
        .exclude(run__next_version__status=RunStatus.LOCKED)
        .select_related("run")
        .order_by("-run__end", "-run__version", "-id")
    )
    for line in approved:
        lines.setdefault(line.membership_id, line)
    return [
        TeamPayRow(member=person, teams=", ".join(sorted(team.name for team in person.teams.all())),
                   base=bases.get(person.pk), line=lines.get(person.pk))
        for person in people
    ]  # fmt: skip
