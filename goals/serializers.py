from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.api_base import OrgScopedRelatedField
from teams.models import Membership, Team

from .models import (
    SLICE_KINDS,
    Aggregation,
    Direction,
    Goal,
    GoalComment,
    PeriodKind,
    PeriodTarget,
    Revision,
    Scope,
    Status,
    SupportingMetric,
    TargetVersion,
)
from .progress import goal_attainment
from .selectors import TreeValues

# The goal of the API docs' create example (the article's operations goal).
ARTICLE_GOAL = {
    "title": "新增注册用户 20 万 / 200,000 new registered users",
    "description": "Operations team, this quarter: 200,000 new registered users, with weekly content pushes "
    "and channel partnerships as supporting metrics.",
    "scope": "team",
    "team": 1,
    "owner": 2,
    "parent": 5,
    "metric_name": "New registered users",
    "unit": "users",
    "direction": "up",
    "aggregation": "sum",
    "baseline": "150000",
    "period_kind": "quarter",
    "start_date": "2026-10-01",
    "end_date": "2026-12-31",
    "base": "160000",
    "challenge": "200000",
    "stretch": "240000",
}

# The decomposition example of the API docs: monthly targets that deliberately do not add up.
MONTHLY_OVERRIDE = {"kind": "month", "override_reason": "Launch campaign in October", "rows": [
    {"start_date": "2026-10-01", "end_date": "2026-10-31", "base": "60000", "challenge": "75000", "stretch": "90000"},
    {"start_date": "2026-11-01", "end_date": "2026-11-30", "base": "50000", "challenge": "62500", "stretch": "75000"},
    {"start_date": "2026-12-01", "end_date": "2026-12-31", "base": "50000", "challenge": "62500", "stretch": "75000"},
]}  # fmt: skip


def amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=4, **kwargs)


class TargetVersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = TargetVersion
        fields = ("number", "base", "challenge", "stretch", "effective_from", "overrides")
        read_only_fields = fields


@functools.cache
def _version_fields() -> dict[str, serializers.Field]:  # type: ignore[type-arg]
    return dict(TargetVersionSerializer().fields)


def version_dict(version: TargetVersion) -> dict[str, Any]:
    """What `TargetVersionSerializer(version).data` says, as a plain dictionary: the same fields
    turn the same values into the same JSON, without building a serializer for every goal of a list."""
    return {
        name: None if (value := getattr(version, name)) is None else field.to_representation(value)
        for name, field in _version_fields().items()
    }


class PeriodTargetSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = PeriodTarget
        fields = ("kind", "start_date", "end_date", "base", "challenge", "stretch")
        read_only_fields = fields


class RollupSerializer(serializers.Serializer):  # type: ignore[type-arg]
    percent = amount(allow_null=True, help_text="The sub-goals' weighted progress, in percent.")
    children = serializers.IntegerField(help_text="Sub-goals that count (cancelled ones do not).")
    reporting = serializers.IntegerField(help_text="Of which have a figure.")
    weight_reporting = amount(help_text="Sum of the weights of the sub-goals that report.")
    weight_total = amount(help_text="Sum of the weights of all the sub-goals that count.")


class AttainmentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A goal's progress: its own (indicators or final result), or rolled up from its sub-goals."""

    percent = amount(allow_null=True, help_text="Percent of the challenge target in force.")
    source = serializers.ChoiceField(
        choices=["measured", "result", "children", "none"],
        help_text="measured: the goal's own indicators; result: a closed goal's final result; children: "
        "the weighted mean of its sub-goals (weights normalised over those that report); none: no figure yet.",
    )
    status = serializers.CharField(
        allow_null=True, help_text="on_track, at_risk or off_track (null: unknown)."
    )
    status_label = serializers.CharField(allow_null=True)
    status_reason = serializers.CharField(allow_null=True, help_text="Why the goal has its status.")
    target = amount(
        allow_null=True, help_text="The challenge target in force that the figure is measured against."
    )
    target_version = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateField(allow_null=True, help_text="The day of the last recompute's figure.")
    tier_reached = serializers.CharField(
        allow_null=True,
        help_text="The highest tier the actual has reached: none (below base), base, challenge or stretch "
        "(null: no recompute yet).",
    )
    tier_projected = serializers.CharField(
        allow_null=True, help_text="The tier the forecast reaches by the end of the period (same values)."
    )
    recomputed_at = serializers.DateTimeField(allow_null=True, help_text="When the last recompute ran.")
    rollup = RollupSerializer(allow_null=True, help_text="Present when the goal has sub-goals.")


class GoalSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A goal with its current targets (the latest version) and its progress (``attainment``)."""

    owner_name = serializers.CharField(source="owner.user.get_full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None, allow_null=True)
    targets = serializers.SerializerMethodField()
    child_count = serializers.IntegerField(read_only=True, default=0)
    attainment = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = (
            "id", "title", "description", "rationale", "scope", "team", "team_name", "owner", "owner_name",
            "parent", "weight", "metric_name", "unit", "direction", "aggregation", "baseline", "allows_negative",
            "period_kind", "start_date", "end_date", "status", "result_value", "targets", "child_count", "attainment",
            "created_at",
            "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(TargetVersionSerializer(allow_null=True))
    def get_targets(self, goal: Goal) -> dict[str, Any] | None:
        versions = goal.versions.all()  # prefetched, oldest first
        return version_dict(max(versions, key=lambda v: v.number)) if versions else None

    @extend_schema_field(AttainmentSerializer(allow_null=True))
    def get_attainment(self, goal: Goal) -> dict[str, object] | None:
        """From the roll-up computed once for the whole page (the view puts it in the context)."""
        known = self.context.get("attainment")
        if known is None:
            known = goal_attainment(org=goal.org, goals=[goal])
        found = known.get(goal.pk)
        return None if found is None else found.as_dict()


class GoalRowSerializer(GoalSerializer):
    """A goal as the list and the detail show it (the schema only: rows are built from plain values,
    goals.api_rows): the fields chosen with `?fields=` (so none is required), `targets` and
    `period_targets` with `?expand=`."""

    period_targets = PeriodTargetSerializer(many=True, read_only=True)

    class Meta(GoalSerializer.Meta):
        fields = (*GoalSerializer.Meta.fields, "period_targets")
        read_only_fields = fields

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for field in fields.values():
            field.read_only, field.required = False, False  # present when chosen
        return fields


class GoalWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    scope = serializers.ChoiceField(choices=Scope.choices, default=Scope.TEAM)
    team = OrgScopedRelatedField(model=Team, required=False, allow_null=True, default=None)
    owner = OrgScopedRelatedField(model=Membership, filters={"is_active": True})
    parent = OrgScopedRelatedField(model=Goal, required=False, allow_null=True, default=None)
    weight = serializers.DecimalField(
        max_digits=6, decimal_places=3, min_value=Decimal("0.001"), default=Decimal("1")
    )
    metric_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.UP)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices, default=Aggregation.SUM)
    baseline = amount(required=False, allow_null=True, default=None)
    allows_negative = serializers.BooleanField(
        default=False,
        help_text="Whether values may be below zero (a change such as DAU growth %; never a count).",
    )
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    base = amount()
    challenge = amount()
    stretch = amount()

    @staticmethod
    def values_of(goal: Goal, version: TargetVersion) -> dict[str, Any]:
        """The goal as this serializer takes it: what a partial update (PATCH) starts from."""
        return {
            "title": goal.title, "description": goal.description, "rationale": goal.rationale, "scope": goal.scope,
            "team": goal.team_id, "owner": goal.owner_id, "parent": goal.parent_id, "weight": goal.weight,
            "metric_name": goal.metric_name, "unit": goal.unit, "direction": goal.direction,
            "aggregation": goal.aggregation, "baseline": goal.baseline, "period_kind": goal.period_kind,
            "start_date": goal.start_date, "end_date": goal.end_date, "base": version.base,
            "challenge": version.challenge, "stretch": version.stretch, "allows_negative": goal.allows_negative,
        }  # fmt: skip


class StatusSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=[s for s in Status.choices if s[0] != Status.DRAFT])
    result_value = amount(required=False, allow_null=True, default=None)


class TargetsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = TargetVersionSerializer()
    period_targets = PeriodTargetSerializer(many=True)


class DecompositionPreviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=SLICE_KINDS)
    method = serializers.ChoiceField(choices=["even", "working_days", "weights", "level", "ramp"])
    weights = serializers.ListField(
        child=amount(min_value=Decimal("0")), required=False, allow_null=True, default=None
    )


class SliceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    base = amount()
    challenge = amount()
    stretch = amount()


class DecompositionApplySerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=SLICE_KINDS)
    rows = SliceSerializer(many=True, allow_empty=False)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AllocationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = OrgScopedRelatedField(model=Membership, filters={"is_active": True})
    base = amount()
    challenge = amount()
    stretch = amount()


class SplitSerializer(serializers.Serializer):  # type: ignore[type-arg]
    allocations = AllocationSerializer(many=True, allow_empty=False)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class SuggestionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    base = amount()
    challenge = amount()
    stretch = amount()
    reasoning = serializers.CharField()


class SupportingMetricSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    goal = OrgScopedRelatedField(model=Goal)
    weekly_target = amount(required=False, allow_null=True)
    threshold = amount(required=False, allow_null=True)

    class Meta:
        model = SupportingMetric
        fields = (
            "id",
            "goal",
            "kind",
            "name",
            "unit",
            "direction",
            "weekly_target",
            "threshold",
            "allows_negative",
        )


class CommentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    goal = OrgScopedRelatedField(model=Goal)
    author_name = serializers.CharField(source="author.user.get_full_name", read_only=True)
    proposed_base = amount(required=False, allow_null=True)
    proposed_challenge = amount(required=False, allow_null=True)
    proposed_stretch = amount(required=False, allow_null=True)

    class Meta:
        model = GoalComment
        fields = (
            "id", "goal", "author", "author_name", "body", "proposed_base", "proposed_challenge", "proposed_stretch",
            "created_at",
        )  # fmt: skip
        read_only_fields = ("id", "author", "author_name", "created_at")


class RevisionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    goal = OrgScopedRelatedField(model=Goal)
    base = amount()
    challenge = amount()
    stretch = amount()
    version = serializers.IntegerField(source="version.number", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Revision
        fields = (
            "id", "goal", "reason", "comment", "base", "challenge", "stretch", "effective_from", "state",
            "requested_by", "decided_by", "decided_at", "decision_comment", "version", "created_at",
        )  # fmt: skip
        read_only_fields = ("id", "state", "requested_by", "decided_by", "decided_at", "decision_comment", "version",
                            "created_at")  # fmt: skip


class DecisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AuditEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.get_full_name", default=None)
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.IntegerField()
    changes = serializers.JSONField()


# The fields of a tree node, in order (`?fields=` chooses among them); `children` is always there.
TREE_NODE_FIELDS = ("id", "title", "scope", "status", "team", "owner", "parent", "weight", "start_date",
                    "end_date", "metric_name", "unit", "targets", "attainment", "hidden", "children")  # fmt: skip


def tree_nodes(
    rows: list[TreeValues], progress: dict[int, dict[str, Any]], fields: tuple[str, ...] = TREE_NODE_FIELDS
) -> list[dict[str, Any]]:
    """The cascade as nested nodes (the tree endpoint): each goal with its current targets, its
    progress, how many goals below it were cut off (`hidden`) and its children; only `fields` (and
    the children) when the caller chose. Built from plain rows (`goal_tree_values`): no model
    instance, no serializer per node."""
    chosen = (
        None if set(TREE_NODE_FIELDS) <= set(fields) else (*(f for f in TREE_NODE_FIELDS if f in fields),)
    )
    if chosen is not None and "children" not in chosen:
        chosen = (*chosen, "children")
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for row in rows:
        goal = row.goal
        pk, parent_id = goal["id"], goal["parent_id"]
        base, challenge, stretch, number = row.targets
        node = {
            "id": pk, "title": goal["title"], "scope": goal["scope"], "status": goal["status"],
            "team": goal["team_id"], "owner": goal["owner_id"], "parent": parent_id, "weight": str(goal["weight"]),
            "start_date": goal["start_date"].isoformat(), "end_date": goal["end_date"].isoformat(),
            "metric_name": goal["metric_name"], "unit": goal["unit"],
            "targets": {"base": str(base), "challenge": str(challenge), "stretch": str(stretch), "version": number},
            "attainment": progress.get(pk),
            "hidden": row.hidden, "children": [],
        }  # fmt: skip
        if chosen is not None:
            node = {name: node[name] for name in chosen}
        nodes[pk] = node
        parent = nodes.get(parent_id) if parent_id else None
        (parent["children"] if parent else roots).append(node)
    return roots
