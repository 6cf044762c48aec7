"""知识库 writes: entries written directly into the knowledge base, a practice moving candidate →
trial → standard practice (标准化流程) with its owner, review date and watched indicator, a lesson
applied to a goal while it is drafted, and the owner's review reminders (beat: claimed once per
fall or review date, under a job lock like the other beat jobs)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from goals.models import Goal
from goals.selectors import can_change_goal
from teams.errors import NotAllowed
from teams.jobs import job_lock
from teams.models import Membership, Organization, Role, Team
from teams.selectors import can_manage_team, org_today
from teams.services import audit_diff, audit_record
from tracking.selectors.results import IndicatorStatus, goal_period_results

from ..models import TEXT_LIMIT, CauseCategory, Lesson, LessonApplication, LessonKind, PracticeStage
from ..tasks import email_practice_reminder
from ._common import SCOPE, raise_if, text_errors

logger = logging.getLogger(__name__)
WATCH_LOOKBACK_DAYS = 3660  # a watched indicator is read over its goal's whole period


def search_text(lesson: Lesson) -> str:
    """What the knowledge base searches: the lesson, its tags, metric and retro's title, lower-case."""
    title = lesson.retro.title if lesson.retro_id and lesson.retro else ""
    return " ".join(part for part in (lesson.text, lesson.tags, lesson.metric_name, title) if part).lower()


def clean_tags(tags: str) -> str:
    return ", ".join(t for t in (part.strip() for part in tags.replace("，", ",").split(",")) if t)


def _length(errors: dict[str, list[str]], name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[name] = [
            _("At most %(limit)s characters (this one has %(count)s).")
            % {"limit": limit, "count": len(value)}
        ]


@transaction.atomic
def knowledge_entry_create(
    *, team: Team, actor: Membership, kind: str, text: str, metric_name: str = "", tags: str = "",
    cause_category: str = "", evidence_goal_id: int | None = None,
) -> Lesson:  # fmt: skip
    """A manager of the team (or an admin) writes an entry straight into the knowledge base: it is
    published at once, scoped to the team, with the goal it comes from as evidence."""
    can_manage_team(member=actor, team_id=team.pk).require()
    errors: dict[str, list[str]] = {}
    if kind not in LessonKind.values:
        errors["kind"] = [_("Choose keep doing, stop doing or try.")]
    text_errors(errors, "text", text, required=_("Write the lesson."), limit=TEXT_LIMIT)
    _length(errors, "metric_name", metric_name, 120)
    _length(errors, "tags", tags, 200)
    if cause_category and cause_category not in CauseCategory.values:
        errors["cause_category"] = [_("Choose a cause of the list.")]
    goal = None
    if evidence_goal_id is not None:
        goal = Goal.objects.filter(org_id=team.org_id, pk=evidence_goal_id).first()
        if goal is None:
            errors["evidence_goal"] = [_("Choose a goal of this organisation.")]
    raise_if(errors)
    lesson = Lesson(org_id=team.org_id, team=team, kind=kind, text=text.strip(), metric_name=metric_name.strip(),
                    tags=clean_tags(tags), cause_category=cause_category, evidence_goal=goal, published=True,
                    period_end=org_today(team.org), created_by=actor)  # fmt: skip
    lesson.search_text = search_text(lesson)
    lesson.full_clean()
    lesson.save()
    audit_record(org=team.org, actor=actor.user, action="knowledge.create", target=lesson,
                 changes={"kind": [None, kind], "team": [None, team.pk]}, scope=SCOPE)  # fmt: skip
    return lesson


def _lesson_team_id(lesson: Lesson) -> int | None:
    return lesson.team_id or (lesson.retro.team_id if lesson.retro_id and lesson.retro else None)


def can_manage_lesson(*, member: Membership, lesson: Lesson) -> bool:
    """A manager of the lesson's team (or an admin) moves it through the practice stages."""
    team_id = _lesson_team_id(lesson)
    if member.org_id != lesson.org_id or not member.is_active:
        return False
    if team_id is None:
        return member.role == Role.ADMIN
    return bool(can_manage_team(member=member, team_id=team_id))


def _attainment_now(goal: Goal, today: date) -> Any:
    results = goal_period_results(org=goal.org, goal_ids=[goal.pk], start=today - timedelta(days=WATCH_LOOKBACK_DAYS),
                                  end=today)  # fmt: skip
    result = results.get(goal.pk)
    return result.latest.attainment if result is not None and result.latest is not None else None


@transaction.atomic
def practice_set(
    *, lesson: Lesson, actor: Membership, stage: str, owner: Membership | None = None,
    review_on: date | None = None, watched_goal_id: int | None = None,
) -> Lesson:  # fmt: skip
    """Move a published lesson through the practice stages. A practice on trial has an owner; a
    standard practice (标准化流程) also a review date and the goal whose indicator should stay up —
    its attainment today is the level it should keep (a fall reminds the owner)."""
    if not can_manage_lesson(member=actor, lesson=lesson):
        raise NotAllowed(_("Only a manager of the lesson's team moves it through the practice stages."))
    errors: dict[str, list[str]] = {}
    if stage not in PracticeStage.values:
        errors["stage"] = [_("Choose a stage.")]
    elif stage and not lesson.published:
        errors["stage"] = [_("Publish the lesson to the knowledge base first.")]
    if stage in (PracticeStage.TRIAL, PracticeStage.STANDARD):
        if owner is None:
            errors["owner"] = [_("Choose who owns the practice.")]
        elif (
            owner.org_id != lesson.org_id
            or not owner.is_active
            or owner.role not in (Role.MEMBER, Role.MANAGER)
        ):
            errors["owner"] = [_("Choose a manager or member of this organisation.")]
    goal = None
    if watched_goal_id is not None:
        goal = Goal.objects.select_related("org").filter(org_id=lesson.org_id, pk=watched_goal_id).first()
        if goal is None:
            errors["watched_goal"] = [_("Choose a goal of this organisation.")]
    if stage == PracticeStage.STANDARD:
        if review_on is None:
            errors["review_on"] = [_("Give the date the practice is reviewed.")]
        if watched_goal_id is None:
            errors["watched_goal"] = [_("Choose the goal whose indicator should stay up.")]
    raise_if(errors)
    before: dict[str, object] = {"stage": lesson.stage, "owner": lesson.owner_id, "review_on": str(lesson.review_on or ""),
              "watched_goal": lesson.watched_goal_id}  # fmt: skip
    today = org_today(actor.org)
    if goal is not None and goal.pk != lesson.watched_goal_id:
        lesson.watch_baseline = _attainment_now(goal, today)
    elif goal is None:
        lesson.watch_baseline = None
    lesson.stage, lesson.owner, lesson.review_on, lesson.watched_goal = stage, owner, review_on, goal
    lesson.reminded_for = ""
    lesson.save(
        update_fields=["stage", "owner", "review_on", "watched_goal", "watch_baseline", "reminded_for"]
    )
    after: dict[str, object] = {"stage": stage, "owner": owner.pk if owner else None, "review_on": str(review_on or ""),
             "watched_goal": goal.pk if goal else None}  # fmt: skip
    audit_record(org=actor.org, actor=actor.user, action="knowledge.practice", target=lesson,
                 changes=audit_diff(before, after), scope=SCOPE)  # fmt: skip
    return lesson


@transaction.atomic
def lesson_apply(*, lesson: Lesson, goal: Goal, actor: Membership) -> LessonApplication:
    """Link a published lesson to a goal (while it is drafted, or later): the goal shows it, and
    the knowledge base counts it with how the goal ended. Applying twice links once."""
    can_change_goal(member=actor, goal=goal).require()
    if lesson.org_id != goal.org_id or not lesson.published:
        raise NotAllowed(_("Only a lesson of the knowledge base is applied."))
    existing = LessonApplication.objects.filter(lesson=lesson, goal=goal).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            applied = LessonApplication.objects.create(
                org_id=goal.org_id, lesson=lesson, goal=goal, applied_by=actor
            )
    except IntegrityError:  # applied at the same moment by a double click
        return LessonApplication.objects.get(lesson=lesson, goal=goal)
    audit_record(org=actor.org, actor=actor.user, action="knowledge.apply", target=lesson,
                 changes={"goal": [None, goal.pk]}, scope=SCOPE)  # fmt: skip
    return applied


def lessons_apply_to_new_goal(goal: Goal, actor: Membership, data: Any) -> int:
    """The goals hook after a goal is created from the form: the lessons ticked "Apply" in the
    side panel are linked to it. Returns how many."""
    ids = {
        int(v) for v in (data.getlist("apply_lesson") if hasattr(data, "getlist") else []) if str(v).isdigit()
    }
    lessons = Lesson.objects.filter(org_id=goal.org_id, published=True, pk__in=sorted(ids)[:20])
    count = 0
    for lesson in lessons:
        try:
            lesson_apply(lesson=lesson, goal=goal, actor=actor)
        except NotAllowed:
            continue
        count += 1
    return count


# --- The review reminders (beat) -------------------------------------------------------------------
@dataclass(frozen=True)
class Reminder:
    lesson_id: int
    reason: str  # "fall" or "review"


def _due(lesson: Lesson, attainment: Any, status: str, today: date) -> str:
    """The reminder a practice is due now ("" for none): its indicator fell below the level it
    had when the practice became standard (or went off track), or its review date came."""
    fallen = status == IndicatorStatus.OFF_TRACK or (
        attainment is not None and lesson.watch_baseline is not None and attainment < lesson.watch_baseline
    )
    if fallen:
        return "fall"
    if lesson.review_on is not None and lesson.review_on <= today:
        return f"review:{lesson.review_on.isoformat()}"
    return ""


def practice_reminders(*, org: Organization, today: date | None = None) -> list[Reminder]:
    """Beat: remind each practice's owner when its watched indicator falls, or its review date
    comes — once per fall and per review date (a conditional UPDATE claims it; a second beat waits
    on the job lock and finds it claimed). An indicator back up is ready to remind again."""
    with job_lock("practice_reminders", org.pk) as sole:
        if sole is False:
            return []
        return _remind(org=org, today=today or org_today(org))


def _remind(*, org: Organization, today: date) -> list[Reminder]:
    practices = list(
        Lesson.objects.filter(org=org, stage__in=(PracticeStage.TRIAL, PracticeStage.STANDARD), owner__isnull=False)
        .only("pk", "stage", "review_on", "watched_goal_id", "watch_baseline", "reminded_for")
        .order_by("pk")[:5000]
    )  # fmt: skip
    goal_ids = [p.watched_goal_id for p in practices if p.watched_goal_id]
    results = goal_period_results(org=org, goal_ids=goal_ids, start=today - timedelta(days=WATCH_LOOKBACK_DAYS),
                                  end=today)  # fmt: skip
    sent = []
    for practice in practices:
        result = results.get(practice.watched_goal_id or 0)
        latest = result.latest if result is not None else None
        due = _due(practice, latest.attainment if latest else None, latest.status if latest else "", today)
        if due == practice.reminded_for or (due == "" and not practice.reminded_for.startswith("fall")):
            continue
        with transaction.atomic():
            claimed = Lesson.objects.filter(pk=practice.pk, reminded_for=practice.reminded_for).update(
                reminded_for=due
            )
            if claimed and due:
                sent.append(Reminder(lesson_id=practice.pk, reason=due.split(":")[0]))
                transaction.on_commit(partial(_queue_email, practice.pk, due.split(":")[0]))
    return sent


def _queue_email(lesson_id: int, reason: str) -> None:
    email_practice_reminder.delay(lesson_id=lesson_id, reason=reason)


def practice_reminders_all() -> int:
    total = 0
    for org in Organization.objects.order_by("pk"):
        try:
            total += len(practice_reminders(org=org))
        except Exception:
            logger.exception("the practice reminders of organisation %s failed", org.pk)
    return total


def practice_reminder_send(*, lesson_id: int, reason: str) -> int:
    """E-mail the owner of a practice, in their language, why it is to be reviewed."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation

    lesson = Lesson.objects.select_related("org", "owner__user", "watched_goal").filter(pk=lesson_id).first()
    if lesson is None or lesson.owner is None:
        return 0
    user = lesson.owner.user
    url = settings.SITE_URL.rstrip("/") + reverse("knowledge_entry", args=[lesson.org.slug, lesson.pk])
    with translation.override(user.language or lesson.org.default_language):
        subject = _("Review the practice: %(text)s") % {"text": lesson.text[:60]}
        if reason == "fall":
            body = _("The indicator this practice should keep up has fallen (%(goal)s). Review it: %(url)s") % {
                "goal": lesson.watched_goal.title if lesson.watched_goal else "", "url": url}  # fmt: skip
        else:
            body = _("The practice's review date has come. Review it: %(url)s") % {"url": url}
    return send_mail(subject, body, None, [user.email])
