"""Pulse surveys: running one (its questions rotate from the versioned bank), and answering it —
once, on a 1–5 scale, anonymously: the answer rows carry the respondent's team (the group results
are counted in) and nothing that leads back to the person. No audit entry names an answer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from goals.periods import quarter_containing
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from teams.services import audit_record

from ..models import (
    TEXT_LIMIT,
    Pulse,
    PulseAnswer,
    PulseComment,
    PulseParticipation,
    PulseQuestion,
    PulseSchedule,
)
from ..questions import BANK_VERSION, rotation
from ..selectors import can_answer_pulse, can_run_pulses
from ..selectors.spreads import answers_changed

SCOPE = "people"
MAX_OPEN_DAYS = 28
THRESHOLD_RANGE = (3, 10)


@transaction.atomic
def pulse_create(
    *,
    actor: Membership,
    team: Team | None,
    opens_on: date | None,
    closes_on: date | None,
    threshold: int | None = 5,
) -> Pulse:
    """Run a pulse for the organisation (HR, admins) or a team (its managers too)."""
    can_run_pulses(member=actor, team=team).require()
    org = actor.org
    today = org_today(org)
    errors: dict[str, list[str]] = {}
    low, high = THRESHOLD_RANGE
    if threshold is None or not low <= threshold <= high:
        errors["threshold"] = [_("The anonymity threshold is from %(low)s to %(high)s respondents.")
                               % {"low": low, "high": high}]  # fmt: skip
    if opens_on is None:
        errors["opens_on"] = [_("Enter the day the pulse opens.")]
    elif opens_on < today:
        errors["opens_on"] = [_("A pulse cannot open in the past.")]
    if closes_on is None:
        errors["closes_on"] = [_("Enter the day the pulse closes.")]
    elif opens_on is not None and not opens_on <= closes_on <= opens_on + timedelta(days=MAX_OPEN_DAYS):
        errors["closes_on"] = [_("A pulse closes on or after the day it opens, within four weeks.")]
    if team is not None and team.org_id != org.pk:
        errors["team"] = [_("Choose a team of this organisation.")]
    if errors:
        raise ValidationError(errors)
    assert opens_on is not None and closes_on is not None and threshold is not None  # noqa: S101 - checked above
    pulse = pulse_make(
        org=org, team=team, opens_on=opens_on, closes_on=closes_on, threshold=threshold, actor=actor
    )
    audit_record(org=org, actor=actor.user, action="pulse.create", target=pulse,
                 changes={"team": [None, team.pk if team else None], "threshold": [None, threshold]},
                 scope=SCOPE)  # fmt: skip
    return pulse


def pulse_make(
    *, org: Organization, team: Team | None, opens_on: date, closes_on: date, threshold: int,
    actor: Membership | None, schedule: PulseSchedule | None = None,
) -> Pulse:  # fmt: skip
    """Store a pulse already checked, with its questions: the next ones of the bank's rotation,
    and the eNPS question when it is the first pulse of its fiscal quarter (for this audience)."""
    quarter_start, quarter_end = quarter_containing(opens_on, start_month=org.fiscal_year_start_month)
    earlier = Pulse.objects.filter(org=org, team=team)
    with_enps = not earlier.filter(opens_on__gte=quarter_start, opens_on__lte=quarter_end).exists()
    pulse = Pulse(org=org, team=team, opens_on=opens_on, closes_on=closes_on, threshold=threshold,
                  bank_version=BANK_VERSION, created_by=actor, schedule=schedule)  # fmt: skip
    pulse.full_clean()
    pulse.save()
    PulseQuestion.objects.bulk_create(
        [PulseQuestion(org=org, pulse=pulse, key=q.key, topic=q.topic, position=n)
         for n, q in enumerate(rotation(earlier.count(), with_enps=with_enps))]
    )  # fmt: skip
    return pulse


@transaction.atomic
def pulse_answer(*, pulse: Pulse, member: Membership, scores: Mapping[str, object], comment: str = "") -> int:
    """Answer a pulse: a score from 1 to 5 for each question (by key), and an optional comment.
    Once per person; stored without the person. Returns the number of answers stored."""
    can_answer_pulse(member=member, pulse=pulse).require()
    questions = list(pulse.questions.all())
    errors: dict[str, list[str]] = {}
    clean: dict[int, int] = {}
    for q in questions:
        raw = scores.get(q.key)
        value = int(raw) if isinstance(raw, int | str) and str(raw).strip().isdigit() else None
        if value is None or not 1 <= value <= 5:
            errors[q.key] = [_("Choose an answer from 1 to 5.")]
        else:
            clean[q.pk] = value
    unknown = set(scores) - {q.key for q in questions}
    if unknown:
        errors["__all__"] = [_("Answer the questions of this pulse only.")]
    comment = (comment or "").strip()
    if len(comment) > TEXT_LIMIT:
        errors["comment"] = [_("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            PulseParticipation.objects.create(org_id=pulse.org_id, pulse=pulse, member=member)
    except IntegrityError:
        raise ValidationError(_("You have already answered this pulse.")) from None
    team_id = pulse.team_id or member.teams.order_by("pk").values_list("pk", flat=True).first()
    PulseAnswer.objects.bulk_create(
        [PulseAnswer(org_id=pulse.org_id, pulse=pulse, question_id=qid, team_id=team_id, score=value)
         for qid, value in clean.items()]
    )  # fmt: skip
    if comment:
        PulseComment.objects.create(org_id=pulse.org_id, pulse=pulse, team_id=team_id, text=comment)
    answers_changed(pulse_id=pulse.pk)
    return len(clean)
