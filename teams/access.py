"""The permission core for pages.

Every view in the project declares who may reach it, with exactly one of:

* ``public_page``      – anyone, signed in or not (sign-in, password reset, health). Such a view
                         must not read tenant data.
* ``user_page``        – any signed-in user; not scoped to an organisation (profile, tokens).
* ``org_page(roles=…)``– a page under ``/o/<org_slug>/``. The organisation is resolved from the URL
                         and the user's membership checked *before* the view runs:
                         anonymous → sign-in redirect, not a member → 404 (exactly as if the
                         organisation did not exist), role not allowed → 403.

API views get the same rules from the base classes in ``teams.api_base``.

``teams.middleware.AccessDeclarationMiddleware`` refuses (fail-closed) any view that carries no
declaration, and any view with an ``org_slug`` URL argument that is not an organisation view, so a
new view cannot forget its check. The URL-walking test (tests/test_url_permissions.py) reads the
same declarations and checks every route for every role.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from .models import Membership, Organization, Role
from .selectors import membership_for_user, mfa_enabled
from .sync import set_writing_for

ACCESS_ATTR = "stretch_access"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

ALL_ROLES: frozenset[str] = frozenset(Role.values)
ADMIN_ONLY: frozenset[str] = frozenset({Role.ADMIN})
MANAGERS: frozenset[str] = frozenset({Role.ADMIN, Role.MANAGER})
PEOPLE_WITH_MONEY: frozenset[str] = frozenset({Role.ADMIN, Role.HR})
# Who looks after everyone's recognition and growth (star of the month, training, promotion
# track) across the organisation; the same people as for money today, a separate rule on purpose.
PEOPLE_OPERATIONS: frozenset[str] = frozenset({Role.ADMIN, Role.HR})
CONTRIBUTORS: frozenset[str] = frozenset({Role.ADMIN, Role.MANAGER, Role.MEMBER})

Kind = Literal["public", "user", "org"]

# Object rules: what a route that changes one object (named in its URL) checks beyond the role.
# TEAM_RULE — the object belongs to a team (a goal, its plan, a team's review, rhythm, budget, an
#   alert on a goal, a value of a goal…): admins, the managers of that team or of a team above it,
#   and where the owning app says so the person whose entry it is (the owner of an initiative
#   reports its progress). Anyone else — a manager of another team included — gets 403.
# OPEN_RULE — the object belongs to no team (a cross-team squad) or the action is open to every
#   role the route allows (commenting on a goal, helping a colleague with a blocker).
# A route that lets managers or members write to an object must declare one
# (tests/test_url_permissions.py fails it otherwise, and checks the declared rule).
ObjectRule = Literal["team", "open"]
TEAM_RULE: ObjectRule = "team"
OPEN_RULE: ObjectRule = "open"
UNSAFE_METHODS: frozenset[str] = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Access:
    kind: Kind
    roles: frozenset[str] = frozenset()
    write_roles: frozenset[str] | None = None
    object_rule: ObjectRule | None = None
    # The methods the object rule guards: writes; also GET for a page that is only a form to
    # change the object (an edit page is not offered to someone who cannot save it).
    rule_methods: frozenset[str] = UNSAFE_METHODS

    def roles_for(self, method: str) -> frozenset[str]:
        if method.upper() in SAFE_METHODS or self.write_roles is None:
            return self.roles
        return self.write_roles

    def rule_for(self, method: str) -> ObjectRule | None:
        return self.object_rule if method.upper() in self.rule_methods else None


class OrgRequest(HttpRequest):
    """What an ``org_page`` view receives: the request with its organisation resolved."""

    org: Organization
    membership: Membership


ViewFunc = Callable[..., HttpResponse]


def _declare(view: ViewFunc, access: Access) -> ViewFunc:
    setattr(view, ACCESS_ATTR, access)
    return view


def public_page(view: ViewFunc) -> ViewFunc:
    return _declare(view, Access(kind="public"))


def user_page(view: ViewFunc) -> ViewFunc:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _declare(wrapper, Access(kind="user"))


def enter_org(request: HttpRequest, membership: Membership) -> None:
    """Attach the organisation to the request, show times in its time zone, and apply its default
    language when the user has not chosen one (user's choice → organisation default → browser).
    LanguageMiddleware restores both when the response is done."""
    request.org = membership.org  # type: ignore[attr-defined]
    request.membership = membership  # type: ignore[attr-defined]
    set_writing_for(membership.org_id)  # its writes move this organisation's data version (teams.sync)
    timezone.activate(zoneinfo.ZoneInfo(membership.org.timezone))  # dates shown in the org's time zone
    user = membership.user
    if not user.language:
        translation.activate(membership.org.default_language)
        request.LANGUAGE_CODE = translation.get_language()


def org_page(
    *,
    roles: Iterable[str],
    write_roles: Iterable[str] | None = None,
    object_rule: ObjectRule | None = None,
    rule_on_get: bool = False,
) -> Callable[[ViewFunc], ViewFunc]:
    """Declare an organisation page. ``object_rule`` says what a page that changes the object in
    its URL checks beyond the role (TEAM_RULE / OPEN_RULE; the view enforces it through its
    app's services); ``rule_on_get`` when the page is only a form to change that object."""
    access = Access(
        kind="org",
        roles=frozenset(roles),
        write_roles=frozenset(write_roles) if write_roles is not None else None,
        object_rule=object_rule,
        rule_methods=UNSAFE_METHODS | ({"GET"} if rule_on_get else set()),
    )
    unknown = (access.roles | (access.write_roles or frozenset())) - ALL_ROLES
    if unknown:
        raise ValueError(f"Unknown roles in org_page declaration: {sorted(unknown)}")

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for_user(user=request.user, org_slug=org_slug)  # 404 if not a member
            if membership.role not in access.roles_for(request.method or "GET"):
                raise PermissionDenied
            if (
                membership.org.mfa_required
                and membership.role in PEOPLE_WITH_MONEY
                and not mfa_enabled(user=request.user)
            ):
                # Admins and HR see money: the organisation asks them for a second factor first.
                return redirect(f"{reverse('mfa_settings')}?{urlencode({'next': request.get_full_path()})}")
            enter_org(request, membership)
            if request.session.get("last_org") != org_slug:
                request.session["last_org"] = org_slug
            return view(request, *args, **kwargs)

        return _declare(wrapper, access)

    return decorator


def access_of(view: Any) -> Access | None:
    """The declaration of a resolved view function (plain views, class-based views made with
    as_view(), and DRF views whose class derives from a teams.api_base base)."""
    access = getattr(view, ACCESS_ATTR, None)
    if access is not None:
        return access
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    kind = getattr(cls, "stretch_access_kind", None)
    if kind == "org" and not any(
        getattr(p, "enforces_org_scope", False) for p in getattr(cls, "permission_classes", ())
    ):
        return None  # claims to be an organisation view without the permission that makes it one
    if kind is not None:
        return Access(kind=kind)
    return None
