from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from teams.middleware import IdleTimeoutMiddleware
from teams.models import Membership, Role, Team, User
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries


def sign_in(client: Client, email: str, password: str = factories.PASSWORD, next: str = "", **extra):
    data = {"username": email, "password": password} | ({"next": next} if next else {})
    return client.post(reverse("login"), data, **extra)


# --- Sign-in ------------------------------------------------------------------------------------
def test_sign_in_rotates_the_session_and_lands_in_the_only_org(org, member):
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    response = sign_in(client, member.user.email.upper())
    assert response.status_code == 302
    assert client.session.session_key != before
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("org_home", args=[org.slug])


def test_sign_in_goes_through_allauth_and_stays_signed_in_after_the_browser_closes(org, member, settings):
    """The password sign-in is django-allauth's flow with Stretch's form: no "remember me" box,
    the session lasts SESSION_COOKIE_AGE (the idle timeout still applies), and `next` is kept."""
    client = Client()
    page = client.get(reverse("login"), {"next": f"/o/{org.slug}/goals/"}).content.decode()
    assert 'name="username"' in page and 'name="password"' in page
    assert 'name="remember"' not in page
    response = sign_in(client, member.user.email, next=f"/o/{org.slug}/goals/")
    assert response.status_code == 302 and response["Location"] == f"/o/{org.slug}/goals/"
    assert client.session["account_authentication_methods"][0]["method"] == "password"  # allauth's flow
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_whole_office_behind_one_address_can_sign_in_at_nine(org, member):
    """allauth's per-address cap on sign-in submissions (30 a minute) is off: only failures
    count (the throttle), so 40 people behind one NAT all get in within the same minute."""
    for _ in range(40):
        client = Client()
        assert sign_in(client, member.user.email).status_code == 302
        assert "_auth_user_id" in client.session


def test_wrong_password_says_so_and_signs_nobody_in(member):
    client = Client()
    response = sign_in(client, member.user.email, "wrong password")
    assert response.status_code == 200
    assert "That e-mail and password do not match." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_ten_failures_lock_sign_in_even_with_the_right_password(member):
    client = Client()
    for _ in range(10):
        sign_in(client, member.user.email, "wrong password")
    response = sign_in(client, member.user.email)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in body
    assert "_auth_user_id" not in client.session


def test_idle_session_is_signed_out(org, member):
    client = login(member)
    url = reverse("org_home", args=[org.slug])
    assert client.get(url).status_code == 200
    session = client.session
    session[IdleTimeoutMiddleware.KEY] = int(time.time()) - 9 * 3600
    session.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(url).status_code == 302  # really signed out


def test_sign_out_needs_post(member):
    client = login(member)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- Organisation switching ---------------------------------------------------------------------
def test_person_in_two_orgs_chooses_and_switches(org, other_org):
    person = factories.user(name="Both")
    Membership.objects.create(org=org, user=person, role=Role.MEMBER)
    Membership.objects.create(org=other_org, user=person, role=Role.VIEWER)
    client = login(person)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme" in body and "Other Co" in body
    assert client.get(reverse("org_home", args=[other_org.slug])).status_code == 200
    # The last organisation visited is where "home" goes next time.
    assert client.get(reverse("home"))["Location"] == reverse("org_home", args=[other_org.slug])
    page = client.get(reverse("org_home", args=[org.slug])).content.decode()
    assert 'data-testid="org-switcher"' in page and "Other Co" in page


def test_other_orgs_page_is_a_friendly_404(org, outsider):
    response = login(outsider).get(reverse("org_home", args=[org.slug]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    missing = login(outsider).get("/o/does-not-exist/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()  # same answer for missing and not yours


def test_role_without_right_gets_a_friendly_403(org, member):
    response = login(member).get(reverse("org_settings", args=[org.slug]))
    assert response.status_code == 403
    assert "Your role does not allow this." in response.content.decode()


def test_admin_sees_settings_in_navigation_and_member_does_not(org, admin, member):
    url = reverse("org_home", args=[org.slug])
    settings_url = reverse("org_settings", args=[org.slug])
    assert settings_url in login(admin).get(url).content.decode()
    assert settings_url not in login(member).get(url).content.decode()


def test_create_organisation(member):
    client = login(member)
    response = client.post(
        reverse("org_create"),
        {
            "name": "New Co",
            "slug": "new-co",
            "timezone": "Asia/Shanghai",
            "currency": "CNY",
            "default_language": "en",
            "fiscal_year_start_month": "4",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(org__slug="new-co", user=member.user).role == Role.ADMIN


def test_create_organisation_bad_input_is_explained_and_saves_nothing(member):
    response = login(member).post(
        reverse("org_create"),
        {
            "name": "",
            "slug": "acme",
            "timezone": "Nowhere/Land",
            "currency": "XXX",
            "fiscal_year_start_month": "13",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"name", "slug", "timezone", "currency", "fiscal_year_start_month"}
    assert "This URL name is taken. Choose another." in form.errors["slug"]


# --- Admin pages ------------------------------------------------------------------------------
def test_admin_creates_a_nested_team(org, admin, manager):
    parent = factories.team(org, "Sales")
    response = login(admin).post(
        reverse("team_list", args=[org.slug]),
        {"name": "Sales East", "description": "", "parent": parent.pk, "managers": [manager.pk]},
    )
    assert response.status_code == 302
    team = Team.objects.get(org=org, name="Sales East")
    assert team.parent == parent
    assert list(team.managers.all()) == [manager]


def test_team_form_refuses_a_parent_from_another_org(org, other_org, admin):
    foreign = factories.team(other_org, "Foreign")
    response = login(admin).post(reverse("team_list", args=[org.slug]), {"name": "X", "parent": foreign.pk})
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    assert not Team.objects.filter(org=org, name="X").exists()


def test_team_edit_refuses_a_cycle(org, admin):
    top = factories.team(org, "Top")
    child = factories.team(org, "Child", parent=top)
    response = login(admin).post(
        reverse("team_edit", args=[org.slug, top.pk]), {"name": "Top", "parent": child.pk}
    )
    assert response.status_code == 400
    assert "A team cannot be nested inside itself or one of its sub-teams." in response.content.decode()


def test_team_of_another_org_is_404_for_admin(org, other_org, admin):
    foreign = factories.team(other_org, "Foreign")
    client = login(admin)
    assert client.get(reverse("team_edit", args=[org.slug, foreign.pk])).status_code == 404
    assert client.post(reverse("team_delete", args=[org.slug, foreign.pk])).status_code == 404
    assert Team.objects.filter(pk=foreign.pk).exists()


def test_invite_then_the_link_sets_a_password_once(org, admin):
    client = login(admin)
    response = client.post(
        reverse("member_invite", args=[org.slug]),
        {"email": "wangwu@example.com", "display_name": "王五", "role": "member"},
    )
    assert response.status_code == 200
    invitation = response.context["invitation"]
    assert invitation.set_password_url.startswith("http://testserver/accounts/welcome/")
    link = invitation.set_password_url.replace("http://testserver", "")
    assert link in response.content.decode()

    newcomer = Client()
    page = newcomer.get(link, follow=True)
    assert page.status_code == 200 and "Welcome to Stretch" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    done = newcomer.post(
        form_url, {"new_password1": "a-long-new-password", "new_password2": "a-long-new-password"}
    )
    assert done.status_code == 302
    assert User.objects.get(email="wangwu@example.com").check_password("a-long-new-password")
    again = Client().get(link, follow=True)
    assert "This invitation link no longer works" in again.content.decode()


def test_member_role_change_and_last_admin_guard(org, admin, member):
    client = login(admin)
    response = client.post(reverse("member_edit", args=[org.slug, member.pk]), {"role": "manager"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.MANAGER
    founder = Membership.objects.filter(org=org, role=Role.ADMIN).exclude(pk=admin.pk).get()
    client.post(reverse("member_edit", args=[org.slug, founder.pk]), {"role": "member"})
    response = client.post(reverse("member_edit", args=[org.slug, admin.pk]), {"role": "member"})
    assert response.status_code == 400
    assert "An organisation needs at least one admin." in response.content.decode()


def test_member_list_filters_with_htmx_partial(org, admin):
    factories.member(org, Role.HR, name="Helen Hr")
    client = login(admin)
    url = reverse("member_list", args=[org.slug])
    response = client.get(url, {"q": "helen"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Helen Hr" in body and "Admin Person" not in body
    assert "<html" not in body  # just the rows
    full = client.get(url, {"role": "admin"}).content.decode()
    assert "<html" in full and "Admin Person" in full and "Helen Hr" not in full


# --- Query counts -----------------------------------------------------------------------------
# The same with 2 rows and with 50; at most 10 (8, plus the inbox badge's unread count, plus
# recognition's instant rewards on the team cards; on the home page, the retros collecting cards of
# the person's teams). The first visit, which also writes the session,
# is a warm-up.
PAGE_QUERIES = {
    "member_list": 7,
    "team_directory": 10,
    "team_list": 7,  # 8 while the managers' checkboxes listed every person; their picker lists no one
    "org_home": 10,
}  # org home: one COUNT of the teams, no tree; the open pulse's panel


@pytest.mark.parametrize("url_name", PAGE_QUERIES)
def test_page_query_count_does_not_grow_with_rows(org, admin, url_name):
    client = login(admin)
    url = reverse(url_name, args=[org.slug])
    team = factories.team(org, "T0", parent=None)
    factories.member(org, teams=[team])
    assert_queries(PAGE_QUERIES[url_name], client, url)
    for i in range(50):
        t = factories.team(org, f"T{i + 1}", parent=team)
        factories.member(org, teams=[t, team])
        t.managers.add(admin)
    assert_queries(PAGE_QUERIES[url_name], client, url)
    assert PAGE_QUERIES[url_name] <= 10


def test_member_list_query_count_is_pinned(org, admin):
    client = login(admin)
    url = reverse("member_list", args=[org.slug])
    # user, membership+org, members, their teams, open invitations, the org switcher, the inbox
    # badge's unread count (the session comes from the cache)
    assert_queries(7, client, url)


# --- Language ---------------------------------------------------------------------------------
def test_language_switch_is_saved_on_the_account(org, member):
    client = login(member)
    url = reverse("org_home", args=[org.slug])
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    member.user.refresh_from_db()
    assert member.user.language == "zh-hans"
    page = client.get(url)
    assert page["Content-Language"] == "zh-hans"
    assert "目标" in page.content.decode()  # "Goals" in the navigation
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Goals" in client.get(url).content.decode()


def test_unknown_language_is_a_clear_400(member):
    response = login(member).post(reverse("set_language"), {"language": "xx"})
    assert response.status_code == 400
    assert "Unknown language “xx”." in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.language == ""


def test_org_default_language_applies_when_user_has_not_chosen(org, member):
    org.default_language = "zh-hans"
    org.save()
    page = login(member).get(reverse("org_home", args=[org.slug]), headers={"Accept-Language": "en"})
    assert page["Content-Language"] == "zh-hans"
    member.user.language = "en"
    member.user.save()
    page = login(member).get(reverse("org_home", args=[org.slug]))
    assert page["Content-Language"] == "en"


def test_browser_language_applies_before_sign_in(db):
    page = Client().get(reverse("login"), headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert page["Content-Language"] == "zh-hans"
    assert "登录" in page.content.decode()
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert client.get(reverse("login"), headers={"Accept-Language": "zh-CN"})["Content-Language"] == "en"


# --- Bad requests -----------------------------------------------------------------------------
def test_oversized_form_post_is_refused_with_413(org, admin):
    body = "name=" + "x" * (6 * 1024 * 1024)
    response = login(admin).post(
        reverse("team_list", args=[org.slug]), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "larger than the limit" in response.content.decode()
    assert not Team.objects.filter(org=org).exists()


def test_missing_csrf_token_is_a_friendly_403(org, admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user)
    response = client.post(reverse("team_list", args=[org.slug]), {"name": "X"})
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()
    assert not Team.objects.filter(org=org).exists()


def test_api_tokens_page_shows_the_key_once_and_revokes(member):
    client = login(member)
    response = client.post(reverse("api_tokens"), {"name": "CRM sync", "expires_in_days": "30"})
    key = response.context["new_key"]
    assert key in response.content.decode()
    listing = client.get(reverse("api_tokens")).content.decode()
    assert "CRM sync" in listing and key not in listing
    token = member.user.api_tokens.get()
    client.post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    other = login(factories.user())
    assert other.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404


def test_api_tokens_page_bad_input(member):
    response = login(member).post(reverse("api_tokens"), {"name": "", "expires_in_days": "7"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "expires_in_days"}
    assert not member.user.api_tokens.exists()


def test_password_reset_by_email(member):
    from django.core import mail

    response = Client().post(reverse("password_reset"), {"email": member.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    client = Client()
    form = client.get(link.replace("http://testserver", ""), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-9", "new_password2": "brand-new-secret-9"},
    )
    assert done.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("brand-new-secret-9")
    # Unknown addresses get the same answer, so the form does not reveal who has an account.
    assert Client().post(reverse("password_reset"), {"email": "nobody@example.com"}).status_code == 302
    assert len(mail.outbox) == 1


def test_password_change_requires_the_old_password(member):
    client = login(member)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "another-secret-77", "new_password2": "another-secret-77"},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    response = client.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "another-secret-77",
            "new_password2": "another-secret-77",
        },
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("another-secret-77")


def test_times_are_shown_in_the_organisations_time_zone(org, admin):
    from datetime import UTC, datetime

    from teams.models import Heartbeat

    Heartbeat.objects.create(
        slot=datetime(2026, 11, 23, 1, 0, tzinfo=UTC), recorded_at=datetime(2026, 11, 23, 1, 0, 2, tzinfo=UTC)
    )
    org.timezone = "Asia/Shanghai"
    org.save()
    page = login(admin).get(reverse("system", args=[org.slug])).content.decode()
    assert "2026-11-23 09:00:00" in page  # 01:00 UTC is 09:00 in Shanghai


def test_invalid_submissions_count_as_failures_and_never_clear_them(member):
    client = Client()
    for _ in range(9):
        sign_in(client, member.user.email, "wrong password")
    sign_in(client, member.user.email, "")  # no password: a failed attempt, not a success
    response = sign_in(client, member.user.email)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_nul_characters_are_refused_not_crashing(org, admin):
    response = Client().post(reverse("login"), {"username": "a\x00@b.c", "password": "x"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    page = login(admin).get(reverse("member_list", args=[org.slug]), {"q": "ad\x00min"})
    assert page.status_code == 200


def test_forwarded_address_that_is_not_an_ip_is_ignored(settings, member):
    settings.NUM_PROXIES = 1
    client = Client(HTTP_X_FORWARDED_FOR="unknown, 1.2.3.4:5555")
    response = sign_in(client, member.user.email, "wrong")
    assert response.status_code == 200
    from teams.models import LoginAttempt

    assert LoginAttempt.objects.get().ip == "127.0.0.1"


def test_activation_needs_an_explicit_value(org, admin, member):
    response = login(admin).post(reverse("member_active", args=[org.slug, member.pk]))
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.is_active


def test_existing_account_accepts_an_invitation_from_its_mailbox(
    org, other_org, admin, django_capture_on_commit_callbacks
):
    from django.core import mail

    elsewhere = factories.member(other_org, name="Elsewhere")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin).post(
            reverse("member_invite", args=[org.slug]),
            {"email": elsewhere.user.email, "display_name": "x", "role": "manager"},
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(org=org, user=elsewhere.user).exists()
    listing = login(admin).get(reverse("member_list", args=[org.slug])).content.decode()
    assert 'data-testid="pending-invitations"' in listing and elsewhere.user.email in listing

    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/invitations/" in line)
    path = link.replace("http://testserver", "")
    intruder = login(factories.user())
    refused = intruder.post(path)
    assert refused.status_code == 400 and "for another account" in refused.content.decode()
    assert Client().get(path).status_code == 302  # sign in first

    invited = login(elsewhere)
    assert "Join Acme" in invited.get(path).content.decode()
    assert invited.post(path)["Location"] == reverse("org_home", args=[org.slug])
    assert Membership.objects.get(org=org, user=elsewhere.user).role == Role.MANAGER
    assert invited.post(path).status_code == 400  # used up


def test_admin_cancels_and_resends_invitations(org, other_org, admin, django_capture_on_commit_callbacks):
    from django.core import mail

    from teams import services

    elsewhere = factories.member(other_org).user
    result = services.member_invite(
        org=org, email=elsewhere.email, display_name="x", role="member", invited_by=admin.user
    )
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation_resend", args=[org.slug, result.pending.pk]))
    assert len(mail.outbox) == 1
    client.post(reverse("invitation_cancel", args=[org.slug, result.pending.pk]))
    result.pending.refresh_from_db()
    assert result.pending.cancelled_at is not None
    foreign = services.member_invite(
        org=other_org, email="z@example.com", display_name="z", role="member", invited_by=admin.user
    )
    assert foreign.membership is not None
    assert client.post(reverse("member_resend", args=[org.slug, foreign.membership.pk])).status_code == 404


def test_member_who_never_set_a_password_gets_a_new_link(org, admin):
    from teams import services

    result = services.member_invite(
        org=org, email="new@example.com", display_name="New", role="member", invited_by=admin.user
    )
    client = login(admin)
    page = client.get(reverse("member_edit", args=[org.slug, result.membership.pk])).content.decode()
    assert "has not chosen a password yet" in page
    resent = client.post(reverse("member_resend", args=[org.slug, result.membership.pk]))
    assert resent.status_code == 200
    assert "http://testserver/accounts/welcome/" in resent.content.decode()
