"""Goals: SMART goals cascaded from strategy, three-tier targets (base / challenge / stretch)
that are versioned by approved revisions, their decomposition into quarter / month / week
targets, supporting metrics, and the team's comments and proposals."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teams.models import Membership, Organization, Team, User
from teams.numbers import places_for

AMOUNT = {"max_digits": 18, "decimal_places": 4}


class Scope(models.TextChoices):
    STRATEGY = "strategy", _("Company strategy")
    TEAM = "team", _("Team")
    PERSONAL = "personal", _("Personal")


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum over time (e.g. new users)")
    LATEST = "latest", _("Latest value (e.g. daily active users)")
    AVERAGE = "average", _("Average (e.g. collection rate)")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    WEEK = "week", _("Week")
    CUSTOM = "custom", _("Custom dates")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Open for team input")
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Closed: achieved")
    MISSED = "missed", _("Closed: missed")
    CANCELLED = "cancelled", _("Cancelled")


# The kinds of slice a goal's period is decomposed into.
SLICE_KINDS = [(k.value, k.label) for k in (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.WEEK)]

OPEN_STATUSES = (Status.DRAFT, Status.PROPOSED, Status.ACTIVE)
CLOSED_STATUSES = (Status.ACHIEVED, Status.MISSED, Status.CANCELLED)


class Tier(models.TextChoices):
    BASE = "base", _("Base")
    CHALLENGE = "challenge", _("Challenge")
    STRETCH = "stretch", _("Stretch")


class Goal(models.Model):
    """A SMART goal of the company (strategy), a team, or a person."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="goals")
    scope = models.CharField(_("level"), max_length=12, choices=Scope.choices, default=Scope.TEAM)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="goals", verbose_name=_("team")
    )
    owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="owned_goals", verbose_name=_("owner")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("serves"),
    )
    weight = models.DecimalField(
        _("weight in parent"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    rationale = models.TextField(_("why it matters"), blank=True)

    metric_name = models.CharField(_("metric"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    aggregation = models.CharField(
        _("values combine by"), max_length=8, choices=Aggregation.choices, default=Aggregation.SUM
    )
    baseline = models.DecimalField(_("baseline"), **AMOUNT, null=True, blank=True)
    # A count (new users, deals) is never below zero; a change (DAU growth %, net revenue) may be.
    allows_negative = models.BooleanField(_("values may be negative"), default=False)

    period_kind = models.CharField(
        _("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    result_value = models.DecimalField(_("final result"), **AMOUNT, null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ("start_date", "title")
        indexes = [
            models.Index(fields=["org", "status"]),
            models.Index(fields=["org", "team"]),
            models.Index(fields=["org", "parent"]),
            models.Index(fields=["org", "metric_name", "end_date"]),
            # The goal list's order (goals API, tree): a page of 50 is read from the index, not
            # by sorting every goal of the organisation.
            models.Index(fields=["org", "start_date", "title", "id"], name="goal_org_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="goal_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_additive(self) -> bool:
        return self.aggregation == Aggregation.SUM

    @property
    def number_places(self) -> int:
        """Decimals the goal's values and targets show (`{{ value|num:goal }}`): from its unit."""
        return places_for(unit=self.unit, aggregation=self.aggregation)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TargetVersion(models.Model):
    """The goal's three targets for its whole period. Version 1 is set with the goal; every
    approved revision adds a version effective from a date. Versions are never edited once the
    goal is active, so "the targets in force on date D" is always answerable."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    base = models.DecimalField(_("base target"), **AMOUNT)
    challenge = models.DecimalField(_("challenge target"), **AMOUNT)
    stretch = models.DecimalField(_("stretch target"), **AMOUNT)
    effective_from = models.DateField(_("effective from"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Reasons given when a decomposition deliberately does not add up: {"week": "…", "member": "…"}.
    overrides = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("goal", "number")
        constraints = [
            models.UniqueConstraint(fields=["goal", "number"], name="target_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.goal} v{self.number}"

    def tiers(self) -> dict[str, Decimal]:
        return {"base": self.base, "challenge": self.challenge, "stretch": self.stretch}


class PeriodTarget(models.Model):
    """A slice of a version's targets: one quarter, month or week of the goal's period. For an
    additive metric the slices of one kind add up to the whole (or an override reason is stored
    on the version); for rates and levels each slice carries the level expected in it."""

    version = models.ForeignKey(TargetVersion, on_delete=models.CASCADE, related_name="period_targets")
    kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    base = models.DecimalField(**AMOUNT)
    challenge = models.DecimalField(**AMOUNT)
    stretch = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ("version", "kind", "start_date")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "start_date"], name="period_target_unique_slice"
            )
        ]
        indexes = [models.Index(fields=["version", "kind", "start_date"])]

    def __str__(self) -> str:
        return f"{self.version} {self.kind} {self.start_date}"


class SupportingMetric(models.Model):
    """支撑性指标: a leading activity metric with a weekly target (content pushes, channel
    partnerships, customer visits) or a risk metric with a threshold (complaint rate above 2 %)."""

    class Kind(models.TextChoices):
        LEADING = "leading", _("Leading indicator")
        RISK = "risk", _("Risk indicator")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="supporting_metrics")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    weekly_target = models.DecimalField(_("weekly target"), **AMOUNT, null=True, blank=True)
    threshold = models.DecimalField(_("threshold"), **AMOUNT, null=True, blank=True)
    allows_negative = models.BooleanField(_("values may be negative"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("goal", "position", "id")
        constraints = [models.UniqueConstraint(fields=["goal", "name"], name="supporting_metric_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def number_places(self) -> int:
        """Decimals its values show: weekly counts 0, a rate such as complaints (%) 1."""
        return places_for(unit=self.unit)


class GoalComment(models.Model):
    """Team input on a goal: a comment, optionally proposing other target values."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    proposed_base = models.DecimalField(_("proposed base"), **AMOUNT, null=True, blank=True)
    proposed_challenge = models.DecimalField(_("proposed challenge"), **AMOUNT, null=True, blank=True)
    proposed_stretch = models.DecimalField(_("proposed stretch"), **AMOUNT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("goal", "created_at", "id")

    def __str__(self) -> str:
        return f"{self.author} on {self.goal}"

    @property
    def is_proposal(self) -> bool:
        return self.proposed_base is not None


class Revision(models.Model):
    """目标复审: a request to change an active goal's targets, with its reason, decided by the
    owner of the parent goal or an admin (never by the person who asked)."""

    class Reason(models.TextChoices):
        POLICY = "policy", _("Policy change")
        FORCE_MAJEURE = "force_majeure", _("Epidemic / force majeure")
        MARKET = "market", _("Market change")
        INTERNAL = "internal", _("Internal change")
        ERROR = "error", _("Error in the original targets")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("revision", "Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="revisions")
    requested_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    comment = models.TextField(_("comment"))
    base = models.DecimalField(_("base target"), **AMOUNT)
    challenge = models.DecimalField(_("challenge target"), **AMOUNT)
    stretch = models.DecimalField(_("stretch target"), **AMOUNT)
    effective_from = models.DateField(_("effective from"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    version = models.OneToOneField(
        TargetVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="revision"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("goal", "-created_at")
        constraints = [
            models.UniqueConstraint(
                fields=["goal"], condition=models.Q(state="pending"), name="revision_one_pending_per_goal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_reason_display()}"
