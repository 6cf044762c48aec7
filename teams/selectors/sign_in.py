"""Sign-in reads: single sign-on identities, verified domains, password sign-in under SSO, and
whether two-factor authentication is required (re-exported by teams.selectors)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ..errors import Verdict, allow, refuse
from ..models import (
    Organization,
    OrgDomain,
    Role,
    User,
)


def sso_connected_provider_ids(*, user: User) -> set[str]:
    """The identity providers (their provider_id) this account has connected."""
    return set(SocialAccount.objects.filter(user_id=user.pk).values_list("provider", flat=True))


# --- Sign-in settings (docs/authentication.md) ----------------------------------------------------
def org_domain_list(*, org: Organization) -> QuerySet[OrgDomain]:
    return OrgDomain.objects.filter(org=org).order_by("domain")


def org_domain_get(*, org: Organization, domain_id: int) -> OrgDomain:
    try:
        return OrgDomain.objects.select_related("org").get(org=org, pk=domain_id)
    except OrgDomain.DoesNotExist:
        raise Http404("No domain found.") from None


def sso_join_domain(*, email: str) -> OrgDomain | None:
    """The verified auto-join domain an e-mail address belongs to, if any."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    return (
        OrgDomain.objects.select_related("org")
        .filter(domain=domain, verified_at__isnull=False, auto_join=True)
        .first()
    )


def break_glass_candidates(*, org: Organization) -> QuerySet[User]:
    return User.objects.filter(
        memberships__org=org, memberships__role=Role.ADMIN, memberships__is_active=True, is_active=True
    ).order_by("display_name", "email")


def can_sign_in_with_password(*, user: User) -> Verdict:
    """Password sign-in is off for anyone in an organisation that requires single sign-on,
    except that organisation's break-glass admin."""
    blocked = (
        Organization.objects.filter(
            sso_required=True, memberships__user_id=user.pk, memberships__is_active=True
        )
        .exclude(break_glass_admin_id=user.pk)
        .order_by("name")
        .first()
    )
    if blocked is not None:
        return refuse(
            _("%(org)s requires signing in with your company account. Use the button below.")
            % {"org": blocked.name}
        )
    return allow()


# --- Two-factor authentication ------------------------------------------------------------------
def mfa_enabled(*, user: User) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_required_org(*, user: User) -> Organization | None:
    """An organisation that requires a second factor of this person (they are its admin or HR)."""
    return (
        Organization.objects.filter(
            mfa_required=True,
            memberships__user_id=user.pk,
            memberships__is_active=True,
            memberships__role__in=(Role.ADMIN, Role.HR),
        )
        .order_by("name")
        .first()
    )


def can_work_without_mfa(*, user: User) -> Verdict:
    """Refused when an organisation requires two-factor authentication of this person and they
    have not turned it on (pages of that organisation, creating an API token)."""
    org = mfa_required_org(user=user)
    if org is not None and not mfa_enabled(user=user):
        return refuse(
            _("%(org)s requires two-factor authentication for admins and HR. Turn it on first.")
            % {"org": org.name}
        )
    return allow()
