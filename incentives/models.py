"""Incentives: bonus schemes (base salary + performance bonus + over-achievement commission),
who they apply to, salaries, and who may see money."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Organization, Role, Team

MONEY = {"max_digits": 14, "decimal_places": 2}


class SchemeKind(models.TextChoices):
    LINEAR = "linear", _("Linear from the threshold to 100%")
    STEPS = "steps", _("Steps")
    TIERS = "tiers", _("Multiples of the goal's tiers")


class BonusScheme(models.Model):
    """物质激励: how attainment turns into pay. Percentages are attainment points; band rates are
    stored as fractions of the target bonus per point (0.05) and shown and typed as 5 %."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="bonus_schemes")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("payout curve"), max_length=8, choices=SchemeKind.choices, default=SchemeKind.LINEAR
    )
    target_bonus = models.DecimalField(_("target bonus (amount)"), **MONEY, null=True, blank=True)
    # xgettext:no-python-format
    target_bonus_pct = models.DecimalField(_("target bonus (% of base)"), max_digits=7, decimal_places=2, null=True,
                                           blank=True)  # fmt: skip
    threshold = models.DecimalField(
        _("threshold (attainment %)"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    steps = models.JSONField(_("steps"), default=list, blank=True)  # [[attainment %, payout %], ...]
    bands = models.JSONField(
        _("commission bands"), default=list, blank=True
    )  # [[from %, to % | null, rate], ...]
    cap_multiple = models.DecimalField(
        _("cap (× target bonus)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # Or the cap as an amount (¥40,000 on an ¥18,000 target bonus is no 2-decimal multiple); one of the two.
    cap_amount = models.DecimalField(_("cap (amount)"), **MONEY, null=True, blank=True)
    multiples = models.JSONField(_("tier multiples"), default=dict, blank=True)  # {"base": "0.5", ...}
    team_weight = models.DecimalField(_("weight of the team's goals"), max_digits=4, decimal_places=2,
                                      default=Decimal("0.6"))  # fmt: skip
    own_weight = models.DecimalField(_("weight of the person's own goals"), max_digits=4, decimal_places=2,
                                     default=Decimal("0.4"))  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bonus scheme")
        ordering = ("name", "id")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="bonus_scheme_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def band_rows(self) -> list[dict[str, str]]:
        """The commission bands as people read them: from %, to %, rate in % (0.05 → "5")."""
        from .bands import as_percent_rows

        return as_percent_rows(self.bands)


class SchemeAssignment(models.Model):
    """A scheme applies to a person, a team or a role; the most specific assignment wins
    (person, then team, then role)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scheme_assignments")
    scheme = models.ForeignKey(BonusScheme, on_delete=models.CASCADE, related_name="assignments")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(membership__isnull=False, team__isnull=True, role="")
                    | models.Q(membership__isnull=True, team__isnull=False, role="")
                    | (models.Q(membership__isnull=True, team__isnull=True) & ~models.Q(role=""))
                ),
                name="scheme_assignment_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} → {self.membership_id or self.team_id or self.role}"


class Salary(models.Model):
    """基础薪资: a person's base salary for the bonus period, from a date (history kept)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="salaries")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="salaries")
    base = models.DecimalField(_("base salary"), **MONEY)
    effective_from = models.DateField(_("effective from"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("membership", "-effective_from")
        constraints = [
            models.UniqueConstraint(fields=["membership", "effective_from"], name="salary_one_per_day"),
            models.CheckConstraint(condition=models.Q(base__gte=0), name="salary_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.effective_from}"


class MoneyGrant(models.Model):
    """An admin lets a manager see the pay (salaries, target bonuses, payout amounts) of the people
    of the teams the manager manages, sub-teams included, with a reason. Revoking keeps the row
    (who, when, why) and takes effect at once; a manager holds at most one grant in force."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="money_grants")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="money_grants", verbose_name=_("manager")
    )
    reason = models.TextField(_("reason"), max_length=1000)
    granted_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), max_length=1000, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(revoked_at__isnull=True),
                name="money_grant_one_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    COMPUTING = "computing", _("Computing")
    REVIEW = "review", _("In review by HR")
    SUBMITTED = "submitted", _("Submitted for approval")
    LOCKED = "locked", _("Approved and locked")
    FAILED = "failed", _("Failed")


class PayoutRun(models.Model):
    """A payout period's lines for everyone with a scheme. HR starts it (the lines are computed in
    the background), reviews and adjusts it, submits it; an admin approves it, which locks it. A
    locked run never changes: a correction is a new version that references the old one."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="payout_runs")
    start = models.DateField(pgettext_lazy("payout period", "from"))
    end = models.DateField(pgettext_lazy("payout period", "to"))
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version",
        verbose_name=_("replaces"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    people = models.PositiveIntegerField(_("people"), default=0)
    done = models.PositiveIntegerField(_("computed"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempt = models.PositiveIntegerField(default=0)  # the job that owns the computation (see run_compute)
    base_total = models.DecimalField(_("base salaries"), **MONEY, default=Decimal(0))
    bonus_total = models.DecimalField(_("performance bonuses"), **MONEY, default=Decimal(0))
    commission_total = models.DecimalField(_("commissions"), **MONEY, default=Decimal(0))
    adjustment_total = models.DecimalField(_("adjustments"), **MONEY, default=Decimal(0))
    total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))
    language = models.CharField(max_length=10, blank=True)
    started_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payout run")
        ordering = ("-end", "-version", "-id")
        constraints = [
            models.UniqueConstraint(fields=["org", "start", "end", "version"], name="payout_run_one_version"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="payout_run_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end} v{self.version}"

    @property
    def percent_done(self) -> int:
        return 100 if not self.people else min(100, self.done * 100 // self.people)

    @property
    def is_locked(self) -> bool:
        return self.status == RunStatus.LOCKED

    @property
    def error_text(self) -> str:
        """The reason the run failed, in the reader's language (stored as its English text)."""
        return gettext(self.error) if self.error else ""


class PayoutLine(models.Model):
    """One person's pay in a run, as computed (and, with a reason, adjusted). The person's number,
    name, team and scheme are copied in, so a locked run reads the same for ever."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="lines")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="payout_lines")
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=150)
    team = models.CharField(_("team"), max_length=250, blank=True)
    scheme = models.CharField(_("scheme"), max_length=120)
    base = models.DecimalField(_("base salary"), **MONEY)
    target_bonus = models.DecimalField(_("target bonus"), **MONEY)
    attainment = models.DecimalField(_("attainment %"), max_digits=12, decimal_places=1)
    bonus = models.DecimalField(_("performance bonus"), **MONEY)
    commission = models.DecimalField(_("over-achievement commission"), **MONEY)
    adjustment = models.DecimalField(_("adjustment"), **MONEY, default=Decimal(0))
    adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True, max_length=1000)
    adjusted_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adjusted_at = models.DateTimeField(null=True, blank=True)
    total = models.DecimalField(_("total"), **MONEY)
    capped = models.BooleanField(default=False)
    explanation = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)  # incremental sync (?updated_since=)

    class Meta:
        ordering = ("team", "name", "id")
        constraints = [
            models.UniqueConstraint(fields=["run", "membership"], name="payout_line_one_per_person")
        ]
        indexes = [models.Index(fields=["run", "team", "name"])]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.membership_id}"
