"""“I resolved this”: a teammate records that they cleared a colleague's stand-up blocker (the
evidence behind "most blockers resolved for others" in recognition)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.teams.test_api import assert_error
from tracking import services
from tracking.models import Standup


@pytest.fixture
def team(org):
    return factories.team(org, "Operations")


@pytest.fixture
def author(org, team):
    return factories.member(org, Role.MEMBER, name="Li Si", teams=[team])


@pytest.fixture
def helper(org, team):
    return factories.member(org, Role.MEMBER, name="Zhang San", teams=[team])


def standup(person, blockers="Waiting for legal review"):
    return services.standup_submit(member=person, actor=person, data=services.StandupInput(
        day=org_today(person.org), today="Contracts", blockers=blockers))  # fmt: skip


def test_a_teammate_resolves_a_blocker_once(org, author, helper, manager):
    item = standup(author)
    resolved = services.standup_blocker_resolve(standup=item, actor=helper)
    assert resolved.blocker_resolved_by == helper and resolved.blocker_resolved_at is not None
    with pytest.raises(ValidationError) as caught:
        services.standup_blocker_resolve(standup=item, actor=manager)
    assert "already been resolved" in str(caught.value)
    assert Standup.objects.get().blocker_resolved_by == helper


@pytest.mark.parametrize("case", ["own", "no blockers", "viewer", "other org"])
def test_bad_resolutions_change_nothing(org, author, helper, other_org, case):
    item = standup(author, blockers="" if case == "no blockers" else "Legal review")
    actor = {"own": author, "no blockers": helper, "viewer": factories.member(org, Role.VIEWER),
             "other org": factories.member(other_org, Role.MEMBER)}[case]  # fmt: skip
    with pytest.raises(ValidationError):
        services.standup_blocker_resolve(standup=item, actor=actor)
    assert Standup.objects.get().blocker_resolved_by is None


def test_the_board_has_an_i_resolved_this_button(org, team, author, helper, manager):
    item = standup(author)
    board = reverse("team_board", args=[org.slug, team.pk])
    assert 'data-testid="resolve-blocker"' in login(helper).get(board).content.decode()
    assert (
        'data-testid="resolve-blocker"' not in login(author).get(board).content.decode()
    )  # not on one's own
    response = login(helper).post(
        reverse("standup_blocker_resolve", args=[org.slug, item.pk]), {"team": team.pk}
    )
    assert response.status_code == 302 and response["Location"].startswith(board)
    page = login(manager).get(board).content.decode()
    assert "Resolved by Zhang San" in page and 'data-testid="resolve-blocker"' not in page
    again = login(manager).post(reverse("standup_blocker_resolve", args=[org.slug, item.pk]), {"team": team.pk},
                                follow=True)  # fmt: skip
    assert "already been resolved" in again.content.decode()


def test_the_page_refuses_viewers_and_other_organisations(org, author, members, outsider):
    item = standup(author)
    url = reverse("standup_blocker_resolve", args=[org.slug, item.pk])
    assert login(members[Role.VIEWER]).post(url).status_code == 403
    assert login(outsider).post(url).status_code == 404
    foreign = standup(factories.member(outsider.org, Role.MEMBER))
    assert (
        login(members[Role.ADMIN])
        .post(reverse("standup_blocker_resolve", args=[org.slug, foreign.pk]))
        .status_code
        == 404
    )
    assert not Standup.objects.filter(blocker_resolved_by__isnull=False).exists()


def test_the_api_action(org, author, helper, members, outsider):
    item = standup(author)
    url = f"/api/v1/orgs/{org.slug}/standups/{item.pk}/resolve-blocker/"

    def api(membership):
        client = APIClient()
        client.force_authenticate(membership.user)
        return client

    own = assert_error(api(author).post(url), 400, type_="validation_error")
    assert "your own blocker" in own["detail"]
    assert_error(api(members[Role.VIEWER]).post(url), 403, type_="permission_denied")
    assert api(outsider).post(url).status_code == 404
    response = api(helper).post(url)
    assert response.status_code == 200 and response.json()["blocker_resolved_by"] == helper.pk
    assert_error(api(members[Role.ADMIN]).post(url), 400, type_="validation_error", attr="blockers")
