from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from teams import selectors, services
from teams.models import ApiToken, Heartbeat, LoginAttempt, Membership, Role, Team
from tests import factories


def test_organization_create_makes_the_creator_its_admin(db):
    founder = factories.user(name="Founder")
    org = services.organization_create(name="  Acme  ", slug="Acme", creator=founder)
    assert org.name == "Acme"
    assert org.slug == "acme"
    membership = Membership.objects.get(org=org, user=founder)
    assert membership.role == Role.ADMIN


@pytest.mark.parametrize(
    ("slug", "field"),
    [("api", "slug"), ("-bad-", "slug"), ("has space", "slug")],
)
def test_organization_create_refuses_bad_slugs(db, slug, field):
    with pytest.raises(ValidationError) as error:
        services.organization_create(name="X", slug=slug, creator=factories.user())
    assert field in error.value.message_dict


def test_organization_create_refuses_unknown_timezone_and_saves_nothing(db):
    with pytest.raises(ValidationError) as error:
        services.organization_create(
            name="X", slug="x", creator=factories.user(), timezone_name="Mars/Olympus"
        )
    assert "timezone" in error.value.message_dict
    assert not Membership.objects.exists()


def test_team_names_are_unique_per_org_ignoring_case(org, other_org):
    factories.team(org, "Sales")
    factories.team(other_org, "Sales")  # another organisation may reuse it
    with pytest.raises(ValidationError) as error:
        services.team_create(org=org, name="sales")
    assert error.value.message_dict["name"] == ["A team with this name already exists."]


def test_team_parent_must_be_in_same_org(org, other_org):
    foreign = factories.team(other_org, "Foreign")
    with pytest.raises(ValidationError) as error:
        services.team_create(org=org, name="Child", parent=foreign)
    assert "parent" in error.value.message_dict
    assert not Team.objects.filter(org=org, name="Child").exists()


def test_team_cannot_be_nested_in_its_own_subtree(org):
    top = factories.team(org, "Top")
    middle = factories.team(org, "Middle", parent=top)
    bottom = factories.team(org, "Bottom", parent=middle)
    with pytest.raises(ValidationError) as error:
        services.team_update(team=top, name="Top", parent=bottom)
    assert "parent" in error.value.message_dict
    top.refresh_from_db()
    assert top.parent is None


def test_team_managers_must_belong_to_the_org(org, other_org):
    stranger = factories.member(other_org)
    with pytest.raises(ValidationError) as error:
        services.team_create(org=org, name="T", managers=[stranger])
    assert "managers" in error.value.message_dict


def test_team_delete_moves_sub_teams_up_and_keeps_members(org):
    top = factories.team(org, "Top")
    middle = factories.team(org, "Middle", parent=top)
    bottom = factories.team(org, "Bottom", parent=middle)
    person = factories.member(org, teams=[middle])
    services.team_delete(team=middle)
    bottom.refresh_from_db()
    assert bottom.parent == top
    assert Membership.objects.filter(pk=person.pk).exists()


def test_team_tree_orders_teams_depth_first(org):
    b = factories.team(org, "B")
    a = factories.team(org, "A")
    factories.team(org, "A1", parent=a)
    factories.team(org, "B1", parent=b)
    tree = [(t.name, depth) for t, depth in selectors.team_tree(org=org)]
    assert tree == [("A", 0), ("A1", 1), ("B", 0), ("B1", 1)]


def test_invite_new_person_creates_account_with_one_time_link(org, admin, django_capture_on_commit_callbacks):
    sales = factories.team(org, "Sales")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.member_invite(
            org=org,
            email=" New.Person@Example.com ",
            display_name="New Person",
            role=Role.MEMBER,
            teams=[sales],
            invited_by=admin.user,
            base_url="https://stretch.example.com/",
        )
    assert result.created_user and result.pending is None
    user = result.membership.user
    assert user.email == "new.person@example.com"
    assert not user.has_usable_password()
    assert list(result.membership.teams.all()) == [sales]
    assert result.set_password_url.startswith("https://stretch.example.com/accounts/welcome/")
    assert len(mail.outbox) == 1
    assert "https://stretch.example.com/accounts/welcome/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["new.person@example.com"]


def test_existing_account_is_invited_not_attached(org, other_org, admin, django_capture_on_commit_callbacks):
    """Nobody can be attached to an organisation — or an account be hijacked — by whoever knows
    an address: an existing account must accept from its own mailbox."""
    existing = factories.member(other_org, name="Multi").user
    # The invitation's token is signed with the time: mail and check within the same second.
    clock = time_machine.travel(timezone.now(), tick=False)
    clock.start()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.member_invite(
            org=org,
            email=existing.email.upper(),
            display_name="ignored",
            role=Role.VIEWER,
            invited_by=admin.user,
        )
    assert not result.created_user and result.membership is None and result.set_password_url is None
    assert not Membership.objects.filter(org=org, user=existing).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [existing.email]
    token = services.invitation_token(result.pending)
    clock.stop()
    assert f"/accounts/invitations/{token}/" in mail.outbox[0].body

    stranger = factories.user()
    with pytest.raises(ValidationError):
        services.pending_invitation_accept(invitation=result.pending, user=stranger)
    membership = services.pending_invitation_accept(invitation=result.pending, user=existing)
    assert membership.role == Role.VIEWER
    assert set(selectors.organization_list_for_user(user=existing)) == {org, other_org}
    assert services.pending_invitation_from_token(token=token) is None  # used up


def test_invitation_token_is_tamper_proof(org, other_org, admin):
    existing = factories.member(other_org).user
    result = services.member_invite(
        org=org, email=existing.email, display_name="x", role="member", invited_by=admin.user
    )
    token = services.invitation_token(result.pending)
    assert services.pending_invitation_from_token(token=token) == result.pending
    assert services.pending_invitation_from_token(token=token[:-2] + "xx") is None
    services.pending_invitation_cancel(invitation=result.pending)
    assert services.pending_invitation_from_token(token=token) is None


def test_failed_invitation_email_loses_nothing_and_can_be_resent(
    org, admin, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail.BrokenBackend"
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    from config.celery import app

    app.conf.task_eager_propagates = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = services.member_invite(
                org=org, email="late@example.com", display_name="Late", role="member", invited_by=admin.user
            )
    finally:
        app.conf.task_eager_propagates = True
    assert Membership.objects.filter(pk=result.membership.pk).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        link = services.member_invitation_resend(membership=result.membership)
    assert "/accounts/welcome/" in link
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["late@example.com"]


def test_invite_refuses_existing_member_and_foreign_teams(org, other_org, admin, member):
    with pytest.raises(ValidationError) as error:
        services.member_invite(
            org=org, email=member.user.email, display_name="x", role="member", invited_by=admin.user
        )
    assert "email" in error.value.message_dict
    foreign = factories.team(other_org)
    with pytest.raises(ValidationError) as error:
        services.member_invite(
            org=org,
            email="fresh@example.com",
            display_name="x",
            role="member",
            teams=[foreign],
            invited_by=admin.user,
        )
    assert "teams" in error.value.message_dict
    assert not Membership.objects.filter(user__email="fresh@example.com").exists()


def test_last_admin_cannot_be_demoted_or_deactivated(org):
    only_admin = Membership.objects.get(org=org, role=Role.ADMIN)
    with pytest.raises(ValidationError) as error:
        services.membership_update(membership=only_admin, role=Role.MEMBER, teams=[])
    assert error.value.message_dict["role"] == ["An organisation needs at least one admin."]
    with pytest.raises(ValidationError):
        services.membership_set_active(membership=only_admin, active=False)
    second = factories.member(org, Role.ADMIN)
    services.membership_update(membership=only_admin, role=Role.MEMBER, teams=[])
    assert selectors.admin_count(org=org) == 1
    assert Membership.objects.get(org=org, role=Role.ADMIN) == second
    # Deactivating and demoting in one change is refused as a whole.
    with pytest.raises(ValidationError):
        services.membership_update(membership=second, role=Role.MEMBER, teams=[], is_active=False)
    second.refresh_from_db()
    assert (second.role, second.is_active) == (Role.ADMIN, True)


def test_an_inactive_admin_can_be_demoted(org):
    founder = Membership.objects.get(org=org, role=Role.ADMIN)
    other = factories.member(org, Role.ADMIN)
    services.membership_set_active(membership=other, active=False)
    services.membership_update(membership=other, role=Role.MEMBER, teams=[])
    assert Membership.objects.get(pk=other.pk).role == Role.MEMBER
    assert selectors.admin_count(org=org) == 1 and founder.role == Role.ADMIN


def test_deactivated_member_loses_access_but_keeps_the_row(org, member):
    services.membership_set_active(membership=member, active=False)
    with pytest.raises(Exception) as error:
        selectors.membership_for_user(user=member.user, org_slug=org.slug)
    assert error.typename == "Http404"
    assert Membership.objects.filter(pk=member.pk, is_active=False).exists()


def test_api_token_stores_only_a_hash(db):
    person = factories.user()
    token, key = services.api_token_create(user=person, name="CRM sync", expires_in_days=30)
    assert key.startswith("st_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.key_hash, stored.prefix)
    assert stored.key_hash == services.hash_token_key(key)
    assert key.startswith(stored.prefix)
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    services.api_token_revoke(token=stored)
    assert not ApiToken.objects.get(pk=token.pk).is_usable


def test_api_token_expiry_must_be_sensible(db):
    with pytest.raises(ValidationError) as error:
        services.api_token_create(user=factories.user(), name="x", expires_in_days=0)
    assert "expires_in_days" in error.value.message_dict


def test_heartbeat_is_idempotent_per_slot(db):
    moment = datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC)
    first = services.heartbeat_record(now=moment, interval_seconds=60)
    again = services.heartbeat_record(now=moment + timedelta(seconds=20), interval_seconds=60)
    assert first.pk == again.pk
    assert Heartbeat.objects.count() == 1
    services.heartbeat_record(now=moment + timedelta(seconds=60), interval_seconds=60)
    assert Heartbeat.objects.count() == 2


class TestLoginThrottle:
    def fail(self, n, *, username="a@example.com", ip="10.0.0.1", at=None):
        for _ in range(n):
            LoginAttempt.objects.create(username=username, ip=ip, succeeded=False, at=at or timezone.now())

    def test_nine_failures_do_not_lock(self, db):
        self.fail(9)
        assert selectors.login_lockout_remaining(username="a@example.com", ip="10.0.0.2") == 0

    def test_ten_failures_lock_the_account_for_fifteen_minutes(self, db):
        self.fail(10)
        remaining = selectors.login_lockout_remaining(username="A@example.com", ip="10.0.0.2")
        assert 14 * 60 < remaining <= 15 * 60 + 1
        later = timezone.now() + timedelta(minutes=15, seconds=2)
        assert selectors.login_lockout_remaining(username="a@example.com", ip="10.0.0.2", now=later) == 0

    def test_ten_failures_from_one_address_lock_that_address_for_every_account(self, db):
        for i in range(10):
            self.fail(1, username=f"user{i}@example.com", ip="10.9.9.9")
        assert selectors.login_lockout_remaining(username="fresh@example.com", ip="10.9.9.9") > 0
        assert selectors.login_lockout_remaining(username="fresh@example.com", ip="10.0.0.3") == 0

    def test_old_failures_do_not_count(self, db):
        self.fail(10, at=timezone.now() - timedelta(minutes=16))
        assert selectors.login_lockout_remaining(username="a@example.com", ip="10.0.0.1") == 0
