"""Forms validate shape only; business rules live in services."""

from __future__ import annotations

import ipaddress
import time
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .models import Currency, Membership, Month, Organization, Role, Team, TokenScope
from .page_forms import choose_people
from .selectors import break_glass_candidates, can_sign_in_with_password, login_lockout_remaining
from .services import login_attempt_record

# Where a password sign-in refused for single sign-on leaves the account it proved (teams.sso).
SSO_LINK_SESSION_KEY = "stretch_sso_link"


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or with NUM_PROXIES trusted proxies in front, the
    address they recorded in X-Forwarded-For. Anything that is not an IP address is ignored."""
    if request is None:
        return None
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            address = _valid_ip(forwarded[-proxies])
            if address:
                return address
    return _valid_ip(request.META.get("REMOTE_ADDR"))


class LoginForm(AllauthLoginForm):
    """django-allauth's password sign-in form (``ACCOUNT_FORMS["login"]``), with Stretch's
    throttle: after LOGIN_THROTTLE_LIMIT failures for an account or an address within the window,
    sign-in is refused with a clear message until the window has passed (teams.selectors). The
    e-mail field is allauth's ``login``; its HTML name stays ``username`` so that bookmarks,
    password managers and scripts that post the form keep working."""

    error_messages = {
        "invalid_login": _("That e-mail and password do not match. Passwords are case-sensitive."),
        "locked": _("Too many failed sign-in attempts. Try again in %(minutes)s."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.EmailField(
            label=_("E-mail"),
            max_length=254,
            widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        )
        self.fields["password"] = forms.CharField(
            label=_("Password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        )
        self.order_fields(["login", "password"])

    def add_prefix(self, field_name: str) -> str:
        return super().add_prefix("username" if field_name == "login" else field_name)

    def clean_login(self) -> str:
        return str(self.cleaned_data["login"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username") or "").replace("\x00", "").strip().lower()[:254]
        ip = client_ip(self.request)
        remaining = login_lockout_remaining(username=username, ip=ip)
        if remaining:
            minutes = max(1, (remaining + 59) // 60)
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}},
            )
        try:
            cleaned: dict[str, Any] = super().clean()
        except ValidationError as exc:
            login_attempt_record(username=username, ip=ip, succeeded=False)
            if getattr(exc, "code", None) == "email_password_mismatch":
                raise ValidationError(self.error_messages["invalid_login"], code="invalid_login") from exc
            raise
        # A submission with an invalid field (no password, say) never reached authenticate(): it
        # is a failed attempt too, and must not count as a success that clears the failures.
        user = self.user
        login_attempt_record(username=username, ip=ip, succeeded=user is not None)
        if user is not None and not (verdict := can_sign_in_with_password(user=user)):
            # The password was right, but the organisation signs its members in through its
            # identity provider. This session may now connect that identity to this account
            # (the password proved it): the next single sign-on here links the two.
            if self.request is not None:
                self.request.session[SSO_LINK_SESSION_KEY] = {"user": user.pk, "at": int(time.time())}
            raise ValidationError(verdict.reason, code="sso_required")
        return cleaned


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


def _utc_offset(name: str) -> str:
    offset = datetime.now(zoneinfo.ZoneInfo(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class DatalistInput(forms.TextInput):
    """A text input that suggests its choices as the person types (<datalist>): a long list is
    found by typing part of a name, with the keyboard, and without any script."""

    def __init__(self, options: Any = (), attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.options = options

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id') or name}-options"
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        html = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or name}-options"
        options = self.options() if callable(self.options) else self.options
        items = format_html_join("", '<option value="{}">{}</option>', options)
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, items)


class TimezoneField(forms.CharField):
    """A time zone typed or picked from the suggestions ("shanghai" finds Asia/Shanghai); anything
    that is not a time zone is refused with a message, and comes back as typed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "widget",
            DatalistInput(lambda: [(name, _utc_offset(name)) for name, _label in timezone_choices()]),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return text
        known = {name.lower(): name for name, _label in timezone_choices()}
        name = known.get(str(text).strip().replace(" ", "_").lower())
        if name is None:
            raise ValidationError(
                _("“%(value)s” is not a time zone. Type a city, e.g. Shanghai, and choose it from the list."),
                code="invalid_choice", params={"value": text},
            )  # fmt: skip
        return name


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("URL name"),
        max_length=50,
        help_text=_("Lower-case letters, digits and hyphens; used in addresses such as /o/acme/."),
    )
    timezone = TimezoneField(
        label=_("Time zone"), initial="Asia/Shanghai",
        help_text=_("Type a city or region, e.g. Shanghai or London, and choose it from the list."),
    )  # fmt: skip
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.CNY)
    default_language = forms.ChoiceField(
        label=_("Default language"), choices=settings.LANGUAGES, initial="zh-hans"
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("Fiscal year starts in"), choices=Month.choices, coerce=int, initial=1
    )

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].lower()
        if Organization.objects.filter(slug=slug).exists():
            raise ValidationError(_("This URL name is taken. Choose another."))
        return slug


class OrganizationSettingsForm(OrganizationForm):
    experiment_allowance = forms.IntegerField(
        label=_("Failed experiments tolerated per person per quarter"),
        min_value=0,
        max_value=20,
        initial=1,
        help_text=_("Error tolerance: failed innovation experiments (with the lesson recorded) that count "
                    "against no one."),
    )  # fmt: skip

    @staticmethod
    def initial_for(org: Organization) -> dict[str, Any]:
        """The form's values for the organisation as it is."""
        names = (
            "name",
            "timezone",
            "currency",
            "default_language",
            "fiscal_year_start_month",
            "experiment_allowance",
        )
        return {name: getattr(org, name) for name in names}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["slug"]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.ModelChoiceField(label=_("Parent team"), queryset=Team.objects.none(), required=False)
    managers = forms.ModelMultipleChoiceField(  # chips and a search box (teams.people_picker)
        label=_("Managers"), queryset=Membership.objects.none(), required=False
    )

    @staticmethod
    def initial_for(team: Team) -> dict[str, Any]:
        """The form's values for a team being edited."""
        return {
            "name": team.name,
            "description": team.description,
            "parent": team.parent,
            "managers": list(team.managers.all()),
        }

    def __init__(self, *args: Any, org: Organization, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Team.objects.filter(org=org).order_by("name")
        if team is not None:
            parents = parents.exclude(pk=team.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        choose_people(self.fields["managers"], org=org)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    display_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(org=org).order_by("name")  # type: ignore[attr-defined]


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    employee_number = forms.CharField(label=_("Employee number"), max_length=40, required=False)

    @staticmethod
    def initial_for(member: Membership) -> dict[str, Any]:
        """The form's values for a member being edited."""
        return {
            "role": member.role,
            "teams": list(member.teams.all()),
            "title": member.title,
            "employee_number": member.employee_number,
        }

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(org=org).order_by("name")  # type: ignore[attr-defined]


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Organisation default")), *settings.LANGUAGES],
        required=False,
    )


class ApiTokenForm(forms.Form):
    """A personal token, or (for an organisation's admins only) an organisation service token."""

    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("What will use this token, e.g. “CRM sync”.")
    )
    owner = forms.ChoiceField(
        label=_("Acts for"),
        required=False,
        help_text=_("A service token acts for the organisation, not for you: it keeps working if you leave."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=TokenScope.choices,
        initial=TokenScope.FULL,
        required=False,
        help_text=_("A service token is read only, or reads and pushes metric values."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        choices=[
            ("30", _("in 30 days")),
            ("90", _("in 90 days")),
            ("365", _("in a year")),
            ("", pgettext_lazy("token expiry", "never")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )

    def __init__(self, *args: Any, admin_orgs: list[Organization] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.admin_orgs = {o.slug: o for o in admin_orgs or []}
        self.fields["owner"].choices = [("", _("Me: a personal token"))] + [
            (o.slug, _("%(org)s: a service token") % {"org": o.name}) for o in self.admin_orgs.values()
        ]
        if not self.admin_orgs:  # only admins are offered service tokens
            self.fields["owner"].widget = forms.HiddenInput()
            self.fields["scope"].help_text = ""

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or TokenScope.FULL

    def clean_owner(self) -> Organization | None:
        return self.admin_orgs.get(self.cleaned_data.get("owner") or "")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        choices=settings.LANGUAGES, error_messages={"invalid_choice": _("Unknown language “%(value)s”.")}
    )
    next = forms.CharField(required=False)


# --- Sign-in settings -------------------------------------------------------------------------
class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("E-mail domain"),
        max_length=253,
        help_text=_("The part after @ in your people's work addresses, such as example.com."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class SignInSettingsForm(forms.Form):
    sso_required = forms.BooleanField(
        label=_("Members sign in only with the company account"),
        required=False,
        help_text=_(
            "Password sign-in is turned off for everyone in this organisation but the break-glass admin."
        ),
    )
    break_glass_admin = forms.ModelChoiceField(
        label=_("Break-glass admin"),
        queryset=None,
        required=False,
        help_text=_(
            "The one admin who may still sign in with a password, for when the identity provider is down."
        ),
    )

    mfa_required = forms.BooleanField(
        label=_("Admins and HR must use two-factor authentication"),
        required=False,
        help_text=_(
            "They see money. Without it turned on, they cannot open this organisation's pages or create API tokens."
        ),
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["break_glass_admin"]
        field.queryset = break_glass_candidates(org=org)  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: f"{user.get_full_name()} <{user.email}>"  # type: ignore[attr-defined]


class MfaCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
