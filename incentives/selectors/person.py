"""One person's pay as the page and the API ask for it: who, which period, what if."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from goals.periods import fiscal_quarter
from teams.models import Membership, Organization
from teams.page_forms import parse_day, parse_id, parse_number
from teams.selectors import org_today

from .. import calculator
from .payouts import base_salary, person_payout, revised_payout, scheme_for
from .rights import can_see_money
from .runs import payslips
from .schemes import scheme_curve


@dataclass(frozen=True)
class PayoutQuery:
    member: Membership
    start: date
    end: date
    attainment: Decimal | None
    forbidden: bool
    pending: bool = False  # what the pending goal revisions would pay


def current_quarter(org: Organization, today: date) -> tuple[date, date]:
    start_month = org.fiscal_year_start_month
    for year in (today.year - 1, today.year):
        for quarter in range(1, 5):
            start, end = fiscal_quarter(year=year, quarter=quarter, start_month=start_month)
            if start <= today <= end:
                return start, end
    return date(today.year, 1, 1), date(today.year, 12, 31)


def payout_query(*, org: Organization, viewer: Membership, params: Any) -> PayoutQuery:
    """Read member / start / end / attainment from a request, with clear errors."""
    errors: dict[str, list[str]] = {}
    member = viewer
    if params.get("member"):
        member_id = parse_id(params.get("member"))
        found = (
            Membership.objects.filter(org=org, pk=member_id).select_related("org").first()
            if member_id
            else None
        )
        if found is None:  # another organisation's person reads exactly like no one
            raise Http404("No such person.")
        member = found
    start, end = current_quarter(org, org_today(org))
    for name in ("start", "end"):
        raw = params.get(name)
        if raw:
            value = parse_day(raw)
            if value is None:
                errors[name] = [_("Enter a date as YYYY-MM-DD.")]
                continue
            start, end = (value, end) if name == "start" else (start, value)
    if end < start:
        errors["end"] = [_("The end cannot be before the start.")]
    attainment = None
    raw_attainment = params.get("attainment")
    if raw_attainment not in (None, ""):
        attainment = parse_number(raw_attainment)
        if attainment is None or not 0 <= attainment <= 1000:
            errors["attainment"] = [_("Enter an attainment between 0 and 1000 %.")]
            attainment = None
    if errors:
        raise ValidationError(errors)
    return PayoutQuery(member=member, start=start, end=end, attainment=attainment,
                       forbidden=not can_see_money(member=viewer, person=member),
                       pending=str(params.get("pending") or "").lower() in ("1", "true", "yes"))  # fmt: skip


def payout_body(*, query: PayoutQuery, payout: calculator.Payout | None) -> dict[str, Any]:
    scheme = scheme_for(member=query.member)
    return {
        "member": query.member.pk, "scheme": scheme.name if scheme else None, "start": query.start, "end": query.end,
        "attainment": payout.attainment if payout else None, "base": payout.base if payout else None,
        "target_bonus": payout.target_bonus if payout else None, "bonus": payout.bonus if payout else None,
        "commission": payout.commission if payout else None, "total": payout.total if payout else None,
        "capped": payout.capped if payout else False, "explanation": payout.lines if payout else [],
    }  # fmt: skip


def curve_points(*, member: Membership, start: date, end: date) -> list[tuple[float, float]]:
    """The payout curve of the person's scheme on their salary (the scheme and salary read once)."""
    scheme = scheme_for(member=member)
    if scheme is None:
        return []
    return scheme_curve(scheme=scheme, base=base_salary(member=member, on=end))


def pay_page(*, query: PayoutQuery) -> dict[str, Any]:
    """The pay page of `query`: the pay as it stands and the what-if (the same unless an attainment
    was asked), where the slider sits, the scheme and its curve, the payslips, and what the pending
    goal revisions would pay."""
    actual = person_payout(member=query.member, start=query.start, end=query.end)
    what_if = (
        person_payout(member=query.member, start=query.start, end=query.end, attainment=query.attainment)
        if query.attainment is not None
        else actual
    )
    return {
        "query": query, "actual": actual, "payout": what_if,
        "slider": query.attainment if query.attainment is not None else (actual.attainment if actual else Decimal(100)),
        "curve": curve_points(member=query.member, start=query.start, end=query.end),
        "scheme": scheme_for(member=query.member), "payslips": payslips(member=query.member),
        "revised": revised_payout(member=query.member, start=query.start, end=query.end) if actual else None,
    }  # fmt: skip
