"""Finish-to-start links between initiatives (never a cycle)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Membership
from teams.services import audit_record

from .. import selectors
from ..models import Dependency, Initiative
from ..schedule import find_cycle
from .checks import _scope


# --- Dependencies -------------------------------------------------------------------------------
@transaction.atomic
def dependency_add(*, predecessor: Initiative, successor: Initiative, actor: Membership) -> Dependency:
    """Finish-to-start. Refused across organisations, on itself, and when it would close a cycle
    (the message names the cycle)."""
    if predecessor.org_id != successor.org_id or predecessor.org_id != actor.org_id:
        raise ValidationError({"predecessor": [_("Both initiatives must belong to this organisation.")]})
    # The link is part of the plan of the work that waits (see selectors.can_change_dependency).
    selectors.can_change_initiative(member=actor, initiative=successor).require()
    if predecessor.pk == successor.pk:
        raise ValidationError({"predecessor": [_("An initiative cannot depend on itself.")]})
    if Dependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationError({"predecessor": [_("This dependency already exists.")]})
    edges = Dependency.objects.filter(predecessor__org_id=predecessor.org_id).values_list(
        "predecessor_id", "successor_id"
    )
    cycle = find_cycle(list(edges), (predecessor.pk, successor.pk))
    if cycle:
        titles = dict(Initiative.objects.filter(pk__in=cycle).values_list("pk", "title"))
        path = " → ".join(f"“{titles[i]}”" for i in cycle)
        raise ValidationError({"predecessor": [_("This would create a cycle: %(path)s.") % {"path": path}]})
    dependency = Dependency.objects.create(predecessor=predecessor, successor=successor)
    audit_record(org=predecessor.org, actor=actor.user, action="dependency.add", target=dependency,
                 changes={"link": [None, f"{predecessor.pk}→{successor.pk}"]}, scope=_scope(successor))  # fmt: skip
    return dependency


@transaction.atomic
def dependency_remove(*, dependency: Dependency, actor: Membership) -> None:
    selectors.can_change_dependency(member=actor, dependency=dependency).require()
    audit_record(org=dependency.successor.org, actor=actor.user, action="dependency.remove", target=dependency,
                 scope=_scope(dependency.successor))  # fmt: skip
    dependency.delete()
