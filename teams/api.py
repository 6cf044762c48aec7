"""API of the teams app. Views are thin: serializers validate shape, services write."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .access import ADMIN_ONLY
from .api_base import (
    OrgAPIView,
    OrgGenericViewSet,
    OrgViewSet,
    PublicAPIView,
    UserAPIView,
    org_choices,
    service_errors,
)
from .models import ApiToken, Membership, Organization, PendingInvitation, Role, Team
from .serializers import (
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    CreatedApiTokenSerializer,
    InvitationSerializer,
    InviteSerializer,
    MembershipSerializer,
    MeSerializer,
    OrganizationSerializer,
    PendingInvitationSerializer,
    ServiceTokenCreateSerializer,
    TeamSerializer,
)


class PingView(PublicAPIView):
    """The framework's floor: no database, no session."""

    @extend_schema(responses=inline_serializer("Pong", {"pong": serializers.BooleanField()}))
    def get(self, request: Request) -> Response:
        return Response({"pong": True})


class MeView(UserAPIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        memberships = selectors.membership_list_for_user(user=request.user)
        return Response(MeSerializer(request.user, context={"memberships": memberships}).data)


class OrganizationListView(UserAPIView):
    @extend_schema(responses=OrganizationSerializer(many=True))
    def get(self, request: Request) -> Response:
        orgs = selectors.organization_list_for_user(user=request.user)
        return Response(OrganizationSerializer(orgs, many=True).data)


class OrganizationDetailView(OrgAPIView):
    """The organisation itself: readable by every member, editable by admins."""

    serializer_class = OrganizationSerializer

    def get(self, request: Request, org_slug: str) -> Response:
        return Response(OrganizationSerializer(self.org).data)

    def patch(self, request: Request, org_slug: str) -> Response:
        serializer = OrganizationSerializer(self.org, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {**OrganizationSerializer(self.org).data, **serializer.validated_data}
        with service_errors({"timezone_name": "timezone"}):
            org = services.organization_update(
                org=self.org,
                name=data["name"],
                timezone_name=data["timezone"],
                currency=data["currency"],
                default_language=data["default_language"],
                fiscal_year_start_month=int(data["fiscal_year_start_month"]),
            )
        return Response(OrganizationSerializer(org).data)


ORG_TEAMS = org_choices(Team)


class TeamFilter(django_filters.FilterSet):
    # Choices are the organisation's own teams: anything else (another org's id, "abc", 1e20) is
    # a 400 naming the parameter, never a silent empty list or a server error.
    parent = django_filters.ModelChoiceFilter(queryset=ORG_TEAMS)
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = Team
        fields = ("parent", "top_level")


class TeamViewSet(OrgViewSet):
    """Teams of the organisation. Everyone reads; admins create, edit and delete."""

    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ("name", "id")

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Team]:
        return (
            Team.objects.filter(org=org)
            .annotate(member_count=Count("members", filter=Q(members__is_active=True), distinct=True))
            .prefetch_related(Prefetch("managers", queryset=Membership.objects.only("id")))
            .order_by("name")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            team = services.team_create(
                org=self.org,
                name=data["name"],
                description=data.get("description", ""),
                parent=data.get("parent"),
                managers=data.get("managers", []),
            )
        serializer.instance = self.scoped_queryset(org=self.org).get(pk=team.pk)

    def perform_update(self, serializer: Any) -> None:
        team = serializer.instance
        data = serializer.validated_data
        with service_errors():
            services.team_update(
                team=team,
                name=data.get("name", team.name),
                description=data.get("description", team.description),
                parent=data.get("parent", team.parent),
                managers=data["managers"] if "managers" in data else list(team.managers.all()),
            )
        serializer.instance = self.scoped_queryset(org=self.org).get(pk=team.pk)

    def perform_destroy(self, instance: Team) -> None:
        services.team_delete(team=instance)


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    team = django_filters.ModelChoiceFilter(field_name="teams", queryset=ORG_TEAMS)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Membership
        fields = ("role", "team", "is_active")


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    OrgGenericViewSet,
):
    """Members of the organisation. Everyone reads names and roles; admins invite and change
    roles. Members are deactivated (``is_active: false``), never deleted, so history stays."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ("joined_at", "id")

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Membership]:
        return selectors.membership_list(org=org)

    @extend_schema(
        request=InviteSerializer,
        responses={201: InvitationSerializer},
        examples=[
            OpenApiExample(
                "Invite a member",
                value={"email": "wangwu@example.com", "display_name": "王五", "role": "member", "teams": [1]},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = InviteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            result = services.member_invite(
                org=self.org,
                email=data["email"],
                display_name=data["display_name"],
                role=data["role"],
                teams=data.get("teams", []),
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        context = self.get_serializer_context()
        membership = (
            self.scoped_queryset(org=self.org).get(pk=result.membership.pk) if result.membership else None
        )
        body = {
            "membership": MembershipSerializer(membership, context=context).data if membership else None,
            "pending_invitation": PendingInvitationSerializer(result.pending, context=context).data
            if result.pending
            else None,
            "created_user": result.created_user,
            "set_password_url": result.set_password_url,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @transaction.atomic
    def perform_update(self, serializer: Any) -> None:
        member = serializer.instance
        data = serializer.validated_data
        with service_errors():
            services.membership_update(
                membership=member,
                role=data.get("role", member.role),
                teams=data["teams"] if "teams" in data else list(member.teams.all()),
                title=data.get("title", member.title),
                employee_number=data.get("employee_number", member.employee_number),
                is_active=data.get("is_active", member.is_active),
            )
        serializer.instance = self.scoped_queryset(org=self.org).get(pk=member.pk)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("ResentLink", {"set_password_url": serializers.CharField()})},
    )
    @action(detail=True, methods=["post"], url_path="resend-invitation")
    def resend_invitation(self, request: Request, org_slug: str, pk: str) -> Response:
        """A new one-time set-password link (also e-mailed) for a member who never chose a password."""
        member = self.get_object()
        with service_errors():
            link = services.member_invitation_resend(
                membership=member, base_url=request.build_absolute_uri("/")
            )
        return Response({"set_password_url": link})


class PendingInvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, OrgGenericViewSet
):
    """Invitations of existing accounts waiting to be accepted. Admins only; DELETE cancels."""

    serializer_class = PendingInvitationSerializer
    read_roles = ADMIN_ONLY

    def scoped_queryset(self, *, org: Organization) -> QuerySet[PendingInvitation]:
        return selectors.pending_invitation_list(org=org)

    def perform_destroy(self, instance: PendingInvitation) -> None:
        services.pending_invitation_cancel(invitation=instance)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, org_slug: str, pk: str) -> Response:
        invitation = self.get_object()
        with service_errors():
            services.pending_invitation_resend(
                invitation=invitation, base_url=request.build_absolute_uri("/")
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- API tokens -------------------------------------------------------------------------------
def _created(token: ApiToken, key: str) -> Response:
    token.key = key  # type: ignore[attr-defined]  # the secret, in this answer only
    return Response(CreatedApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class MyTokenListView(UserAPIView):
    """Your personal tokens. POST creates one: its `key` is in that answer only. A `read` or
    `metrics:write` token is narrower than you; `full` does everything you may do."""

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ApiTokenSerializer(selectors.api_token_list(user=request.user), many=True).data)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: CreatedApiTokenSerializer},
        examples=[OpenApiExample("A BI tool", value={"name": "BI dashboard", "scope": "read",
                                                     "expires_in_days": 90}, request_only=True)],
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            token, key = services.api_token_create(
                user=request.user,
                name=data["name"],
                scope=data["scope"],
                expires_in_days=data["expires_in_days"],
            )
        return _created(token, key)


class MyTokenRevokeView(UserAPIView):
    @extend_schema(request=None, responses=ApiTokenSerializer)
    def post(self, request: Request, token_id: int) -> Response:
        """Revoke one of your tokens (at once; again is harmless). Audited. The token this very
        request uses is refused (400): revoke it with another one or on the API tokens page."""
        token = selectors.api_token_get(user=request.user, token_id=token_id)
        if isinstance(request.auth, ApiToken) and request.auth.pk == token.pk:
            raise serializers.ValidationError(
                {
                    "token_id": [
                        _(
                            "This request uses this token: revoke it with another one or on the API tokens page."
                        )
                    ]
                }
            )
        return Response(ApiTokenSerializer(services.api_token_revoke(token=token, actor=request.user)).data)


class ServiceTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgGenericViewSet):
    """Organisation service tokens (admins): they act for the organisation, not for a person, and
    keep working when their creator leaves. `read` reads what a viewer reads; `metrics:write` also
    pushes metric values and imports, nothing else. The `key` is shown in the create answer only."""

    serializer_class = ApiTokenSerializer
    read_roles = ADMIN_ONLY

    def scoped_queryset(self, *, org: Organization) -> QuerySet[ApiToken]:
        return selectors.service_token_list(org=org)

    @extend_schema(
        request=ServiceTokenCreateSerializer,
        responses={201: CreatedApiTokenSerializer},
        examples=[OpenApiExample("A CRM pushing values", value={"name": "CRM sync", "scope": "metrics:write",
                                                                "expires_in_days": 365}, request_only=True)],
    )  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ServiceTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            token, key = services.service_token_create(
                org=self.org, actor=self.membership, name=data["name"], scope=data["scope"],
                expires_in_days=data["expires_in_days"],
            )  # fmt: skip
        return _created(self.get_queryset().get(pk=token.pk), key)

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, org_slug: str, pk: str) -> Response:
        """Revoke the token at once (again is harmless). Audited."""
        token = services.api_token_revoke(token=self.get_object(), actor=request.user)
        return Response(ApiTokenSerializer(token).data)
