"""Weekly and monthly reviews: their decisions, and the corrective actions decided there."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import Goal
from goals.periods import week_start
from teams.errors import NotAllowed
from teams.models import Membership, Organization, Team
from teams.page_forms import parse_day
from teams.selectors import can_manage_team
from tracking.models import CorrectiveAction, Review

from .actions import ActionInput, action_add


def review_save(
    *, org: Organization, team: Team, actor: Membership, kind: str, start: date, decisions: str
) -> Review:
    """Record the decisions of a weekly review or the lessons of a monthly one (managers)."""
    _check_review(org=org, team=team, actor=actor, kind=kind, start=start)
    limit = Review._meta.get_field("decisions").max_length or 0
    if len(decisions) > limit:
        raise ValidationError({"decisions": [_("At most %(limit)s characters.") % {"limit": limit}]})
    review, _created = Review.objects.update_or_create(
        team=team,
        kind=kind,
        start=start,
        defaults={"org": org, "decisions": decisions.strip(), "updated_by": actor},
    )
    return review


def require_team_change(*, team: Team, actor: Membership) -> None:
    """Refuse (403) unless `actor` changes what belongs to this team: its reviews, its stand-up
    rhythm (an admin, or a manager of the team or of a team above it)."""
    if team.org_id != actor.org_id or not can_manage_team(member=actor, team_id=team.pk):
        raise NotAllowed(
            _("Only an admin, or a manager of “%(team)s” or of a team above it, changes this.")
            % {"team": team.name}
        )


def _check_review(*, org: Organization, team: Team, actor: Membership, kind: str, start: date) -> None:
    require_team_change(team=team, actor=actor)
    if kind not in Review.Kind.values:
        raise ValidationError({"kind": [_("Choose a weekly or a monthly review.")]})
    expected = week_start(start) if kind == Review.Kind.WEEK else start.replace(day=1)
    if start != expected or team.org_id != org.pk or parse_day(start) is None:
        raise ValidationError({"start": [_("A review starts on a Monday (weekly) or the 1st (monthly).")]})


@transaction.atomic
def review_action_add(
    *,
    org: Organization,
    team: Team,
    actor: Membership,
    kind: str,
    start: date,
    goal: Goal | None,
    data: ActionInput,
) -> CorrectiveAction:
    """A corrective action decided at a review, tracked with the others (the review's record is
    created if the decisions have not been written yet)."""
    _check_review(org=org, team=team, actor=actor, kind=kind, start=start)
    if goal is not None and (goal.org_id != org.pk or goal.team_id != team.pk):
        raise ValidationError({"goal": [_("Choose one of this team's goals.")]})
    review, _created = Review.objects.get_or_create(
        team=team, kind=kind, start=start, defaults={"org": org, "updated_by": actor}
    )
    return action_add(org=org, actor=actor, goal=goal, alert=None, data=data, review=review)
