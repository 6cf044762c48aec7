"""Writes of the payout runs: HR starts the run of a period, a background job computes everyone's
line, HR adjusts lines (with a reason) and submits, another admin approves (which locks the run)
or sends it back; a locked run never changes, a correction is a new version. Money is Decimal end
to end (see incentives/calculator.py)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as KombuOperationalError

from teams.errors import Verdict
from teams.jobs import job_lock, pause_point
from teams.models import Membership, Organization
from teams.services import audit_diff, audit_record
from teams.tasks import TRANSIENT_DB_ERRORS

from .. import calculator
from ..models import BonusScheme, PayoutLine, PayoutRun, RunStatus
from ..selectors.payouts import payout_in, period_facts, scheme_in
from ..selectors.rights import can_approve_run, can_decide_runs, can_run_payouts
from ..tasks import payout_run_compute

logger = logging.getLogger(__name__)
RUN_CHUNK = 500
STUCK_AFTER = timedelta(minutes=10)
MONEY_LIMIT = Decimal("1e11")  # a line, an adjustment and a run's total stay well inside numeric(14, 2)
ATTAINMENT_LIMIT = Decimal("1e10")
OPEN_RUN = (RunStatus.QUEUED, RunStatus.COMPUTING, RunStatus.REVIEW, RunStatus.SUBMITTED)


def _require(verdict: Verdict) -> None:
    """Enforce a permission check of the runs. Its refusal stays a ValidationError carrying the
    verdict's sentence, as the runs have always answered it (a message on the run page, 400 from
    the API), rather than `verdict.require()`'s 403."""
    if not verdict:
        raise ValidationError(verdict.reason)


def _queue_compute(run: PayoutRun) -> None:
    """Queue the job after commit; when the queue does not answer, the run says so and can be
    computed again (rather than the request failing after its data was saved)."""
    run_id = run.pk

    def send() -> None:
        try:
            payout_run_compute.delay(run_id=run_id)
        except KombuOperationalError:  # the broker is down: the run is not lost, HR computes it again
            logger.exception("payout run %s could not be queued", run_id)
            PayoutRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
                status=RunStatus.FAILED,
                error=gettext_noop("The job queue did not answer."),
                updated_at=timezone.now(),
            )

    transaction.on_commit(send)


def _locked_run(run: PayoutRun) -> PayoutRun:
    """The run, re-read under a row lock, so two decisions on it cannot interleave."""
    return PayoutRun.objects.select_for_update(of=("self",)).select_related("org").get(pk=run.pk)


def _run_record(
    run: PayoutRun, actor: Membership | None, action: str, changes: dict[str, list[object]]
) -> None:
    audit_record(org=run.org, actor=actor.user if actor else None, action=action, target=run, changes=changes,
                 scope="incentives")  # fmt: skip


@transaction.atomic
def run_start(
    *, org: Organization, actor: Membership, start: date, end: date, language: str = ""
) -> PayoutRun:
    """HR starts the payout run of a period; the lines are computed in the background."""
    _require(can_run_payouts(actor=actor, org_id=org.pk))
    if end < start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if (end - start).days > 366:
        raise ValidationError({"end": [_("A payout period is at most a year.")]})
    Organization.objects.select_for_update().filter(pk=org.pk).first()  # one start at a time (a double click)
    existing = list(PayoutRun.objects.filter(org=org, start=start, end=end).order_by("-version"))
    if any(r.status in OPEN_RUN for r in existing):
        raise ValidationError(_("A run for this period is already open: finish it first."))
    if any(r.status == RunStatus.FAILED for r in existing):
        raise ValidationError(_("A run for this period failed: compute it again instead."))
    if any(r.status == RunStatus.LOCKED for r in existing):
        raise ValidationError(_("This period has a locked run: start a new version of it instead."))
    run = PayoutRun.objects.create(org=org, start=start, end=end, version=(existing[0].version + 1) if existing else 1,
                                   started_by=actor, language=language or org.default_language)  # fmt: skip
    _run_record(run, actor, "payout_run.start", {"period": [None, f"{start}–{end}"]})
    _queue_compute(run)
    return run


@transaction.atomic
def run_new_version(*, run: PayoutRun, actor: Membership, language: str = "") -> PayoutRun:
    """A locked run never changes; a correction is a new version that references it."""
    _require(can_run_payouts(actor=actor, org_id=run.org_id))
    run = _locked_run(run)
    if run.status != RunStatus.LOCKED:
        raise ValidationError(_("Only a locked run gets a new version; change this one directly."))
    if PayoutRun.objects.filter(previous=run).exists():
        raise ValidationError(_("This run already has a newer version."))
    latest = PayoutRun.objects.filter(org=run.org, start=run.start, end=run.end).order_by("-version").first()
    if latest is not None and latest.status != RunStatus.LOCKED:
        raise ValidationError(_("A run for this period is already open: finish it first."))
    version = PayoutRun.objects.create(
        org=run.org, start=run.start, end=run.end, version=(latest.version if latest else run.version) + 1,
        previous=run, started_by=actor, language=language or run.language,
    )  # fmt: skip
    _run_record(version, actor, "payout_run.new_version", {"replaces": [None, f"v{run.version}"]})
    _queue_compute(version)
    return version


@transaction.atomic
def run_is_stuck(run: PayoutRun) -> bool:
    """Queued or computing, and no progress for STUCK_AFTER (a lost job, a killed worker)."""
    return (
        run.status in (RunStatus.QUEUED, RunStatus.COMPUTING)
        and run.updated_at < timezone.now() - STUCK_AFTER
    )


@transaction.atomic
def run_retry(*, run: PayoutRun, actor: Membership) -> PayoutRun:
    """Compute a run in review, a failed or a stuck run again, from the start: everyone's line is
    computed afresh from today's salaries and goals (a salary set after the run, a period that has
    since ended); adjustments are dropped (they stay in the history). The run is not submitted or
    locked, so nothing approved changes."""
    _require(can_run_payouts(actor=actor, org_id=run.org_id))
    run = _locked_run(run)
    if run.status not in (RunStatus.FAILED, RunStatus.REVIEW) and not run_is_stuck(run):
        raise ValidationError(
            _("Only a run in review, a failed run, or one stuck for 10 minutes, is computed again.")
        )
    run.lines.all().delete()
    run.status, run.error, run.done = RunStatus.QUEUED, "", 0
    run.save(update_fields=["status", "error", "done", "updated_at"])
    _run_record(run, actor, "payout_run.retry", {})
    _queue_compute(run)
    return run


def _team_label(member: Membership) -> str:
    return ", ".join(sorted(t.name for t in member.teams.all()))[:250]


def _line(run: PayoutRun, member: Membership, scheme: BonusScheme, payout: calculator.Payout) -> PayoutLine:
    if payout.total >= MONEY_LIMIT or abs(payout.attainment) >= ATTAINMENT_LIMIT:
        raise ValidationError(
            _(
                "The pay of %(name)s is too large to store (attainment %(value)s%%): check the targets of their goals."
            )
            % {"name": member.user.display_name or member.user.email, "value": payout.attainment}
        )
    return PayoutLine(
        org_id=run.org_id, run=run, membership=member, employee_number=member.employee_number,
        name=(member.user.display_name or member.user.email)[:150], team=_team_label(member), scheme=scheme.name,
        base=payout.base, target_bonus=payout.target_bonus, attainment=payout.attainment, bonus=payout.bonus,
        commission=payout.commission, total=payout.total, capped=payout.capped, explanation=payout.lines,
    )  # fmt: skip


def _refresh_totals(run: PayoutRun) -> None:
    sums = run.lines.aggregate(base=Sum("base"), bonus=Sum("bonus"), commission=Sum("commission"),
                               adjustment=Sum("adjustment"), total=Sum("total"))  # fmt: skip
    run.base_total = sums["base"] or Decimal(0)
    run.bonus_total = sums["bonus"] or Decimal(0)
    run.commission_total = sums["commission"] or Decimal(0)
    run.adjustment_total = sums["adjustment"] or Decimal(0)
    run.total = sums["total"] or Decimal(0)


def _still_mine(run_id: int, attempt: int) -> bool:
    """Lock the run and check this job still owns it (a retry after a stuck job takes it over)."""
    return (
        PayoutRun.objects.select_for_update(of=("self",))
        .filter(pk=run_id, status=RunStatus.COMPUTING, attempt=attempt)
        .exists()
    )


def run_compute(*, run_id: int) -> PayoutRun | None:
    """The job: every active person with a scheme gets a line, in chunks, with the progress saved
    after each chunk. Idempotent: only the job that moves the run from queued to computing owns it
    (its `attempt`); a duplicated or late job finds the run taken and does nothing, and every write
    checks that ownership under the run's row lock. The job holds the run's job lock while it
    computes: a job delivered again after its worker was killed finds the lock free and the run
    still computing, and computes it afresh (the dead worker's lines go); beat's sweep
    (incentives.services.sweeps) reads the same lock to know when a worker died."""
    with job_lock("payout_run", run_id) as sole:
        if sole is False:
            return PayoutRun.objects.filter(pk=run_id).first()  # a live worker is computing it
        return _run_compute(run_id=run_id, take_over=sole is True)


def _run_compute(*, run_id: int, take_over: bool) -> PayoutRun | None:
    with transaction.atomic():
        run = (
            PayoutRun.objects.select_for_update(of=("self",)).select_related("org").filter(pk=run_id).first()
        )
        abandoned = take_over and run is not None and run.status == RunStatus.COMPUTING
        if run is None or (run.status != RunStatus.QUEUED and not abandoned):
            return run
        run.status, run.attempt, run.done = RunStatus.COMPUTING, run.attempt + 1, 0
        run.save(update_fields=["status", "attempt", "done", "updated_at"])
        run.lines.all().delete()
    attempt = run.attempt
    try:
        with translation.override(run.language or run.org.default_language):
            members = list(
                Membership.objects.filter(org=run.org, is_active=True)
                .select_related("user", "org")
                .prefetch_related("teams")
                .order_by("pk")
            )
            facts = period_facts(org=run.org, start=run.start, end=run.end)
            eligible = [(m, s) for m in members if (s := scheme_in(facts, m)) is not None]
            PayoutRun.objects.filter(pk=run_id, attempt=attempt).update(
                people=len(eligible), updated_at=timezone.now()
            )
            for index in range(0, len(eligible), RUN_CHUNK):
                chunk = eligible[index : index + RUN_CHUNK]
                lines = [_line(run, m, s, payout_in(facts, m, s)) for m, s in chunk]
                with transaction.atomic():
                    if not _still_mine(run_id, attempt):
                        return PayoutRun.objects.filter(pk=run_id).first()
                    PayoutLine.objects.bulk_create(lines)
                    PayoutRun.objects.filter(pk=run_id).update(
                        done=index + len(chunk), updated_at=timezone.now()
                    )
                pause_point("payout-chunk")
        with transaction.atomic():
            if not _still_mine(run_id, attempt):
                return PayoutRun.objects.filter(pk=run_id).first()
            run = PayoutRun.objects.select_related("org").get(pk=run_id)
            _refresh_totals(run)
            run.status = RunStatus.REVIEW
            run.save()
            _run_record(
                run,
                None,
                "payout_run.computed",
                {"people": [None, run.people], "total": [None, str(run.total)]},
            )
    except TRANSIENT_DB_ERRORS:  # back to the queue; the task tries again with backoff
        PayoutRun.objects.filter(pk=run_id, status=RunStatus.COMPUTING, attempt=attempt).update(
            status=RunStatus.QUEUED, updated_at=timezone.now()
        )
        raise
    except Exception as error:  # the run says what went wrong and can be computed again
        if isinstance(error, ValidationError):
            message = " ".join(error.messages)
        elif isinstance(error, SoftTimeLimitExceeded):
            message = gettext_noop("The computation took longer than the time limit of the job queue.")
        else:
            logger.exception("payout run %s failed", run_id)
            message = gettext_noop("An unexpected error stopped the computation; it is in the server log.")
        PayoutRun.objects.filter(pk=run_id, status=RunStatus.COMPUTING, attempt=attempt).update(
            status=RunStatus.FAILED, error=message[:2000], updated_at=timezone.now()
        )
        raise
    return run


@transaction.atomic
def run_line_adjust(*, line: PayoutLine, actor: Membership, amount: Decimal, reason: str) -> PayoutLine:
    """HR changes one line by an amount (negative to reduce), with a reason that is kept with the
    line and in the audit trail; the variable pay cannot go below zero."""
    _require(can_run_payouts(actor=actor, org_id=line.org_id))
    run = _locked_run(line.run)
    if run.status == RunStatus.LOCKED:
        raise ValidationError(_("This run is approved and locked: start a new version to change it."))
    if run.status != RunStatus.REVIEW:
        raise ValidationError(_("Lines can be adjusted only while the run is in review."))
    if line.membership_id == actor.pk:
        raise ValidationError(_("You cannot adjust your own pay: another person in HR or an admin does."))
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the adjustment.")]})
    if abs(amount) >= MONEY_LIMIT:
        raise ValidationError({"amount": [_("This adjustment is too large.")]})
    if len(reason) > 1000:
        raise ValidationError({"reason": [_("At most 1,000 characters.")]})
    if amount != calculator.money(amount):
        raise ValidationError({"amount": [_("At most 2 decimal places.")]})
    line = PayoutLine.objects.select_for_update(of=("self",)).get(pk=line.pk)
    if line.bonus + line.commission + amount < 0:
        raise ValidationError({"amount": [_("An adjustment cannot take the bonus below zero.")]})
    if abs(run.total - line.total + line.base + line.bonus + line.commission + amount) >= MONEY_LIMIT * 10:
        raise ValidationError({"amount": [_("This adjustment is too large.")]})
    before = {"adjustment": line.adjustment, "total": line.total, "reason": line.adjustment_reason}
    line.adjustment = amount
    line.adjustment_reason = reason
    line.total = line.base + line.bonus + line.commission + amount
    line.adjusted_by, line.adjusted_at = actor, timezone.now()
    line.save()
    after = {"adjustment": line.adjustment, "total": line.total, "reason": line.adjustment_reason}
    _run_record(run, actor, "payout_line.adjust", {"person": [None, line.name], **audit_diff(before, after)})
    _refresh_totals(run)
    run.save()
    return line


@transaction.atomic
def run_submit(*, run: PayoutRun, actor: Membership) -> PayoutRun:
    _require(can_run_payouts(actor=actor, org_id=run.org_id))
    run = _locked_run(run)
    if run.status != RunStatus.REVIEW:
        raise ValidationError(_("Only a run in review can be submitted."))
    run.status, run.submitted_by, run.submitted_at = RunStatus.SUBMITTED, actor, timezone.now()
    run.save()
    _run_record(run, actor, "payout_run.submit", {"status": [RunStatus.REVIEW, RunStatus.SUBMITTED]})
    return run


@transaction.atomic
def run_approve(*, run: PayoutRun, actor: Membership) -> PayoutRun:
    """An admin approves a submitted run, which locks it; never their own submission."""
    _require(can_decide_runs(actor=actor, org_id=run.org_id))
    run = _locked_run(run)
    _require(can_approve_run(actor=actor, run=run))
    run.status, run.approved_by, run.approved_at = RunStatus.LOCKED, actor, timezone.now()
    run.save()
    _run_record(run, actor, "payout_run.approve", {"status": [RunStatus.SUBMITTED, RunStatus.LOCKED]})
    return run


@transaction.atomic
def run_return(*, run: PayoutRun, actor: Membership, reason: str) -> PayoutRun:
    """An admin sends a submitted run back to HR for review, saying why."""
    _require(can_decide_runs(actor=actor, org_id=run.org_id))
    run = _locked_run(run)
    if run.status != RunStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted run can be sent back."))
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the run goes back to HR.")]})
    run.status, run.submitted_by, run.submitted_at = RunStatus.REVIEW, None, None
    run.save()
    _run_record(run, actor, "payout_run.return", {"status": [RunStatus.SUBMITTED, RunStatus.REVIEW],
                                                  "reason": [None, reason.strip()[:1000]]})  # fmt: skip
    return run
