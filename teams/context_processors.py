"""Context shared by every page: the organisation switcher, navigation and languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .access import ADMIN_ONLY
from .hooks import shell_context_providers
from .selectors import membership_list_for_user

SECTIONS = ("goals", "plans", "tracking", "incentives", "retros", "people")
# Apps whose pages live under another app's navigation item (recognition is 精神激励, an incentive).
SECTION_OF = {"recognition": "incentives"}


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    org = getattr(request, "org", None)
    membership = getattr(request, "membership", None)
    match = getattr(request, "resolver_match", None)
    module = getattr(getattr(match, "func", None), "__module__", "") or ""
    app = module.split(".")[0]
    app = SECTION_OF.get(app, app)
    section = app if app in SECTIONS else ""
    context: dict[str, Any] = {
        "current_section": section,
        "current_org": org,
        "current_membership": membership,
        "is_org_admin": bool(membership and membership.role in ADMIN_ONLY),
        "available_languages": settings.LANGUAGES,
    }
    if membership is not None:
        for provider in shell_context_providers:
            context.update(provider(request))
    if user is not None and user.is_authenticated:
        # Evaluated only when a template shows the switcher.
        context["my_memberships"] = SimpleLazyObject(lambda: list(membership_list_for_user(user=user)))
    return context
