"""What integrators do without the pages (issue 13, item 8): a CSV/XLSX values import and its
status, asking for a goal's recompute, and the alert rule settings. The same services and the same
permission checks as the pages that do these things."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from goals.models import Goal
from teams.access import ADMIN_ONLY, CONTRIBUTORS, TEAM_RULE
from teams.api_base import OrgAPIView, OrgGenericViewSet, service_errors
from teams.models import Organization
from tracking import selectors, services
from tracking.models import ImportJob, RuleKind


# --- Imports ----------------------------------------------------------------------------------
class ImportErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(
        help_text="The file's row number (the header is row 1; 0: the whole file)."
    )
    column = serializers.CharField(
        allow_blank=True, help_text="The file's column, or empty for the whole row."
    )
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    state = serializers.ChoiceField(choices=ImportJob.State.choices, read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="Rows checked so far, in %.")
    finished = serializers.BooleanField(
        read_only=True, help_text="Done or failed: the state will not change."
    )
    errors = ImportErrorSerializer(
        many=True, read_only=True, help_text="The first 500 problems, by row and column."
    )

    class Meta:
        model = ImportJob
        fields = ("id", "filename", "state", "finished", "total", "processed", "percent", "created", "updated",
                  "unchanged", "error_count", "errors", "created_at", "finished_at")  # fmt: skip
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="A .csv or .xlsx file with the columns goal, day, value (and optionally metric, person, "
        "external_id, note), as in the import page's template."
    )


class ImportJobViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, OrgGenericViewSet):
    """Values from a CSV or XLSX file, as on the import page: the file's shape is checked at once
    (wrong columns: 400 naming `file`), its rows in the background, all or nothing. Follow the job
    at `value-imports/{id}/` until `finished`. A `metrics:write` token may import."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser]
    read_roles = CONTRIBUTORS
    write_roles = CONTRIBUTORS
    metrics_write_actions = frozenset({"create"})

    def scoped_queryset(self, *, org: Organization) -> QuerySet[ImportJob]:
        return ImportJob.objects.filter(org=org).defer("content")

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer}, responses={202: ImportJobSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        with service_errors({"__all__": "file"}):
            job = services.import_start(
                org=self.org, actor=self.membership, filename=upload.name or "", content=upload.read()
            )
        return Response(
            ImportJobSerializer(self.get_queryset().get(pk=job.pk)).data, status=status.HTTP_202_ACCEPTED
        )


# --- Recompute --------------------------------------------------------------------------------
class RecomputeSerializer(serializers.Serializer[Any]):
    goal = serializers.IntegerField(help_text="The goal whose indicators are computed again.")
    queued = serializers.BooleanField(
        help_text="false when the same request was still waiting to be sent (nothing was added)."
    )


class GoalRecomputeView(OrgAPIView):
    """Ask for a goal's indicators (its whole history) and alerts to be computed again, by the same
    job that runs after a new value. Allowed to whoever enters the goal's values. Idempotent: the
    answer is 202 each time, and asking again never queues a second waiting job."""

    write_roles = CONTRIBUTORS
    object_rule = TEAM_RULE  # whoever enters the goal's values (tracking.selectors.can_enter_values)
    serializer_class = RecomputeSerializer

    def require_change(self, obj: Goal) -> None:
        selectors.can_enter_values(member=self.membership, goal=obj).require()

    @extend_schema(request=None, responses={202: RecomputeSerializer})
    def post(self, request: Request, org_slug: str, goal_id: int) -> Response:
        goal = selectors.goal_get(org=self.org, goal_id=goal_id)
        queued = services.goal_recompute_request(goal=goal, actor=self.membership)
        return Response(
            RecomputeSerializer({"goal": goal.pk, "queued": queued}).data, status=status.HTTP_202_ACCEPTED
        )


# --- Alert rules ------------------------------------------------------------------------------
class AlertRuleSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=RuleKind.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    enabled = serializers.BooleanField(required=False)
    threshold = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False,
        help_text="lagging_behind: % behind the expected pace (1–100); leading_below: completed weeks below "
        "target (1–12); standup_missed: working days without a stand-up (1–20); the other rules have none.",
    )  # fmt: skip
    escalate_after_days = serializers.IntegerField(min_value=1, max_value=60, required=False)


def _rule_row(kind: str, rule: selectors.RuleSetting) -> dict[str, Any]:
    return {"kind": kind, "label": str(RuleKind(kind).label), "enabled": rule.enabled,
            "threshold": rule.threshold, "escalate_after_days": rule.escalate_after_days}  # fmt: skip


class AlertRuleViewSet(OrgGenericViewSet):
    """The alert rules (admins), as on the channels page: for each rule whether it is on, its
    threshold and after how many days an open alert is escalated. Without a saved setting a rule
    shows its default. PATCH changes some fields; PUT sends them all."""

    serializer_class = AlertRuleSerializer
    read_roles = ADMIN_ONLY
    write_roles = ADMIN_ONLY
    lookup_field = "kind"
    lookup_value_regex = "[a-z_]+"
    pagination_class = None
    metadata_class = None  # OPTIONS: 405 (DRF's metadata would fetch a model row; rules are not rows)

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Any]:
        return Organization.objects.filter(pk=org.pk)  # the rows are built from rule_settings

    def _rule(self, kind: str) -> selectors.RuleSetting:
        rule = selectors.rule_settings(org=self.org).get(kind)
        if rule is None:
            raise Http404("No such rule.")
        return rule

    @extend_schema(responses=AlertRuleSerializer(many=True))
    def list(self, request: Request, org_slug: str) -> Response:
        rows = [_rule_row(kind, rule) for kind, rule in selectors.rule_settings(org=self.org).items()]
        return Response(AlertRuleSerializer(rows, many=True).data)

    def retrieve(self, request: Request, org_slug: str, kind: str) -> Response:
        return Response(AlertRuleSerializer(_rule_row(kind, self._rule(kind))).data)

    def _save(self, request: Request, kind: str, *, partial: bool) -> Response:
        current = self._rule(kind)
        serializer = AlertRuleSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        missing = [
            f for f in ("enabled", "threshold", "escalate_after_days") if not partial and f not in data
        ]
        if missing:
            raise serializers.ValidationError(
                {f: [serializers.Field.default_error_messages["required"]] for f in missing}
            )
        threshold: Decimal = data.get("threshold", current.threshold)
        with service_errors():
            services.rule_save(org=self.org, actor=self.membership, kind=kind, enabled=data.get("enabled", current.enabled),
                               threshold=threshold, escalate_after_days=data.get("escalate_after_days", current.escalate_after_days))  # fmt: skip
        return Response(AlertRuleSerializer(_rule_row(kind, self._rule(kind))).data)

    @extend_schema(request=AlertRuleSerializer, responses=AlertRuleSerializer)
    def update(self, request: Request, org_slug: str, kind: str) -> Response:
        return self._save(request, kind, partial=False)

    @extend_schema(request=AlertRuleSerializer, responses=AlertRuleSerializer)
    def partial_update(self, request: Request, org_slug: str, kind: str) -> Response:
        return self._save(request, kind, partial=True)
