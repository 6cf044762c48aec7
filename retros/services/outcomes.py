"""What a retro leaves behind: lessons (keep / stop / try, publishable to the knowledge base) and
actions with an owner of the team and a due date, which come back at the team's next retro."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal
from plans.models import Initiative
from plans.models import Status as InitiativeStatus
from teams.errors import NotAllowed
from teams.models import Membership
from teams.services import audit_diff, audit_record

from .. import selectors
from ..models import (
    TEXT_LIMIT,
    ActionStatus,
    Card,
    CardKind,
    Lesson,
    LessonKind,
    RetroAction,
    RetroKind,
    Retrospective,
)
from ._common import SCOPE, raise_if, text_errors
from .knowledge import can_manage_lesson, search_text


@transaction.atomic
def lesson_add(
    *, retro: Retrospective, actor: Membership, kind: str, text: str, metric_name: str = "", tags: str = "",
    evidence_card_id: int | None = None,
) -> Lesson:  # fmt: skip
    """The facilitator writes down a lesson the team distilled, with its scope and evidence."""
    selectors.can_facilitate(member=actor, retro=retro).require()
    errors: dict[str, list[str]] = {}
    if kind not in LessonKind.values:
        errors["kind"] = [_("Choose keep doing, stop doing or try.")]
    text_errors(errors, "text", text, required=_("Write the lesson."), limit=TEXT_LIMIT)
    if len(metric_name) > 120:
        errors["metric_name"] = [
            _("At most %(limit)s characters (this one has %(count)s).")
            % {"limit": 120, "count": len(metric_name)}
        ]
    if len(tags) > 200:
        errors["tags"] = [
            _("At most %(limit)s characters (this one has %(count)s).") % {"limit": 200, "count": len(tags)}
        ]
    evidence = None
    if evidence_card_id is not None:
        evidence = Card.objects.filter(retro=retro, pk=evidence_card_id).first()
        if evidence is None:
            errors["evidence"] = [_("Choose a card of this retrospective.")]
    raise_if(errors)
    tags = ", ".join(t for t in (part.strip() for part in tags.replace("，", ",").split(",")) if t)
    cause = evidence.category if evidence is not None and evidence.kind == CardKind.CAUSE else ""
    lesson = Lesson(org_id=retro.org_id, retro=retro, team_id=retro.team_id, kind=kind, text=text.strip(),
                    metric_name=metric_name.strip(), tags=tags, evidence=evidence, cause_category=cause,
                    period_end=retro.period_end, created_by=actor)  # fmt: skip
    lesson.search_text = search_text(lesson)
    lesson.full_clean()
    lesson.save()
    audit_record(org=retro.org, actor=actor.user, action="retro_lesson.create", target=lesson,
                 changes={"kind": [None, kind]}, scope=SCOPE)  # fmt: skip
    return lesson


@transaction.atomic
def lesson_publish(*, lesson: Lesson, actor: Membership, published: bool = True) -> Lesson:
    """Publish a lesson to the knowledge base (the whole organisation reads it), or withdraw it:
    the retro's facilitator, or for an entry written directly a manager of its team."""
    if lesson.retro is not None:
        selectors.can_facilitate(member=actor, retro=lesson.retro).require()
    elif not can_manage_lesson(member=actor, lesson=lesson):
        raise NotAllowed(_("Only a manager of the lesson's team moves it through the practice stages."))
    if lesson.published != published:
        lesson.published = published
        lesson.save(update_fields=["published"])
        audit_record(org=actor.org, actor=actor.user, action="retro_lesson.publish", target=lesson,
                     changes={"published": [not published, published]}, scope=SCOPE)  # fmt: skip
    return lesson


@transaction.atomic
def action_add(
    *, retro: Retrospective, actor: Membership, description: str, owner: Membership | None, due_date: date | None,
    goal_id: int | None = None, token: str = "",
) -> RetroAction:  # fmt: skip
    """The facilitator records an action: a person of the team owns it, by a due date; it may name
    the goal whose indicator it should move. The same form token adds it once."""
    selectors.can_facilitate(member=actor, retro=retro).require()
    errors: dict[str, list[str]] = {}
    text_errors(errors, "description", description, required=_("Say what will be done."), limit=TEXT_LIMIT)
    if owner is None:
        errors["owner"] = [_("Choose who owns the action.")]
    elif not (verdict := selectors.can_own_action(member=owner, team=retro.team)):
        errors["owner"] = [verdict.reason]
    if due_date is None:
        errors["due_date"] = [_("Give a due date.")]
    elif due_date < retro.period_start:
        errors["due_date"] = [_("The due date comes after the period's start.")]
    goal = None
    if goal_id is not None:
        goal = Goal.objects.filter(org_id=retro.org_id, pk=goal_id).first()
        if goal is None:
            errors["goal"] = [_("Choose a goal of this organisation.")]
    if len(token) > 40:
        errors["token"] = [_("This form has expired: reload the page.")]
    raise_if(errors)
    assert due_date is not None  # noqa: S101 - checked above
    if token and (same := RetroAction.objects.filter(retro=retro, token=token).first()):
        return same
    action = RetroAction(org_id=retro.org_id, retro=retro, description=description.strip(), owner=owner,
                         due_date=due_date, goal=goal, token=token, created_by=actor)  # fmt: skip
    action.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:
        return RetroAction.objects.get(retro=retro, token=token)
    audit_record(org=retro.org, actor=actor.user, action="retro_action.create", target=action,
                 changes={"owner": [None, owner.pk if owner else None], "due_date": [None, str(due_date)]},
                 scope=SCOPE)  # fmt: skip
    return action


@transaction.atomic
def action_set_status(*, action: RetroAction, actor: Membership, status: str) -> RetroAction:
    """Its owner or a manager of the team marks an action done, dropped or open again — also after
    the retro closed: that is how the next retro knows."""
    selectors.can_update_action(member=actor, action=action).require()
    if status not in ActionStatus.values:
        raise ValidationError({"status": [_("Choose open, done or dropped.")]})
    before = action.status
    if before != status:
        action.status = status
        action.done_at = timezone.now() if status == ActionStatus.DONE else None
        action.save(update_fields=["status", "done_at"])
        audit_record(org=action.org, actor=actor.user, action="retro_action.status", target=action,
                     changes=audit_diff({"status": before}, {"status": status}), scope=SCOPE)  # fmt: skip
    return action


@transaction.atomic
def failure_share_publish(*, retro: Retrospective, actor: Membership) -> list[Lesson]:
    """经验分享会: publish the quarter's tolerated failed experiments with their lessons to the
    knowledge base — one entry per experiment (publishing again adds none)."""
    selectors.can_facilitate(member=actor, retro=retro).require()
    if retro.kind != RetroKind.FAILURE_SHARE:
        raise ValidationError({"kind": [_("Only a failure share publishes its experiments.")]})
    experiments = list(
        Initiative.objects.filter(org_id=retro.org_id, goal__team_id=retro.team_id, is_experiment=True,
                                  status=InitiativeStatus.FAILED,
                                  finished_at__range=(retro.period_start, retro.period_end))
        .exclude(lesson="").select_related("goal").order_by("pk")[:100]
    )  # fmt: skip
    done = set(
        Lesson.objects.filter(org_id=retro.org_id, retro=retro, evidence_goal__isnull=False).values_list(
            "text", flat=True
        )
    )
    created = []
    for initiative in experiments:
        text = f"{initiative.title}: {initiative.lesson}"[:TEXT_LIMIT]
        if text in done:
            continue
        lesson = Lesson(org_id=retro.org_id, retro=retro, team_id=retro.team_id, kind=LessonKind.TRY, text=text,
                        metric_name=initiative.goal.metric_name[:120], tags="experiment, 容错", published=True,
                        evidence_goal=initiative.goal, period_end=retro.period_end, created_by=actor)  # fmt: skip
        lesson.search_text = search_text(lesson)
        lesson.full_clean()
        lesson.save()
        created.append(lesson)
    if created:
        audit_record(org=retro.org, actor=actor.user, action="retro.failure_share_publish", target=retro,
                     changes={"lessons": [None, [c.pk for c in created]]}, scope=SCOPE)  # fmt: skip
    return created
