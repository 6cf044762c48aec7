"""Tenancy core: users, organisations (the tenant), teams, memberships with roles, API tokens,
login attempts and the platform heartbeat."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.pinyin import name_search_key


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[User]:
        """As QuerySet.bulk_create, with each user's search key filled (save() is not called)."""
        objs = list(objs)
        for user in objs:
            user.search_key = name_search_key(user.display_name, user.email)
        return super().bulk_create(objs, *args, **kwargs)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Users log in with their e-mail address and may belong to several organisations."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Leave empty to follow the organisation's default language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # What the people pickers match: name, e-mail, pinyin and its initials (teams.pinyin). On
    # PostgreSQL a pg_trgm GIN index (migration 0011) serves its LIKE '%…%'.
    search_key = models.TextField(blank=True, default="", editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        key = name_search_key(self.display_name, self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and key != self.search_key:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        self.search_key = key
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (¥)")
    USD = "USD", _("US dollar ($)")
    EUR = "EUR", _("Euro (€)")
    GBP = "GBP", _("Pound sterling (£)")
    JPY = "JPY", _("Japanese yen (¥)")
    HKD = "HKD", _("Hong Kong dollar (HK$)")
    SGD = "SGD", _("Singapore dollar (S$)")


class Month(models.IntegerChoices):
    JANUARY = 1, _("January")
    FEBRUARY = 2, _("February")
    MARCH = 3, _("March")
    APRIL = 4, _("April")
    MAY = 5, _("May")
    JUNE = 6, _("June")
    JULY = 7, _("July")
    AUGUST = 8, _("August")
    SEPTEMBER = 9, _("September")
    OCTOBER = 10, _("October")
    NOVEMBER = 11, _("November")
    DECEMBER = 12, _("December")


slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 1–50 lower-case letters, digits and hyphens, not starting or ending with a hyphen."),
)

RESERVED_SLUGS = frozenset({"new", "api", "admin", "static", "settings", "accounts", "healthz", "o"})


class Organization(models.Model):
    """The tenant. Every tenant-owned row points to exactly one organisation."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("URL name"), max_length=50, unique=True, validators=[slug_validator])
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in"),
        choices=Month.choices,
        default=Month.JANUARY,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    experiment_allowance = models.PositiveSmallIntegerField(
        _("failed experiments tolerated per person per quarter"),
        default=1,
        validators=[MaxValueValidator(20)],
        help_text=_("Error tolerance: failed innovation experiments (with the lesson recorded) that count "
                    "against no one."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Sign-in (docs/authentication.md): members sign in only through single sign-on, except the
    # one break-glass admin, who keeps a password for when the identity provider is down.
    sso_required = models.BooleanField(_("single sign-on required"), default=False)
    # Admins and HR see money: with this on they must use a second factor (TOTP) on pages and to
    # create an API token.
    mfa_required = models.BooleanField(
        _("two-factor authentication required for admins and HR"), default=False
    )
    break_glass_admin = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("break-glass admin"),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This URL name is reserved. Choose another.")})


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")
    HR = "hr", _("HR")
    VIEWER = "viewer", _("Viewer")


class Team(models.Model):
    """A team inside an organisation. Teams nest: a team may have a parent team."""

    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="teams", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent team"),
    )
    managers = models.ManyToManyField(
        "Membership", blank=True, related_name="managed_teams", verbose_name=_("managers")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ("name",)
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="team_unique_name_per_org")]
        indexes = [models.Index(fields=["org", "parent"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        parent = self.parent if self.parent_id is not None else None
        if parent is None:
            return
        if parent.org_id != self.org_id:
            raise ValidationError({"parent": _("The parent team must belong to the same organisation.")})
        seen: set[int] = set()
        node: Team | None = parent
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A team cannot be nested inside itself or one of its sub-teams.")}
                )
            if node.pk in seen:  # pragma: no cover - defends against corrupt data
                break
            seen.add(node.pk)
            node = node.parent


class PeopleManager(models.Manager["Membership"]):
    """Memberships of people: the hidden memberships behind organisation service tokens are left
    out, so no list, reminder, payout or choice of a person ever meets one."""

    def get_queryset(self) -> models.QuerySet[Membership]:
        return super().get_queryset().filter(is_service=False)


class Membership(models.Model):
    """A user's place in an organisation: one role, any number of teams."""

    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    teams = models.ManyToManyField(Team, blank=True, related_name="members", verbose_name=_("teams"))
    title = models.CharField(_("job title"), max_length=120, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    # The acting identity of an organisation service token (teams.services.service_token_create):
    # not a person. `objects` leaves these out; `with_services` includes them.
    is_service = models.BooleanField(default=False, editable=False)

    objects = PeopleManager()
    with_services = models.Manager()  # noqa: DJ012 - a manager (ruff reads it as a field)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ("user__display_name",)
        constraints = [models.UniqueConstraint(fields=["org", "user"], name="membership_unique_user_per_org")]
        indexes = [models.Index(fields=["org", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.org}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN
