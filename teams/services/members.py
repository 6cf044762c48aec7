"""Members: invitations (a new account with a set-password link, or a pending invitation for an
existing account, e-mailed by a job after commit) and a member's role, teams and access (an
organisation always keeps an active admin)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from ..models import Membership, Organization, PendingInvitation, Role, Team, User
from ..selectors import admin_count, can_accept_invitation
from ..tasks import send_invitation_email

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
    user = membership.user
    if user.has_usable_password() or user.last_login is not None:
        raise ValidationError(_("%(name)s has already set a password.") % {"name": user.get_full_name()})
    send_invitation_email.delay_on_commit(kind="account", object_id=membership.pk, base_url=base_url or "")
    return _absolute(base_url, set_password_path(user))


@transaction.atomic
def pending_invitation_resend(*, invitation: PendingInvitation, base_url: str | None = None) -> None:
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
    verdict = can_accept_invitation(invitation=invitation, user=user)
    if not verdict:  # a person who may act, on the wrong link: bad input (400), not a refusal
        raise ValidationError(verdict.reason)
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
