"""Incentives API under /api/v1/orgs/<org_slug>/: schemes and their assignments, salaries, and a
person's payout (with what-if). Salaries and amounts follow the money rules: HR and admins, the
person themself, and managers an admin has granted it to."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import ALL_ROLES, PEOPLE_WITH_MONEY
from teams.api_base import OrgAPIView, OrgGenericViewSet, service_errors
from teams.models import Membership, Organization, Team

from . import selectors, services
from .models import BonusScheme, Salary
from .serializers import AssignmentSerializer, PayoutSerializer, SalarySerializer, SchemeSerializer


def _scheme_input(data: dict[str, Any]) -> services.SchemeInput:
    return services.SchemeInput(
        **{k: v for k, v in data.items() if k in services.SchemeInput.__dataclass_fields__}
    )


class SchemeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    OrgGenericViewSet,
):  # fmt: skip
    """物质激励 schemes (HR and admins)."""

    serializer_class = SchemeSerializer
    read_roles = PEOPLE_WITH_MONEY
    write_roles = PEOPLE_WITH_MONEY

    def scoped_queryset(self, *, org: Organization) -> QuerySet[BonusScheme]:
        return BonusScheme.objects.filter(org=org).order_by("name", "id")

    def perform_create(self, serializer: Any) -> None:
        with service_errors():
            serializer.instance = services.scheme_save(org=self.org, actor=self.membership,
                                                       data=_scheme_input(serializer.validated_data))  # fmt: skip

    def perform_update(self, serializer: Any) -> None:
        scheme: BonusScheme = serializer.instance
        current = {f: getattr(scheme, f) for f in services.SchemeInput.__dataclass_fields__}
        with service_errors():
            serializer.instance = services.scheme_save(org=self.org, actor=self.membership, scheme=scheme,
                                                       data=_scheme_input({**current, **serializer.validated_data}))  # fmt: skip

    @extend_schema(request=AssignmentSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, org_slug: str, pk: str) -> Response:
        """Apply the scheme to one person, one team or one role (the most specific wins)."""
        scheme = self.get_object()
        serializer = AssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = (
            Membership.objects.filter(org=self.org, pk=data.get("member")).first()
            if data.get("member")
            else None
        )
        team = Team.objects.filter(org=self.org, pk=data.get("team")).first() if data.get("team") else None
        if (data.get("member") and member is None) or (data.get("team") and team is None):
            raise exceptions.ValidationError({"member" if data.get("member") else "team": [_("Not found.")]})
        with service_errors():
            services.scheme_assign(scheme=scheme, actor=self.membership, membership=member, team=team,
                                   role=data.get("role", ""))  # fmt: skip
        return Response(status=status.HTTP_201_CREATED)


class SalaryViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Base salaries with their history (HR and admins)."""

    serializer_class = SalarySerializer
    read_roles = PEOPLE_WITH_MONEY
    write_roles = PEOPLE_WITH_MONEY

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Salary]:
        return Salary.objects.filter(org=org).order_by("membership_id", "-effective_from")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        member = Membership.objects.filter(org=self.org, pk=data["membership_id"]).first()
        if member is None:
            raise exceptions.ValidationError({"member": [_("Choose a person of this organisation.")]})
        with service_errors():
            serializer.instance = services.salary_set(org=self.org, actor=self.membership, membership=member,
                                                      base=data["base"], effective_from=data["effective_from"])  # fmt: skip


class PayoutPreviewView(OrgAPIView):
    """A person's pay for a period with its explanation; `attainment` asks "what if". Default: the
    caller, this quarter."""

    read_roles = ALL_ROLES

    @extend_schema(
        parameters=[
            OpenApiParameter("member", int, description="Whose pay (default: you)."),
            OpenApiParameter("start", date), OpenApiParameter("end", date),
            OpenApiParameter("attainment", str, description="What if the attainment were this (%)."),
        ],
        responses=PayoutSerializer,
    )  # fmt: skip
    def get(self, request: Request, org_slug: str) -> Response:
        try:
            query = selectors.payout_query(org=self.org, viewer=self.membership, params=request.query_params)
        except DjangoValidationError as error:
            with service_errors():
                raise error from None
        if query.forbidden:
            raise exceptions.PermissionDenied(_("You cannot see this person's pay."))
        payout = services.person_payout(member=query.member, start=query.start, end=query.end,
                                        attainment=query.attainment)  # fmt: skip
        body = selectors.payout_body(query=query, payout=payout)
        return Response(PayoutSerializer(body).data)
