"""The indicators computed from the values in the background (lagging, leading and risk),
stored as dated snapshots so trends can be charted, and the weekly and monthly reviews."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from goals.models import AMOUNT, Goal, SupportingMetric
from teams.models import Membership, Organization


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
    NONE = "none", _("Below base")  # a word, never "None": no tier reached (or projected) yet
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

    @property
    def status_reason(self) -> str:
        """Why a goal's lagging indicator has its status ("" for leading and risk metrics)."""
        if self.kind != IndicatorKind.LAGGING:
            return ""
        from ..indicators import explain

        return explain(self.status, self.pace, self.detail or {})


class Review(models.Model):
    """周例会 / 月度复盘会: the page prepares itself from the data; the manager records the
    decisions (weekly) or the lessons (monthly) here."""

    class Kind(models.TextChoices):
        WEEK = "week", _("Weekly review")
        MONTH = "month", _("Monthly review")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reviews")
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    start = models.DateField()
    decisions = models.TextField(_("decisions"), blank=True, max_length=5000)
    updated_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("team", "kind", "-start")
        constraints = [
            models.UniqueConstraint(fields=["team", "kind", "start"], name="review_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.kind} {self.start}"
