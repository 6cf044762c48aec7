"""The covering index on metric values: a goal's daily series is read from the index alone, on
PostgreSQL (INCLUDE) and on SQLite (a trailing key column: Django ignores INCLUDE there)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_metric_values_index_covers_the_value_on_this_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'metric_entry_series'")
            definition = cursor.fetchone()[0]
            assert definition.endswith("(goal_id, supporting_metric_id, day) INCLUDE (value)"), definition
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'metric_entry_series'")
            definition = cursor.fetchone()[0]
            assert '("goal_id", "supporting_metric_id", "day", "value")' in definition
