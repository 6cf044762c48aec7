"""The permission core for the API: one base per kind of endpoint, one error format, one
pagination.

* ``OrgViewSet`` / ``OrgAPIView`` – resources under ``/api/v1/orgs/<org_slug>/``. Authentication,
  membership (404 for another organisation), role (403) and queryset scoping are done here.
  Subclasses implement ``scoped_queryset(org=…)``; overriding ``get_queryset`` is refused at class
  creation. An unscoped queryset must be spelled ``dangerously_get_queryset`` so a reviewer can
  grep for it.
* ``UserAPIView`` – signed-in user, no organisation (``/api/v1/me/``).
* ``PublicAPIView`` – no authentication (ping, schema).

Roles: ``read_roles`` for safe methods, ``write_roles`` for the rest (default: admins only, so a
forgotten declaration fails closed), ``action_roles`` to override per action.

Object rules (see ``teams.access.TEAM_RULE``): a viewset whose writes change one object declares
``object_rule`` (and ``action_object_rules`` per action); under TEAM_RULE it implements
``require_change(obj)`` with its app's service, which raises ``NotAllowed``. The check runs when
the object is fetched (``get_object``), before the body is read: another team's manager gets 403
whatever they send.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, generics, mixins, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import api_http
from .access import ADMIN_ONLY, ALL_ROLES, OPEN_RULE, PEOPLE_WITH_MONEY, SAFE_METHODS, TEAM_RULE, enter_org
from .api_support import Pagination, error_body, exception_handler
from .models import ApiToken, Membership, Organization, Role, TokenScope
from .selectors import membership_for_service_token, membership_for_user, mfa_enabled


# --- Permissions ------------------------------------------------------------------------------
def request_token(request: Request) -> ApiToken | None:
    """The API token the request was authenticated with (None for a session)."""
    return request.auth if isinstance(request.auth, ApiToken) else None


def require_token_scope(request: Request, view: Any) -> None:
    """A scoped token (TokenScope) is refused (403) what its scope does not cover: a `read` token
    every write; a `metrics:write` token every write but the actions the view lists in
    ``metrics_write_actions`` (pushing values, importing a file). Sessions and `full` tokens pass."""
    token = request_token(request)
    if token is None or token.scope == TokenScope.FULL or (request.method or "GET").upper() in SAFE_METHODS:
        return
    if token.scope == TokenScope.METRICS_WRITE and getattr(view, "action", None) in getattr(
        view, "metrics_write_actions", frozenset()
    ):
        return
    if token.scope == TokenScope.READ:
        raise exceptions.PermissionDenied(_("This token is read-only."))
    raise exceptions.PermissionDenied(_("This token may only push metric values and value imports."))


def require_mfa(*, membership: Membership, user: Any) -> None:
    """An organisation that requires two-factor authentication of its admins and HR refuses
    their API requests (403) until they turn it on: checked on every request, so a token made
    before the setting was turned on (or before the person became admin or HR) gets no way
    around it. Costs a query only for admins and HR of such an organisation."""
    if (
        membership.org.mfa_required
        and not membership.is_service
        and membership.role in PEOPLE_WITH_MONEY
        and not mfa_enabled(user=user)
    ):
        raise exceptions.PermissionDenied(
            _(
                "%(org)s requires two-factor authentication for admins and HR. Turn it on under "
                "Profile → Two-factor authentication, then use this token again."
            )
            % {"org": membership.org.name}
        )


class TokenScopePermission(BasePermission):
    """The token scope rule for endpoints outside an organisation (``UserAPIView``)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        require_token_scope(request, view)
        return True


class OrgRolePermission(BasePermission):
    """Anonymous → 401; not a member of the URL's organisation → 404; role not allowed → 403."""

    enforces_org_scope = True

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        org_slug = view.kwargs.get("org_slug")
        if not org_slug:
            raise DjangoPermissionDenied("Organisation views need an org_slug URL argument.")
        token = request_token(request)
        if token is not None and token.org_id is not None:  # an organisation service token
            membership = membership_for_service_token(token=token, org_slug=org_slug)
        else:
            membership = membership_for_user(user=request.user, org_slug=org_slug)
        view.membership = membership
        view.org = membership.org
        enter_org(request._request, membership)
        require_mfa(membership=membership, user=request.user)
        require_token_scope(request, view)
        action = getattr(view, "action", None)
        if (
            membership.is_service
            and Role.VIEWER not in view.roles_for(action=action, method="GET")
            and not view.metrics_write_actions
        ):  # A service token reads what every role reads (and its pushes): no money, settings, secrets.
            raise exceptions.PermissionDenied(_("A service token cannot use this endpoint."))
        return membership.role in view.roles_for(action=action, method=request.method)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        """A write to one object: the object rule the view declares (403 through NotAllowed)."""
        if (request.method or "GET").upper() in SAFE_METHODS:
            return True
        if view.object_rule_for(action=getattr(view, "action", None)) == TEAM_RULE:
            view.require_change(obj)
        return True


class _OrgScoped:
    """Shared by every organisation API base."""

    stretch_access_kind: ClassVar[str] = "org"
    permission_classes: ClassVar[list[type[BasePermission]]] = [OrgRolePermission]
    read_roles: ClassVar[frozenset[str]] = ALL_ROLES
    write_roles: ClassVar[frozenset[str]] = ADMIN_ONLY
    action_roles: ClassVar[dict[str, frozenset[str]]] = {}
    object_rule: ClassVar[str | None] = None
    action_object_rules: ClassVar[dict[str, str]] = {}
    # The write actions a `metrics:write` token may perform here (require_token_scope).
    metrics_write_actions: ClassVar[frozenset[str]] = frozenset()
    org: Organization
    membership: Membership

    @classmethod
    def object_rule_for(cls, *, action: str | None) -> str | None:
        if action and action in cls.action_object_rules:
            return cls.action_object_rules[action]
        return cls.object_rule

    def require_change(self, obj: Any) -> None:
        """Under TEAM_RULE: raise NotAllowed unless the request's member may change `obj`
        (delegate to the app's service, which words the refusal)."""
        raise NotImplementedError

    @classmethod
    def roles_for(cls, *, action: str | None, method: str | None) -> frozenset[str]:
        if action and action in cls.action_roles:
            return cls.action_roles[action]
        return cls.read_roles if (method or "GET").upper() in SAFE_METHODS else cls.write_roles

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Checked along the whole MRO, so a mixin cannot slip an unscoped queryset in either.
        if not getattr(cls.get_queryset, "_stretch_base", False):
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); implement scoped_queryset(org=…) instead, "
                "or name an unscoped queryset dangerously_get_queryset()."
            )
        if cls.get_object is not generics.GenericAPIView.get_object:
            raise TypeError(
                f"{cls.__name__} overrides get_object(); objects must come from scoped_queryset()."
            )
        if not any(getattr(p, "enforces_org_scope", False) for p in cls.permission_classes):
            raise TypeError(f"{cls.__name__} must keep OrgRolePermission in permission_classes.")
        unknown = (
            cls.read_roles | cls.write_roles | frozenset().union(*cls.action_roles.values())
        ) - ALL_ROLES
        if unknown:
            raise TypeError(f"{cls.__name__} declares unknown roles {sorted(unknown)}")
        rules = {cls.object_rule, *cls.action_object_rules.values()} - {None}
        if rules - {TEAM_RULE, OPEN_RULE}:
            raise TypeError(f"{cls.__name__} declares unknown object rules {sorted(rules)}")
        if TEAM_RULE in rules and cls.require_change is _OrgScoped.require_change:
            raise TypeError(f"{cls.__name__} declares TEAM_RULE and must implement require_change(obj).")

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement scoped_queryset(org=…)")

    def get_queryset(self) -> QuerySet[Any]:
        """The scoped queryset, built once per read: the list may ask for it more than once (e.g.
        its filters and its rows), and building it may cost a query (e.g. the teams whose retro cards the
        person reads). Each caller gets a fresh copy (`.all()`: no shared result cache). A write
        builds it anew each time (what it reads back must see what it wrote)."""
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no org
            return self.scoped_queryset(org=Organization(pk=0))
        request = getattr(self, "request", None)
        reading = request is not None and (request.method or "").upper() in ("GET", "HEAD")
        built = self.__dict__.get("_stretch_scoped") if reading else None
        if built is None:
            dangerous = getattr(self, "dangerously_get_queryset", None)
            built = dangerous() if dangerous is not None else self.scoped_queryset(org=self.org)
            if reading:
                self._stretch_scoped = built
        return built.all()

    get_queryset._stretch_base = True  # type: ignore[attr-defined]

    # --- Conditional GET (teams.api_http): validated after the permission checks, before any
    # row is read; a matching If-None-Match answers 304.
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.stretch_etag = api_http.entity_tag(self, request)
        if self.stretch_etag is not None and api_http.if_none_match(request, self.stretch_etag):
            raise api_http.NotModified(self.stretch_etag)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, api_http.NotModified):
            return Response(status=304, headers={"ETag": exc.etag, "Cache-Control": "private, no-cache"})
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        etag = getattr(self, "stretch_etag", None)
        if etag is not None and response.status_code == 200 and "*" in api_http.requested_tags(request):
            response = Response(status=304)  # `If-None-Match: *`: it exists (the read just said so)
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if etag is not None and response.status_code in (200, 304):
            response["ETag"] = etag
            response["Cache-Control"] = "private, no-cache"
        return response

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["org"] = getattr(self, "org", None)
        context["membership"] = getattr(self, "membership", None)
        return context


class OrgViewSet(_OrgScoped, viewsets.ModelViewSet):  # type: ignore[misc]
    pass


class OrgReadOnlyViewSet(_OrgScoped, viewsets.ReadOnlyModelViewSet):  # type: ignore[misc]
    pass


class OrgGenericViewSet(_OrgScoped, viewsets.GenericViewSet):  # type: ignore[misc]
    """Compose with DRF mixins for viewsets that expose only some actions."""


class OrgAPIView(_OrgScoped, generics.GenericAPIView):  # type: ignore[misc]
    """A non-model endpoint under an organisation (reports, actions)."""

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Model]:  # pragma: no cover - unused
        return Organization.objects.filter(pk=org.pk)


class UserAPIView(APIView):
    stretch_access_kind: ClassVar[str] = "user"
    permission_classes: ClassVar[list[type[BasePermission]]] = [IsAuthenticated, TokenScopePermission]


class PublicAPIView(APIView):
    stretch_access_kind: ClassVar[str] = "public"
    authentication_classes: ClassVar[list[Any]] = []
    permission_classes: ClassVar[list[Any]] = []


__all__ = [
    "OrgAPIView",
    "OrgGenericViewSet",
    "OrgReadOnlyViewSet",
    "OrgViewSet",
    "Pagination",
    "PublicAPIView",
    "UserAPIView",
    "error_body",
    "exception_handler",
    "mixins",
]


# --- Helpers for subclasses -------------------------------------------------------------------
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from django.core.exceptions import ValidationError as DjangoValidationError  # noqa: E402
from rest_framework import serializers  # noqa: E402


@contextmanager
def service_errors(field_map: dict[str, str] | None = None) -> Iterator[None]:
    """Turn a service's Django ValidationError into the API's 400, keeping the field names
    (optionally renamed to the serializer's names)."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            mapping = field_map or {}
            detail = {
                mapping.get(k, k): [str(m) for e in v for m in e.messages]
                for k, v in error.error_dict.items()
            }
            raise exceptions.ValidationError(detail) from error
        raise exceptions.ValidationError({"non_field_errors": error.messages}) from error


class OrgScopedRelatedField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A primary-key reference that only accepts rows of the request's organisation; an id from
    another organisation reads exactly like one that does not exist."""

    def __init__(
        self,
        *,
        model: type[Model],
        org_field: str = "org",
        filters: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.model = model
        self.org_field = org_field
        self.filters = filters or {}
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model._default_manager.none()
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        org = self.context.get("org")
        if org is None:
            return self.model._default_manager.none()
        return self.model._default_manager.filter(**{self.org_field: org}, **self.filters)


def org_choices(model: type[Model], org_field: str = "org") -> Any:
    """The queryset callable a django-filter choice filter needs: the request organisation's rows
    only, so a filter on another organisation's id is a 400, never a leak."""

    def queryset(request: Any) -> QuerySet[Any]:
        org = getattr(request, "org", None)
        if org is None:
            return model._default_manager.none()
        return model._default_manager.filter(**{org_field: org})

    return queryset
