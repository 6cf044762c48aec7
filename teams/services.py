"""Every write of the teams app: keyword-only, typed, transactional."""

from __future__ import annotations

import hashlib
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import ApiToken, Heartbeat, LoginAttempt, Membership, Organization, Role, Team, User
from .selectors import admin_count

TOKEN_PREFIX = "st_"  # noqa: S105 - a public prefix, not a secret


# --- Organisations ----------------------------------------------------------------------------
@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    creator: User,
    timezone_name: str = "Asia/Shanghai",
    currency: str = "CNY",
    default_language: str = "zh-hans",
    fiscal_year_start_month: int = 1,
) -> Organization:
    """Create an organisation; its creator becomes its first admin."""
    org = Organization(
        name=name.strip(),
        slug=slug.strip().lower(),
        timezone=timezone_name,
        currency=currency,
        default_language=default_language,
        fiscal_year_start_month=fiscal_year_start_month,
    )
    org.full_clean()
    org.save()
    Membership.objects.create(org=org, user=creator, role=Role.ADMIN)
    return org


@transaction.atomic
def organization_update(
    *,
    org: Organization,
    name: str,
    timezone_name: str,
    currency: str,
    default_language: str,
    fiscal_year_start_month: int,
) -> Organization:
    org.name = name.strip()
    org.timezone = timezone_name
    org.currency = currency
    org.default_language = default_language
    org.fiscal_year_start_month = fiscal_year_start_month
    org.full_clean()
    org.save()
    return org


# --- Teams ------------------------------------------------------------------------------------
def _check_same_org(org: Organization, memberships: Iterable[Membership], field: str) -> list[Membership]:
    items = list(memberships)
    if any(m.org_id != org.pk for m in items):
        raise ValidationError({field: _("Choose people from this organisation.")})
    return items


@transaction.atomic
def team_create(
    *,
    org: Organization,
    name: str,
    description: str = "",
    parent: Team | None = None,
    managers: Iterable[Membership] = (),
) -> Team:
    team = Team(org=org, name=name.strip(), description=description, parent=parent)
    _validate_team(team)
    team.save()
    team.managers.set(_check_same_org(org, managers, "managers"))
    return team


@transaction.atomic
def team_update(
    *,
    team: Team,
    name: str,
    description: str = "",
    parent: Team | None = None,
    managers: Iterable[Membership] = (),
) -> Team:
    team.name = name.strip()
    team.description = description
    team.parent = parent
    _validate_team(team)
    team.save()
    team.managers.set(_check_same_org(team.org, managers, "managers"))
    return team


def _validate_team(team: Team) -> None:
    team.full_clean(validate_unique=False, validate_constraints=False)
    duplicate = Team.objects.filter(org_id=team.org_id, name__iexact=team.name).exclude(pk=team.pk).exists()
    if duplicate:
        raise ValidationError({"name": _("A team with this name already exists.")})


@transaction.atomic
def team_delete(*, team: Team) -> None:
    """Delete a team. Its sub-teams move up to the deleted team's parent; members stay in the
    organisation."""
    Team.objects.filter(parent=team).update(parent=team.parent)
    team.delete()


# --- Members ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Invitation:
    membership: Membership
    created_user: bool
    set_password_url: str | None


def set_password_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("set_password", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def member_invite(
    *,
    org: Organization,
    email: str,
    display_name: str,
    role: str,
    teams: Iterable[Team] = (),
    invited_by: User,
    send_email: bool = True,
    base_url: str | None = None,
) -> Invitation:
    """Add a person to the organisation. A new account gets a one-time set-password link (shown
    to the admin and e-mailed); an existing account simply gains the membership. Links start with
    ``base_url`` (the address the admin is using), else SITE_URL."""
    email = User.objects.normalize_email(email.strip()).lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    team_list = list(teams)
    if any(t.org_id != org.pk for t in team_list):
        raise ValidationError({"teams": _("Choose teams of this organisation.")})
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User(email=email, display_name=display_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif Membership.objects.filter(org=org, user=user).exists():
        raise ValidationError({"email": _("This person is already a member of the organisation.")})
    membership = Membership.objects.create(org=org, user=user, role=role)
    membership.teams.set(team_list)
    url = None
    if created:
        url = (base_url or settings.SITE_URL).rstrip("/") + set_password_path(user)
        if send_email:
            inviter = invited_by.get_full_name()
            transaction.on_commit(lambda: _send_invitation(user=user, org=org, inviter=inviter, url=url))
    return Invitation(membership=membership, created_user=created, set_password_url=url)


def _send_invitation(*, user: User, org: Organization, inviter: str, url: str) -> None:
    with translation.override(user.language or org.default_language):
        subject = _("You are invited to %(org)s on Stretch") % {"org": org.name}
        body = _(
            "%(inviter)s added you to %(org)s on Stretch.\n\n"
            "Choose your password here (the link works once):\n%(url)s\n"
        ) % {"inviter": inviter, "org": org.name, "url": url}
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: str,
    teams: Iterable[Team],
    title: str = "",
    employee_number: str = "",
) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    team_list = list(teams)
    if any(t.org_id != membership.org_id for t in team_list):
        raise ValidationError({"teams": _("Choose teams of this organisation.")})
    if membership.role == Role.ADMIN and role != Role.ADMIN and admin_count(org=membership.org) <= 1:
        raise ValidationError({"role": _("An organisation needs at least one admin.")})
    membership.role = role
    membership.title = title.strip()
    membership.employee_number = employee_number.strip()
    membership.full_clean(validate_unique=False)
    membership.save()
    membership.teams.set(team_list)
    return membership


@transaction.atomic
def membership_set_active(*, membership: Membership, active: bool) -> Membership:
    """Deactivate (or reactivate) a member. Nothing they did is deleted; they lose access."""
    if (
        not active
        and membership.role == Role.ADMIN
        and membership.is_active
        and admin_count(org=membership.org) <= 1
    ):
        raise ValidationError({"role": _("An organisation needs at least one admin.")})
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    return membership


# --- Users ------------------------------------------------------------------------------------
@transaction.atomic
def user_update_profile(*, user: User, display_name: str, language: str) -> User:
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    user.display_name = display_name.strip()
    user.language = language
    user.full_clean(validate_unique=False)
    user.save(update_fields=["display_name", "language"])
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])
    return user


# --- API tokens -------------------------------------------------------------------------------
def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns it with the raw key, which is never stored and shown only once."""
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationError({"expires_in_days": _("Choose between 1 and 3650 days, or no expiry.")})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=key[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token_key(key),
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record use, at most once a minute per token, so that API traffic does not write on every call."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- Sign-in throttling -----------------------------------------------------------------------
def login_attempt_record(*, username: str, ip: str | None, succeeded: bool) -> LoginAttempt:
    attempt = LoginAttempt.objects.create(username=username.lower()[:254], ip=ip or None, succeeded=succeeded)
    if succeeded:
        # A successful sign-in clears the account's failures (not the address's).
        LoginAttempt.objects.filter(username=username.lower(), succeeded=False).delete()
    return attempt


def login_attempts_prune(*, older_than: timedelta = timedelta(days=7)) -> int:
    deleted, _ = LoginAttempt.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted


# --- Heartbeat --------------------------------------------------------------------------------
def heartbeat_record(*, now: datetime | None = None, interval_seconds: int | None = None) -> Heartbeat:
    """Record that the scheduler and a worker are alive. Idempotent per time slot: a retried or
    duplicated job in the same slot returns the existing row."""
    now = now or timezone.now()
    interval = interval_seconds or settings.HEARTBEAT_INTERVAL_SECONDS
    epoch = int(now.timestamp())
    slot = datetime.fromtimestamp(epoch - epoch % interval, tz=now.tzinfo or timezone.get_current_timezone())
    try:
        with transaction.atomic():
            beat, _ = Heartbeat.objects.get_or_create(
                slot=slot, defaults={"recorded_at": now, "worker": socket.gethostname()[:200]}
            )
    except IntegrityError:  # two workers raced for the same slot
        beat = Heartbeat.objects.get(slot=slot)
    Heartbeat.objects.filter(slot__lt=now - timedelta(days=2)).delete()
    return beat
