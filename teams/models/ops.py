"""The platform's own rows: the heartbeat, the transactional outbox and the audit trail
(re-exported by teams.models)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .core import Organization


class Heartbeat(models.Model):
    """Written by the periodic heartbeat job: proof that beat and a worker are running.
    One row per time slot, so a retried or duplicated job writes nothing new."""

    slot = models.DateTimeField(unique=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-slot",)

    def __str__(self) -> str:
        return f"heartbeat {self.slot:%Y-%m-%d %H:%M:%S}"


class OutboxJob(models.Model):
    """A background job written in the same transaction as the change that needs it (a stand-up's
    recompute). It is sent to the queue after commit and deleted once the queue took it; when the
    queue is down it waits here, and the outbox drain (beat) sends it when the queue is back."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.task} {self.created_at:%Y-%m-%d %H:%M:%S}"


class AuditEntry(models.Model):
    """Who changed what, when, from what to what. Written by services of every app through
    teams.services.audit_record; never edited."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.BigIntegerField()
    target_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # What the change belongs to, for one history across related rows (e.g. "goal:12" for the
    # goal, its period targets, supporting metrics and revisions).
    scope = models.CharField(max_length=80, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-id")
        indexes = [
            models.Index(fields=["org", "target_type", "target_id", "at"]),
            models.Index(fields=["org", "scope", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class Tombstone(models.Model):
    """A row an integrator may mirror was deleted: what, which, when (``teams.api_sync``). Written by
    the post_delete signals each app registers; read by ``GET /api/v1/orgs/<org>/deleted/``. The
    organisation is a plain number, not a key: deleting an organisation writes its rows' tombstones
    while it is itself being deleted."""

    org_id = models.BigIntegerField()
    resource = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("deleted_at", "id")
        indexes = [models.Index(fields=["org_id", "resource", "deleted_at"], name="tombstone_feed")]

    def __str__(self) -> str:
        return f"{self.resource}#{self.object_id} deleted {self.deleted_at:%Y-%m-%d %H:%M:%S}"
