"""Plans: action plans under goals — goal dimension, initiative, owner, when, resource needs
(the article's five columns) — with priorities, finish-to-start dependencies, squads, budgets,
milestones (small wins) and innovation experiments (error tolerance)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from teams.models import Membership, Organization, Team, User

MONEY = {"max_digits": 14, "decimal_places": 2}


class Priority(models.TextChoices):
    P0 = "P0", _("P0 · critical")
    P1 = "P1", _("P1 · high")
    P2 = "P2", _("P2 · normal")
    P3 = "P3", _("P3 · low")


# How much of an owner's capacity an initiative of each priority takes.
PRIORITY_LOAD = {"P0": Decimal("1.5"), "P1": Decimal("1.0"), "P2": Decimal("0.75"), "P3": Decimal("0.5")}
PRIORITY_RANK = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed — lesson recorded")


FINISHED = (Status.DONE, Status.CANCELLED, Status.FAILED)


class Need(models.TextChoices):
    LEGAL = "legal", _("Legal support")
    PRODUCT = "product", _("Product development")
    CUSTOMER_SERVICE = "customer_service", _("Customer-service staff")
    DESIGN = "design", _("Design")
    DATA = "data", _("Data / analytics")
    MARKETING = "marketing", _("Marketing")


class Squad(models.Model):
    """专项小组: a cross-functional group (e.g. technology, design and marketing for a product push)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="squads")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("purpose"), blank=True)
    lead = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="led_squads", verbose_name=_("lead")
    )
    members = models.ManyToManyField(Membership, related_name="squads", blank=True, verbose_name=_("members"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="squad_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name


class Dimension(models.Model):
    """目标维度: a grouping of initiatives under a goal (user acquisition, user retention…)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("goal dimension"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("goal", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["goal", "name"], name="dimension_unique_name_per_goal")
        ]

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    """具体举措: one row of the action plan."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="initiatives")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="initiatives")
    dimension = models.ForeignKey(
        Dimension, on_delete=models.SET_NULL, null=True, blank=True, related_name="initiatives",
        verbose_name=_("goal dimension"),
    )  # fmt: skip
    title = models.CharField(_("initiative"), max_length=200)
    owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("owner")
    )
    squad = models.ForeignKey(
        Squad,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("squad"),
    )
    start_date = models.DateField(_("start"))
    due_date = models.DateField(_("due"), null=True, blank=True, help_text=_("Empty for ongoing work."))
    ongoing = models.BooleanField(_("ongoing"), default=False)
    baseline_start = models.DateField(_("original start"))
    baseline_due = models.DateField(_("original due"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), **MONEY, null=True, blank=True)
    needs = models.JSONField(_("resource needs"), default=list, blank=True)
    needs_note = models.CharField(_("other resource needs"), max_length=200, blank=True)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, default=Priority.P2)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        _("progress %"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    is_milestone = models.BooleanField(_("milestone (small win)"), default=False)
    milestone_reached_at = models.DateTimeField(null=True, blank=True)
    is_experiment = models.BooleanField(_("innovation experiment"), default=False)
    lesson = models.TextField(_("lesson learned"), blank=True)
    finished_at = models.DateField(_("finished"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("goal", "dimension__position", "position", "id")
        indexes = [
            models.Index(fields=["org", "goal"]),
            models.Index(fields=["org", "owner", "start_date"]),
            models.Index(fields=["org", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class Dependency(models.Model):
    """Finish-to-start: the successor starts after the predecessor finishes."""

    predecessor = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="predecessor_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="dependency_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Capacity(models.Model):
    """How many priority-weighted initiatives a person carries at once (default 3)."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="plan_capacity")
    load = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("3"))

    def __str__(self) -> str:
        return f"{self.membership}: {self.load}"


class TeamBudget(models.Model):
    """A team's budget for a period (动态调整: reallocations are recorded separately)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="team_budgets")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="budgets")
    start_date = models.DateField()
    end_date = models.DateField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ("team", "start_date")
        constraints = [
            models.UniqueConstraint(fields=["team", "start_date"], name="team_budget_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.start_date}: {self.amount}"


class Reallocation(models.Model):
    """Budget moved from one initiative to another, with its reason."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="budget_reallocations")
    source = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    reason = models.TextField()
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.amount} {self.source} → {self.target}"
