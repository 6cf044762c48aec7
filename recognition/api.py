"""Recognition API under /api/v1/orgs/<org_slug>/: nominations, stars of the month and their
candidates, training and promotion notes, instant reward rules and the rewards earned."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS, TEAM_RULE
from teams.api_base import OrgAPIView, OrgGenericViewSet, org_choices, service_errors
from teams.models import Membership, Organization, Team

from . import selectors, services
from .models import EarnedReward, GrowthReward, InstantRewardRule, Nomination, Star
from .serializers import (
    CandidateQuerySerializer,
    CandidatesSerializer,
    EarnedRewardSerializer,
    GrowthRewardSerializer,
    InstantRewardRuleSerializer,
    NominationSerializer,
    StarSerializer,
)

SELECTORS = MANAGERS | selectors.ALL_PEOPLE
_teams = org_choices(Team)
_members = org_choices(Membership)


class TeamFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(queryset=_teams)


class StarFilter(TeamFilter):
    class Meta:
        model = Star
        fields = ("team",)


class EarnedFilter(TeamFilter):
    class Meta:
        model = EarnedReward
        fields = ("team",)


class RuleFilter(TeamFilter):
    class Meta:
        model = InstantRewardRule
        fields = ("team",)


class GrowthFilter(django_filters.FilterSet):
    member = django_filters.ModelChoiceFilter(queryset=_members)

    class Meta:
        model = GrowthReward
        fields = ("member",)


class NominationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Nominations for the star of the month (月度之星), with their reasons. Admins, HR and managers
    read them all; others the ones they made. Members, managers and admins nominate a colleague."""

    serializer_class = NominationSerializer
    write_roles = CONTRIBUTORS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Nomination]:
        viewer = getattr(self, "membership", None)
        if viewer is None:  # the schema generator
            return Nomination.objects.none()
        return selectors.nomination_list(org=org, viewer=viewer)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.nomination_create(
                nominator=self.membership, nominee=data["nominee"], reason=data["reason"],
                month=data.get("month") or selectors.current_month(self.org),
            )  # fmt: skip


class StarViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Stars of the month, per team and month (everyone reads: the honour board). Posting selects
    one: the team's managers, HR and admins; one per team and month, with a citation."""

    serializer_class = StarSerializer
    filterset_class = StarFilter
    write_roles = SELECTORS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Star]:
        return selectors.star_list(org=org)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.star_select(team=data["team"], month=data["month"], member=data["member"],
                                                       citation=data["citation"], actor=self.membership)  # fmt: skip


class StarCandidatesView(OrgAPIView):
    """The candidates for a team's star of the month, proposed from the data with their evidence:
    attainment, blockers resolved for others, milestones reached, nominations."""

    read_roles = SELECTORS

    @extend_schema(
        parameters=[OpenApiParameter("team", int, required=True),
                    OpenApiParameter("month", str, description="YYYY-MM (default: this month).")],
        responses=CandidatesSerializer,
    )  # fmt: skip
    def get(self, request: Request, org_slug: str) -> Response:
        query = CandidateQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        team: Team = query.validated_data["team"]
        if not selectors.can_select_star(member=self.membership, team=team):
            raise exceptions.PermissionDenied(
                _("Only the team's managers, HR and admins see its candidates.")
            )
        month = selectors.month_asked(self.org, query.validated_data.get("month"))
        candidates = selectors.star_candidates(org=self.org, team=team, month=month)
        return Response(
            CandidatesSerializer({"team": team.pk, "month": month, "candidates": candidates}).data
        )


class GrowthRewardViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Training opportunities (培训机会) and promotion-track notes (晋升通道). Each person reads their
    own, a manager those of their teams' people, HR and admins everyone's; the person's managers,
    HR and admins record them."""

    serializer_class = GrowthRewardSerializer
    filterset_class = GrowthFilter
    write_roles = SELECTORS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[GrowthReward]:
        viewer = getattr(self, "membership", None)
        if viewer is None:  # the schema generator
            return GrowthReward.objects.none()
        return selectors.growth_reward_list(org=org, viewer=viewer)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.growth_reward_add(
                member=data["member"], actor=self.membership, kind=data["kind"], title=data["title"],
                note=data.get("note", ""), planned_for=data.get("planned_for"),
            )  # fmt: skip


class InstantRewardRuleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, OrgGenericViewSet,
):  # fmt: skip
    """即时激励 rules: what a team gets when it meets its weekly target (e.g. afternoon tea).
    Everyone reads; admins and the team's managers set them."""

    serializer_class = InstantRewardRuleSerializer
    filterset_class = RuleFilter
    write_roles = MANAGERS
    object_rule = TEAM_RULE

    def scoped_queryset(self, *, org: Organization) -> QuerySet[InstantRewardRule]:
        return selectors.rule_list(org=org)

    def require_change(self, obj: InstantRewardRule) -> None:
        services.require_rule_change(rule=obj, actor=self.membership)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.instant_rule_save(team=data["team"], actor=self.membership, reward=data["reward"],
                                                             condition=data["condition"], enabled=data.get("enabled", True))  # fmt: skip

    def perform_update(self, serializer: Any) -> None:
        rule: InstantRewardRule = serializer.instance
        data = {"team": rule.team, "condition": rule.condition, "reward": rule.reward, "enabled": rule.enabled,
                **serializer.validated_data}  # fmt: skip
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.instant_rule_save(rule=rule, actor=self.membership, **data)

    def perform_destroy(self, instance: InstantRewardRule) -> None:
        with service_errors({"__all__": "non_field_errors"}):
            services.instant_rule_delete(rule=instance, actor=self.membership)


class EarnedRewardViewSet(mixins.ListModelMixin, OrgGenericViewSet):
    """Instant rewards teams have earned, week by week, with the goals that earned them."""

    serializer_class = EarnedRewardSerializer
    filterset_class = EarnedFilter
    read_roles = ALL_ROLES

    def scoped_queryset(self, *, org: Organization) -> QuerySet[EarnedReward]:
        return selectors.earned_list(org=org)
