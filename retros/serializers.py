"""API shapes of the retros app; the rules live in services. A card never carries its author's
key, and an anonymous card's `author` is null and its `author_name` "Anonymous": the model keeps
no author to show."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from goals.models import Goal
from teams.api_base import OrgScopedRelatedField
from teams.models import Membership, Team

from .models import (
    CARD_LIMIT,
    MAX_VOTES,
    TEXT_LIMIT,
    ActionStatus,
    Card,
    CardKind,
    EvidenceKind,
    Lesson,
    LessonKind,
    Phase,
    RetroAction,
    RetroKind,
    RetroPhase,
    Retrospective,
)
from .selectors import author_key

TOKEN_LIMIT = 40
MAX_ID = 2**63 - 1  # a database id: anything larger is not one (and must not reach the database)


def _people(**kwargs: Any) -> OrgScopedRelatedField:
    return OrgScopedRelatedField(model=Membership, filters={"is_active": True}, **kwargs)


class PhaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = RetroPhase
        fields = ("phase", "position", "state", "started_at", "finished_at", "notes")
        read_only_fields = fields


class RetroSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    team_name = serializers.CharField(source="team.name", read_only=True)
    facilitator_name = serializers.SerializerMethodField()
    card_count = serializers.IntegerField(read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Retrospective
        fields = (
            "id", "team", "team_name", "kind", "title", "period_start", "period_end", "state", "phase", "version",
            "facilitator", "facilitator_name", "anonymous_cards", "votes_per_person", "votes_revealed", "summary",
            "automatic", "created_at", "closed_at", "card_count", "phases",
        )  # fmt: skip
        read_only_fields = fields

    def get_facilitator_name(self, obj: Retrospective) -> str | None:
        return obj.facilitator.user.get_full_name() if obj.facilitator else None


class RetroStartSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Start a retro: for a goal (its period), a team's month or quarter, or a failure share."""

    team = OrgScopedRelatedField(model=Team)
    kind = serializers.ChoiceField(choices=RetroKind.choices)
    goal = OrgScopedRelatedField(model=Goal, required=False, allow_null=True)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    facilitator = _people(required=False, allow_null=True)
    anonymous_cards = serializers.BooleanField(required=False, default=False)
    votes_per_person = serializers.IntegerField(required=False, default=3, min_value=1, max_value=MAX_VOTES)


class PhaseMoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    phase = serializers.ChoiceField(choices=Phase.choices)
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The version the client last read: a move made meanwhile is refused.",
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT, default="")


class CloseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    summary = serializers.CharField(max_length=TEXT_LIMIT)


class CardSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    evidence_kind = serializers.ChoiceField(choices=EvidenceKind.choices, allow_blank=True, read_only=True)
    author_name = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField()
    voted = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Card
        fields = (
            "id", "retro", "kind", "category", "text", "anonymous", "author", "author_name", "group_label",
            "evidence_kind", "evidence_id", "votes", "voted", "mine", "created_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_author_name(self, obj: Card) -> str:
        if obj.anonymous or obj.author is None:
            return str(_("Anonymous"))
        return obj.author.user.get_full_name()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_votes(self, obj: Card) -> int | None:
        """The card's votes, null until the facilitator reveals them."""
        if not obj.retro.votes_revealed:
            return None
        return int(getattr(obj, "vote_count", 0))

    def get_voted(self, obj: Card) -> bool:
        return bool(getattr(obj, "voted", False))

    def get_mine(self, obj: Card) -> bool:
        member = self.context.get("membership")
        return member is not None and obj.author_key == author_key(retro_id=obj.retro_id, member_id=member.pk)


class CardCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    retro = OrgScopedRelatedField(model=Retrospective)
    kind = serializers.ChoiceField(choices=CardKind.choices)
    category = serializers.CharField(required=False, allow_blank=True, max_length=16, default="")
    text = serializers.CharField(max_length=CARD_LIMIT)
    evidence_kind = serializers.ChoiceField(
        choices=EvidenceKind.choices, required=False, allow_blank=True, default=""
    )
    evidence_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    token = serializers.CharField(
        required=False, allow_blank=True, max_length=TOKEN_LIMIT, default="",
        help_text="A one-time token per form: the same token adds the card once (a double submit).",
    )  # fmt: skip


class CardUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(required=False, max_length=CARD_LIMIT)
    category = serializers.CharField(required=False, allow_blank=True, max_length=16)


class CardGroupSerializer(serializers.Serializer):  # type: ignore[type-arg]
    group_label = serializers.CharField(allow_blank=True, max_length=80)


class LessonSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    # An entry written straight into the knowledge base has no retro: its own team and period.
    retro_title = serializers.CharField(source="retro.title", read_only=True, allow_null=True)
    team = serializers.IntegerField(source="team_id", read_only=True, allow_null=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    period_end = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Lesson
        fields = (
            "id", "retro", "retro_title", "team", "team_name", "period_end", "kind", "text", "metric_name", "tags",
            "evidence", "published", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class LessonCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    retro = OrgScopedRelatedField(model=Retrospective)
    kind = serializers.ChoiceField(choices=LessonKind.choices)
    text = serializers.CharField(max_length=TEXT_LIMIT)
    metric_name = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    tags = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    evidence = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="A card of the retro."
    )


class PublishSerializer(serializers.Serializer):  # type: ignore[type-arg]
    published = serializers.BooleanField(required=False, default=True)


class ActionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    owner_name = serializers.CharField(source="owner.user.get_full_name", read_only=True)

    class Meta:
        model = RetroAction
        fields = (
            "id", "retro", "description", "owner", "owner_name", "due_date", "status", "goal", "done_at",
            "created_at", "initiative", "corrective_action",
        )  # fmt: skip
        read_only_fields = fields


class ActionCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    retro = OrgScopedRelatedField(model=Retrospective)
    description = serializers.CharField(max_length=TEXT_LIMIT)
    owner = _people(help_text="A member or manager of the retro's team.")
    due_date = serializers.DateField()
    goal = OrgScopedRelatedField(model=Goal, required=False, allow_null=True)
    token = serializers.CharField(required=False, allow_blank=True, max_length=TOKEN_LIMIT, default="")


class ActionStatusSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=ActionStatus.choices)


class ActionConvertSerializer(serializers.Serializer):  # type: ignore[type-arg]
    into = serializers.ChoiceField(
        choices=(("initiative", "initiative"), ("corrective", "corrective")),
        help_text="An initiative on a goal of a later period, or a corrective action.",
    )
    goal = serializers.IntegerField(help_text="The goal (of this organisation) it goes on.")
    alert = serializers.IntegerField(
        required=False, allow_null=True, help_text="For a corrective action: the goal's alert it answers."
    )


class FacilitatorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    facilitator = _people(
        allow_null=True, help_text="A person of the retro's team; null: the team's managers."
    )
