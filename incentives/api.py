"""Incentives API under /api/v1/orgs/<org_slug>/: schemes and their assignments, salaries, and a
person's payout (with what-if). Salaries and amounts follow the money rules: HR and admins, the
person themself, and managers an admin has granted it to."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, QuerySet
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import ADMIN_ONLY, ALL_ROLES, MANAGERS, PEOPLE_WITH_MONEY
from teams.api_base import OrgAPIView, OrgGenericViewSet, service_errors
from teams.api_strict import query_bool, refuse_empty
from teams.api_sync import UPDATED_SINCE, updated_since_filter
from teams.models import Membership, Organization, Team

from . import exports, selectors, services
from .models import BonusScheme, MoneyGrant, PayoutRun, Salary
from .serializers import (
    AdjustSerializer,
    AssignmentSerializer,
    LineSerializer,
    MoneyGrantSerializer,
    PayoutSerializer,
    ReturnSerializer,
    RevokeSerializer,
    RunDetailSerializer,
    RunSerializer,
    SalarySerializer,
    SchemeSerializer,
    TeamPayLineSerializer,
    TeamPaySerializer,
)


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
            OpenApiParameter("pending", bool, description="What if the pending goal revisions were approved."),
        ],
        responses=PayoutSerializer,
    )  # fmt: skip
    def get(self, request: Request, org_slug: str) -> Response:
        refuse_empty(request.query_params, ["member", "start", "end", "attainment"])
        query_bool(request.query_params, "pending", default=False)
        try:
            query = selectors.payout_query(org=self.org, viewer=self.membership, params=request.query_params)
        except DjangoValidationError as error:
            with service_errors():
                raise error from None
        if query.forbidden:
            raise exceptions.PermissionDenied(_("You cannot see this person's pay."))
        payout = selectors.person_payout(member=query.member, start=query.start, end=query.end,
                                        attainment=query.attainment, pending=query.pending)  # fmt: skip
        body = selectors.payout_body(query=query, payout=payout)
        return Response(PayoutSerializer(body).data)


class PayoutRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgGenericViewSet
):
    """Payout runs (HR and admins): create one for a period (computed in the background; poll its
    status), read its lines, adjust a line with a reason, submit, approve (an admin, never their
    own submission; approving locks the run), send back, start a new version of a locked run,
    and export a locked run as XLSX or CSV."""

    serializer_class = RunSerializer
    read_roles = PEOPLE_WITH_MONEY
    write_roles = PEOPLE_WITH_MONEY
    action_roles = {"approve": ADMIN_ONLY, "send_back": ADMIN_ONLY, "line": ALL_ROLES}

    def scoped_queryset(self, *, org: Organization) -> QuerySet[PayoutRun]:
        return (
            PayoutRun.objects.filter(org=org)
            .select_related("org")
            .order_by("-end", "-start", "-version", "-id")
        )

    def get_serializer_class(self) -> type[Any]:
        return RunDetailSerializer if self.action in ("retrieve", "create") else RunSerializer

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.run_start(org=self.org, actor=self.membership, start=data["start"],
                                                     end=data["end"], language=self.request.LANGUAGE_CODE)  # fmt: skip

    def _decided(self, run: PayoutRun) -> Response:
        return Response(RunSerializer(run).data)

    @extend_schema(responses=LineSerializer(many=True),
                   parameters=[OpenApiParameter("q", str, description="Part of a name, number or team."),
                               UPDATED_SINCE])  # fmt: skip
    @action(detail=True, methods=["get"])
    def lines(self, request: Request, org_slug: str, pk: str) -> Response:
        """The run's lines, in the export's order (team, name), 50 a page; `updated_since` for a
        mirror's incremental sync (deleted lines: `deleted/?resource=payout-lines`)."""
        lines = selectors.run_lines(
            run=self.get_object(), search=request.query_params.get("q", "").replace("\x00", "")[:100]
        )
        lines = updated_since_filter(request, lines)
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(LineSerializer(page, many=True).data)

    @extend_schema(responses=TeamPayLineSerializer)
    @action(detail=True, methods=["get"], url_path=r"lines/(?P<line_id>[0-9]+)", url_name="line")
    def line(self, request: Request, org_slug: str, pk: str, line_id: str) -> Response:
        """One line with its run's period. HR and admins read any line; the person themself and a
        manager an admin has let see their teams' pay read it once the run is approved (403 before,
        and for anyone else)."""
        line = selectors.line_get(run=self.get_object(), line_id=int(line_id))
        verdict = selectors.can_see_payout_line(member=self.membership, line=line)
        if not verdict:
            raise exceptions.PermissionDenied(verdict.reason)
        return Response(TeamPayLineSerializer(line).data)

    @extend_schema(request=AdjustSerializer, responses=LineSerializer)
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line_id>[0-9]+)/adjust")
    def adjust(self, request: Request, org_slug: str, pk: str, line_id: str) -> Response:
        """Change one line by `amount` (negative to reduce), with a `reason` (required)."""
        line = selectors.line_get(run=self.get_object(), line_id=int(line_id))
        serializer = AdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            line = services.run_line_adjust(line=line, actor=self.membership, amount=serializer.validated_data["amount"],
                                            reason=serializer.validated_data["reason"])  # fmt: skip
        return Response(LineSerializer(line).data)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, org_slug: str, pk: str) -> Response:
        with service_errors():
            return self._decided(services.run_submit(run=self.get_object(), actor=self.membership))

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, org_slug: str, pk: str) -> Response:
        """An admin approves a submitted run, which locks it (not their own submission)."""
        with service_errors():
            return self._decided(services.run_approve(run=self.get_object(), actor=self.membership))

    @extend_schema(request=ReturnSerializer, responses=RunSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, org_slug: str, pk: str) -> Response:
        """An admin sends a submitted run back to HR, with a `reason`."""
        run = self.get_object()
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            return self._decided(services.run_return(run=run, actor=self.membership,
                                                     reason=serializer.validated_data["reason"]))  # fmt: skip

    @extend_schema(request=None, responses={201: RunSerializer})
    @action(detail=True, methods=["post"], url_path="new-version", url_name="new-version")
    def new_version(self, request: Request, org_slug: str, pk: str) -> Response:
        """A new version of a locked run, referencing it (the locked run never changes)."""
        with service_errors():
            run = services.run_new_version(run=self.get_object(), actor=self.membership,
                                           language=request.LANGUAGE_CODE)  # fmt: skip
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, org_slug: str, pk: str) -> Response:
        with service_errors():
            return self._decided(services.run_retry(run=self.get_object(), actor=self.membership))

    @extend_schema(
        parameters=[OpenApiParameter("file", str, enum=["xlsx", "csv"], description="xlsx (default) or csv")],
        responses={(200, exports.XLSX_TYPE): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, org_slug: str, pk: str) -> HttpResponseBase:
        """The locked run as a file; 400 for a run that is not approved yet."""
        run = self.get_object()
        with service_errors():
            return exports.download(run, request.query_params.get("file", "xlsx"))


class MoneyGrantViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgGenericViewSet
):
    """Admins let a manager see the pay (base salaries, target bonuses, payout amounts) of the people
    of the teams they manage, sub-teams included, with a `reason`; `revoke` takes it back (with a
    reason) at once. Grants in force first, then the revoked ones. Both are in the audit trail."""

    serializer_class = MoneyGrantSerializer
    read_roles = ADMIN_ONLY
    write_roles = ADMIN_ONLY

    def scoped_queryset(self, *, org: Organization) -> QuerySet[MoneyGrant]:
        return (
            MoneyGrant.objects.filter(org=org)
            .select_related("membership__user")
            .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        manager = Membership.objects.filter(org=self.org, pk=data["membership_id"]).first()
        if manager is None:
            raise exceptions.ValidationError({"manager": [_("Choose a manager of this organisation.")]})
        with service_errors():
            serializer.instance = services.money_grant_create(org=self.org, actor=self.membership, manager=manager,
                                                              reason=data["reason"])  # fmt: skip

    @extend_schema(request=RevokeSerializer, responses=MoneyGrantSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, org_slug: str, pk: str) -> Response:
        """Take the grant back with a `reason`; the manager no longer sees the pay from now on."""
        grant = self.get_object()
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            grant = services.money_grant_revoke(grant=grant, actor=self.membership,
                                                reason=serializer.validated_data["reason"])  # fmt: skip
        return Response(MoneyGrantSerializer(grant).data)


class TeamPayViewSet(mixins.ListModelMixin, OrgGenericViewSet):
    """The pay the caller may see, by name: base salary in force today and the newest approved payout.
    A manager an admin has let see their teams' pay: the people of the teams they manage, sub-teams
    included, and themself; HR and admins: everyone; a manager without a grant: only themself."""

    serializer_class = TeamPaySerializer
    read_roles = MANAGERS | PEOPLE_WITH_MONEY
    write_roles = frozenset()

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Membership]:
        return Membership.objects.filter(org=org)

    def list(self, request: Request, org_slug: str) -> Response:
        people = self.paginate_queryset(selectors.team_pay_people(org=self.org, viewer=self.membership))
        rows = selectors.team_pay_rows(org=self.org, people=list(people or []))
        return self.get_paginated_response(TeamPaySerializer(rows, many=True).data)
