"""Values from a file: its shape checked at once, its rows checked and stored in the background
(all or nothing)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from goals.models import SupportingMetric
from teams.access import CONTRIBUTORS
from teams.jobs import job_lock, job_locks_supported, pause_point
from teams.models import AuditEntry, Membership, Organization
from teams.services import audit_record, outbox_enqueue
from teams.tables import Rows, read_table
from tracking.models import ImportJob, Source
from tracking.tasks import import_values

from .values import CleanEntry, EntryInput, _store, entries_validate

IMPORT_COLUMNS = ["goal", "metric", "day", "value", "person", "external_id", "note"]
IMPORT_OPTIONAL = {"metric", "person", "external_id", "note"}
IMPORT_MAX_ROWS = 200_000
IMPORT_CHUNK = 5_000
# The service's field names → the file's columns.
IMPORT_FIELDS = {"goal": "goal", "supporting_metric": "metric", "member": "person", "day": "day", "value": "value",
                 "external_id": "external_id", "note": "note"}  # fmt: skip
ERRORS_KEPT = 500


def _read_values_file(content: bytes, filename: str) -> Rows:
    return read_table(
        content, filename, columns=IMPORT_COLUMNS, optional=IMPORT_OPTIONAL, max_rows=IMPORT_MAX_ROWS
    )


def import_start(*, org: Organization, actor: Membership, filename: str, content: bytes) -> ImportJob:
    """Check the file's shape now (wrong columns are refused at once), then check and store its
    rows in the background."""
    if actor.role not in CONTRIBUTORS:
        raise ValidationError(_("You cannot enter values."))
    rows = _read_values_file(content, filename)
    if not rows:
        raise ValidationError({"file": [_("The file has no values.")]})
    job = ImportJob.objects.create(
        org=org, created_by=actor, filename=filename[:200], content=content, total=len(rows)
    )
    outbox_enqueue(
        task=import_values, kwargs={"job_id": job.pk}
    )  # sent after commit, or when the queue is back
    return job


def import_run(*, job_id: int) -> ImportJob | None:
    """Check every row (chunk by chunk, saving the progress), then store all of them in one
    transaction — or none, with each bad cell named by row and column. The job holds the import's
    job lock while it works (teams.jobs): a job delivered again after its worker was killed takes
    the import over, a live one is left alone, and beat's sweep knows when its worker died."""
    with job_lock("import", job_id) as sole:
        if sole is False:
            return ImportJob.objects.filter(pk=job_id).first()  # a live worker is checking it
        # Waiting, or left checking by a worker that was killed (its lock went with it): take it.
        states = [ImportJob.State.PENDING] + ([ImportJob.State.RUNNING] if sole else [])
        if not ImportJob.objects.filter(pk=job_id, state__in=states).update(
            state=ImportJob.State.RUNNING, processed=0
        ):
            return ImportJob.objects.filter(pk=job_id).first()  # already run (a duplicated job)
        return _import_rows(job_id=job_id)


def _import_rows(*, job_id: int) -> ImportJob | None:
    job = (
        ImportJob.objects.select_related("org", "created_by__user", "created_by__org")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        return None  # deleted meanwhile (with its organisation)
    org, actor = job.org, job.created_by
    rows = _read_values_file(bytes(job.content), job.filename)
    goal_ids = {
        int(r["goal"]) for _n, r in rows if r.get("goal", "").isascii() and r.get("goal", "").isdigit()
    }
    metric_ids = {
        (goal_id, name.lower()): pk
        for goal_id, name, pk in SupportingMetric.objects.filter(
            goal__org=org, goal_id__in=goal_ids
        ).values_list("goal_id", "name", "pk")
    }
    emails = sorted({r.get("person", "").lower() for _n, r in rows if r.get("person")})
    people: dict[str, int] = dict(
        Membership.objects.filter(org=org)
        .annotate(email=Lower("user__email"))
        .filter(email__in=emails)
        .values_list("email", "pk")
    )
    errors: list[dict[str, Any]] = []
    clean: list[CleanEntry] = []
    seen: dict[str, tuple[int, Decimal]] = {}
    for start in range(0, len(rows), IMPORT_CHUNK):
        chunk = rows[start : start + IMPORT_CHUNK]
        inputs = []
        numbers = {}
        for index, (number, row) in enumerate(chunk, start=start + 1):
            numbers[index] = number
            metric_id: Any = None
            if row.get("metric"):
                goal_id = int(row["goal"]) if row.get("goal", "").isdigit() else None
                metric_id = (
                    metric_ids.get((goal_id, row["metric"].lower()), "unknown") if goal_id else "unknown"
                )
            member_id: Any = None
            if row.get("person"):
                member_id = people.get(row["person"].lower(), "unknown")
            inputs.append(EntryInput(
                goal_id=row.get("goal"), value=row.get("value"), day=row.get("day") or "missing",
                supporting_metric_id=metric_id, member_id=member_id, external_id=row.get("external_id", ""),
                note=row.get("note", ""),
            ))  # fmt: skip
        good, bad = entries_validate(org=org, actor=actor, rows=inputs, seen=seen, first_number=start + 1)
        clean.extend(good)
        for index, fields in sorted(bad.items()):
            for field_name, message in fields.items():
                errors.append({"row": numbers[index], "column": IMPORT_FIELDS.get(field_name, field_name),
                               "message": str(message)})  # fmt: skip
        ImportJob.objects.filter(pk=job.pk).update(processed=min(start + IMPORT_CHUNK, len(rows)))
    pause_point("import-rows")
    now = timezone.now()
    if errors:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, errors=errors[:ERRORS_KEPT], error_count=len(errors), finished_at=now,
            content=b"",
        )  # fmt: skip
    else:
        with transaction.atomic():  # the values and "imported" together, or neither (a killed worker)
            result = _store(org=org, actor=actor, entries=clean, source=Source.IMPORT)
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.DONE, created=result.created, updated=result.updated,
                unchanged=result.unchanged, finished_at=now, content=b"",
            )  # fmt: skip
    return ImportJob.objects.filter(pk=job.pk).first()


def values_template_csv() -> bytes:
    """A template for the import: the columns and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS)
    writer.writerow(
        ["3", "", "2026-11-23", "1850", "member@stretch.demo", "crm-2026-11-23-1", "Referral campaign 2"]
    )
    return ("\ufeff" + out.getvalue()).encode()


def import_failed(*, job_id: int, message: str = "", count: int = 0) -> None:
    """An import that crashed is marked failed (the page stops waiting); nothing was stored."""
    text = (
        _(message) % {"count": count}
        if message
        else _("The import stopped unexpectedly; nothing was imported. Try again.")
    )
    ImportJob.objects.filter(pk=job_id).exclude(state=ImportJob.State.DONE).update(
        state=ImportJob.State.FAILED, finished_at=timezone.now(), content=b"",
        errors=[{"row": 0, "column": "", "message": text}], error_count=1,
    )  # fmt: skip


IMPORT_REQUEUES = 3  # a file whose job keeps dying (too large for the worker's memory) then fails
SWEEP_GRACE = timedelta(seconds=30)


def _job_time_limit() -> timedelta:
    """How long a job may run at most (Celery's hard time limit), and a minute more."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def import_release(*, job_id: int) -> None:
    """A job that met a transient database error hands its file back (nothing was stored), so its
    retry checks it again."""
    ImportJob.objects.filter(pk=job_id, state=ImportJob.State.RUNNING).update(
        state=ImportJob.State.PENDING, processed=0
    )


def imports_sweep(*, now: Any = None) -> int:
    """Beat's sweep of stuck imports. A running import whose job is gone (its worker was killed,
    or stopped at the time limit) is checked again from the start — all or nothing, nothing was
    stored — at most IMPORT_REQUEUES times, then failed with a message the uploader reads; an
    import still waiting after the time limit (its job was lost with the queue) is queued again.
    Each import is claimed by one sweep (its job lock), so two beats requeue it once."""
    now = now or timezone.now()
    limit = _job_time_limit()
    requeued: list[int] = []
    candidates = ImportJob.objects.filter(
        state__in=[ImportJob.State.RUNNING, ImportJob.State.PENDING], created_at__lt=now - SWEEP_GRACE
    ).order_by("pk")
    for job_id, state, created_at in candidates.values_list("pk", "state", "created_at"):
        if state == ImportJob.State.RUNNING and not job_locks_supported() and created_at > now - limit * 12:
            continue  # without job locks, only an import far past the time limit is known to be dead
        if state == ImportJob.State.PENDING and created_at > now - limit:
            continue  # waiting its turn in the queue
        with job_lock("import", job_id) as mine:
            if mine is False:
                continue  # a worker is checking it right now (or another sweep has it)
            if _import_requeue(job_id=job_id, now=now, limit=limit):
                requeued.append(job_id)
    for job_id in requeued:  # after the lock is released, so the job can take it
        import_values.delay(job_id=job_id)
    return len(requeued)


@transaction.atomic
def _import_requeue(*, job_id: int, now: Any, limit: timedelta) -> bool:
    job = (
        ImportJob.objects.select_for_update(skip_locked=True).select_related("org").filter(pk=job_id).first()
    )
    if job is None or job.state not in (ImportJob.State.RUNNING, ImportJob.State.PENDING):
        return False
    sent = AuditEntry.objects.filter(org_id=job.org_id, target_type="importjob", target_id=job.pk,
                                     action="import.requeue")  # fmt: skip
    if job.state == ImportJob.State.PENDING:
        if sent.filter(at__gt=now - limit).exists():
            return False  # queued again a moment ago: give that job its time
    elif sent.count() >= IMPORT_REQUEUES:
        import_failed(job_id=job.pk, message=gettext_noop(
            "The import was stopped %(count)s times before it finished (the file may be too large); nothing was imported."
        ), count=IMPORT_REQUEUES + 1)  # fmt: skip
        return False
    if not ImportJob.objects.filter(pk=job.pk, state=job.state).update(
        state=ImportJob.State.PENDING, processed=0
    ):
        return False  # taken meanwhile (where row locks are not taken: SQLite)
    audit_record(org=job.org, actor=None, action="import.requeue", target=job, changes={"state": [job.state, "pending"]},
                 scope="tracking")  # fmt: skip
    return True
