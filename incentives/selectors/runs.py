"""Reads of the payout runs: the list, one run with its lines, what HR should check before
submitting it, its totals per team and its history, and a person's payslips."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from teams.models import AuditEntry, Membership, Organization
from teams.numbers import format_money
from teams.selectors import org_today

from ..models import PayoutLine, PayoutRun, RunStatus, Salary

LINES_PER_PAGE = 100


def run_list(*, org: Organization) -> list[PayoutRun]:
    return list(
        PayoutRun.objects.filter(org=org)
        .select_related("started_by__user", "submitted_by__user", "approved_by__user", "previous")
        .order_by("-end", "-start", "-version", "-id")[:200]
    )


def run_get(*, org: Organization, run_id: int) -> PayoutRun:
    """A run of this organisation; another organisation's run reads exactly like no run."""
    run = (
        PayoutRun.objects.filter(org=org, pk=run_id)
        .select_related("org", "started_by__user", "submitted_by__user", "approved_by__user", "previous")
        .first()
    )
    if run is None:
        raise Http404("No payout run found.")
    return run


def run_successor(*, run: PayoutRun) -> PayoutRun | None:
    return PayoutRun.objects.filter(previous=run).first()


def line_get(*, run: PayoutRun, line_id: int) -> PayoutLine:
    line = PayoutLine.objects.filter(run=run, pk=line_id).select_related("run").first()
    if line is None:
        raise Http404("No line found.")
    return line


def run_lines(*, run: PayoutRun, search: str = "") -> QuerySet[PayoutLine]:
    """A run's lines in the export's order (team, name), optionally narrowed to a name, number or team."""
    lines = (
        PayoutLine.objects.filter(run=run).select_related("adjusted_by__user").order_by("team", "name", "id")
    )
    search = search.strip()
    if search:
        lines = lines.filter(Q(name__icontains=search) | Q(employee_number__icontains=search)
                             | Q(team__icontains=search))  # fmt: skip
    return lines


LINE_FIELDS = (
    "id", "membership_id", "name", "employee_number", "team", "scheme", "base", "attainment", "bonus",
    "commission", "adjustment", "total", "adjustment_reason", "explanation",
    "adjusted_by__user__display_name", "adjusted_by__user__email",
)  # fmt: skip


def run_line_values(*, run: PayoutRun, search: str = "") -> QuerySet[PayoutLine, dict[str, Any]]:
    """`run_lines` as plain rows (what the run page prints of each line, who adjusted it
    included): a page of a hundred lines builds no model instances."""
    return run_lines(run=run, search=search).select_related(None).values(*LINE_FIELDS)


WARNING_PEOPLE = 50  # the people a warning names; the count says how many more


@dataclass(frozen=True)
class WarnedPerson:
    member: int
    name: str
    employee_number: str


@dataclass(frozen=True)
class RunWarning:
    """Something HR should know before submitting a run: `code` for programs, `detail` in words,
    and the people concerned (the first WARNING_PEOPLE of `count`)."""

    code: str
    detail: str
    count: int = 0
    people: list[WarnedPerson] = field(default_factory=list)


def _day(value: date) -> str:
    return str(formats.date_format(value, "SHORT_DATE_FORMAT"))


def period_open_warning(*, org: Organization, end: date) -> str | None:
    """Why a run for a period ending on `end` should wait, or None when the period is over."""
    if end < org_today(org):
        return None
    return _("The period has not ended yet (it ends on %(end)s): results recorded until then are not in this run. "
             "Start the run after the period ends, or compute it again then.") % {"end": _day(end)}  # fmt: skip


def _computed_on(run: PayoutRun) -> date | None:
    """The day (in the organisation's time zone) the run's lines were last computed."""
    at = (
        AuditEntry.objects.filter(org_id=run.org_id, target_type="payoutrun", target_id=run.pk,
                                  action="payout_run.computed")
        .order_by("-at", "-id").values_list("at", flat=True).first()
    )  # fmt: skip
    return None if at is None else org_today(run.org, now=at)


def run_warnings(*, run: PayoutRun) -> list[RunWarning]:
    """What HR should check in a run: its period has not ended (or had not when it was computed),
    people without a base salary for the period (their line counts a base of 0), people without
    an employee number (payroll matches on it). At most two queries, whatever the size of the run."""
    warnings: list[RunWarning] = []
    open_text = period_open_warning(org=run.org, end=run.end)
    computed = (
        None if open_text or run.status in (RunStatus.QUEUED, RunStatus.COMPUTING) else _computed_on(run)
    )
    if open_text:
        warnings.append(RunWarning(code="period_open", detail=open_text))
    elif computed is not None and computed <= run.end:
        warnings.append(RunWarning(code="period_open", detail=_(
            "This run was computed on %(day)s, before its period ended on %(end)s: results recorded after that are "
            "not in it. Compute it again, or start a new version once it is locked.")
            % {"day": _day(computed), "end": _day(run.end)}))  # fmt: skip
    if run.status in (RunStatus.QUEUED, RunStatus.COMPUTING, RunStatus.FAILED):
        return warnings
    salaried = Salary.objects.filter(membership_id=OuterRef("membership_id"), effective_from__lte=run.end)
    rows = list(
        PayoutLine.objects.filter(run=run)
        .annotate(salaried=Exists(salaried))
        .filter(Q(salaried=False) | Q(employee_number=""))
        .order_by("name", "id")
        .values_list("membership_id", "name", "employee_number", "salaried")
    )
    no_salary = [WarnedPerson(m, n, e) for m, n, e, has in rows if not has]
    no_number = [WarnedPerson(m, n, e) for m, n, e, _has in rows if not e]
    if no_salary:
        remedy = {
            RunStatus.REVIEW: _(
                "Set their base salaries (Bonus schemes and salaries), then compute the run again."
            ),
            RunStatus.SUBMITTED: _("An admin can send the run back to HR to correct it."),
            RunStatus.LOCKED: _("Set their base salaries, then start a new version of the run."),
        }.get(RunStatus(run.status), "")
        detail = ngettext("%(count)s person has no base salary for this period: their line counts a base of 0.00.",
                          "%(count)s people have no base salary for this period: their lines count a base of 0.00.",
                          len(no_salary)) % {"count": len(no_salary)}  # fmt: skip
        warnings.append(RunWarning(code="no_salary", count=len(no_salary), people=no_salary[:WARNING_PEOPLE],
                                   detail=f"{detail} {remedy}".strip()))  # fmt: skip
    if no_number:
        warnings.append(RunWarning(code="no_employee_number", count=len(no_number), people=no_number[:WARNING_PEOPLE], detail=ngettext(
            "%(count)s person has no employee number, which payroll needs to match the line: an admin adds it "
            "under Settings → Members.",
            "%(count)s people have no employee number, which payroll needs to match their lines: an admin adds "
            "them under Settings → Members.", len(no_number)) % {"count": len(no_number)}))  # fmt: skip
    return warnings


@dataclass(frozen=True)
class TeamTotal:
    team: str
    people: int
    base: Decimal
    bonus: Decimal
    commission: Decimal
    adjustment: Decimal
    total: Decimal


def run_team_totals(*, run: PayoutRun) -> list[TeamTotal]:
    """Totals per team (the summary sheet), in one query."""
    rows = (
        PayoutLine.objects.filter(run=run).values("team").order_by("team")
        .annotate(people=Count("id"), base=Sum("base"), bonus=Sum("bonus"), commission=Sum("commission"),
                  adjustment=Sum("adjustment"), total=Sum("total"))
    )  # fmt: skip
    return [TeamTotal(team=r["team"], people=r["people"], base=r["base"], bonus=r["bonus"],
                      commission=r["commission"], adjustment=r["adjustment"], total=r["total"]) for r in rows]  # fmt: skip


ACTIONS = {
    "payout_run.start": gettext_lazy("Run started"), "payout_run.computed": gettext_lazy("Lines computed"),
    "payout_line.adjust": gettext_lazy("Line adjusted"), "payout_run.submit": gettext_lazy("Submitted for approval"),
    "payout_run.return": gettext_lazy("Sent back to HR"), "payout_run.approve": gettext_lazy("Approved and locked"),
    "payout_run.new_version": gettext_lazy("New version started"), "payout_run.retry": gettext_lazy("Computed again"),
    "payout_run.requeue": gettext_lazy("Queued again: its job had stopped"), "payout_run.fail": gettext_lazy("Stopped"),
}  # fmt: skip
FIELDS = {
    "period": gettext_lazy("period"), "people": gettext_lazy("people"), "total": gettext_lazy("total"),
    "person": gettext_lazy("person"), "adjustment": gettext_lazy("adjustment"), "reason": gettext_lazy("reason"),
    "status": gettext_lazy("status"), "replaces": gettext_lazy("replaces"),
}  # fmt: skip


MONEY_FIELDS = {"total", "adjustment"}


@dataclass(frozen=True)
class HistoryRow:
    at: Any
    actor: str
    action: str
    changes: list[tuple[str, object, object]]


def run_history(*, run: PayoutRun) -> list[HistoryRow]:
    """Who did what to the run and its lines, newest first (the audit trail), in words."""
    entries = (
        AuditEntry.objects.filter(org_id=run.org_id, target_type="payoutrun", target_id=run.pk)
        .select_related("actor")
        .order_by("-at", "-id")[:200]
    )
    statuses = dict(RunStatus.choices)
    rows = []
    for entry in entries:
        changes = []
        for key, (before, after) in entry.changes.items():
            if key == "status":
                before, after = statuses.get(str(before), before), statuses.get(str(after), after)
            elif key in MONEY_FIELDS:  # 1,258,567.89, as the run's figures read
                before, after = (None if v is None else format_money(v) for v in (before, after))
            changes.append((str(FIELDS.get(key, key)), before, after))
        rows.append(HistoryRow(at=entry.at, actor=entry.actor.get_full_name() if entry.actor else "Stretch",
                               action=str(ACTIONS.get(entry.action, entry.action)), changes=changes))  # fmt: skip
    return rows


def payslips(*, member: Membership) -> list[PayoutLine]:
    """The person's lines in approved (locked) runs, newest period first."""
    return list(
        PayoutLine.objects.filter(membership=member, run__status=RunStatus.LOCKED)
        .exclude(run__next_version__status=RunStatus.LOCKED)  # a corrected period shows its newest version
        .select_related("run")
        .order_by("-run__end", "-run__version")[:24]
    )
