"""Squads (专项小组) and people's capacity."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Membership, Organization
from teams.services import audit_diff, audit_record

from .. import selectors
from ..models import Capacity, Squad
from .checks import MAX_SQUAD_NAME, _cents, _too_long


# --- Squads and budgets -------------------------------------------------------------------------
def _squad_errors(
    *,
    org: Organization,
    name: str,
    lead: Membership,
    members: Sequence[Membership],
    squad: Squad | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    clash = Squad.objects.filter(org=org, name__iexact=name.strip())
    if squad is not None:
        clash = clash.exclude(pk=squad.pk)
    if not name.strip():
        errors["name"] = [_("Name the squad.")]
    elif message := _too_long(name, MAX_SQUAD_NAME):
        errors["name"] = [message]
    elif clash.exists():
        errors["name"] = [_("A squad with this name already exists.")]
    if lead.org_id != org.pk or not lead.is_active:
        errors["lead"] = [_("Choose an active member of this organisation.")]
    if any(m.org_id != org.pk or not m.is_active for m in members):
        errors["members"] = [_("Choose active members of this organisation.")]
    return errors


@transaction.atomic
def squad_create(
    *, org: Organization, actor: Membership, name: str, lead: Membership, members: Sequence[Membership],
    description: str = "",
) -> Squad:  # fmt: skip
    """专项小组: a named, cross-functional group with a lead (always one of its members)."""
    errors = _squad_errors(org=org, name=name, lead=lead, members=members)
    if errors:
        raise ValidationError(errors)
    squad = Squad.objects.create(org=org, name=name.strip(), lead=lead, description=description.strip())
    squad.members.set({m.pk for m in [lead, *members]})
    audit_record(org=org, actor=actor.user, action="squad.create", target=squad)
    return squad


@transaction.atomic
def squad_update(
    *, squad: Squad, actor: Membership, name: str, lead: Membership, members: Sequence[Membership],
    description: str = "",
) -> Squad:  # fmt: skip
    errors = _squad_errors(org=squad.org, name=name, lead=lead, members=members, squad=squad)
    if errors:
        raise ValidationError(errors)
    before = {
        "name": squad.name,
        "lead": squad.lead_id,
        "members": sorted(squad.members.values_list("pk", flat=True)),
    }
    squad.name, squad.lead, squad.description = name.strip(), lead, description.strip()
    squad.save()
    squad.members.set({m.pk for m in [lead, *members]})
    after = {"name": squad.name, "lead": squad.lead_id, "members": sorted({m.pk for m in [lead, *members]})}
    audit_record(org=squad.org, actor=actor.user, action="squad.update", target=squad,
                 changes=audit_diff(before, after))  # fmt: skip
    return squad


@transaction.atomic
def capacity_set(*, org: Organization, actor: Membership, membership: Membership, load: Decimal) -> Capacity:
    """How many priority-weighted initiatives a person carries at once (overload conflicts use it):
    admins for everyone, managers for the people of the teams they manage."""
    errors: dict[str, list[str]] = {}
    if membership.org_id != org.pk:
        errors["membership"] = [_("Choose a member of this organisation.")]
    else:
        selectors.can_set_capacity(member=actor, person=membership).require()
    if not load.is_finite() or load <= 0 or load >= 100:
        errors["load"] = [_("Enter a capacity between 0 and 100, e.g. 3.")]
    elif not _cents(load):
        errors["load"] = [_("Use at most 2 decimal places.")]
    if errors:
        raise ValidationError(errors)
    capacity, _created = Capacity.objects.update_or_create(membership=membership, defaults={"load": load})
    audit_record(org=org, actor=actor.user, action="capacity.set", target=capacity,
                 changes={"load": [None, str(load)]})  # fmt: skip
    return capacity
