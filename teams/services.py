"""Every write of the teams app: keyword-only, typed, transactional."""

from __future__ import annotations

import hashlib
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import (
    ApiToken,
    AuditEntry,
    Heartbeat,
    LoginAttempt,
    Membership,
    Organization,
    PendingInvitation,
    Role,
    Team,
    User,
)
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
    experiment_allowance: int | None = None,
) -> Organization:
    org.name = name.strip()
    if experiment_allowance is not None:
        org.experiment_allowance = experiment_allowance
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
INVITATION_SALT = "stretch.invitation"
INVITATION_MAX_AGE = timedelta(days=14)


@dataclass(frozen=True)
class InviteResult:
    """What an invitation did: a new account with its membership and one-time set-password link,
    or, for an existing account, a pending invitation the person accepts from their e-mail."""

    membership: Membership | None
    pending: PendingInvitation | None
    created_user: bool
    set_password_url: str | None


def set_password_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("set_password", kwargs={"uidb64": uid, "token": token})


def invitation_token(invitation: PendingInvitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)


def _check_role_and_teams(org: Organization, role: str, teams: Iterable[Team]) -> list[Team]:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    team_list = list(teams)
    if any(t.org_id != org.pk for t in team_list):
        raise ValidationError({"teams": _("Choose teams of this organisation.")})
    return team_list


def _absolute(base_url: str | None, path: str) -> str:
    return (base_url or settings.SITE_URL).rstrip("/") + path


@transaction.atomic
def member_invite(
    *,
    org: Organization,
    email: str,
    display_name: str,
    role: str,
    teams: Iterable[Team] = (),
    invited_by: User,
    base_url: str | None = None,
) -> InviteResult:
    """Invite a person. A new account is created with the membership and a one-time link to choose
    a password (shown to the admin and e-mailed). An existing account is never attached directly:
    it gets a pending invitation, accepted through a link e-mailed to that address. E-mails are
    sent by a job after commit, so a mail server that is down loses nothing (resend later).
    Links start with ``base_url`` (the address the admin is using), else SITE_URL."""
    from .tasks import send_invitation_email

    email = User.objects.normalize_email(email.strip()).lower()
    team_list = _check_role_and_teams(org, role, teams)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, display_name=display_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
        membership = Membership.objects.create(org=org, user=user, role=role)
        membership.teams.set(team_list)
        send_invitation_email.delay_on_commit(
            kind="account", object_id=membership.pk, base_url=base_url or ""
        )
        return InviteResult(
            membership=membership,
            pending=None,
            created_user=True,
            set_password_url=_absolute(base_url, set_password_path(user)),
        )
    if Membership.objects.filter(org=org, user=user).exists():
        raise ValidationError({"email": _("This person is already a member of the organisation.")})
    if PendingInvitation.objects.filter(org=org, user=user, accepted_at=None, cancelled_at=None).exists():
        raise ValidationError({"email": _("This person is already invited. Resend the invitation instead.")})
    pending = PendingInvitation.objects.create(org=org, user=user, role=role, invited_by=invited_by)
    pending.teams.set(team_list)
    send_invitation_email.delay_on_commit(kind="pending", object_id=pending.pk, base_url=base_url or "")
    return InviteResult(membership=None, pending=pending, created_user=False, set_password_url=None)


@transaction.atomic
def member_invitation_resend(*, membership: Membership, base_url: str | None = None) -> str:
    """A new set-password link for someone invited who never chose a password (the old link may
    have expired, or its e-mail never arrived). Returns the link; it is e-mailed too."""
    from .tasks import send_invitation_email

    user = membership.user
    if user.has_usable_password() or user.last_login is not None:
        raise ValidationError(_("%(name)s has already set a password.") % {"name": user.get_full_name()})
    send_invitation_email.delay_on_commit(kind="account", object_id=membership.pk, base_url=base_url or "")
    return _absolute(base_url, set_password_path(user))


@transaction.atomic
def pending_invitation_resend(*, invitation: PendingInvitation, base_url: str | None = None) -> None:
    from .tasks import send_invitation_email

    if not invitation.is_open:
        raise ValidationError(_("This invitation is no longer open."))
    send_invitation_email.delay_on_commit(kind="pending", object_id=invitation.pk, base_url=base_url or "")


@transaction.atomic
def pending_invitation_cancel(*, invitation: PendingInvitation) -> PendingInvitation:
    if invitation.is_open:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
    return invitation


def pending_invitation_from_token(*, token: str) -> PendingInvitation | None:
    """The open invitation a link points to, or None when the link is forged, expired or used."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    return (
        PendingInvitation.objects.select_related("org", "user")
        .filter(pk=data["i"], accepted_at=None, cancelled_at=None)
        .first()
    )


@transaction.atomic
def pending_invitation_accept(*, invitation: PendingInvitation, user: User) -> Membership:
    """Accept an invitation as the invited account (and only as that account)."""
    if invitation.user_id != user.pk:
        raise ValidationError(_("This invitation is for another account. Sign in as the invited person."))
    invitation = PendingInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation is no longer open."))
    membership, created = Membership.objects.get_or_create(
        org_id=invitation.org_id, user=user, defaults={"role": invitation.role}
    )
    if created:
        membership.teams.set(list(invitation.teams.all()))
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def invitation_email_send(*, kind: str, object_id: int, base_url: str = "") -> bool:
    """Build and send one invitation e-mail (called by the job). False when there is nothing to
    send any more (accepted, cancelled, password already chosen)."""
    if kind == "account":
        membership = Membership.objects.select_related("org", "user").filter(pk=object_id).first()
        if membership is None or membership.user.has_usable_password():
            return False
        user, org = membership.user, membership.org
        url = _absolute(base_url, set_password_path(user))
        text = _("Choose your password here (the link works once):")
    else:
        pending = PendingInvitation.objects.select_related("org", "user").filter(pk=object_id).first()
        if pending is None or not pending.is_open:
            return False
        user, org = pending.user, pending.org
        url = _absolute(base_url, reverse("invitation_accept", kwargs={"token": invitation_token(pending)}))
        text = _("Sign in and accept the invitation here:")
    with translation.override(user.language or org.default_language):
        subject = _("You are invited to %(org)s on Stretch") % {"org": org.name}
        body = _("You are invited to join %(org)s on Stretch.") % {"org": org.name}
        body = f"{body}\n\n{text}\n{url}\n"
    send_mail(str(subject), body, None, [user.email])
    return True


def _lock_org(org_id: int) -> None:
    """Serialise changes to an organisation's admins (the last-admin rule) on PostgreSQL."""
    list(Organization.objects.select_for_update().filter(pk=org_id).values_list("pk", flat=True))


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: str,
    teams: Iterable[Team],
    title: str = "",
    employee_number: str = "",
    is_active: bool | None = None,
) -> Membership:
    """Change a member's role, teams and HR fields (and, with ``is_active``, their access) in one
    transaction. An organisation always keeps at least one active admin."""
    team_list = _check_role_and_teams(membership.org, role, teams)
    _lock_org(membership.org_id)
    active = membership.is_active if is_active is None else is_active
    loses_admin = (
        membership.is_active and membership.role == Role.ADMIN and (role != Role.ADMIN or not active)
    )
    if loses_admin and admin_count(org=membership.org) <= 1:
        raise ValidationError({"role": _("An organisation needs at least one admin.")})
    membership.role = role
    membership.title = title.strip()
    membership.employee_number = employee_number.strip()
    membership.is_active = active
    membership.full_clean(validate_unique=False)
    membership.save()
    membership.teams.set(team_list)
    return membership


@transaction.atomic
def membership_set_active(*, membership: Membership, active: bool) -> Membership:
    """Deactivate (or reactivate) a member. Nothing they did is deleted; they lose access."""
    _lock_org(membership.org_id)
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


# --- Audit ------------------------------------------------------------------------------------
def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    """{field: [before, after]} for the fields that changed (JSON-ready)."""
    changes: dict[str, list[object]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _jsonable(before.get(key)), _jsonable(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


def audit_record(
    *,
    org: Organization,
    actor: User | None,
    action: str,
    target: object,
    changes: dict[str, list[object]] | None = None,
    scope: str = "",
) -> AuditEntry:
    """Record one change. ``target`` is a model instance; ``changes`` maps a field to
    [before, after] (see audit_diff)."""
    return AuditEntry.objects.create(
        org=org,
        actor=actor,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=int(target.pk),  # type: ignore[attr-defined]
        target_repr=str(target)[:200],
        changes=_jsonable(changes or {}),
        scope=scope,
    )


def audit_record_many(
    *,
    org: Organization,
    actor: User | None,
    entries: Sequence[tuple[str, object, dict[str, list[object]]]],
    scope: str = "",
) -> int:
    """Record a bulk change in one insert: (action, target, changes) per row."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                org=org,
                actor=actor,
                action=action,
                target_type=type(target).__name__.lower(),
                target_id=int(target.pk),  # type: ignore[attr-defined]
                target_repr=str(target)[:200],
                changes=_jsonable(changes),
                scope=scope,
            )
            for action, target, changes in entries
        ]
    )
    return len(entries)
