"""API shapes of the tracking app; the rules live in services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.api_base import OrgScopedRelatedField
from teams.models import Membership, Team

from . import selectors
from .models import (
    Alert,
    Cause,
    CorrectiveAction,
    Delivery,
    IndicatorSnapshot,
    MetricEntry,
    Mood,
    NotificationChannel,
    ResolutionReason,
    Review,
    Standup,
)

MAX_ID = 2**63 - 1
CHANNEL_STATUSES = (selectors.CHANNEL_NEVER_USED, selectors.CHANNEL_WORKING, selectors.CHANNEL_FAILING)


class ValueSerializer(serializers.Serializer):  # type: ignore[type-arg]
    goal = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    supporting_metric = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    value = serializers.CharField(max_length=40, help_text='A number, e.g. "1250" or "3.5".')


class StandupSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member = serializers.PrimaryKeyRelatedField(read_only=True)
    member_name = serializers.CharField(source="member.user.get_full_name", read_only=True)
    mood = serializers.ChoiceField(choices=Mood.choices, required=False, allow_null=True)
    values = ValueSerializer(many=True, required=False, write_only=True)
    entries = serializers.SerializerMethodField()
    blocker_resolved_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Standup
        fields = (
            "id", "member", "member_name", "day", "yesterday", "today", "blockers", "mood", "values", "entries",
            "blocker_resolved_by", "blocker_resolved_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("blocker_resolved_at", "created_at", "updated_at")
        validators: list[Any] = []  # one per member and day: the service updates instead

    def get_entries(self, standup: Standup) -> list[dict[str, Any]]:
        return [
            {"goal": e.goal_id, "supporting_metric": e.supporting_metric_id, "value": str(e.value)}
            for e in standup.entries.all()
        ]


class MetricEntrySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    goal = serializers.IntegerField(source="goal_id")
    supporting_metric = serializers.IntegerField(
        source="supporting_metric_id", required=False, allow_null=True
    )
    member = serializers.IntegerField(source="member_id", required=False, allow_null=True)
    value = serializers.CharField(max_length=40, help_text='A number, e.g. "1250" or "3.5".')
    day = serializers.CharField(
        required=False, help_text="YYYY-MM-DD; today (in the organisation) when left out."
    )
    external_id = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=100)

    class Meta:
        model = MetricEntry
        fields = (
            "id", "goal", "supporting_metric", "day", "value", "member", "source", "external_id", "note",
            "created_at",
        )  # fmt: skip
        read_only_fields = ("source", "created_at")
        validators: list[Any] = []

    def to_representation(self, instance: MetricEntry) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        data["day"] = instance.day.isoformat()
        data["value"] = str(instance.value)
        return data


class BulkEntriesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    entries = serializers.ListField(child=serializers.DictField(), allow_empty=False)


class BulkResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    goals = serializers.ListField(child=serializers.IntegerField())


class IndicatorSnapshotSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    supporting_metric_name = serializers.CharField(
        source="supporting_metric.name", read_only=True, default=None, allow_null=True
    )
    status_reason = serializers.CharField(
        read_only=True, help_text="Why the goal has its status (lagging indicators), one or two sentences."
    )

    class Meta:
        model = IndicatorSnapshot
        fields = (
            "id", "goal", "supporting_metric", "supporting_metric_name", "kind", "day", "actual", "expected",
            "target", "attainment", "pace", "gap", "forecast", "tier_reached", "tier_projected", "status",
            "status_reason", "detail", "computed_at",
        )  # fmt: skip
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    message = serializers.SerializerMethodField()
    cause = serializers.ChoiceField(
        choices=Cause.choices, allow_blank=True, read_only=True, help_text="Empty until acknowledged."
    )
    resolution_reason = serializers.ChoiceField(
        choices=ResolutionReason.choices, allow_blank=True, read_only=True,
        help_text="Why it was resolved by hand; empty while open or when it cleared by itself.",
    )  # fmt: skip
    resolution_text = serializers.CharField(read_only=True)

    class Meta:
        model = Alert
        fields = (
            "id", "kind", "state", "goal", "supporting_metric", "member", "team", "measured", "expected",
            "deviation_pct", "since", "raised_on", "message", "cause", "cause_note", "acknowledged_by",
            "acknowledged_at", "escalated_at", "resolved_at", "resolution", "resolution_text", "detail",
            "resolved_by", "resolution_reason", "resolution_action",
        )  # fmt: skip
        read_only_fields = fields

    def get_message(self, alert: Alert) -> str:
        from .services import alert_message

        return alert_message(alert)


class AcknowledgeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    cause = serializers.ChoiceField(choices=Cause.choices)
    cause_note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    action = serializers.CharField(max_length=2000)
    owner = OrgScopedRelatedField(model=Membership, filters={"is_active": True})
    due_date = serializers.DateField()


class ResolveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Resolve by hand: `reason` (false_alarm, data_corrected or corrective_action), a `note`, and
    for corrective_action the `action` (id of one of the alert's corrective actions)."""

    reason = serializers.ChoiceField(choices=ResolutionReason.choices)
    note = serializers.CharField(max_length=200)
    action = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)


class CorrectiveActionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = CorrectiveAction
        fields = (
            "id",
            "alert",
            "goal",
            "description",
            "owner",
            "due_date",
            "state",
            "done_at",
            "worked",
            "created_at",
        )
        read_only_fields = fields


class ActionUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    done = serializers.BooleanField()
    worked = serializers.BooleanField(required=False, allow_null=True, default=None)


class DeliverySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """One alert, message or test message posted (or being posted) to one webhook."""

    what = serializers.SerializerMethodField(help_text="What was sent, in words.")
    is_test = serializers.BooleanField(read_only=True, help_text="A test message sent by an admin.")

    class Meta:
        model = Delivery
        fields = ("id", "channel", "alert", "what", "is_test", "state", "attempts", "last_error", "sent_at",
                  "updated_at", "created_at")  # fmt: skip
        read_only_fields = fields
        extra_kwargs: dict[str, Any] = {
            "state": {"help_text": "pending (queued or retrying), sent, or failed for good (retry it)."},
            "updated_at": {"help_text": "When it was last queued, retried or tried."},
        }

    def get_what(self, delivery: Delivery) -> str:
        return selectors.delivery_what(delivery)


class ChannelSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200,
        help_text="Write-only. On a change, omit it to keep the current secret; an empty string removes it.",
    )  # fmt: skip
    url = serializers.CharField(
        max_length=500,
        help_text="Write-only (it carries the platform's token; read url_masked). An http(s) address that "
        "resolves to public addresses only, unless the server allows private networks.",
    )  # fmt: skip
    team = OrgScopedRelatedField(model=Team, required=False, allow_null=True)
    status = serializers.SerializerMethodField(
        help_text="never_used until the first delivery; working after a success; failing after a delivery "
        "failed for good (see last_error), until one succeeds again."
    )  # fmt: skip
    last_delivery_at = serializers.SerializerMethodField(
        help_text="When the last delivery was queued or tried."
    )

    class Meta:
        model = NotificationChannel
        fields = (
            "id",
            "name",
            "kind",
            "url",
            "url_masked",
            "secret",
            "team",
            "enabled",
            "status",
            "failing_since",
            "last_error",
            "last_delivery_at",
        )
        read_only_fields = ("url_masked", "failing_since", "last_error")
        extra_kwargs: dict[str, Any] = {"enabled": {"help_text": "A switched-off channel receives nothing."}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["url"].write_only = True  # the path carries the platform's token: shown masked
        fields["url_masked"] = serializers.CharField(read_only=True)
        return fields

    @extend_schema_field(serializers.ChoiceField(choices=CHANNEL_STATUSES))
    def get_status(self, channel: NotificationChannel) -> str:
        return selectors.channel_status(channel)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_last_delivery_at(self, channel: NotificationChannel) -> Any:
        value = getattr(channel, "last_delivery_at", None)
        return serializers.DateTimeField().to_representation(value) if value else None


class ReviewSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    team = OrgScopedRelatedField(model=Team)

    class Meta:
        model = Review
        fields = ("id", "team", "kind", "start", "decisions", "updated_by", "updated_at")
        read_only_fields = ("updated_by", "updated_at")
        validators: list[Any] = []  # one per team, kind and start: posting again updates it
