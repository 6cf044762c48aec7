"""Counting SQL queries, for the pins that say a page, a list or a read does not grow with its rows.
One place: when a count moves, the failure shows the number and every query's SQL, numbered.

    assert_queries(12, client, url)          # a page or an API list (its second GET)
    with pinned_queries(5, "plan analysis"):  # any code
        selectors.plan_analysis(...)
    with capped_queries(500):                 # a budget, where the exact count is not the point
        seed_scale(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def listing(captured: list[dict[str, Any]]) -> str:
    """The queries, numbered from 1, one a line."""
    return "\n".join(f"{n}. {query['sql']}" for n, query in enumerate(captured, start=1))


def mismatch(expected: int, captured: list[dict[str, Any]], label: str = "", bound: str = "") -> str:
    where = f"{label}: " if label else ""
    return f"{where}{len(captured)} queries where {bound}{expected} are pinned:\n{listing(captured)}"


@contextmanager
def pinned_queries(expected: int, label: str = "") -> Iterator[CaptureQueriesContext]:
    """The code inside runs exactly `expected` queries; otherwise it fails with their SQL."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    assert len(ctx.captured_queries) == expected, mismatch(expected, ctx.captured_queries, label)


@contextmanager
def capped_queries(limit: int, label: str = "") -> Iterator[CaptureQueriesContext]:
    """The code inside runs at most `limit` queries; otherwise it fails with their SQL."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    assert len(ctx.captured_queries) <= limit, mismatch(limit, ctx.captured_queries, label, "at most ")


def captured_get(client: Client, url: str) -> list[dict[str, Any]]:
    """The queries of a second GET of `url` (the first warms caches and sessions); the page must
    answer 200."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return ctx.captured_queries


def queries_for(client: Client, url: str) -> int:
    """How many queries a second GET of `url` runs."""
    return len(captured_get(client, url))


def assert_queries(expected: int, client: Client, url: str) -> None:
    """A second GET of `url` answers 200 with exactly `expected` queries; otherwise the failure
    lists their SQL."""
    captured = captured_get(client, url)
    assert len(captured) == expected, mismatch(expected, captured, url)
