"""Who may get in: verified sign-in domains, pending invitations, API tokens and their scopes,
sign-in attempts (re-exported by teams.models)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import Organization, Role, Team


class OrgDomain(models.Model):
    """An e-mail domain an organisation claims. Verified by a DNS TXT record it publishes; once
    verified, and with auto-join on, a person whose identity provider verified an e-mail at this
    domain joins the organisation as a member on their first single sign-on."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)
    token = models.CharField(max_length=64)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    auto_join = models.BooleanField(_("auto-join"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ("domain",)

    def __str__(self) -> str:
        return self.domain

    @property
    def record_name(self) -> str:
        return f"_stretch-verification.{self.domain}"

    @property
    def record_value(self) -> str:
        return f"stretch-verification={self.token}"


class PendingInvitation(models.Model):
    """An invitation of an existing account to another organisation. The membership is created
    only when the person accepts it through the link e-mailed to their address, so nobody can be
    attached to an organisation, or an account be taken over, by whoever knows an e-mail address."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    teams = models.ManyToManyField(Team, blank=True, related_name="+", verbose_name=_("teams"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["org", "user"],
                condition=models.Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="invitation_one_open_per_user_and_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.org}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None


class TokenScope(models.TextChoices):
    """What a token may do. `full`: whatever its person may do; `read`: safe methods only;
    `metrics:write`: reads, and pushing metric values and value imports — nothing else."""

    FULL = "full", _("Full: everything its person may do")
    READ = "read", _("Read only")
    METRICS_WRITE = "metrics:write", _("Read, and push metric values and imports")


# The scopes an organisation service token may have (never `full`: it is not a person).
SERVICE_TOKEN_SCOPES = [
    (TokenScope.READ.value, TokenScope.READ.label),
    (TokenScope.METRICS_WRITE.value, TokenScope.METRICS_WRITE.label),
]


class ApiToken(models.Model):
    """An API token. Only a SHA-256 hash of the key is stored; the key is shown once.

    A personal token (``org`` empty) acts as its ``user``. An organisation service token (``org``
    set, created by an admin) acts as a hidden service membership of that organisation only, not
    as a person: it keeps working when its creator leaves, and every admin sees and revokes it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    scope = models.CharField(_("scope"), max_length=16, choices=TokenScope.choices, default=TokenScope.FULL)
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="service_tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_service(self) -> bool:
        return self.org_id is not None


class LoginAttempt(models.Model):
    """One sign-in attempt, kept for throttling (see teams.services.login_attempt_record)."""

    username = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {'ok' if self.succeeded else 'failed'} {self.at:%Y-%m-%d %H:%M}"
