"""Recognition (精神激励): star of the month (月度之星) with nominations, training opportunities
(培训机会) and promotion-track notes (晋升通道), and instant rewards (即时激励) a team earns by a rule —
e.g. afternoon tea (下午茶) when it meets its weekly target. No money here: that is `incentives`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Organization, Team

TEXT_LIMIT = 1000


class Nomination(models.Model):
    """A colleague proposes someone for the star of the month, with a reason; one per nominator,
    nominee and month (the first day of the month)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="nominations")
    month = models.DateField(_("month"))
    nominator = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="nominations_made", verbose_name=_("nominated by")
    )
    nominee = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="nominations_received", verbose_name=_("colleague")
    )
    reason = models.TextField(_("reason"), max_length=TEXT_LIMIT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ("-month", "-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["nominator", "nominee", "month"], name="nomination_once_per_month"
            ),
            models.CheckConstraint(
                condition=~models.Q(nominator=models.F("nominee")), name="nomination_not_self"
            ),
        ]
        indexes = [models.Index(fields=["org", "month"])]

    def __str__(self) -> str:
        return f"{self.nominator_id} → {self.nominee_id} {self.month:%Y-%m}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("A month starts on its first day.")})


class Star(models.Model):
    """月度之星: the person a team's manager (or HR, or an admin) selected for a month, with a
    citation and the evidence as it stood then. One per team and month."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stars")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="stars", verbose_name=_("team"))
    month = models.DateField(_("month"))
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="stars", verbose_name=_("star of the month")
    )
    citation = models.TextField(_("citation"), max_length=TEXT_LIMIT)
    evidence = models.JSONField(default=dict, blank=True)
    selected_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("star of the month")
        verbose_name_plural = _("stars of the month")
        ordering = ("-month", "team__name", "id")
        constraints = [models.UniqueConstraint(fields=["team", "month"], name="star_one_per_team_per_month")]
        indexes = [models.Index(fields=["org", "month"])]

    def __str__(self) -> str:
        return f"{self.team_id} {self.month:%Y-%m} {self.member_id}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("A month starts on its first day.")})


class RewardKind(models.TextChoices):
    TRAINING = "training", _("Training opportunity")
    PROMOTION = "promotion", _("Promotion track")


class GrowthReward(models.Model):
    """A non-monetary reward for a person: a training opportunity (培训机会) or a note on their
    promotion track (晋升通道). Seen by the person, the managers of their teams, HR and admins."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="growth_rewards")
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="growth_rewards", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RewardKind.choices)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_LIMIT)
    planned_for = models.DateField(_("when"), null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training or promotion note")
        verbose_name_plural = _("training and promotion notes")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["org", "member"])]

    def __str__(self) -> str:
        return self.title


class Condition(models.TextChoices):
    WEEKLY_TARGET = "weekly_target", _("The team meets its weekly target")


class InstantRewardRule(models.Model):
    """即时激励: what a team gets when a condition holds, e.g. afternoon tea (下午茶) when it meets
    its weekly target. Checked by a weekly job."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="instant_reward_rules")
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="instant_reward_rules", verbose_name=_("team")
    )
    condition = models.CharField(
        _("when"), max_length=16, choices=Condition.choices, default=Condition.WEEKLY_TARGET
    )
    reward = models.CharField(_("reward"), max_length=120)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("instant reward rule")
        verbose_name_plural = _("instant reward rules")
        ordering = ("team__name", "reward", "id")
        constraints = [
            models.UniqueConstraint(fields=["team", "condition", "reward"], name="instant_reward_rule_unique")
        ]

    def __str__(self) -> str:
        return self.reward


class EarnedReward(models.Model):
    """A rule's reward earned for one week (Monday): unique per rule and week, so a rerun of the
    weekly job records it — and announces it — once."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="earned_rewards")
    rule = models.ForeignKey(InstantRewardRule, on_delete=models.CASCADE, related_name="earned")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="earned_rewards")
    week_start = models.DateField(_("week"))
    reward = models.CharField(_("reward"), max_length=120)  # as the rule said when it was earned
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("earned instant reward")
        verbose_name_plural = _("earned instant rewards")
        ordering = ("-week_start", "team__name", "id")
        constraints = [
            models.UniqueConstraint(fields=["rule", "week_start"], name="earned_reward_once_per_week")
        ]
        indexes = [models.Index(fields=["org", "week_start"]), models.Index(fields=["team", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reward} {self.team_id} {self.week_start}"
