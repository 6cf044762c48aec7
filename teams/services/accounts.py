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

from ..models import ApiToken, Heartbeat, LoginAttempt, User
from ..selectors import can_work_without_mfa

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


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns it with the raw key, which is never stored and shown only once.
    Refused while an organisation requires two-factor authentication of the person and they have
    not turned it on (a token would get around it)."""
    if not (verdict := can_work_without_mfa(user=user)):
        raise ValidationError(verdict.reason)
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
