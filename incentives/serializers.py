"""API shapes of the incentives app; the rules (and who may see money) live in services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import BonusScheme, MoneyGrant, PayoutLine, PayoutRun, Salary

MAX_ID = 2**63 - 1


class SchemeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = BonusScheme
        fields = (
            "id", "name", "kind", "target_bonus", "target_bonus_pct", "threshold", "steps", "bands", "cap_multiple",
            "cap_amount", "multiples", "team_weight", "own_weight", "updated_at",
        )  # fmt: skip
        read_only_fields = ("updated_at",)
        validators: list[Any] = []
        extra_kwargs = {
            "bands": {"help_text": "Commission bands: rows [from %, to % (null for the last band), rate as a "
                                   "fraction of the target bonus per point (0.05 is shown as 5 %)]. A refused row "
                                   "is named in the error's attr, e.g. bands.1.start."},
        }  # fmt: skip


class AssignmentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    team = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    role = serializers.CharField(required=False, allow_blank=True, max_length=16)


class SalarySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member = serializers.IntegerField(source="membership_id", min_value=1, max_value=MAX_ID)

    class Meta:
        model = Salary
        fields = ("id", "member", "base", "effective_from", "created_at")
        read_only_fields = ("created_at",)
        validators: list[Any] = []


class PayoutSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField()
    scheme = serializers.CharField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    # No digit limits on output: a wildly over-achieved goal must still be shown, not fail.
    attainment = serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True)
    base = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    target_bonus = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    bonus = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    commission = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    capped = serializers.BooleanField()
    explanation = serializers.ListField(child=serializers.CharField())


class RunSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A payout run with its progress (`done` of `people`) and totals."""

    percent_done = serializers.IntegerField(read_only=True)
    previous = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = PayoutRun
        fields = (
            "id", "start", "end", "version", "previous", "status", "people", "done", "percent_done", "error",
            "base_total", "bonus_total", "commission_total", "adjustment_total", "total", "started_by",
            "submitted_by", "submitted_at", "approved_by", "approved_at", "created_at",
        )  # fmt: skip
        read_only_fields = tuple(f for f in fields if f not in ("start", "end"))
        validators: list[Any] = []


class WarnedPersonSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField()
    name = serializers.CharField()
    employee_number = serializers.CharField()


class RunWarningSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`code`: period_open, no_salary or no_employee_number; `people`: the first 50 of `count`."""

    code = serializers.CharField()
    detail = serializers.CharField()
    count = serializers.IntegerField()
    people = WarnedPersonSerializer(many=True)


class RunDetailSerializer(RunSerializer):
    """A run with what HR should check before submitting it (read one run: the list leaves it out)."""

    warnings = serializers.SerializerMethodField()

    class Meta(RunSerializer.Meta):
        fields = (*RunSerializer.Meta.fields, "warnings")
        read_only_fields = (*RunSerializer.Meta.read_only_fields, "warnings")

    @extend_schema_field(RunWarningSerializer(many=True))
    def get_warnings(self, run: PayoutRun) -> list[dict[str, Any]]:
        from .selectors import run_warnings

        return RunWarningSerializer(run_warnings(run=run), many=True).data  # type: ignore[return-value]


class LineSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member = serializers.IntegerField(source="membership_id", read_only=True)

    class Meta:
        model = PayoutLine
        fields = (
            "id", "member", "employee_number", "name", "team", "scheme", "base", "target_bonus", "attainment", "bonus",
            "commission", "adjustment", "adjustment_reason", "adjusted_by", "adjusted_at", "total", "capped",
            "explanation",
        )  # fmt: skip
        read_only_fields = fields


class AdjustSerializer(serializers.Serializer):  # type: ignore[type-arg]
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=1000, allow_blank=True)


class ReturnSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=1000, allow_blank=True)


class MoneyGrantSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A manager's sight of the pay of their teams' people; `revoked_at` is null while in force."""

    manager = serializers.IntegerField(
        source="membership_id", min_value=1, max_value=MAX_ID, help_text="The manager's membership id."
    )
    manager_name = serializers.SerializerMethodField()
    reason = serializers.CharField(max_length=1000)
    in_force = serializers.BooleanField(read_only=True)
    granted_by = serializers.IntegerField(source="granted_by_id", read_only=True, allow_null=True)
    revoked_by = serializers.IntegerField(source="revoked_by_id", read_only=True, allow_null=True)

    class Meta:
        model = MoneyGrant
        fields = ("id", "manager", "manager_name", "reason", "granted_by", "created_at", "in_force", "revoked_at",
                  "revoked_by", "revoke_reason")  # fmt: skip
        read_only_fields = ("created_at", "revoked_at", "revoke_reason")

    def get_manager_name(self, grant: MoneyGrant) -> str:
        return grant.membership.user.get_full_name()


class RevokeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=1000)


class TeamPayLineSerializer(LineSerializer):
    """A line with its run and the run's period."""

    run = serializers.IntegerField(source="run_id", read_only=True)
    start = serializers.DateField(source="run.start", read_only=True)
    end = serializers.DateField(source="run.end", read_only=True)

    class Meta(LineSerializer.Meta):
        fields = ("run", "start", "end", *LineSerializer.Meta.fields)
        read_only_fields = fields


class TeamPaySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One person's pay: base salary in force today and the newest approved payout (null if none)."""

    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.user.get_full_name")
    employee_number = serializers.CharField(source="member.employee_number")
    teams = serializers.CharField()
    base = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    payout = TeamPayLineSerializer(source="line", allow_null=True, read_only=True)
