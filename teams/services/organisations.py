"""Organisations and their teams: create and update an organisation (its creator becomes its
first admin); create, update and delete teams (a deleted team's sub-teams move up)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Membership, Organization, Role, Team, User


# --- Organisations ----------------------------------------------------------------------------
@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    creator: User,
    timezone_name: str = "Asia/Shanghai",
    currency: str = "CNY",
    default_language: str = "zh-hans",
    fiscal_year_start_month: int = 1,
) -> Organization:
    """Create an organisation; its creator becomes its first admin."""
    org = Organization(
        name=name.strip(),
        slug=slug.strip().lower(),
        timezone=timezone_name,
        currency=currency,
        default_language=default_language,
        fiscal_year_start_month=fiscal_year_start_month,
    )
    org.full_clean()
    org.save()
    Membership.objects.create(org=org, user=creator, role=Role.ADMIN)
    return org


@transaction.atomic
def organization_update(
    *,
    org: Organization,
    name: str,
    timezone_name: str,
    currency: str,
    default_language: str,
    fiscal_year_start_month: int,
    experiment_allowance: int | None = None,
) -> Organization:
    org.name = name.strip()
    if experiment_allowance is not None:
        org.experiment_allowance = experiment_allowance
    org.timezone = timezone_name
    org.currency = currency
    org.default_language = default_language
    org.fiscal_year_start_month = fiscal_year_start_month
    org.full_clean()
    org.save()
    return org


# --- Teams ------------------------------------------------------------------------------------
def _check_same_org(org: Organization, memberships: Iterable[Membership], field: str) -> list[Membership]:
    items = list(memberships)
    if any(m.org_id != org.pk for m in items):
        raise ValidationError({field: _("Choose people from this organisation.")})
    return items


@transaction.atomic
def team_create(
    *,
    org: Organization,
    name: str,
    description: str = "",
    parent: Team | None = None,
    managers: Iterable[Membership] = (),
) -> Team:
    team = Team(org=org, name=name.strip(), description=description, parent=parent)
    _validate_team(team)
    team.save()
    team.managers.set(_check_same_org(org, managers, "managers"))
    return team


@transaction.atomic
def team_update(
    *,
    team: Team,
    name: str,
    description: str = "",
    parent: Team | None = None,
    managers: Iterable[Membership] = (),
) -> Team:
    team.name = name.strip()
    team.description = description
    team.parent = parent
    _validate_team(team)
    team.save()
    team.managers.set(_check_same_org(team.org, managers, "managers"))
    return team


def _validate_team(team: Team) -> None:
    team.full_clean(validate_unique=False, validate_constraints=False)
    duplicate = Team.objects.filter(org_id=team.org_id, name__iexact=team.name).exclude(pk=team.pk).exists()
    if duplicate:
        raise ValidationError({"name": _("A team with this name already exists.")})


@transaction.atomic
def team_delete(*, team: Team) -> None:
    """Delete a team. Its sub-teams move up to the deleted team's parent; members stay in the
    organisation."""
    Team.objects.filter(parent=team).update(parent=team.parent)
    team.delete()
