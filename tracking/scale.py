"""1,000,000 metric values and 100,000 stand-ups for the scale organisation (`manage.py
seed_scale`), written with COPY on PostgreSQL (bulk inserts elsewhere), then today's indicators.

ENTRIES and STANDUPS can be lowered (tests do) through the environment variables
STRETCH_SCALE_ENTRIES and STRETCH_SCALE_STANDUPS."""

from __future__ import annotations

import csv
import io
import os
import random
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from goals.models import Goal, Scope, Status
from goals.progress_cache import progress_changed
from teams.models import Membership, Organization
from teams.selectors import org_today

from . import services
from .models import Alert, CorrectiveAction, IndicatorSnapshot, MetricEntry, Review, Standup


def entries_wanted() -> int:
    return int(os.environ.get("STRETCH_SCALE_ENTRIES", "1000000"))


def standups_wanted() -> int:
    return int(os.environ.get("STRETCH_SCALE_STANDUPS", "100000"))


CHUNK = 100_000


def _copy(
    model: type[Any], columns: list[str], rows: Iterable[list[Any]], *, text: tuple[str, ...] = ()
) -> int:
    """COPY rows into the model's table on PostgreSQL (CSV: an empty field is NULL, except in the
    `text` columns, where it is an empty string); bulk insert elsewhere."""
    table = model._meta.db_table
    total = 0
    batch: list[list[Any]] = []

    def flush() -> None:
        nonlocal total
        if not batch:
            return
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(batch)
            buffer.seek(0)
            cols = ", ".join(f'"{c}"' for c in columns)
            options = "FORMAT csv" + (
                ", FORCE_NOT_NULL (" + ", ".join(f'"{c}"' for c in text) + ")" if text else ""
            )
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f'COPY "{table}" ({cols}) FROM STDIN WITH ({options})', buffer)
        else:
            model.objects.bulk_create(
                [model(**dict(zip(columns, row, strict=True))) for row in batch], batch_size=2000
            )
        total += len(batch)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            flush()
    flush()
    return total


def seed_tracking_scale(org: Organization, rng: random.Random) -> None:
    progress_changed(org_id=org.pk)  # bulk writes send no signal
    if Standup.objects.filter(org=org).exists():
        return
    today = org_today(org)
    now = timezone.now().isoformat()
    goals = list(
        Goal.objects.filter(org=org, status=Status.ACTIVE, start_date__lte=today)
        .exclude(scope=Scope.STRATEGY)
        .values_list("pk", "start_date", "end_date", "owner_id")
        .order_by("pk")
    )
    members = list(
        Membership.objects.filter(org=org, role__in=("member", "manager")).values_list("pk", flat=True)
    )
    if not goals or not members:
        return

    def entry_rows() -> Iterator[list[Any]]:
        wanted = entries_wanted()
        for n in range(wanted):
            goal_id, start, end, _owner = goals[n % len(goals)]
            span = max((min(end, today) - start).days + 1, 1)
            day = start + timedelta(days=rng.randrange(span))
            yield [org.pk, goal_id, None, day.isoformat(), float(rng.randrange(1, 200)), members[n % len(members)],
                   "api", None, None, "", None, now, now]  # fmt: skip

    _copy(MetricEntry, ["org_id", "goal_id", "supporting_metric_id", "day", "value", "member_id", "source",
                        "external_id", "standup_id", "note", "created_by_id", "created_at", "updated_at"], entry_rows(),
          text=("note",))  # fmt: skip

    def standup_rows() -> Iterator[list[Any]]:
        wanted = standups_wanted()
        days_needed = -(-wanted // len(members))
        days: list[date] = []
        cursor = today - timedelta(days=1)
        while len(days) < days_needed:
            if cursor.weekday() < 5:
                days.append(cursor)
            cursor -= timedelta(days=1)
        count = 0
        for day in days:
            for member_id in members:
                if count >= wanted:
                    return
                count += 1
                blockers = "Waiting for a partner" if rng.random() < 0.1 else ""
                yield [org.pk, member_id, day.isoformat(), "Yesterday's work", "Today's plan", blockers,
                       rng.choice([3, 4, 4, 5]), now, now]  # fmt: skip

    _copy(Standup, ["org_id", "member_id", "day", "yesterday", "today", "blockers", "mood", "created_at",
                    "updated_at"], standup_rows(), text=("blockers",))  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{MetricEntry._meta.db_table}"')  # fresh statistics for the planner
    services.indicators_recompute(org=org, day=today)


def reset_tracking_scale(org: Organization) -> None:
    progress_changed(org_id=org.pk)
    CorrectiveAction.objects.filter(org=org).delete()
    Alert.objects.filter(org=org).delete()
    Review.objects.filter(org=org).delete()
    IndicatorSnapshot.objects.filter(org=org).delete()
    MetricEntry.objects.filter(org=org).delete()
    Standup.objects.filter(org=org).delete()
