"""API shapes of the people app; the rules live in services. A private note has one shape, read
only by its author (the API lists the requester's own notes and nothing else)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from teams.api_base import OrgScopedRelatedField
from teams.models import Membership, Team

from .models import (
    NOTE_LIMIT,
    TEXT_LIMIT,
    ActionItem,
    AgendaItem,
    Cadence,
    Meeting,
    PrivateNote,
    Pulse,
    PulseSchedule,
    Series,
)
from .questions import question


def _people(**kwargs: Any) -> OrgScopedRelatedField:
    return OrgScopedRelatedField(model=Membership, filters={"is_active": True}, **kwargs)


class SeriesSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member = _people()
    member_name = serializers.CharField(source="member.user.get_full_name", read_only=True)
    manager_name = serializers.CharField(source="manager.user.get_full_name", read_only=True)
    cadence = serializers.ChoiceField(choices=Cadence.choices)

    class Meta:
        model = Series
        fields = ("id", "team", "manager", "manager_name", "member", "member_name", "cadence", "next_date")
        read_only_fields = ("team", "manager")


class AgendaItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    meeting = OrgScopedRelatedField(model=Meeting)
    text = serializers.CharField(max_length=TEXT_LIMIT)
    author_name = serializers.CharField(source="author.user.get_full_name", read_only=True)
    carried_over = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ("id", "meeting", "text", "author", "author_name", "done", "carried_over")
        read_only_fields = ("author", "done")

    def get_carried_over(self, obj: AgendaItem) -> bool:
        return obj.carried_from_id is not None


class MeetingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    agenda = AgendaItemSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ("id", "series", "day", "feeling", "held_at", "agenda")
        read_only_fields = fields


class ActionItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    meeting = OrgScopedRelatedField(model=Meeting, write_only=True)
    owner = _people()
    owner_name = serializers.CharField(source="owner.user.get_full_name", read_only=True)
    text = serializers.CharField(max_length=TEXT_LIMIT)

    class Meta:
        model = ActionItem
        fields = ("id", "series", "meeting", "owner", "owner_name", "text", "due", "done_at")
        read_only_fields = ("series", "done_at")


class ActionDoneSerializer(serializers.Serializer):  # type: ignore[type-arg]
    action = OrgScopedRelatedField(model=ActionItem)
    done = serializers.BooleanField(default=True)


class PrivateNoteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    meeting = OrgScopedRelatedField(model=Meeting)
    body = serializers.CharField(max_length=NOTE_LIMIT, allow_blank=True)

    class Meta:
        model = PrivateNote
        fields = ("id", "meeting", "body", "updated_at")
        read_only_fields = ("updated_at",)


class PulseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    team = OrgScopedRelatedField(
        model=Team, required=False, allow_null=True, help_text="Empty: the whole organisation."
    )
    questions = serializers.SerializerMethodField()
    threshold = serializers.IntegerField(min_value=1, max_value=100, default=5,
                                         help_text="Anonymity threshold: 3 to 10 respondents.")  # fmt: skip

    class Meta:
        model = Pulse
        fields = ("id", "team", "opens_on", "closes_on", "threshold", "questions")

    def get_questions(self, obj: Pulse) -> list[dict[str, str]]:
        out = []
        for q in obj.questions.all():
            bank = question(q.key, obj.bank_version)
            out.append({"key": q.key, "topic": q.topic, "text": str(bank.text) if bank else q.key})
        return out


class PulseScheduleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    team = OrgScopedRelatedField(
        model=Team, required=False, allow_null=True, help_text="Empty: the whole organisation."
    )
    days_open = serializers.IntegerField(default=3, help_text="1 to 7 days.")
    threshold = serializers.IntegerField(default=5, help_text="Anonymity threshold: 3 to 10 respondents.")

    class Meta:
        model = PulseSchedule
        fields = ("id", "team", "cadence", "next_on", "days_open", "threshold", "active")
        read_only_fields = ("active",)


class PulseScheduleStopSerializer(serializers.Serializer):  # type: ignore[type-arg]
    schedule = OrgScopedRelatedField(model=PulseSchedule)


class PulseAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Write only: the answers go in without the person, and nothing comes back but a count."""

    pulse = OrgScopedRelatedField(model=Pulse)
    scores = serializers.DictField(child=serializers.IntegerField(), help_text="{question key: 1 to 5}")
    comment = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="")


class QuestionResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    topic = serializers.CharField()
    text = serializers.CharField()
    mean = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    enps = serializers.IntegerField(allow_null=True)


class GroupResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    team_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    respondents = serializers.IntegerField(allow_null=True)
    questions = QuestionResultSerializer(many=True)


class PulseResultsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    pulse = serializers.SerializerMethodField()
    closed = serializers.BooleanField()
    threshold = serializers.IntegerField(allow_null=True)
    total = GroupResultSerializer(allow_null=True)
    groups = GroupResultSerializer(many=True)
    hidden_groups = serializers.IntegerField()
    comments = serializers.ListField(child=serializers.CharField())

    def get_pulse(self, obj: Any) -> int | None:
        pulse = obj["pulse"] if isinstance(obj, dict) else obj.pulse
        return pulse.pk if pulse is not None else None


class BurnoutFactorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    points = serializers.IntegerField()
    explanation = serializers.CharField()
    talking_point = serializers.CharField()


class TalkingPointLinkSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField()
    url = serializers.CharField()


class BurnoutSignalSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField()
    score = serializers.IntegerField()
    level = serializers.CharField()
    factors = BurnoutFactorSerializer(many=True)
    talking_points = serializers.ListField(child=serializers.CharField())
    manager_actions = serializers.ListField(child=serializers.CharField())
    suggested = TalkingPointLinkSerializer(
        many=True, help_text="Talking points drawn from the prepared facts."
    )
    manager_links = TalkingPointLinkSerializer(many=True, help_text="Where the manager rebalances initiatives or "
                                         "proposes a revision of the challenge tier.")  # fmt: skip
