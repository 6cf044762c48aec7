from __future__ import annotations

import os

import pytest
from django.test import Client

from teams.models import Membership, Organization, Role

from . import factories

ROLES = [r.value for r in Role]


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
