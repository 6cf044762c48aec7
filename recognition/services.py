"""Every write of the recognition app: nominations and the star of the month, training and
promotion notes, instant reward rules, and the weekly check that records (once) and announces the
instant rewards teams have earned."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from goals.periods import month_start, previous_month
from teams.access import CONTRIBUTORS
from teams.jobs import pause_point
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from teams.services import audit_diff, audit_record
from tracking.services import team_message_deliver

from . import selectors
from .models import (
    TEXT_LIMIT,
    Condition,
    EarnedReward,
    GrowthReward,
    InstantRewardRule,
    Nomination,
    RewardKind,
    Star,
)
from .tasks import announce_reward

logger = logging.getLogger(__name__)
SCOPE = "recognition"


def _text_errors(errors: dict[str, list[str]], name: str, value: str, *, required: str, limit: int) -> None:
    if not value.strip():
        errors[name] = [required]
    elif len(value) > limit:
        errors[name] = [_("At most %(limit)s characters.") % {"limit": limit}]


# --- Star of the month ------------------------------------------------------------------------------
@transaction.atomic
def nomination_create(*, nominator: Membership, nominee: Membership, month: date, reason: str) -> Nomination:
    """A colleague nominates someone for the star of the month (this month or, early in a month,
    the previous one), with a reason. Not themselves; once per nominee and month."""
    errors: dict[str, list[str]] = {}
    if not nominator.is_active or nominator.role not in CONTRIBUTORS:
        raise ValidationError(_("Only members, managers and admins nominate a colleague."))
    if nominee.org_id != nominator.org_id or not nominee.is_active:
        errors["nominee"] = [_("Choose a colleague of this organisation.")]
    elif nominee.pk == nominator.pk:
        errors["nominee"] = [_("You cannot nominate yourself.")]
    _text_errors(
        errors, "reason", reason, required=_("Say why your colleague deserves it."), limit=TEXT_LIMIT
    )
    month = month_start(month)
    this_month = selectors.current_month(nominator.org)
    if month not in (this_month, previous_month(this_month)):
        errors["month"] = [_("Nominate for this month or the previous one.")]
    if not errors and Nomination.objects.filter(nominator=nominator, nominee=nominee, month=month).exists():
        errors["nominee"] = [_("You have already nominated this colleague for this month.")]
    if errors:
        raise ValidationError(errors)
    nomination = Nomination(org_id=nominator.org_id, nominator=nominator, nominee=nominee, month=month,
                            reason=reason.strip())  # fmt: skip
    nomination.full_clean()
    try:
        with transaction.atomic():  # a double click gets the message, not an error page
            nomination.save()
    except IntegrityError:
        raise ValidationError(
            {"nominee": [_("You have already nominated this colleague for this month.")]}
        ) from None
    audit_record(org=nominator.org, actor=nominator.user, action="nomination.create", target=nomination,
                 changes={"nominee": [None, nominee.pk], "month": [None, month.isoformat()]}, scope=SCOPE)  # fmt: skip
    return nomination


@transaction.atomic
def star_select(*, team: Team, month: date, member: Membership, citation: str, actor: Membership) -> Star:
    """The team's manager (or HR, or an admin) selects the star of the month for the team, with a
    citation; the evidence as it stands is kept with it. One per team and month."""
    if not (verdict := selectors.can_select_star(member=actor, team=team)):
        raise ValidationError(verdict.reason)
    errors: dict[str, list[str]] = {}
    month = month_start(month)
    this_month = selectors.current_month(team.org)
    if month > this_month:
        errors["month"] = [_("A month that has not started has no star yet.")]
    elif month < this_month.replace(year=this_month.year - 1):
        errors["month"] = [_("Select a star for one of the last twelve months.")]
    if member.org_id != team.org_id or not member.is_active or not member.teams.filter(pk=team.pk).exists():
        errors["member"] = [_("Choose a person of this team.")]
    _text_errors(
        errors, "citation", citation, required=_("Write the citation: what the star did."), limit=TEXT_LIMIT
    )
    if not errors and Star.objects.filter(team=team, month=month).exists():
        errors["month"] = [_("This team's star of the month has already been selected.")]
    if errors:
        raise ValidationError(errors)
    evidence = selectors.candidate_evidence(org=team.org, team=team, month=month, member=member)
    star = Star(org_id=team.org_id, team=team, month=month, member=member, citation=citation.strip(),
                evidence=evidence, selected_by=actor)  # fmt: skip
    star.full_clean()
    try:
        with transaction.atomic():  # two managers at once: the second one gets the message
            star.save()
    except IntegrityError:
        raise ValidationError(
            {"month": [_("This team's star of the month has already been selected.")]}
        ) from None
    audit_record(org=team.org, actor=actor.user, action="star.select", target=star,
                 changes={"member": [None, member.pk], "month": [None, month.isoformat()]}, scope=SCOPE)  # fmt: skip
    return star


# --- Training and promotion notes ---------------------------------------------------------------------
@transaction.atomic
def growth_reward_add(
    *,
    member: Membership,
    actor: Membership,
    kind: str,
    title: str,
    note: str = "",
    planned_for: date | None = None,
) -> GrowthReward:
    """Record a training opportunity (培训机会) or a promotion-track note (晋升通道) for a person:
    the managers of the person's teams, HR and admins."""
    if not (verdict := selectors.can_manage_person(member=actor, person=member)):
        raise ValidationError(verdict.reason)
    errors: dict[str, list[str]] = {}
    if kind not in RewardKind.values:
        errors["kind"] = [_("Choose a training opportunity or a promotion-track note.")]
    _text_errors(errors, "title", title, required=_("Give it a title."), limit=200)
    if len(note) > TEXT_LIMIT:
        errors["note"] = [_("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}]
    if errors:
        raise ValidationError(errors)
    reward = GrowthReward(org_id=member.org_id, member=member, kind=kind, title=title.strip(), note=note.strip(),
                          planned_for=planned_for, created_by=actor)  # fmt: skip
    reward.full_clean()
    reward.save()
    audit_record(org=member.org, actor=actor.user, action="growth_reward.create", target=reward,
                 changes={"member": [None, member.pk], "kind": [None, kind]}, scope=SCOPE)  # fmt: skip
    return reward


# --- Instant rewards ----------------------------------------------------------------------------------
def _rule_snapshot(rule: InstantRewardRule) -> dict[str, object]:
    return {"team": rule.team_id, "condition": rule.condition, "reward": rule.reward, "enabled": rule.enabled}


def require_rule_change(*, rule: InstantRewardRule, actor: Membership) -> None:
    """Refuse (403) a page or API request that changes a rule of a team the actor does not manage
    (instant_rule_save / instant_rule_delete refuse the same with a message)."""
    selectors.can_manage_team_rules(member=actor, team=rule.team).require()


@transaction.atomic
def instant_rule_save(
    *, team: Team, actor: Membership, reward: str, condition: str = Condition.WEEKLY_TARGET, enabled: bool = True,
    rule: InstantRewardRule | None = None,
) -> InstantRewardRule:  # fmt: skip
    """Create or change a team's instant reward rule (admins, and managers of the team — of both
    teams when a rule moves)."""
    verdict = selectors.can_manage_team_rules(member=actor, team=team)
    if verdict and rule is not None:
        verdict = selectors.can_manage_team_rules(member=actor, team=rule.team)
    if not verdict:
        raise ValidationError(verdict.reason)
    errors: dict[str, list[str]] = {}
    if rule is not None and rule.org_id != team.org_id:
        errors["team"] = [_("No such team in this organisation.")]
    if condition not in Condition.values:
        errors["condition"] = [_("Choose when the reward is earned.")]
    _text_errors(errors, "reward", reward, required=_("Name the reward, e.g. afternoon tea."), limit=120)
    same = InstantRewardRule.objects.filter(team=team, condition=condition, reward__iexact=reward.strip())
    if rule is not None:
        same = same.exclude(pk=rule.pk)
    if not errors and same.exists():
        errors["reward"] = [_("This team already has this reward.")]
    if errors:
        raise ValidationError(errors)
    target = rule or InstantRewardRule(org_id=team.org_id, created_by=actor)
    before = _rule_snapshot(target) if rule else {}
    target.team, target.condition, target.reward, target.enabled = team, condition, reward.strip(), enabled
    target.full_clean()
    target.save()
    audit_record(org=team.org, actor=actor.user, action="instant_rule.update" if rule else "instant_rule.create",
                 target=target, changes=audit_diff(before, _rule_snapshot(target)), scope=SCOPE)  # fmt: skip
    return target


@transaction.atomic
def instant_rule_delete(*, rule: InstantRewardRule, actor: Membership) -> None:
    """Remove a rule and the rewards it recorded (admins and the team's managers)."""
    if not (verdict := selectors.can_manage_team_rules(member=actor, team=rule.team)):
        raise ValidationError(verdict.reason)
    audit_record(org=rule.team.org, actor=actor.user, action="instant_rule.delete", target=rule,
                 changes=audit_diff(_rule_snapshot(rule), {}), scope=SCOPE)  # fmt: skip
    rule.delete()


@transaction.atomic
def instant_rewards_check(*, org: Organization, week_start: date) -> list[EarnedReward]:
    """The weekly job: record the reward of every enabled rule whose team met its weekly target in
    the week from `week_start` (a Monday that has ended), and announce each once. A rerun records
    nothing twice and sends nothing twice (unique per rule and week; deliveries unique per channel
    and message). Returns the rewards recorded by this run."""
    week_start = week_start - timedelta(days=week_start.weekday())
    if week_start + timedelta(days=6) >= org_today(org):
        return []  # the week is not over
    rules = list(selectors.rule_list(org=org).filter(enabled=True, condition=Condition.WEEKLY_TARGET))
    if not rules:
        return []
    results = selectors.team_week_results(
        org=org, team_ids=sorted({r.team_id for r in rules}), week_start=week_start
    )
    met = [rule for rule in rules if results[rule.team_id].met]
    recorded = set(
        EarnedReward.objects.filter(rule__in=met, week_start=week_start).values_list("rule_id", flat=True)
    )
    new = [rule for rule in met if rule.pk not in recorded]
    EarnedReward.objects.bulk_create(
        [EarnedReward(rule=rule, week_start=week_start, org=org, team_id=rule.team_id, reward=rule.reward,
                      evidence=results[rule.team_id].as_json()) for rule in new],
        ignore_conflicts=True,  # a second job at the same moment: the unique row keeps one
    )  # fmt: skip
    pause_point("rewards")
    # Announce every reward of the week, new or not: deliveries are unique per channel and reward,
    # so nothing is posted twice, and a reward whose announcement was lost (the queue was down) is
    # announced by the next run.
    for reward_id in EarnedReward.objects.filter(rule__in=met, week_start=week_start).values_list(
        "pk", flat=True
    ):
        transaction.on_commit(partial(_queue_announcement, reward_id))
    return list(EarnedReward.objects.filter(rule__in=new, week_start=week_start).order_by("pk"))


def _queue_announcement(reward_id: int) -> None:
    announce_reward.delay(reward_id=reward_id)


def reward_text(reward: EarnedReward, *, language: str) -> str:
    """The announcement, in a language (the organisation's default for a team's channel)."""
    with translation.override(language):
        link = f"{settings.SITE_URL.rstrip('/')}{reverse('instant_rewards_earned', args=[reward.org.slug])}"
        body = _("%(team)s met its weekly target (week of %(week)s): %(reward)s!") % {
            "team": reward.team.name, "week": reward.week_start.isoformat(), "reward": reward.reward,
        }  # fmt: skip
        return f"{_('Instant reward')} · {reward.org.name}\n{body}\n{link}"


@transaction.atomic
def instant_reward_announce(*, reward_id: int) -> int:
    """Post an earned reward to the team's notification channels (through Tracking's deliveries:
    one per channel and reward, so a repeat posts nothing). Returns the deliveries queued."""
    reward = EarnedReward.objects.select_related("org", "team").filter(pk=reward_id).first()
    if reward is None:
        return 0
    event: dict[str, Any] = {
        "event": "recognition.instant_reward", "reward": {
            "id": reward.pk, "team": reward.team_id, "week_start": reward.week_start.isoformat(),
            "reward": reward.reward, "organization": reward.org.slug,
        },
    }  # fmt: skip
    return team_message_deliver(
        team=reward.team, key=f"instant-reward:{reward.pk}", text=reward_text(reward, language=reward.org.default_language),
        event=event,
    )  # fmt: skip


def instant_rewards_check_all(*, now: Any = None) -> int:
    """Every organisation, for its last completed week (in its own time zone); one organisation's
    failure is logged and does not stop the others. Returns the rewards recorded."""
    total = 0
    for org in Organization.objects.order_by("pk"):
        try:
            with transaction.atomic():
                total += len(
                    instant_rewards_check(org=org, week_start=selectors.last_completed_week(org, now))
                )
        except Exception:  # the next organisations still get their rewards; the next run retries it
            logger.exception("instant rewards of organisation %s failed", org.pk)
    return total
