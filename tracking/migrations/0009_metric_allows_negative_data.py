"""Existing metrics that may obviously go below zero keep accepting negative values once values are
checked: those already holding a negative value, target or baseline, and changes named as such
("DAU growth %", "net revenue", 同比/环比 …). Counts such as new users stay non-negative."""

from django.db import migrations
from django.db.models import Q

CHANGE_WORDS = (
    "growth", "change", "delta", "difference", "net ", "variance", "increase", "decrease",
    "增长", "增幅", "变化", "变动", "同比", "环比", "净", "差额", "涨幅", "降幅",
)  # fmt: skip


def names_a_change(*texts: str) -> bool:
    text = " ".join(t for t in texts if t).lower() + " "
    return any(word in text for word in CHANGE_WORDS)


def forwards(apps, schema_editor):
    Goal = apps.get_model("goals", "Goal")
    SupportingMetric = apps.get_model("goals", "SupportingMetric")
    MetricEntry = apps.get_model("tracking", "MetricEntry")
    negative_goals = set(
        MetricEntry.objects.filter(value__lt=0, supporting_metric__isnull=True).values_list("goal_id", flat=True)
    )
    negative_goals |= set(Goal.objects.filter(baseline__lt=0).values_list("pk", flat=True))
    negative_goals |= set(
        Goal.objects.filter(
            Q(versions__base__lt=0) | Q(versions__challenge__lt=0) | Q(versions__stretch__lt=0)
        ).values_list("pk", flat=True)
    )
    for goal in Goal.objects.only("pk", "metric_name", "title", "unit").iterator():
        named = names_a_change(goal.metric_name or goal.title, goal.unit)
        if goal.pk in negative_goals or named:
            Goal.objects.filter(pk=goal.pk).update(allows_negative=True)
    negative_metrics = set(
        MetricEntry.objects.filter(value__lt=0, supporting_metric__isnull=False).values_list(
            "supporting_metric_id", flat=True
        )
    )
    negative_metrics |= set(
        SupportingMetric.objects.filter(Q(weekly_target__lt=0) | Q(threshold__lt=0)).values_list("pk", flat=True)
    )
    for metric in SupportingMetric.objects.only("pk", "name", "unit").iterator():
        if metric.pk in negative_metrics or names_a_change(metric.name, metric.unit):
            SupportingMetric.objects.filter(pk=metric.pk).update(allows_negative=True)


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0002_metric_allows_negative"),
        ("tracking", "0008_delivery_retries_and_recency"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
