"""A person's own account and what surrounds signing in: profile and language, API tokens,
sign-in throttling, and the scheduler's heartbeat."""

from __future__ import annotations

import hashlib
import secrets
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..models import ApiToken, Heartbeat, LoginAttempt, Membership, Organization, Role, TokenScope, User
from ..selectors import can_work_without_mfa
from .audit import audit_record

TOKEN_PREFIX = "st_"  # noqa: S105 - a public prefix, not a secret


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


def _token_fields(*, name: str, scope: str, expires_in_days: int | None) -> tuple[str, dict[str, object]]:
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationError({"expires_in_days": _("Choose between 1 and 3650 days, or no expiry.")})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": _("Choose read, metrics:write or full.")})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return key, {
        "name": name.strip(),
        "scope": scope,
        "prefix": key[: len(TOKEN_PREFIX) + 6],
        "key_hash": hash_token_key(key),
        "expires_at": timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    }


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_in_days: int | None = None, scope: str = TokenScope.FULL
) -> tuple[ApiToken, str]:
    """Create a personal token; returns it with the raw key, which is never stored and shown only
    once. `scope` narrows what it may do (TokenScope). Refused while an organisation requires
    two-factor authentication of the person and they have not turned it on (a token would get
    around it)."""
    if not (verdict := can_work_without_mfa(user=user)):
        raise ValidationError(verdict.reason)
    key, fields = _token_fields(name=name, scope=scope, expires_in_days=expires_in_days)
    token = ApiToken(user=user, created_by=user, **fields)
    token.full_clean()
    token.save()
    return token, key


# A service token's hidden membership: reads what a viewer reads; a metrics:write token enters
# values for every goal, as an admin does (api_base refuses it everything else).
SERVICE_ROLES: dict[str, str] = {TokenScope.READ: Role.VIEWER, TokenScope.METRICS_WRITE: Role.ADMIN}


@transaction.atomic
def service_token_create(
    *, org: Organization, actor: Membership, name: str, scope: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """An organisation service token (admins): it acts for the organisation, not for a person — a
    hidden service membership of its own, so it keeps working when its creator leaves. Scope
    `read` or `metrics:write` only. Returns the token and its key, shown only once; audited."""
    selectors.can_manage_service_tokens(member=actor, org=org).require()
    if not (verdict := can_work_without_mfa(user=actor.user)):
        raise ValidationError(verdict.reason)
    if scope not in SERVICE_ROLES:
        raise ValidationError({"scope": _("A service token is read or metrics:write.")})
    key, fields = _token_fields(name=name, scope=scope, expires_in_days=expires_in_days)
    if not fields["name"]:
        raise ValidationError({"name": _("This field is required.")})
    service_user = User.objects.create_user(
        email=f"service-{secrets.token_hex(8)}@tokens.invalid",
        password=None,
        display_name=_("%(name)s (service token)") % {"name": fields["name"]},
    )
    Membership.with_services.create(org=org, user=service_user, role=SERVICE_ROLES[scope], is_service=True)
    token = ApiToken(user=service_user, org=org, created_by=actor.user, **fields)
    token.full_clean()
    token.save()
    audit_record(org=org, actor=actor.user, action="token.create", target=token,
                 changes={"scope": [None, scope]})  # fmt: skip
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    """Revoke a token (again is a no-op), audited: a service token in its organisation (admins of
    it only; its service membership is switched off with it); a personal token in every
    organisation its person belongs to."""
    if token.org is not None:
        member = (
            Membership.objects.filter(org_id=token.org_id, user_id=actor.pk).first()
            if actor is not None
            else None
        )
        selectors.can_manage_service_tokens(member=member, org=token.org).require()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        if token.org_id is not None:
            Membership.with_services.filter(user_id=token.user_id, is_service=True).update(is_active=False)
        orgs = (
            [token.org]
            if token.org is not None
            else [m.org for m in Membership.objects.filter(user_id=token.user_id).select_related("org")]
        )
        for where in orgs:
            audit_record(org=where, actor=actor, action="token.revoke", target=token,
                         changes={"revoked_at": [None, token.revoked_at]})  # fmt: skip
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
