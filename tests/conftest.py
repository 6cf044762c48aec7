from __future__ import annotations

import os
import uuid
from datetime import datetime

import pytest
from django.test import Client

from teams.models import Membership, Organization, Role
from tracking import dashboard_cache

from . import factories

ROLES = [r.value for r in Role]


@pytest.fixture(autouse=True)
def _own_dashboard_cache(monkeypatch):
    """Each test keeps its team dashboards under keys of its own: test databases reuse ids
    (between runs, and SQLite within one), and the shared cache (Redis, shared by the parallel
    workers; or files) keeps what an earlier test stored for "team 5". Clearing the whole cache
    instead would pull sessions from under the other workers' tests."""
    monkeypatch.setattr(dashboard_cache, "_PREFIX", f"test-dashboard:{uuid.uuid4().hex}")


@pytest.fixture
def org(db) -> Organization:
    return factories.organization(name="Acme", slug="acme")


@pytest.fixture
def other_org(db) -> Organization:
    return factories.organization(name="Other Co", slug="other-co")


@pytest.fixture
def members(org) -> dict[str, Membership]:
    """One membership per role in `org`."""
    return {role: factories.member(org, role, name=f"{role.title()} Person") for role in ROLES}


@pytest.fixture
def admin(members) -> Membership:
    return members[Role.ADMIN]


@pytest.fixture
def manager(members) -> Membership:
    return members[Role.MANAGER]


@pytest.fixture
def member(members) -> Membership:
    return members[Role.MEMBER]


@pytest.fixture
def outsider(other_org) -> Membership:
    """An admin of another organisation: must see nothing of `org`."""
    return factories.member(other_org, Role.ADMIN, name="Outsider")


def login(membership_or_user) -> Client:
    user = getattr(membership_or_user, "user", membership_or_user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    return login


def pytest_collection_modifyitems(config, items):
    # Browser tests run last: they are the slowest and need the rest green to mean anything.
    items.sort(key=lambda item: 1 if item.get_closest_marker("e2e") else 0)


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


# --- The suite at another date ------------------------------------------------------------------
# STRETCH_TEST_NOW=2028-02-29T12:00:00+08:00 runs the whole session as if it were that moment (the
# clock keeps ticking from there). CI runs the business tests at a few awkward dates this way, so a
# test or a rule that only holds on the day it was written is found (see .ci/run).
_travel = None


def pytest_configure(config):
    global _travel
    when = os.environ.get("STRETCH_TEST_NOW")
    if when:
        import time_machine

        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise pytest.UsageError("STRETCH_TEST_NOW needs a UTC offset, e.g. 2028-02-29T12:00:00+08:00")
        _travel = time_machine.travel(moment, tick=True)
        _travel.start()


def pytest_unconfigure(config):
    if _travel is not None:
        _travel.stop()


def pytest_report_header(config):
    when = os.environ.get("STRETCH_TEST_NOW")
    return f"STRETCH_TEST_NOW={when} (the clock starts there)" if when else None
