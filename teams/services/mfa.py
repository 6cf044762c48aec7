"""Two-factor authentication: a TOTP authenticator app and one-time recovery codes, stored by
django-allauth's mfa app (its models and code checks; Stretch's own pages and rules)."""

from __future__ import annotations

import logging

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import User
from ..selectors import mfa_enabled, mfa_required_org

logger = logging.getLogger("stretch.mfa")


def _clean_code(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def mfa_totp_activate(*, user: User, secret: str, code: str) -> list[str]:
    """Turn TOTP on with the secret the person's app was given, once a code from that app is
    right; returns the new recovery codes (shown once)."""
    if mfa_enabled(user=user):
        raise ValidationError(_("Two-factor authentication is already on."))
    if not secret or not validate_totp_code(secret, _clean_code(code)):
        raise ValidationError({"code": _("That code is not right. Enter the 6 digits your app shows now.")})
    TOTP.activate(user, secret)
    codes = mfa_recovery_codes_regenerate(user=user)
    logger.info("mfa on user=%s", user.pk)
    return codes


@transaction.atomic
def mfa_recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).delete()
    return RecoveryCodes.activate(user).get_unused_codes()


@transaction.atomic
def mfa_deactivate(*, user: User, code: str) -> None:
    """Turn two-factor authentication off, with a current code; not while an organisation
    requires it of the person."""
    org = mfa_required_org(user=user)
    if org is not None:
        raise ValidationError(
            _("%(org)s requires two-factor authentication for admins and HR: it cannot be turned off.")
            % {"org": org.name}
        )
    authenticator = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return
    if not TOTP(authenticator).validate_code(_clean_code(code)):
        raise ValidationError({"code": _("That code is not right. Enter the 6 digits your app shows now.")})
    Authenticator.objects.filter(user_id=user.pk).delete()
    logger.info("mfa off user=%s", user.pk)
