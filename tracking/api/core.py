"""Tracking API under /api/v1/orgs/<org_slug>/: stand-ups, metric values (one, or thousands at
once and idempotently; both exported by tracking.api.exports), and indicator snapshots."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from goals.models import Goal, SupportingMetric
from teams.access import ADMIN_ONLY, CONTRIBUTORS, MANAGERS, OPEN_RULE, TEAM_RULE
from teams.api_base import OrgGenericViewSet, org_choices, service_errors
from teams.models import Membership, Organization, Team
from tracking import selectors, services
from tracking.api.exports import EntryExport, StandupExport
from tracking.models import (
    Alert,
    AlertState,
    CorrectiveAction,
    Delivery,
    IndicatorKind,
    IndicatorSnapshot,
    IndicatorStatus,
    MetricEntry,
    NotificationChannel,
    Review,
    RuleKind,
    Source,
    Standup,
)
from tracking.serializers import (
    AcknowledgeSerializer,
    ActionUpdateSerializer,
    AlertSerializer,
    BulkEntriesSerializer,
    BulkResultSerializer,
    ChannelSerializer,
    CorrectiveActionSerializer,
    DeliverySerializer,
    IndicatorSnapshotSerializer,
    MetricEntrySerializer,
    ResolveSerializer,
    ReviewSerializer,
    StandupSerializer,
)

_goals = org_choices(Goal)
_members = org_choices(Membership)
_teams = org_choices(Team)
_metrics = org_choices(SupportingMetric, "goal__org")


class StandupFilter(django_filters.FilterSet):
    member = django_filters.ModelChoiceFilter(queryset=_members)
    team = django_filters.ModelChoiceFilter(queryset=_teams, field_name="member__teams")
    since = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = Standup
        fields = ("member", "team", "since", "until")


def _entry_input(data: dict[str, Any]) -> services.EntryInput:
    return services.EntryInput(
        goal_id=data.get("goal", data.get("goal_id")), value=data.get("value"), day=data.get("day"),
        supporting_metric_id=data.get("supporting_metric", data.get("supporting_metric_id")),
        member_id=data.get("member", data.get("member_id")), external_id=str(data.get("external_id") or ""),
        note=str(data.get("note") or ""),
    )  # fmt: skip


class StandupViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, StandupExport, OrgGenericViewSet
):  # fmt: skip
    """每日站会. Everyone in the organisation reads; a contributor logs their own stand-up (posting
    again for the same day updates it, and replaces the values it carried)."""

    serializer_class = StandupSerializer
    filterset_class = StandupFilter
    write_roles = CONTRIBUTORS
    action_roles = {"resolve_blocker": CONTRIBUTORS}
    action_object_rules = {"resolve_blocker": OPEN_RULE}  # any teammate helps anyone

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Standup]:
        return selectors.standup_list(org=org).prefetch_related("entries")

    @extend_schema(request=None, responses=StandupSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-blocker")
    def resolve_blocker(self, request: Request, org_slug: str, pk: str) -> Response:
        """ "I resolved this": a teammate (not the author) marks the stand-up's blockers as cleared."""
        standup = self.get_object()
        with service_errors({"__all__": "non_field_errors"}):
            services.standup_blocker_resolve(standup=standup, actor=self.membership)
        return Response(self.get_serializer(self.get_queryset().get(pk=standup.pk)).data)

    @extend_schema(
        examples=[
            OpenApiExample(
                "张三's stand-up",
                value={
                    "day": "2026-11-24", "yesterday": "Second referral campaign went live",
                    "today": "Brief the designer on campaign 3", "blockers": "", "mood": 4,
                    "values": [{"goal": 7, "value": "1850"}],
                },
                request_only=True,
            )
        ]
    )  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        values = tuple(
            services.EntryInput(
                goal_id=v["goal"], value=v["value"], supporting_metric_id=v.get("supporting_metric")
            )
            for v in data.get("values", [])
        )
        with service_errors():
            standup = services.standup_submit(
                member=self.membership, actor=self.membership,
                data=services.StandupInput(
                    day=data["day"], yesterday=data.get("yesterday", ""), today=data.get("today", ""),
                    blockers=data.get("blockers", ""), mood=data.get("mood"), values=values,
                ),
            )  # fmt: skip
        # The service's stand-up carries its person and values: answered without reading it again.
        return Response(self.get_serializer(standup).data, status=status.HTTP_201_CREATED)


class EntryFilter(django_filters.FilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=_goals)
    supporting_metric = django_filters.ModelChoiceFilter(queryset=_metrics)
    member = django_filters.ModelChoiceFilter(queryset=_members)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    since = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="day", lookup_expr="lte")
    external_id = django_filters.CharFilter()

    class Meta:
        model = MetricEntry
        fields = ("goal", "supporting_metric", "member", "source", "since", "until", "external_id")


class MetricEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    EntryExport, OrgGenericViewSet,
):  # fmt: skip
    """Metric values by day (and person). Other systems (CRM, BI) push with a token: one value
    per POST, or up to the bulk limit at `bulk/`. A value with an `external_id` that is already
    stored updates it, so sending the same push twice stores each value once."""

    serializer_class = MetricEntrySerializer
    filterset_class = EntryFilter
    write_roles = CONTRIBUTORS
    object_rule = TEAM_RULE
    metrics_write_actions = frozenset({"create", "bulk"})  # what a `metrics:write` token may do

    def scoped_queryset(self, *, org: Organization) -> QuerySet[MetricEntry]:
        return selectors.entry_list(org=org)

    def require_change(self, obj: MetricEntry) -> None:
        services.require_entry_delete(entry=obj, actor=self.membership)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors({"goal_id": "goal", "supporting_metric_id": "supporting_metric"}):
            entry = services.entry_create(org=self.org, actor=self.membership,
                                          data=_entry_input(serializer.validated_data), source=Source.API)  # fmt: skip
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: MetricEntry) -> None:
        with service_errors():
            services.entry_delete(entry=instance, actor=self.membership)

    @extend_schema(
        request=BulkEntriesSerializer,
        responses=BulkResultSerializer,
        examples=[
            OpenApiExample(
                "A CRM pushing the day's sign-ups",
                value={"entries": [
                    {"goal": 7, "day": "2026-11-23", "value": "4800", "member": 3, "external_id": "crm-signup-9911"},
                    {"goal": 7, "day": "2026-11-23", "value": "1550", "member": 6, "external_id": "crm-signup-9912"},
                ]},
                request_only=True,
            )
        ],
    )  # fmt: skip
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request, org_slug: str) -> Response:
        """Store up to the bulk limit (5,000 by default) of values at once, all or nothing: when a row
        is bad the answer names every bad row and field (`entries.<index>.<field>`) and stores nothing."""
        serializer = BulkEntriesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [_entry_input(row) for row in serializer.validated_data["entries"]]
        with service_errors():
            try:
                result = services.entries_save(
                    org=self.org, actor=self.membership, rows=rows, source=Source.API
                )
            except DjangoValidationError as error:
                row_errors = getattr(error, "rows", None)
                if row_errors is None:
                    raise  # a whole-request error (empty, over the limit): service_errors words it
                raise exceptions.ValidationError(
                    {
                        "entries": {
                            n - 1: {f: [m] for f, m in fields.items()} for n, fields in row_errors.items()
                        }
                    }
                ) from error
        body = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                "goals": result.goal_ids}  # fmt: skip
        return Response(BulkResultSerializer(body).data, status=status.HTTP_200_OK)


class SnapshotFilter(django_filters.FilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=_goals)
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices)
    status = django_filters.ChoiceFilter(choices=IndicatorStatus.choices)
    since = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = IndicatorSnapshot
        fields = ("goal", "kind", "status", "since", "until")


class IndicatorViewSet(mixins.ListModelMixin, OrgGenericViewSet):
    """Indicator snapshots: where each goal (lagging) and supporting metric (leading, risk) stood on
    each day — actual, expected, attainment, pace, gap, forecast, tiers and status. Filter by goal
    and dates for a history; `latest/` gives the newest snapshot of each."""

    serializer_class = IndicatorSnapshotSerializer
    filterset_class = SnapshotFilter

    def scoped_queryset(self, *, org: Organization) -> QuerySet[IndicatorSnapshot]:
        return selectors.snapshot_list(org=org)

    @extend_schema(responses=IndicatorSnapshotSerializer(many=True))
    @action(detail=False, methods=["get"])
    def latest(self, request: Request, org_slug: str) -> Response:
        """The newest snapshot of each goal and supporting metric (filters apply to those rows)."""
        rows = (
            self.filter_queryset(self.get_queryset())
            .filter(day=selectors.newest_snapshot_day())
            .order_by("goal_id", "metric_key")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AlertFilter(django_filters.FilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=_goals)
    team = django_filters.ModelChoiceFilter(queryset=_teams)
    state = django_filters.ChoiceFilter(choices=AlertState.choices)
    kind = django_filters.ChoiceFilter(choices=RuleKind.choices)

    class Meta:
        model = Alert
        fields = ("goal", "team", "state", "kind")


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgGenericViewSet):
    """预警: deviations with what, how much and since when. The goal's owner or a manager
    acknowledges one with a cause and a corrective action, or resolves it."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    action_roles = {"acknowledge": CONTRIBUTORS, "resolve": CONTRIBUTORS}
    object_rule = TEAM_RULE

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Alert]:
        return selectors.alert_list(org=org)

    def require_change(self, obj: Alert) -> None:
        services.require_alert_action(alert=obj, actor=self.membership)

    @extend_schema(request=AcknowledgeSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, org_slug: str, pk: str) -> Response:
        alert = self.get_object()
        serializer = AcknowledgeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = data["owner"]
        with service_errors({"__all__": "non_field_errors"}):
            created = services.alert_acknowledge(
                alert=alert, actor=self.membership, cause=data["cause"], cause_note=data["cause_note"],
                action=services.ActionInput(description=data["action"], owner=owner, due_date=data["due_date"]),
            )  # fmt: skip
        return Response(CorrectiveActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResolveSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, org_slug: str, pk: str) -> Response:
        alert = self.get_object()
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            data = serializer.validated_data
            alert = services.alert_resolve(alert=alert, actor=self.membership, reason=data["reason"],
                                           note=data["note"], action_id=data.get("action"))  # fmt: skip
        return Response(AlertSerializer(alert).data)


class CorrectiveActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgGenericViewSet):
    """纠偏措施, tracked until done (and whether they worked, for the monthly review)."""

    serializer_class = CorrectiveActionSerializer
    action_roles = {"progress": CONTRIBUTORS}
    object_rule = TEAM_RULE

    def scoped_queryset(self, *, org: Organization) -> QuerySet[CorrectiveAction]:
        return selectors.action_list(org=org)

    def require_change(self, obj: CorrectiveAction) -> None:
        services.require_action_update(action=obj, actor=self.membership)

    @extend_schema(request=ActionUpdateSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, org_slug: str, pk: str) -> Response:
        item = self.get_object()
        serializer = ActionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            item = services.action_update(action=item, actor=self.membership, **serializer.validated_data)
        return Response(CorrectiveActionSerializer(item).data)


class ChannelViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, OrgGenericViewSet,
):  # fmt: skip
    """Outgoing webhooks for alerts (admins): Feishu, DingTalk, WeCom, Slack or plain JSON. PATCH
    changes some fields (`enabled: false` switches a channel off: it receives nothing); `test`
    queues a test message; the deliveries are under notification-deliveries."""

    serializer_class = ChannelSerializer
    read_roles = ADMIN_ONLY

    def scoped_queryset(self, *, org: Organization) -> QuerySet[NotificationChannel]:
        return selectors.channel_queryset(org=org)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.channel_save(
                org=self.org, actor=self.membership, name=data["name"], kind=data["kind"], url=data["url"],
                secret=data.get("secret", ""), team_id=data["team"].pk if data.get("team") else None,
                enabled=data.get("enabled", True),
            )  # fmt: skip

    def perform_update(self, serializer: Any) -> None:
        data, channel = serializer.validated_data, serializer.instance
        team = data.get("team", channel.team)  # a team of None (every team) is a change too
        with service_errors():
            services.channel_save(
                org=self.org, actor=self.membership, channel=channel, name=data.get("name", channel.name),
                kind=data.get("kind", channel.kind), url=data.get("url"), secret=data.get("secret"),
                team_id=team.pk if team else None, enabled=data.get("enabled", channel.enabled),
            )  # fmt: skip
        serializer.instance = selectors.channel_get(org=self.org, channel_id=channel.pk)

    def perform_destroy(self, instance: NotificationChannel) -> None:
        with service_errors():
            services.channel_delete(channel=instance, actor=self.membership)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, org_slug: str, pk: str) -> Response:
        """Queue a test message to the channel (sent once, by the same job as alerts). Follow its
        result at notification-deliveries/{id}/. A switched-off channel is a 400."""
        with service_errors():
            delivery = services.channel_test(channel=self.get_object(), actor=self.membership)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryFilter(django_filters.FilterSet):
    channel = django_filters.ModelChoiceFilter(queryset=org_choices(NotificationChannel))
    state = django_filters.ChoiceFilter(choices=Delivery.State.choices)

    class Meta:
        model = Delivery
        fields = ("channel", "state")


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgGenericViewSet):
    """What was posted to the webhooks (admins), newest activity first: alerts, messages and test
    messages, with their state and last error. `retry` sends a failed one again, once."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    read_roles = ADMIN_ONLY

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Delivery]:
        return selectors.delivery_queryset(org=org)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, org_slug: str, pk: str) -> Response:
        """Send a failed delivery again, once, now. Anything but a failed delivery is a 400."""
        with service_errors():
            delivery = services.delivery_retry(delivery=self.get_object(), actor=self.membership)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class ReviewFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(queryset=_teams)
    kind = django_filters.ChoiceFilter(choices=Review.Kind.choices)
    since = django_filters.DateFilter(field_name="start", lookup_expr="gte")

    class Meta:
        model = Review
        fields = ("team", "kind", "since")


class ReviewViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgGenericViewSet
):
    """Weekly and monthly reviews: the decisions (or lessons) recorded by managers. Posting the same
    team, kind and start again updates them. The prepared figures are on the review pages."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    write_roles = MANAGERS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Review]:
        return Review.objects.filter(org=org).order_by("-start", "team_id")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.review_save(
                org=self.org, team=data["team"], actor=self.membership, kind=data["kind"], start=data["start"],
                decisions=data.get("decisions", ""),
            )  # fmt: skip
