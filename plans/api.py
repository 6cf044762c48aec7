"""Plans API under /api/v1/orgs/<org_slug>/: initiatives (with progress and the plan's analysis:
critical path and conflicts), dependencies, squads, team budgets and reallocations."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from goals.models import Goal
from teams.access import CONTRIBUTORS, MANAGERS, TEAM_RULE
from teams.api_base import OrgGenericViewSet, org_choices, service_errors
from teams.models import Membership, Organization

from . import selectors, services
from .models import Dependency, Dimension, Initiative, Priority, Reallocation, Squad, Status, TeamBudget
from .serializers import (
    AnalysisSerializer,
    DependencySerializer,
    InitiativeSerializer,
    ProgressSerializer,
    ReallocationSerializer,
    SquadSerializer,
    TeamBudgetSerializer,
)

ARTICLE_ROW = {
    "goal": 7, "dimension": "用户获取 User acquisition", "title": "策划 3 场线上裂变活动 / 3 online referral campaigns",
    "owner": 3, "start_date": "2026-10-01", "due_date": "2026-10-28", "budget": "5000.00", "needs": ["design"],
    "priority": "P0",
}  # fmt: skip


_goals = org_choices(Goal)
_members = org_choices(Membership)
_squads = org_choices(Squad)
_dimensions = org_choices(Dimension, "goal__org")


class InitiativeFilter(django_filters.FilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=_goals)
    dimension = django_filters.ModelChoiceFilter(queryset=_dimensions)
    owner = django_filters.ModelChoiceFilter(queryset=_members)
    squad = django_filters.ModelChoiceFilter(queryset=_squads)
    status = django_filters.ChoiceFilter(choices=Status.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    starts_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Initiative
        fields = ("goal", "dimension", "owner", "squad", "status", "priority", "starts_after", "due_before")


def _input(data: dict[str, Any], goal: Goal) -> services.InitiativeInput:
    dimension = data.get("dimension") or {}
    return services.InitiativeInput(
        title=data["title"], goal=goal, owner=data["owner"], start_date=data["start_date"],
        due_date=data.get("due_date"), ongoing=data.get("ongoing", False),
        dimension_name=dimension.get("name", "") if isinstance(dimension, dict) else "",
        squad=data.get("squad"), budget=data.get("budget"), needs=data.get("needs", []),
        needs_note=data.get("needs_note", ""), priority=data.get("priority", Priority.P2),
        is_milestone=data.get("is_milestone", False), is_experiment=data.get("is_experiment", False),
    )  # fmt: skip


class InitiativeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    OrgGenericViewSet,
):  # fmt: skip
    """具体举措. Everyone reads; admins, and the managers of the goal's team (or of a team above
    it), plan; the owner (any contributor) reports progress. Deleting is refused: cancel instead,
    so history stays."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilter
    ordering_fields = ("start_date", "due_date", "priority", "id")
    write_roles = MANAGERS
    action_roles = {"progress": CONTRIBUTORS}
    object_rule = TEAM_RULE

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Initiative]:
        return selectors.initiative_list(org=org)

    def require_change(self, obj: Initiative) -> None:
        if self.action == "progress":
            selectors.can_report_progress(member=self.membership, initiative=obj).require()
        else:
            selectors.can_change_initiative(member=self.membership, initiative=obj).require()

    @extend_schema(
        examples=[OpenApiExample("A row of the article's plan", value=ARTICLE_ROW, request_only=True)]
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.initiative_create(
                org=self.org, actor=self.membership, data=_input(data, data["goal"])
            )

    def perform_update(self, serializer: Any) -> None:
        item: Initiative = serializer.instance
        existing = {
            "title": item.title, "owner": item.owner, "start_date": item.start_date, "due_date": item.due_date,
            "ongoing": item.ongoing, "squad": item.squad, "budget": item.budget, "needs": item.needs,
            "needs_note": item.needs_note, "priority": item.priority, "is_milestone": item.is_milestone,
            "is_experiment": item.is_experiment, "dimension": {"name": item.dimension.name} if item.dimension else {},
        }  # fmt: skip
        data = {**existing, **serializer.validated_data}
        with service_errors():
            serializer.instance = services.initiative_update(
                initiative=item, actor=self.membership, data=_input(data, data.get("goal", item.goal))
            )

    @extend_schema(request=ProgressSerializer, responses=InitiativeSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, org_slug: str, pk: str) -> Response:
        """Report progress (owners on their own initiatives; managers on any)."""
        initiative = self.get_object()
        serializer = ProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            initiative = services.initiative_progress(initiative=initiative, actor=self.membership,
                                                      **serializer.validated_data)  # fmt: skip
        return Response(InitiativeSerializer(initiative, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("goal", int, description="One goal's plan (default: every initiative).")
        ],
        responses=AnalysisSerializer,
    )
    @action(detail=False, methods=["get"])
    def analysis(self, request: Request, org_slug: str) -> Response:
        """The critical path of each goal (``critical_paths``; ``critical_path`` is the one that
        ends last), the conflicts (overload, budget, P0 blocked, early start, late) and the goals at
        risk, for one goal's plan or the whole organisation. Overload and budget conflicts count
        the owner's and the team's work across the organisation."""
        filtered = self.filter_queryset(self.get_queryset())
        result = selectors.plan_analysis(org=self.org, initiatives=list(filtered))
        body = {
            "critical_path": result.critical.ids, "finish": result.critical.finish, "conflicts": result.conflicts,
            "critical_paths": {str(goal_id): path.ids for goal_id, path in sorted(result.critical_by_goal.items())},
            "goals_at_risk": sorted(result.at_risk_goal_ids), "slipped": sorted(result.slipped_ids),
        }  # fmt: skip
        return Response(AnalysisSerializer(body).data)


class DependencyViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, OrgGenericViewSet
):
    """Finish-to-start links. A link that would close a cycle is refused with the cycle named."""

    serializer_class = DependencySerializer
    write_roles = MANAGERS
    object_rule = TEAM_RULE

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Dependency]:
        return Dependency.objects.filter(successor__org=org).select_related("successor__goal").order_by("id")

    def require_change(self, obj: Dependency) -> None:
        selectors.can_change_dependency(member=self.membership, dependency=obj).require()

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.dependency_add(
                predecessor=data["predecessor"], successor=data["successor"], actor=self.membership
            )

    def perform_destroy(self, instance: Dependency) -> None:
        services.dependency_remove(dependency=instance, actor=self.membership)


class SquadViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgGenericViewSet
):
    """专项小组: cross-functional squads with a lead."""

    serializer_class = SquadSerializer
    write_roles = MANAGERS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Squad]:
        return (
            Squad.objects.filter(org=org).select_related("lead").prefetch_related("members").order_by("name")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.squad_create(
                org=self.org, actor=self.membership, name=data["name"], lead=data["lead"],
                members=data.get("members", []), description=data.get("description", ""),
            )  # fmt: skip


class TeamBudgetViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """A team's budget for a period (posting the same team and start date replaces the amount)."""

    serializer_class = TeamBudgetSerializer
    write_roles = MANAGERS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[TeamBudget]:
        return TeamBudget.objects.filter(org=org).order_by("team_id", "start_date")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.team_budget_set(org=self.org, actor=self.membership, **data)


class ReallocationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Budget moved between initiatives, with the reason (动态调整)."""

    serializer_class = ReallocationSerializer
    write_roles = MANAGERS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Reallocation]:
        return Reallocation.objects.filter(org=org).order_by("-created_at", "-id")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.budget_reallocate(org=self.org, actor=self.membership, **data)
