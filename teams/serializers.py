from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from .api_base import OrgScopedRelatedField
from .forms import timezone_choices
from .models import (
    SERVICE_TOKEN_SCOPES,
    ApiToken,
    Currency,
    Membership,
    Month,
    Organization,
    PendingInvitation,
    Role,
    Team,
    TokenScope,
    User,
)


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


class ApiTokenSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A token as listed: never its key (only its first characters, `prefix`)."""

    scope = serializers.ChoiceField(choices=TokenScope.choices, read_only=True)
    created_by = serializers.CharField(
        source="created_by.display_name", read_only=True, allow_null=True, default=None,
        help_text="Who created it (an admin, for a service token); null once that account is gone.",
    )  # fmt: skip
    is_usable = serializers.BooleanField(read_only=True, help_text="Neither revoked nor expired.")

    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "scope", "created_by", "created_at", "last_used_at", "expires_at",
                  "revoked_at", "is_usable")  # fmt: skip
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=80, help_text="What will use it, e.g. “CRM sync”.")
    scope = serializers.ChoiceField(
        choices=TokenScope.choices, default=TokenScope.FULL,
        help_text="`read`: safe methods only; `metrics:write`: reads, and pushing metric values and imports; "
        "`full` (personal tokens only): everything its person may do.",
    )  # fmt: skip
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=3650, allow_null=True, required=False, default=None,
        help_text="Days until it stops working; null or absent: never.",
    )  # fmt: skip


class ServiceTokenCreateSerializer(ApiTokenCreateSerializer):
    scope = serializers.ChoiceField(
        choices=SERVICE_TOKEN_SCOPES,
        help_text="`read`: reads what a viewer reads; `metrics:write`: also pushes metric values and imports.",
    )  # fmt: skip


class CreatedApiTokenSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The secret: shown in this answer only, never again."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "key")
        read_only_fields = fields
