"""Tracking: daily stand-ups, metric values coming in (stand-ups, manual entry, files, the API),
and the indicators computed from them in the background (lagging, leading and risk), stored as
dated snapshots so trends can be charted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from goals.models import AMOUNT, Goal, SupportingMetric
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stand-up")
        verbose_name_plural = _("stand-ups")
        ordering = ("-day", "member_id")
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="standup_one_per_member_per_day")
        ]
        indexes = [models.Index(fields=["org", "day"])]

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

    class Meta:
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        ordering = ("-day", "-id")
        constraints = [
            models.UniqueConstraint(fields=["org", "external_id"], name="metric_entry_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["goal", "supporting_metric", "day"]),
            models.Index(fields=["org", "day"]),
            models.Index(fields=["standup"]),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.day} {self.value}"


class IndicatorKind(models.TextChoices):
    LAGGING = "lagging", _("Lagging indicator")
    LEADING = "leading", _("Leading indicator")
    RISK = "risk", _("Risk indicator")


class IndicatorStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data yet")


class TierReached(models.TextChoices):
    NONE = "none", _("None")
    BASE = "base", _("Base")
    CHALLENGE = "challenge", _("Challenge")
    STRETCH = "stretch", _("Stretch")


class IndicatorSnapshot(models.Model):
    """Where a goal (metric_key 0) or one of its supporting metrics (metric_key = its id) stood
    on a day. Written by the recompute jobs with an upsert on (goal, metric_key, day), so
    recomputing gives the same rows."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="indicator_snapshots")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="snapshots")
    supporting_metric = models.ForeignKey(
        SupportingMetric, on_delete=models.CASCADE, null=True, blank=True, related_name="snapshots"
    )
    metric_key = models.PositiveBigIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=IndicatorKind.choices)
    day = models.DateField()
    actual = models.DecimalField(**AMOUNT, null=True, blank=True)
    expected = models.DecimalField(**AMOUNT, null=True, blank=True)
    target = models.DecimalField(**AMOUNT, null=True, blank=True)
    attainment = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    pace = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    gap = models.DecimalField(**AMOUNT, null=True, blank=True)
    forecast = models.DecimalField(**AMOUNT, null=True, blank=True)
    tier_reached = models.CharField(max_length=10, choices=TierReached.choices, default=TierReached.NONE)
    tier_projected = models.CharField(max_length=10, choices=TierReached.choices, default=TierReached.NONE)
    status = models.CharField(max_length=10, choices=IndicatorStatus.choices, default=IndicatorStatus.NO_DATA)
    detail = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ("goal", "metric_key", "day")
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "metric_key", "day"], name="indicator_snapshot_unique_day"
            )
        ]
        indexes = [models.Index(fields=["org", "day", "status"])]

    def __str__(self) -> str:
        return f"{self.goal_id}/{self.metric_key} {self.day} {self.status}"
