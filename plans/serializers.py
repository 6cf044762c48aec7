from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from goals.models import Goal
from teams.api_base import OrgScopedRelatedField
from teams.models import Membership, Team

from .models import Dependency, Initiative, Need, Priority, Reallocation, Squad, Status, TeamBudget


def money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class InitiativeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    goal = OrgScopedRelatedField(model=Goal)
    owner = OrgScopedRelatedField(model=Membership, filters={"is_active": True})
    squad = OrgScopedRelatedField(model=Squad, required=False, allow_null=True)
    dimension = serializers.CharField(
        source="dimension.name", required=False, allow_blank=True, default="", max_length=120
    )
    owner_name = serializers.CharField(source="owner.user.get_full_name", read_only=True)
    budget = money(required=False, allow_null=True, min_value=Decimal("0"))
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=Need.choices), required=False, default=list
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.P2)

    class Meta:
        model = Initiative
        fields = (
            "id", "goal", "dimension", "title", "owner", "owner_name", "squad", "start_date", "due_date", "ongoing",
            "baseline_start", "baseline_due", "budget", "needs", "needs_note", "priority", "status", "progress",
            "is_milestone", "milestone_reached_at", "is_experiment", "lesson", "finished_at",
        )  # fmt: skip
        read_only_fields = ("baseline_start", "baseline_due", "status", "progress", "milestone_reached_at", "lesson",
                            "finished_at")  # fmt: skip


class ProgressSerializer(serializers.Serializer):  # type: ignore[type-arg]
    progress = serializers.IntegerField(min_value=0, max_value=100)
    status = serializers.ChoiceField(choices=Status.choices, required=False, allow_null=True, default=None)
    lesson = serializers.CharField(required=False, allow_blank=True, default="")


class DependencySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    predecessor = OrgScopedRelatedField(model=Initiative)
    successor = OrgScopedRelatedField(model=Initiative)

    class Meta:
        model = Dependency
        fields = ("id", "predecessor", "successor")


class SquadSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    lead = OrgScopedRelatedField(model=Membership, filters={"is_active": True})
    members = OrgScopedRelatedField(model=Membership, filters={"is_active": True}, many=True, required=False)

    class Meta:
        model = Squad
        fields = ("id", "name", "description", "lead", "members")


class TeamBudgetSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    team = OrgScopedRelatedField(model=Team)
    amount = money(min_value=Decimal("0"))

    class Meta:
        model = TeamBudget
        fields = ("id", "team", "start_date", "end_date", "amount")
        # Posting the same team and start date replaces the amount (the service upserts), so the
        # unique-together check must not answer 400 first.
        validators: list[object] = []


class ReallocationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    source = OrgScopedRelatedField(model=Initiative)
    target = OrgScopedRelatedField(model=Initiative)
    amount = money(min_value=Decimal("0.01"))

    class Meta:
        model = Reallocation
        fields = ("id", "source", "target", "amount", "reason", "created_by", "created_at")
        read_only_fields = ("created_by", "created_at")


class ConflictSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField()
    initiatives = serializers.ListField(child=serializers.IntegerField(), source="ids")
    detail = serializers.DictField()


class AnalysisSerializer(serializers.Serializer):  # type: ignore[type-arg]
    critical_path = serializers.ListField(child=serializers.IntegerField())
    critical_paths = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Each goal's own critical path, by goal id.",
    )
    finish = serializers.DateField(allow_null=True)
    conflicts = ConflictSerializer(many=True)
    goals_at_risk = serializers.ListField(child=serializers.IntegerField())
    slipped = serializers.ListField(child=serializers.IntegerField())
