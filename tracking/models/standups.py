"""Stand-ups, the values coming in (stand-ups, manual entry, files, the API), the team's
rhythm and reminders, and file imports."""

from __future__ import annotations

from datetime import date, time

from django.db import models
from django.utils.translation import gettext_lazy as _

from goals.models import AMOUNT, Goal, SupportingMetric
from teams.indexes import CoveringIndex
from teams.models import Membership, Organization, User


class Mood(models.IntegerChoices):
    AWFUL = 1, _("1 · Rough day")
    LOW = 2, _("2 · Low")
    OK = 3, _("3 · OK")
    GOOD = 4, _("4 · Good")
    GREAT = 5, _("5 · Great")


class Standup(models.Model):
    """每日站会: one per member per day; editing the same day updates it."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="standups")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="standups")
    day = models.DateField(_("day"))
    yesterday = models.TextField(_("yesterday"), blank=True, max_length=2000)
    today = models.TextField(_("today"), blank=True, max_length=2000)
    blockers = models.TextField(_("blockers"), blank=True, max_length=2000)
    mood = models.PositiveSmallIntegerField(_("mood"), choices=Mood.choices, null=True, blank=True)
    # Who cleared the blockers (a teammate, never the author), so help given to others is seen.
    blocker_resolved_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("blocker resolved by"),
    )  # fmt: skip
    blocker_resolved_at = models.DateTimeField(_("blocker resolved"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stand-up")
        verbose_name_plural = _("stand-ups")
        ordering = ("-day", "member_id")
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="standup_one_per_member_per_day")
        ]
        indexes = [
            models.Index(fields=["org", "day"]),
            models.Index(fields=["org", "blocker_resolved_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}"

    @property
    def has_blockers(self) -> bool:
        return bool(self.blockers.strip())


class Source(models.TextChoices):
    STANDUP = "standup", _("Stand-up")
    MANUAL = "manual", _("Manual entry")
    IMPORT = "import", _("File import")
    API = "api", _("API")


class MetricEntry(models.Model):
    """A value of a goal's metric, or of one of its supporting metrics, on a day and, where it
    matters, for a person. Entries of one goal combine by the goal's aggregation (sum, latest,
    average); `external_id` makes pushes from other systems idempotent."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="metric_entries")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="entries", verbose_name=_("goal"))
    supporting_metric = models.ForeignKey(
        SupportingMetric,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("supporting metric"),
    )
    day = models.DateField(_("day"))
    value = models.DecimalField(_("value"), **AMOUNT)
    member = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.MANUAL)
    # NULL for values without one (NULLs never collide), so pushes upsert on (org, external_id).
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)  # noqa: DJ001
    standup = models.ForeignKey(
        Standup, on_delete=models.CASCADE, null=True, blank=True, related_name="entries"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # incremental sync (?updated_since=)

    class Meta:
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        ordering = ("-day", "-id")
        constraints = [
            models.UniqueConstraint(fields=["org", "external_id"], name="metric_entry_unique_external_id"),
        ]
        indexes = [
            # A goal's daily series (dashboards, recompute) read from the index alone.
            CoveringIndex(
                fields=["goal", "supporting_metric", "day"], covering=["value"], name="metric_entry_series"
            ),
            models.Index(fields=["org", "day"]),
            models.Index(fields=["standup"]),
            models.Index(fields=["org", "updated_at"], name="metric_entry_org_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.day} {self.value}"


class TeamRhythm(models.Model):
    """A team's stand-up rhythm: by when members check in, and on which days (Monday = 1)."""

    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="rhythm")
    standup_time = models.TimeField(_("stand-up by"), default=time(10, 0))
    working_days = models.CharField(_("working days"), max_length=7, default="12345")
    reminders = models.BooleanField(_("remind who has not checked in"), default=True)

    def __str__(self) -> str:
        return f"{self.team_id} {self.standup_time}"

    def works_on(self, day: date) -> bool:
        return str(day.isoweekday()) in self.working_days


class ReminderChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("In the app and by e-mail")


class TrackingPreference(models.Model):
    """How a person wants to be reminded of a missing stand-up."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="tracking_preference"
    )
    reminder_channel = models.CharField(
        _("remind me"), max_length=8, choices=ReminderChannel.choices, default=ReminderChannel.IN_APP
    )

    def __str__(self) -> str:
        return f"{self.membership_id} {self.reminder_channel}"


class ImportJob(models.Model):
    """A CSV / XLSX file of metric values, checked and stored in the background with its progress
    shown; all or nothing, every bad cell reported by row and column."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Checking")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported: errors")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    content = models.BinaryField(default=b"")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
