"""The roll-up is served from the shared cache and is never stale: after every kind of write that
can change a goal's attainment, the next read of the API and of the tree page shows the new figure;
organisations never share entries; labels and reasons come in the reader's language; a warm read
costs fewer queries than a cold one, the same for small and large data (the pins of both in
tests/goals/test_rollup.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from goals import progress_rows
from goals import services as goal_services
from goals.models import Status, TargetVersion
from goals.progress import _compute_attainment, goal_attainment
from goals.progress_cache import progress_changed
from goals.progress_rows import attainment_dicts
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.goals.test_rollup import cascade_world  # noqa: F401 - the fixture
from tracking import services


def _api(manager) -> APIClient:
    client = APIClient()
    client.force_authenticate(manager.user)
    return client


def _reads(org, manager, strategy) -> tuple[dict, str]:
    """The strategy goal's attainment as the API gives it, and the tree page."""
    detail = _api(manager).get(f"/api/v1/orgs/{org.slug}/goals/{strategy.pk}/").json()["attainment"]
    page = login(manager).get(reverse("goals_index", args=[org.slug])).content.decode()
    return detail, page


def _fresh(org, strategy) -> dict:
    """What the roll-up is, computed from the database without the cache (times as the API writes
    them, in the organisation's time zone)."""
    with timezone.override(org.timezone):
        return _compute_attainment(org=org, wanted=[strategy.pk])[strategy.pk].as_dict()


def _assert_shows(org, manager, strategy, percent: str, children: int) -> None:
    detail, page = _reads(org, manager, strategy)
    assert detail["percent"] == percent and detail["rollup"]["children"] == children
    assert detail == _fresh(org, strategy)
    assert f'value="{percent}"' in page
    rows = {g["id"]: g for g in _api(manager).get(f"/api/v1/orgs/{org.slug}/goals/").json()["results"]}
    assert rows[strategy.pk]["attainment"] == detail
    tree = _api(manager).get(f"/api/v1/orgs/{org.slug}/goals/tree/").json()
    assert next(n for n in tree if n["id"] == strategy.pk)["attainment"] == detail


@pytest.fixture(autouse=True, params=["per goal", "whole organisation"])
def read_mode(request, monkeypatch):
    """Every test twice: small reads take one cache entry per goal, large ones (the tree, the
    export, cursor pages of thousands) the organisation's one entry (goals.progress_rows.WHOLE_READ)."""
    if request.param == "whole organisation":
        monkeypatch.setattr(progress_rows, "WHOLE_READ", 0)
    return request.param


@pytest.fixture
def warm(org, manager, cascade_world):  # noqa: F811
    """The world's roll-up read once (cached) before the write under test."""
    _assert_shows(org, manager, cascade_world["strategy"], "57.1", 3)
    return cascade_world


def test_a_weight_change_shows_on_the_next_read(org, manager, warm):
    deals = warm["children"][1]
    deals.weight = D("0.25")
    deals.save()
    _assert_shows(org, manager, warm["strategy"], "62.5", 3)  # (0.25 × 50 + 0.25 × 75) / 0.5


def test_a_status_change_shows_on_the_next_read(org, manager, warm):
    goal_services.goal_set_status(goal=warm["children"][1], actor=manager, status=Status.CANCELLED)
    _assert_shows(org, manager, warm["strategy"], "50.0", 2)


def test_a_sub_goal_moved_to_another_parent_shows_on_the_next_read(org, manager, warm):
    deals = warm["children"][1]
    deals.parent = None
    deals.save()
    _assert_shows(org, manager, warm["strategy"], "50.0", 2)


def test_a_deleted_sub_goal_shows_on_the_next_read(org, manager, warm):
    warm["children"][1].delete()
    _assert_shows(org, manager, warm["strategy"], "50.0", 2)


def test_a_new_target_version_shows_on_the_next_read(org, manager, warm):
    users = warm["children"][0]
    TargetVersion.objects.create(goal=users, number=2, base=D(400), challenge=D(500), stretch=D(1000),
                                 effective_from=users.start_date)  # fmt: skip
    _assert_shows(org, manager, warm["strategy"], "92.9", 3)  # (0.25 × 100 + 0.1 × 75) / 0.35


def test_a_value_written_and_recomputed_shows_on_the_next_read(org, manager, warm):
    partners = warm["children"][2]
    services.entry_create(org=org, actor=manager, data=services.EntryInput(
        goal_id=partners.pk, value="5", day=(org_today(org) - timedelta(days=1)).isoformat()))  # fmt: skip
    services.indicators_recompute(org=org, goal_ids=[partners.pk])
    _assert_shows(org, manager, warm["strategy"], "52.9", 3)  # (12.5 + 7.5 + 0.5 × 50) / 0.85


def test_a_goal_title_change_rewords_the_reason_on_the_next_read(org, manager, warm):
    strategy = warm["strategy"]
    before = goal_attainment(org=org, goals=[strategy])[strategy.pk]
    for child in warm["children"]:
        child.title = f"Renamed {child.title}"
        child.save()
    after = goal_attainment(org=org, goals=[strategy])[strategy.pk]
    assert str(after.reason) == str(_compute_attainment(org=org, wanted=[strategy.pk])[strategy.pk].reason)
    if before.status:  # the reason names the sub-goal it comes from
        assert "Renamed" in str(after.reason) and "Renamed" not in str(before.reason)


def test_two_organisations_never_share_entries(org, manager, warm, other_org):
    strategy = warm["strategy"]
    assert goal_attainment(org=org, goals=[strategy])  # cached for org
    assert goal_attainment(org=other_org, goal_ids=[strategy.pk]) == {}  # not another org's entry
    twin = factories.goal(other_org, factories.member(other_org, "manager"), title="Their strategy",
                          start_date=strategy.start_date, end_date=strategy.end_date, status=Status.ACTIVE)  # fmt: skip
    assert goal_attainment(org=other_org, goals=[twin])[twin.pk].percent is None
    assert goal_attainment(org=org, goals=[strategy])[strategy.pk].percent == D("57.1")


def test_labels_and_reasons_are_worded_in_the_readers_language(org, manager, warm):
    strategy, first = warm["strategy"], warm["children"][0]
    with translation.override("en"):
        english = {pk: (str(a.status_label), str(a.reason), str(a.own.status_label) if a.own else "")
                   for pk, a in goal_attainment(org=org, goal_ids=[strategy.pk, first.pk]).items()}  # fmt: skip
    with translation.override("zh-hans"):
        cached = goal_attainment(org=org, goal_ids=[strategy.pk, first.pk])
        fresh = _compute_attainment(org=org, wanted=[strategy.pk, first.pk])
        chinese = {pk: (str(a.status_label), str(a.reason), str(a.own.status_label) if a.own else "")
                   for pk, a in cached.items()}  # fmt: skip
        assert chinese == {pk: (str(a.status_label), str(a.reason), str(a.own.status_label) if a.own else "")
                           for pk, a in fresh.items()}  # fmt: skip
    labelled = first.pk
    assert english[labelled][2] and chinese[labelled][2] != english[labelled][2]


def test_an_evicted_version_only_misses(org, manager, warm):
    cache.clear()
    _assert_shows(org, manager, warm["strategy"], "57.1", 3)
    progress_changed(org_id=None)  # a write that cannot name its organisation
    _assert_shows(org, manager, warm["strategy"], "57.1", 3)


def test_the_whole_organisations_entry_is_worded_in_the_readers_language(org, manager, warm, read_mode):
    """The API's rows of a large read come worded in the reader's language, as computed now."""
    ids = [warm["strategy"].pk, warm["children"][0].pk]
    for language in ("en", "zh-hans"):
        with translation.override(language), timezone.override(org.timezone):
            fresh = {pk: a.as_dict() for pk, a in _compute_attainment(org=org, wanted=ids).items()}
            assert attainment_dicts(org=org, goal_ids=ids) == fresh  # stored
            assert attainment_dicts(org=org, goal_ids=ids) == fresh  # read back
    with translation.override("zh-hans"):
        chinese = attainment_dicts(org=org, goal_ids=ids)[ids[1]]["status_label"]
    with translation.override("en"):
        assert attainment_dicts(org=org, goal_ids=ids)[ids[1]]["status_label"] != chinese
