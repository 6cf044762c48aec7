"""Alerts and their rules, corrective actions, notifications, and the channels (webhooks) they
are delivered to."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from goals.models import AMOUNT, Goal, SupportingMetric
from teams.models import Membership, Organization


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


class ResolutionReason(models.TextChoices):
    """Why someone resolved an alert by hand."""

    FALSE_ALARM = "false_alarm", _("False alarm")
    DATA_CORRECTED = "data_corrected", _("The data was corrected")
    CORRECTIVE_ACTION = "corrective_action", _("Resolved by the corrective action")


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
    resolution = models.CharField(max_length=200, blank=True)  # the note (or BACK_ON_TRACK)
    # Resolved by hand: why (a category), and, for "resolved by the corrective action", which one.
    resolution_reason = models.CharField(
        _("why it is resolved"), max_length=20, choices=ResolutionReason.choices, blank=True
    )
    resolution_action = models.ForeignKey(
        "CorrectiveAction", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("the corrective action that resolved it"),
    )  # fmt: skip
    # Resolved by hand and its condition has not cleared since: evaluation leaves it resolved.
    held = models.BooleanField(default=False)

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
        PULSE = "pulse", _("Pulse survey to answer")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    dedupe_key = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)  # where a higher app's notification leads
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
