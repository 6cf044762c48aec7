"""Squads (专项小组) and what each person carries against their capacity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from teams.models import Membership, Organization, Role
from teams.selectors import org_today

from ..models import FINISHED, PRIORITY_LOAD, Capacity, Initiative, Squad

DEFAULT_CAPACITY = Decimal("3")


# --- Squads and people ----------------------------------------------------------------------------
def squad_list(*, org: Organization) -> QuerySet[Squad]:
    """The organisation's squads with lead, members (and their teams) and initiatives: a fixed
    number of queries, whatever the number of squads."""
    people = (
        Membership.objects.select_related("user").prefetch_related("teams").order_by("user__display_name")
    )
    work = Initiative.objects.select_related("goal", "owner__user").order_by("goal_id", "position", "id")
    return (
        Squad.objects.filter(org=org)
        .select_related("lead__user")
        .prefetch_related(Prefetch("members", queryset=people), Prefetch("initiatives", queryset=work))
        .order_by("name")
    )


def squad_get(*, org: Organization, squad_id: int) -> Squad:
    try:
        return Squad.objects.select_related("lead__user").get(org=org, pk=squad_id)
    except Squad.DoesNotExist:
        raise Http404("No squad found.") from None


@dataclass(frozen=True)
class PersonLoad:
    membership: Membership
    capacity: Decimal
    load: Decimal  # priority-weighted, unfinished initiatives under way today
    open_count: int

    @property
    def overloaded(self) -> bool:
        return self.load > self.capacity


def people_load(*, org: Organization, today: date | None = None) -> list[PersonLoad]:
    """Everyone who can own initiatives, with their capacity (default 3) and what they carry today
    (weighted by priority). Three queries."""
    today = today or org_today(org)  # the organisation's day, also in a job outside any request
    people = list(
        Membership.objects.filter(org=org, is_active=True, role__in=(Role.ADMIN, Role.MANAGER, Role.MEMBER))
        .select_related("user")
        .order_by("user__display_name")
    )
    capacity = dict(Capacity.objects.filter(membership__org=org).values_list("membership_id", "load"))
    load: dict[int, Decimal] = defaultdict(Decimal)
    count: dict[int, int] = defaultdict(int)
    for owner_id, priority in (
        Initiative.objects.filter(org=org, start_date__lte=today)
        .filter(Q(due_date__isnull=True) | Q(due_date__gte=today))
        .exclude(status__in=FINISHED)
        .values_list("owner_id", "priority")
    ):
        load[owner_id] += PRIORITY_LOAD.get(priority, Decimal(1))
        count[owner_id] += 1
    return [
        PersonLoad(membership=m, capacity=capacity.get(m.pk, DEFAULT_CAPACITY), load=load[m.pk],
                   open_count=count[m.pk])
        for m in people
    ]  # fmt: skip
