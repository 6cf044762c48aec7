"""Tracking: daily stand-ups, metric values coming in (stand-ups, manual entry, files, the API),
and the indicators computed from them in the background (lagging, leading and risk), stored as
dated snapshots so trends can be charted."""

from __future__ import annotations

from datetime import date, time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        from .indicators import explain

        return explain(self.status, self.pace, self.detail or {})


class RuleKind(models.TextChoices):
    LAGGING_BEHIND = "lagging_behind", _("Lagging indicator behind expected")
    LEADING_BELOW = "leading_below", _("Leading indicator below its weekly target")
    RISK_BREACHED = "risk_breached", _("Risk indicator past its threshold")
    STANDUP_MISSED = "standup_missed", _("Stand-ups missed")
    PLAN_SLIP = "plan_slip", _("Critical-path initiative slipping")


class AlertRule(models.Model):
    """An organisation's setting for one kind of deviation alert (预警). Without a row the
    defaults in `tracking.rules.DEFAULTS` apply."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alert_rules")
    kind = models.CharField(_("rule"), max_length=16, choices=RuleKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2)
    escalate_after_days = models.PositiveSmallIntegerField(_("escalate after (days)"), default=3)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="alert_rule_unique_kind")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind}"


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Cause(models.TextChoices):
    COMPETITION = "competition", _("Competition (e.g. in a key region)")
    MARKET = "market", _("Market or policy change")
    RESOURCES = "resources", _("Not enough people or budget")
    EXECUTION = "execution", _("Execution: the plan slipped")
    TARGET = "target", _("The target was unrealistic")
    DATA = "data", _("Data missing or late")
    OTHER = "other", _("Other")


class Alert(models.Model):
    """A deviation: what deviates, by how much, since when. One per goal (or person), rule and
    period: `dedupe_key` is unique per organisation, so a retried or duplicated job, or two
    schedulers, never raise it twice; a resolved alert that fires again in the period reopens."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("rule"), max_length=16, choices=RuleKind.choices)
    dedupe_key = models.CharField(max_length=200)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts")
    supporting_metric = models.ForeignKey(
        SupportingMetric, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    team = models.ForeignKey(
        "teams.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    state = models.CharField(_("state"), max_length=12, choices=AlertState.choices, default=AlertState.OPEN)
    measured = models.DecimalField(**AMOUNT, null=True, blank=True)
    expected = models.DecimalField(**AMOUNT, null=True, blank=True)
    deviation_pct = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    raised_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices, blank=True)
    cause_note = models.TextField(_("cause in your words"), blank=True, max_length=2000)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ManyToManyField(Membership, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)

    # The resolution stored when the indicator is back on track by itself (a code: shown translated).
    BACK_ON_TRACK = "back on track"

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ("-raised_on", "-id")
        constraints = [models.UniqueConstraint(fields=["org", "dedupe_key"], name="alert_unique_per_period")]
        indexes = [models.Index(fields=["org", "state"]), models.Index(fields=["goal", "state"])]

    def __str__(self) -> str:
        return self.dedupe_key

    @property
    def resolution_text(self) -> str:
        """How the alert was resolved, in the reader's language."""
        return str(_("back on track")) if self.resolution == self.BACK_ON_TRACK else self.resolution


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class CorrectiveAction(models.Model):
    """纠偏措施: what will be done about a deviation, by whom and by when, tracked until done;
    the monthly review asks whether it worked."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="corrective_actions")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="actions")
    review = models.ForeignKey(
        "Review", on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="corrective_actions"
    )
    description = models.TextField(_("corrective action"), max_length=2000)
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="corrective_actions",
                              verbose_name=_("owner"))  # fmt: skip
    due_date = models.DateField(_("due"))
    state = models.CharField(_("state"), max_length=8, choices=ActionState.choices, default=ActionState.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    worked = models.BooleanField(_("did it work?"), null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ("state", "due_date", "id")
        indexes = [models.Index(fields=["org", "state"])]

    def __str__(self) -> str:
        return self.description[:60]


class Notification(models.Model):
    """In-app inbox: one row per person and event (unique `dedupe_key`, so a repeat is a no-op)."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("New alert")
        ESCALATION = "escalation", _("Escalated alert")
        REMINDER = "reminder", _("Stand-up reminder")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_unique_per_event")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.dedupe_key


class ChannelKind(models.TextChoices):
    FEISHU = "feishu", _("Feishu (Lark) webhook")
    DINGTALK = "dingtalk", _("DingTalk webhook")
    WECOM = "wecom", _("WeCom webhook")
    SLACK = "slack", _("Slack webhook")
    JSON = "json", _("Plain JSON webhook")


class NotificationChannel(models.Model):
    """An outgoing webhook for a team's alerts (or every team's, with no team), in the format of
    the chat platform; signed where the platform supports signing."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="channels")
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="channels",
                             verbose_name=_("team"))  # fmt: skip
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("format"), max_length=10, choices=ChannelKind.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    @property
    def url_masked(self) -> str:
        """The address without its path and query, which carry the platform's token."""
        parts = self.url.split("/")
        return "/".join(parts[:3]) + "/…" if len(parts) > 3 else self.url


class Delivery(models.Model):
    """One alert — or one message of a higher app, such as an earned instant reward — sent to one
    channel (unique per channel, alert and event, or per channel and message key, so a retried job
    never posts twice). A message carries its own text and JSON event; an alert's are built when
    it is sent."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery", "Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    event = models.CharField(max_length=40, default="raised")  # for a message: its key
    text = models.TextField(blank=True)  # a message's text (empty for an alert)
    payload = models.JSONField(default=dict, blank=True)  # a message's JSON event (empty for an alert)
    TEST_PREFIX = "test:"  # the key of a test message sent from Settings → Integrations

    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # An alert is tried with backoff; a test message or a retry by hand, once (its result is awaited).
    max_attempts = models.PositiveSmallIntegerField(default=6)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # a worker is posting it until then
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was last queued, retried or tried: the channel's last delivery is the latest of these.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["channel", "-updated_at"], name="delivery_channel_recent")]
        constraints = [
            models.UniqueConstraint(fields=["channel", "alert", "event"], name="delivery_once_per_event"),
            models.UniqueConstraint(
                fields=["channel", "event"], condition=models.Q(alert__isnull=True),
                name="delivery_message_once_per_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(alert__isnull=False) | ~models.Q(text=""), name="delivery_alert_or_text"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.channel_id}/{self.alert_id or '-'}/{self.event}"

    @property
    def is_test(self) -> bool:
        return self.alert_id is None and self.event.startswith(self.TEST_PREFIX)


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
