"""Goals API under /api/v1/orgs/<org_slug>/: goals (with tree, status, targets, decomposition,
split into members, history), supporting metrics, comments / proposals and revisions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import CONTRIBUTORS, MANAGERS, TEAM_RULE
from teams.api_base import OrgGenericViewSet, service_errors
from teams.api_stream import pick_fields
from teams.api_strict import query_bool, refuse_empty
from teams.models import Organization
from teams.selectors import audit_list

from . import selectors, services
from .api_reads import GoalReads
from .filters import GoalChildFilter, GoalFilter, org_teams, query_depth, query_id
from .models import Goal, GoalComment, Revision, SupportingMetric
from .progress import goal_attainment
from .progress_rows import attainment_dicts
from .serializers import (
    ARTICLE_GOAL,
    MONTHLY_OVERRIDE,
    TREE_NODE_FIELDS,
    AuditEntrySerializer,
    CommentSerializer,
    DecisionSerializer,
    DecompositionApplySerializer,
    DecompositionPreviewSerializer,
    GoalSerializer,
    GoalWriteSerializer,
    PeriodTargetSerializer,
    RevisionSerializer,
    SliceSerializer,
    SplitSerializer,
    StatusSerializer,
    SuggestionSerializer,
    SupportingMetricSerializer,
    TargetsSerializer,
    TargetVersionSerializer,
    tree_nodes,
)
from .smart import suggest_tiers


def _goal_input(data: dict[str, Any]) -> services.GoalInput:
    return services.GoalInput(**data)


class GoalViewSet(
    GoalReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    OrgGenericViewSet,
):  # fmt: skip
    """Goals of the organisation. Everyone reads; admins, and managers for the teams they manage
    (and the teams below), create, edit, change status, decompose and split; another team's
    manager gets 403. Goals are never deleted: cancel them (status)."""

    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    ordering_fields = ("start_date", "end_date", "title", "id")
    write_roles = MANAGERS
    object_rule = TEAM_RULE

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Goal]:
        return selectors.goal_list(org=org)

    def require_change(self, obj: Goal) -> None:
        services.require_goal_change(goal=obj, actor=self.membership)

    def _goal(self) -> Goal:
        return self.get_object()  # type: ignore[no-any-return]

    def _serialize(self, goals: list[Goal], *, many: bool = True) -> Any:
        """Goals as the API shows them, with their progress rolled up in one pass for all of them
        (a fixed number of queries, whatever the number of goals)."""
        context = {**self.get_serializer_context(), "attainment": goal_attainment(org=self.org, goals=goals)}
        if many:
            return GoalSerializer(goals, many=True, context=context).data
        return GoalSerializer(goals[0], context=context).data

    def _fresh(self, goal: Goal) -> Any:
        return self._serialize([self.scoped_queryset(org=self.org).get(pk=goal.pk)], many=False)

    @extend_schema(request=GoalWriteSerializer, responses={201: GoalSerializer},
                   examples=[OpenApiExample("The article's operations goal", value=ARTICLE_GOAL, request_only=True)])  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = GoalWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with service_errors():
            goal = services.goal_create(
                org=self.org, actor=self.membership, data=_goal_input(serializer.validated_data)
            )
        return Response(self._fresh(goal), status=201)

    @extend_schema(request=GoalWriteSerializer, responses=GoalSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        goal = self._goal()
        partial = kwargs.get("partial", False)
        version = selectors.current_version(goal=goal)
        current = GoalWriteSerializer.values_of(goal, version)
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        payload = {**current, **request.data} if partial else request.data
        serializer = GoalWriteSerializer(data=payload, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.goal_update(
                goal=goal, actor=self.membership, data=_goal_input(serializer.validated_data)
            )
        return Response(self._fresh(goal))

    @extend_schema(request=StatusSerializer, responses=GoalSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, org_slug: str, pk: str) -> Response:
        """Move the goal along draft → proposed → active → achieved / missed, or cancel it."""
        goal = self._goal()
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.goal_set_status(goal=goal, actor=self.membership, **serializer.validated_data)
        return Response(self._fresh(goal))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "team", int, description="Only this team's branch (with the chain up to strategy)."
            ),
            OpenApiParameter("root", int, description="Only the subtree below this goal."),
            OpenApiParameter(
                "max_depth", int, description="Stop at this depth (0 = top level); cut nodes report `hidden`."
            ),
            OpenApiParameter("closed", bool, description="Include closed goals (default: true)."),
            OpenApiParameter(
                "fields",
                str,
                description=f"Only these fields of each node, comma-separated (default: all): "
                f"{', '.join(TREE_NODE_FIELDS)}. `children` is always there. An unknown name is a 400 naming it.",
            ),
        ],
        responses=serializers.ListSerializer(child=serializers.DictField()),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])  # a bare array
    def tree(self, request: Request, org_slug: str) -> Response:
        """The cascade as nested nodes: id, title, scope, status, team, owner, parent, weight,
        period, current targets, progress (`attainment`, rolled up from the sub-goals when the goal
        has no figure of its own), children (and `hidden`: how many goals below were cut off)."""
        params = request.query_params
        team = None
        if params.get("team"):
            team = org_teams(request).filter(pk=query_id(params["team"], "team")).first()
            if team is None:
                raise serializers.ValidationError({"team": [_("Select a valid choice.")]})
        root_id = query_id(params["root"], "root") if params.get("root") else None
        max_depth = query_depth(params["max_depth"], "max_depth") if params.get("max_depth") else None
        refuse_empty(params, ["team", "root", "max_depth"])
        include_closed = query_bool(params, "closed", default=True)
        fields = pick_fields(params, TREE_NODE_FIELDS)
        rows = selectors.goal_tree_values(
            org=self.org, team=team, include_closed=include_closed, root_id=root_id, max_depth=max_depth
        )
        # A whole tree from the organisation's one cached entry (goals.progress_rows.attainment_dicts).
        wanted = [row.goal["id"] for row in rows] if "attainment" in fields else []
        progress = attainment_dicts(org=self.org, goal_ids=wanted) if wanted else {}
        return Response(tree_nodes(rows, progress, fields))

    @extend_schema(
        parameters=[OpenApiParameter("on", date, description="Targets in force on this date (default: the latest)."),
                    OpenApiParameter("kind", str, enum=["quarter", "month", "week"])],
        responses=TargetsSerializer,
    )  # fmt: skip
    @action(detail=True, methods=["get"])
    def targets(self, request: Request, org_slug: str, pk: str) -> Response:
        """The targets in force on a date, with their quarter / month / week slices."""
        goal = self._goal()
        on = request.query_params.get("on")
        if on is not None:  # `?on=` is not a date either
            try:
                day = date.fromisoformat(on)
            except ValueError:
                raise serializers.ValidationError({"on": [_("Enter a date as YYYY-MM-DD.")]}) from None
            version = selectors.version_in_force(goal=goal, on=day)
        else:
            version = selectors.current_version(goal=goal)
        kind = request.query_params.get("kind") or None
        if kind not in (None, "quarter", "month", "week"):
            raise serializers.ValidationError({"kind": [_("Choose quarter, month or week.")]})
        slices = selectors.period_targets(version=version, kind=kind)
        return Response(
            {
                "version": TargetVersionSerializer(version).data,
                "period_targets": PeriodTargetSerializer(slices, many=True).data,
            }
        )

    @extend_schema(responses=TargetVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])  # a bare array
    def versions(self, request: Request, org_slug: str, pk: str) -> Response:
        goal = self._goal()
        return Response(TargetVersionSerializer(goal.versions.order_by("number"), many=True).data)

    @extend_schema(
        request=DecompositionPreviewSerializer,
        responses=SliceSerializer(many=True),
        examples=[
            OpenApiExample("Into weeks, evenly", value={"kind": "week", "method": "even"}, request_only=True),
            OpenApiExample("Into months by seasonality weights",
                           value={"kind": "month", "method": "weights", "weights": ["1", "1", "2"]}, request_only=True),
        ],
    )  # fmt: skip
    @action(
        detail=True,
        methods=["post"],
        url_path="decomposition/preview",
        pagination_class=None,
        filter_backends=[],
    )
    def decomposition_preview(self, request: Request, org_slug: str, pk: str) -> Response:
        """Slices for a kind and method, computed from the current targets; nothing is saved."""
        goal = self._goal()
        serializer = DecompositionPreviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            slices = services.decomposition_preview(goal=goal, **serializer.validated_data)
        rows = [{"start_date": s.start, "end_date": s.end, "base": s.base, "challenge": s.challenge,
                 "stretch": s.stretch} for s in slices]  # fmt: skip
        return Response(SliceSerializer(rows, many=True).data)

    @extend_schema(
        request=DecompositionApplySerializer,
        responses=PeriodTargetSerializer(many=True),
        examples=[
            OpenApiExample("Monthly targets that deliberately do not add up", value=MONTHLY_OVERRIDE, request_only=True)
        ],
    )  # fmt: skip
    @action(detail=True, methods=["put"], url_path="decomposition", pagination_class=None, filter_backends=[])
    def decomposition_apply(self, request: Request, org_slug: str, pk: str) -> Response:
        """Save the slices of one kind (bulk edit). Additive slices must add up to the goal's
        targets unless override_reason says why not."""
        goal = self._goal()
        serializer = DecompositionApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows = [services.SliceInput(**row) for row in data["rows"]]
        with service_errors():
            saved = services.decomposition_apply(
                goal=goal,
                actor=self.membership,
                kind=data["kind"],
                rows=rows,
                override_reason=data["override_reason"],
            )
        return Response(PeriodTargetSerializer(saved, many=True).data)

    @extend_schema(request=SplitSerializer, responses={201: GoalSerializer(many=True)})
    @action(detail=True, methods=["post"], filter_backends=[])
    def split(self, request: Request, org_slug: str, pk: str) -> Response:
        """Split a team goal into members' personal goals that serve it."""
        goal = self._goal()
        serializer = SplitSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        allocations = [services.Allocation(**a) for a in data["allocations"]]
        with service_errors():
            children = services.goal_split_to_members(
                goal=goal,
                actor=self.membership,
                allocations=allocations,
                override_reason=data["override_reason"],
            )
        queryset = self.scoped_queryset(org=self.org).filter(pk__in=[c.pk for c in children])
        return Response(self._serialize(list(queryset)), status=201)

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])  # bare, newest 200
    def history(self, request: Request, org_slug: str, pk: str) -> Response:
        """Every recorded change to the goal and its targets: who, when, before, after."""
        goal = self._goal()
        entries = audit_list(org=self.org, scope=f"goal:{goal.pk}")[:200]
        return Response(AuditEntrySerializer(entries, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("metric_name", str, required=True), OpenApiParameter("team", int),
                    OpenApiParameter("direction", str, enum=["up", "down"])],
        responses={200: SuggestionSerializer, 204: None},
    )  # fmt: skip
    @action(detail=False, methods=["get"])
    def suggestion(self, request: Request, org_slug: str) -> Response:
        """Base / challenge / stretch suggested from the metric's past results (204 without history)."""
        metric = (request.query_params.get("metric_name") or "").strip()
        if not metric:
            raise serializers.ValidationError({"metric_name": [_("This field is required.")]})
        team = None
        if request.query_params.get("team"):
            team = org_teams(request).filter(pk=query_id(request.query_params["team"], "team")).first()
        direction = request.query_params.get("direction") or "up"
        if direction not in ("up", "down"):
            raise serializers.ValidationError({"direction": [_("Choose up or down.")]})
        history = selectors.metric_history(org=self.org, metric_name=metric, team=team)
        suggestion = suggest_tiers(history, direction=direction, non_negative=True)
        if suggestion is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(SuggestionSerializer(suggestion).data)


class SupportingMetricViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, OrgGenericViewSet,
):  # fmt: skip
    """支撑性指标 of the goals: leading metrics with weekly targets, risk metrics with thresholds."""

    serializer_class = SupportingMetricSerializer
    filterset_class = GoalChildFilter
    write_roles = MANAGERS
    object_rule = TEAM_RULE

    def scoped_queryset(self, *, org: Organization) -> QuerySet[SupportingMetric]:
        return (
            SupportingMetric.objects.filter(goal__org=org)
            .select_related("goal__team", "goal__owner")
            .order_by("goal", "position", "id")
        )

    def require_change(self, obj: SupportingMetric) -> None:
        services.require_goal_change(goal=obj.goal, actor=self.membership)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.supporting_metric_save(
                goal=data["goal"], actor=self.membership, kind=data["kind"], name=data["name"],
                unit=data.get("unit", ""), direction=data.get("direction", "up"),
                weekly_target=data.get("weekly_target"), threshold=data.get("threshold"),
                allows_negative=data.get("allows_negative", False),
            )  # fmt: skip

    def perform_update(self, serializer: Any) -> None:
        metric = serializer.instance
        data = {**{f: getattr(metric, f) for f in ("kind", "name", "unit", "direction", "weekly_target", "threshold",
                                                   "allows_negative")},
                **serializer.validated_data}  # fmt: skip
        if data.get("goal", metric.goal) != metric.goal:
            raise serializers.ValidationError({"goal": [_("A supporting metric stays with its goal.")]})
        with service_errors():
            serializer.instance = services.supporting_metric_save(
                goal=metric.goal, actor=self.membership, kind=data["kind"], name=data["name"], unit=data["unit"],
                direction=data["direction"], weekly_target=data["weekly_target"], threshold=data["threshold"],
                allows_negative=data["allows_negative"], metric=metric,
            )  # fmt: skip

    def perform_destroy(self, instance: SupportingMetric) -> None:
        services.supporting_metric_delete(metric=instance, actor=self.membership)


class CommentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgGenericViewSet
):
    """Team input on goals: comments, optionally proposing other targets."""

    serializer_class = CommentSerializer
    filterset_class = GoalChildFilter
    write_roles = CONTRIBUTORS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[GoalComment]:
        return (
            GoalComment.objects.filter(goal__org=org)
            .select_related("author__user")
            .order_by("created_at", "id")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors(services.PROPOSAL_FIELDS):
            serializer.instance = services.comment_add(
                goal=data["goal"], author=self.membership, body=data["body"], base=data.get("proposed_base"),
                challenge=data.get("proposed_challenge"), stretch=data.get("proposed_stretch"),
            )  # fmt: skip


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "Competition in a key region (the article's sales example)",
                value={"goal": 9, "reason": "market", "comment": "Competition intensified in the East region.",
                       "base": "7200000", "challenge": "9000000", "stretch": "11000000",
                       "effective_from": "2026-11-16"},
                request_only=True,
            )
        ]
    )
)  # fmt: skip
class RevisionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgGenericViewSet
):
    """目标复审: requests to change an active goal's targets, approved or rejected by the owner of
    the goal it serves or an admin (never by the requester)."""

    serializer_class = RevisionSerializer
    filterset_class = GoalChildFilter
    write_roles = CONTRIBUTORS
    action_roles = {"approve": MANAGERS, "reject": MANAGERS}
    action_object_rules = {"approve": TEAM_RULE, "reject": TEAM_RULE}

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Revision]:
        return Revision.objects.filter(goal__org=org).select_related("version").order_by("-created_at", "-id")

    def require_change(self, obj: Revision) -> None:
        services.require_revision_decision(revision=obj, member=self.membership)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        goal = data.pop("goal")
        with service_errors():
            serializer.instance = services.revision_request(goal=goal, requester=self.membership, **data)

    def _decide(self, request: Request, approve: bool) -> Response:
        revision = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            revision = services.revision_decide(
                revision=revision,
                decider=self.membership,
                approve=approve,
                comment=serializer.validated_data["comment"],
            )
        return Response(RevisionSerializer(self.scoped_queryset(org=self.org).get(pk=revision.pk)).data)

    @extend_schema(request=DecisionSerializer, responses=RevisionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, org_slug: str, pk: str) -> Response:
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionSerializer, responses=RevisionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, org_slug: str, pk: str) -> Response:
        return self._decide(request, approve=False)
