"""Pulse reads: the pulses a person may answer, and results that never show one person's answer.

The anonymity rule (PRODUCT.md, issue 16):
- results appear only once the pulse has closed (figures moving while people answer would show
  each new answer), and only for groups of at least the pulse's threshold of respondents;
- a group whose figure could be worked out by subtracting the shown groups from the shown total
  is hidden too: when the hidden groups together have fewer respondents than the threshold (but
  some), the smallest shown groups are hidden with them until they reach it; a total below the
  threshold hides everything;
- comments are shown without their author or group, in no particular order, and only when the
  total is shown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Organization, Role, Team
from teams.selectors import member_team_ids, org_today

from ..models import Pulse, PulseComment, PulseParticipation, PulseQuestion, PulseSchedule
from ..questions import ENPS, question
from .spreads import pulse_spreads

ANSWERING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.MEMBER, Role.HR})
COMMENT_LIMIT = 200


def can_answer_pulse(*, member: Membership, pulse: Pulse) -> Verdict:
    today = org_today(pulse.org)
    if not member.is_active or member.org_id != pulse.org_id or member.role not in ANSWERING_ROLES:
        return refuse(_("This pulse is not for you."))
    if pulse.team_id is not None and pulse.team_id not in member_team_ids(member=member):
        return refuse(_("This pulse is for another team."))
    if not pulse.opens_on <= today <= pulse.closes_on:
        return refuse(_("This pulse is not open."))
    return allow()


def pulse_list(*, org: Organization) -> QuerySet[Pulse]:
    return Pulse.objects.filter(org=org).select_related("team").order_by("-opens_on", "-id")


def schedule_list(*, org: Organization) -> QuerySet[PulseSchedule]:
    return PulseSchedule.objects.filter(org=org, active=True).select_related("team").order_by("next_on", "pk")


def schedule_get(*, org: Organization, schedule_id: int) -> PulseSchedule:
    try:
        return PulseSchedule.objects.select_related("team", "org").get(org=org, pk=schedule_id)
    except PulseSchedule.DoesNotExist:
        raise Http404("No pulse schedule found.") from None


def pulse_get(*, org: Organization, pulse_id: int) -> Pulse:
    try:
        return Pulse.objects.select_related("team", "org").get(org=org, pk=pulse_id)
    except Pulse.DoesNotExist:
        raise Http404("No pulse found.") from None


def pulses_to_answer(*, member: Membership) -> list[Pulse]:
    """The open pulses for this person that they have not answered yet."""
    if member.role not in ANSWERING_ROLES:
        return []
    today = org_today(member.org)
    answered = PulseParticipation.objects.filter(member=member).values("pulse_id")
    return list(
        Pulse.objects.filter(org_id=member.org_id, opens_on__lte=today, closes_on__gte=today)
        .filter(Q(team__isnull=True) | Q(team_id__in=member_team_ids(member=member)))
        .exclude(pk__in=answered)
        .prefetch_related("questions")
        .order_by("closes_on", "pk")
    )


def has_answered(*, member: Membership, pulse: Pulse) -> bool:
    return PulseParticipation.objects.filter(pulse=pulse, member=member).exists()


@dataclass(frozen=True)
class QuestionResult:
    key: str
    topic: str
    text: str
    mean: Decimal | None  # None where the group is hidden
    enps: int | None  # for the eNPS question: % promoters (5) − % detractors (1–3)


@dataclass(frozen=True)
class GroupResult:
    team_id: int | None
    name: str
    respondents: int | None  # None where hidden: not even the count is shown
    hidden: bool
    questions: list[QuestionResult]


@dataclass(frozen=True)
class PulseResults:
    pulse: Pulse
    closed: bool
    threshold: int
    total: GroupResult | None  # None while open or below the threshold
    groups: list[GroupResult]
    hidden_groups: int
    comments: list[str]

    @property
    def rows(self) -> list[tuple[QuestionResult, list[QuestionResult]]]:
        """Each question of the total with the same question of every shown group, in the groups'
        order (a group's questions are in the total's order), for a table of questions × groups."""
        if self.total is None:
            return []
        return [(q, [g.questions[i] for g in self.groups]) for i, q in enumerate(self.total.questions)]


def _suppressed(counts: dict[int | None, int], threshold: int) -> set[int | None]:
    """The groups to hide: those below the threshold, then the smallest others until what is
    hidden together cannot be worked out as one small group (see the module's docstring)."""
    hidden = {g for g, n in counts.items() if n < threshold}
    shown = sorted((n, g if g is not None else -1, g) for g, n in counts.items() if g not in hidden)
    while hidden and shown and 0 < sum(counts[g] for g in hidden) < threshold:
        hidden.add(shown.pop(0)[2])
    return hidden


def _question_results(questions: list[PulseQuestion], rows: dict[int, dict[int, int]], visible: bool,
                      texts: dict[int, str]) -> list[QuestionResult]:  # fmt: skip
    out = []
    for q in questions:
        spread = rows.get(q.pk, {})
        n = sum(spread.values())
        mean = (
            (Decimal(sum(s * c for s, c in spread.items())) / n).quantize(Decimal("0.1"))
            if n and visible
            else None
        )
        enps = None
        if q.key == ENPS and n and visible:
            enps = round(100 * (spread.get(5, 0) - sum(spread.get(s, 0) for s in (1, 2, 3))) / n)
        out.append(QuestionResult(key=q.key, topic=q.topic, text=texts[q.pk], mean=mean,
                                  enps=enps))  # fmt: skip
    return out


def pulse_results(*, pulse: Pulse, today: date | None = None) -> PulseResults:
    """The aggregated results of a pulse under the anonymity rule; four queries, whatever the
    number of answers (three once the closed pulse's spread is cached, `spreads`)."""
    today = today or org_today(pulse.org)
    closed = pulse.closes_on < today
    questions = list(pulse.questions.all())
    if not closed or not questions:
        return PulseResults(pulse=pulse, closed=closed, threshold=pulse.threshold, total=None, groups=[],
                            hidden_groups=0, comments=[])  # fmt: skip
    spread = {
        team_id: {qid: scores for qid, (_topic, scores) in by_q.items()}
        for team_id, by_q in pulse_spreads(
            org=pulse.org, pulses=[(pulse.pk, pulse.closes_on, pulse.created_at)]
        )[pulse.pk].items()
    }
    texts = {
        q.pk: str(bank.text) if (bank := question(q.key, pulse.bank_version)) else q.key for q in questions
    }
    first = questions[0].pk
    counts = {team_id: sum(by_q.get(first, {}).values()) for team_id, by_q in spread.items()}
    names = dict(Team.objects.filter(pk__in=[t for t in counts if t is not None]).values_list("pk", "name"))
    total_n = sum(counts.values())
    total_visible = total_n >= pulse.threshold
    hidden = set(counts) if not total_visible else _suppressed(counts, pulse.threshold)
    merged: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for by_q in spread.values():
        for qid, scores in by_q.items():
            for score, count in scores.items():
                merged[qid][score] += count
    total = GroupResult(team_id=None, name=_("Everyone"), respondents=total_n, hidden=False,
                        questions=_question_results(questions, merged, True, texts)) if total_visible else None  # fmt: skip
    groups = sorted(
        (GroupResult(team_id=t, name=names.get(t, _("No team")) if t is not None else _("No team"),
                     respondents=None if t in hidden else n, hidden=t in hidden,
                     questions=_question_results(questions, spread[t], t not in hidden, texts))
         for t, n in counts.items() if t not in hidden),
        key=lambda g: g.name,
    )  # fmt: skip
    comments = (
        list(
            PulseComment.objects.filter(pulse=pulse)
            .order_by("pk")
            .values_list("text", flat=True)[:COMMENT_LIMIT]
        )
        if total_visible
        else []
    )
    return PulseResults(pulse=pulse, closed=True, threshold=pulse.threshold, total=total, groups=groups,
                        hidden_groups=len(hidden), comments=comments)  # fmt: skip


def respondent_count(*, pulse: Pulse) -> int | None:
    """How many have answered so far, shown only once it reaches the threshold (a count moving by
    one says who just answered only when few have)."""
    n = PulseParticipation.objects.filter(pulse=pulse).aggregate(n=Count("pk"))["n"] or 0
    return n if n >= pulse.threshold else None


@dataclass(frozen=True)
class TrendPoint:
    pulse_id: int
    closes_on: date
    topics: dict[str, Decimal | None]  # None where the team's group is hidden in that pulse


def team_trend(
    *, org: Organization, team: Team, limit: int = 12, today: date | None = None
) -> list[TrendPoint]:
    """The team's mean score per topic over the last closed pulses it answered (organisation
    pulses and its own), oldest first, under the same anonymity rule as the results: two queries,
    whatever the number of pulses and answers (one once the closed pulses' spreads are cached)."""
    today = today or org_today(org)
    pulses = list(
        Pulse.objects.filter(org=org, closes_on__lt=today)
        .filter(Q(team__isnull=True) | Q(team=team))
        .order_by("-closes_on", "-pk")
        .values_list("pk", "closes_on", "threshold", "created_at")[:limit]
    )
    if not pulses:
        return []
    rows = pulse_spreads(org=org, pulses=[(p, c, at) for p, c, _t, at in pulses])
    points = []
    for pulse_id, closes_on, threshold, _at in reversed(pulses):
        groups = rows.get(pulse_id, {})
        counts = {
            t: max((sum(s.values()) for _topic, s in qs.values()), default=0) for t, qs in groups.items()
        }
        visible = (
            sum(counts.values()) >= threshold
            and team.pk in counts
            and team.pk not in _suppressed(counts, threshold)
        )
        topics: dict[str, Decimal | None] = {}
        for topic, spread in groups.get(team.pk, {}).values():
            n = sum(spread.values())
            topics[topic] = (
                (Decimal(sum(s * c for s, c in spread.items())) / n).quantize(Decimal("0.1"))
                if visible and n
                else None
            )
        points.append(TrendPoint(pulse_id=pulse_id, closes_on=closes_on, topics=topics))
    return points
