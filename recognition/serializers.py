"""API shapes of the recognition app; the rules live in services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.api_base import OrgScopedRelatedField
from teams.models import Membership, Team
from teams.page_forms import parse_month

from .models import Condition, EarnedReward, GrowthReward, InstantRewardRule, Nomination, RewardKind, Star


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):  # type: ignore[type-arg]
    """A month as "YYYY-MM" (the first day of the month inside)."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_internal_value(self, data: Any) -> date:
        month = parse_month(data) if isinstance(data, str) else None
        if month is None:
            self.fail("invalid")
        assert month is not None  # noqa: S101 - fail() raises
        return month

    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


def _people(**kwargs: Any) -> OrgScopedRelatedField:
    return OrgScopedRelatedField(model=Membership, filters={"is_active": True}, **kwargs)


class NominationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    nominee = _people()
    nominee_name = serializers.CharField(source="nominee.user.get_full_name", read_only=True)
    nominator = serializers.PrimaryKeyRelatedField(read_only=True)
    nominator_name = serializers.CharField(source="nominator.user.get_full_name", read_only=True)
    month = MonthField(required=False, help_text="YYYY-MM: this month (the default) or the previous one.")

    class Meta:
        model = Nomination
        fields = (
            "id",
            "month",
            "nominee",
            "nominee_name",
            "nominator",
            "nominator_name",
            "reason",
            "created_at",
        )
        read_only_fields = ("created_at",)
        extra_kwargs = {"reason": {"allow_blank": True}}  # the service says what is missing
        validators: list[Any] = []


class StarSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    team = OrgScopedRelatedField(model=Team)
    team_name = serializers.CharField(source="team.name", read_only=True)
    member = _people()
    member_name = serializers.CharField(source="member.user.get_full_name", read_only=True)
    month = MonthField()
    selected_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Star
        fields = ("id", "team", "team_name", "month", "member", "member_name", "citation", "evidence", "selected_by",
                  "created_at")  # fmt: skip
        read_only_fields = ("evidence", "created_at")
        extra_kwargs = {"citation": {"allow_blank": True}}
        validators: list[Any] = []


class CandidateQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    team = OrgScopedRelatedField(model=Team)
    month = MonthField(required=False)


class CandidateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.user.get_full_name")
    attainment = serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True)
    goals_counted = serializers.IntegerField()
    blockers_resolved = serializers.IntegerField()
    milestone_count = serializers.IntegerField()
    milestones = serializers.ListField(child=serializers.CharField())
    nominations = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    leads = serializers.ListField(child=serializers.CharField())


class CandidatesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    team = serializers.IntegerField()
    month = MonthField()
    candidates = CandidateSerializer(many=True)


class GrowthRewardSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member = _people()
    member_name = serializers.CharField(source="member.user.get_full_name", read_only=True)
    kind = serializers.ChoiceField(choices=RewardKind.choices)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = GrowthReward
        fields = (
            "id",
            "member",
            "member_name",
            "kind",
            "title",
            "note",
            "planned_for",
            "created_by",
            "created_at",
        )
        read_only_fields = ("created_at",)
        extra_kwargs = {"title": {"allow_blank": True}}


class InstantRewardRuleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    team = OrgScopedRelatedField(model=Team)
    team_name = serializers.CharField(source="team.name", read_only=True)
    condition = serializers.ChoiceField(choices=Condition.choices, default=Condition.WEEKLY_TARGET)

    class Meta:
        model = InstantRewardRule
        fields = ("id", "team", "team_name", "condition", "reward", "enabled", "created_at")
        read_only_fields = ("created_at",)
        extra_kwargs = {"reward": {"allow_blank": True}}
        validators: list[Any] = []


class EarnedRewardSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = EarnedReward
        fields = ("id", "rule", "team", "team_name", "week_start", "reward", "evidence", "created_at")
        read_only_fields = fields
