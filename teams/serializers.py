from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from .api_base import OrgScopedRelatedField
from .forms import timezone_choices
from .models import Currency, Membership, Month, Organization, PendingInvitation, Role, Team, User


class UserSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, allow_blank=True, read_only=True, help_text="Empty: the organisation's."
    )

    class Meta:
        model = User
        fields = ("id", "email", "display_name", "language")
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    timezone = serializers.ChoiceField(choices=timezone_choices())
    currency = serializers.ChoiceField(choices=Currency.choices)
    default_language = serializers.ChoiceField(choices=settings.LANGUAGES)
    fiscal_year_start_month = serializers.ChoiceField(choices=Month.choices)

    class Meta:
        model = Organization
        fields = ("id", "name", "slug", "timezone", "currency", "default_language", "fiscal_year_start_month")
        read_only_fields = ("id", "slug")


class MyMembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationSerializer(source="org", read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "role", "organization")


class MeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ("id", "email", "display_name", "language", "memberships")

    def get_memberships(self, user: User) -> list[dict[str, Any]]:
        return MyMembershipSerializer(self.context["memberships"], many=True).data  # type: ignore[return-value]


class TeamSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    parent = OrgScopedRelatedField(model=Team, allow_null=True, required=False)
    managers = OrgScopedRelatedField(model=Membership, filters={"is_active": True}, many=True, required=False)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ("id", "name", "description", "parent", "managers", "member_count")


class MembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    user = UserSerializer(read_only=True)
    teams = OrgScopedRelatedField(model=Team, many=True, required=False)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ("id", "user", "role", "teams", "title", "employee_number", "is_active", "joined_at")
        read_only_fields = ("id", "user", "joined_at")


class InviteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    email = serializers.EmailField()
    display_name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    teams = OrgScopedRelatedField(model=Team, many=True, required=False)


class PendingInvitationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    user = UserSerializer(read_only=True)
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PendingInvitation
        fields = ("id", "user", "role", "teams", "created_at")
        read_only_fields = fields


class InvitationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A new account comes with its membership and a one-time set-password link; an existing
    account gets a pending invitation that it accepts from its e-mail."""

    membership = MembershipSerializer(allow_null=True)
    pending_invitation = PendingInvitationSerializer(allow_null=True)
    created_user = serializers.BooleanField()
    set_password_url = serializers.CharField(allow_null=True)
