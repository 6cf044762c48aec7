"""An organisation's sign-in settings: the e-mail domains it verified (and whether people of
those domains join by signing in), single sign-on required with one break-glass admin, and the
auto-join itself. Every change is audited."""

from __future__ import annotations

import contextlib
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..domains import txt_records
from ..models import Membership, Organization, OrgDomain, Role, User
from ..sso_providers import configured_providers
from .audit import audit_diff, audit_record

DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Mailbox providers anyone can get an address at: no organisation may claim them.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
        "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "mail.com",
        "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com",
        "aliyun.com", "139.com", "189.cn",
    }
)  # fmt: skip


def normalise_domain(value: str) -> str:
    domain = value.strip().lower().removeprefix("@").rstrip(".")
    with contextlib.suppress(UnicodeError):  # an internationalised name in its ASCII form
        domain = domain.encode("idna").decode("ascii")
    return domain


@transaction.atomic
def org_domain_add(*, org: Organization, domain: str, actor: User) -> OrgDomain:
    """Claim a domain; it does nothing until verified (a DNS TXT record the admin publishes)."""
    name = normalise_domain(domain)
    if not DOMAIN_RE.match(name):
        raise ValidationError({"domain": _("Enter a domain such as example.com.")})
    if name in PUBLIC_MAIL_DOMAINS:
        raise ValidationError(
            {
                "domain": _("Anyone can have an address at %(domain)s: it cannot be claimed.")
                % {"domain": name}
            }
        )
    if OrgDomain.objects.filter(domain=name).exists():
        raise ValidationError({"domain": _("This domain is already claimed.")})
    try:
        with transaction.atomic():
            record = OrgDomain.objects.create(org=org, domain=name, token=secrets.token_urlsafe(24))
    except IntegrityError:
        raise ValidationError({"domain": _("This domain is already claimed.")}) from None
    audit_record(org=org, actor=actor, action="domain.add", target=record, changes={"domain": [None, name]})
    return record


@transaction.atomic
def org_domain_verify(*, record: OrgDomain, actor: User) -> OrgDomain:
    """Look the TXT record up; the domain is verified when it carries the organisation's token."""
    if record.verified_at is not None:
        return record
    if record.record_value not in txt_records(record.record_name):
        raise ValidationError(
            _(
                "No TXT record %(name)s with the value %(value)s was found. DNS changes can take a while; try again later."
            )
            % {"name": record.record_name, "value": record.record_value}
        )
    record.verified_at = timezone.now()
    record.save(update_fields=["verified_at"])
    audit_record(
        org=record.org,
        actor=actor,
        action="domain.verify",
        target=record,
        changes={"verified": [False, True]},
    )
    return record


@transaction.atomic
def org_domain_set_auto_join(*, record: OrgDomain, auto_join: bool, actor: User) -> OrgDomain:
    if auto_join and record.verified_at is None:
        raise ValidationError(_("Verify the domain before people can join by it."))
    if record.auto_join != auto_join:
        before = record.auto_join
        record.auto_join = auto_join
        record.save(update_fields=["auto_join"])
        audit_record(
            org=record.org, actor=actor, action="domain.auto_join", target=record,
            changes={"auto_join": [before, auto_join]},
        )  # fmt: skip
    return record


@transaction.atomic
def org_domain_remove(*, record: OrgDomain, actor: User) -> None:
    audit_record(
        org=record.org,
        actor=actor,
        action="domain.remove",
        target=record,
        changes={"domain": [record.domain, None]},
    )
    record.delete()


@transaction.atomic
def org_sign_in_update(
    *,
    org: Organization,
    sso_required: bool,
    break_glass_admin: User | None,
    actor: User,
    mfa_required: bool | None = None,
) -> Organization:
    """Require single sign-on for the organisation's members. One active admin keeps their
    password (break glass); without one, nobody could get in while the provider is down."""
    if sso_required:
        if not configured_providers():
            raise ValidationError(
                {
                    "sso_required": _(
                        "No identity provider is configured for this deployment yet (docs/authentication.md)."
                    )
                }
            )
        if break_glass_admin is None:
            raise ValidationError(
                {"break_glass_admin": _("Choose the admin who may still sign in with a password.")}
            )
        if not Membership.objects.filter(
            org=org, user=break_glass_admin, role=Role.ADMIN, is_active=True, user__is_active=True
        ).exists():
            raise ValidationError({"break_glass_admin": _("The break-glass admin must be an active admin.")})
    fields = ("sso_required", "break_glass_admin_id", "mfa_required")
    before: dict[str, object] = {name: getattr(org, name) for name in fields}
    org.sso_required = sso_required
    org.break_glass_admin = break_glass_admin if sso_required else None
    if mfa_required is not None:
        org.mfa_required = mfa_required
    org.save(update_fields=["sso_required", "break_glass_admin", "mfa_required"])
    changes = audit_diff(before, {name: getattr(org, name) for name in fields})
    if changes:
        audit_record(org=org, actor=actor, action="org.sign_in", target=org, changes=changes)
    return org


@transaction.atomic
def sso_auto_join(*, user: User, domain: OrgDomain) -> Membership:
    """A person whose identity provider verified an e-mail at a verified auto-join domain joins
    the organisation as a member (audited, with them as the actor)."""
    membership, created = Membership.objects.get_or_create(
        org=domain.org, user=user, defaults={"role": Role.MEMBER}
    )
    if created:
        audit_record(
            org=domain.org, actor=user, action="member.auto_join", target=membership,
            changes={"role": [None, Role.MEMBER], "domain": [None, domain.domain]},
        )  # fmt: skip
    return membership
