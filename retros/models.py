"""Retrospectives (复盘): the four-step review after a period — goal review 目标回顾, result analysis
结果分析, lessons 经验提炼, action plan 行动计划 — run as phases by a facilitator, with cards from the
team's people (anonymous if the team chooses), votes, lessons and actions that come back at the
team's next retro. Every table carries `org` directly (PRODUCT.md: sharding by organisation)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from goals.models import Goal
from teams.models import Membership, Organization, Team

CARD_LIMIT = 2000
TEXT_LIMIT = 2000
DEFAULT_VOTES = 3
MAX_VOTES = 20


class RetroKind(models.TextChoices):
    GOAL = "goal", _("Goal retrospective")
    MONTH = "month", _("Team month")
    QUARTER = "quarter", _("Team quarter")
    FAILURE_SHARE = "failure_share", _("Failure share (经验分享会)")


class Phase(models.TextChoices):
    """The four steps, in their order (PHASES)."""

    GOAL_REVIEW = "goal_review", _("Goal review")
    ANALYSIS = "analysis", _("Result analysis")
    LESSONS = "lessons", _("Lessons")
    ACTIONS = "actions", _("Action plan")


PHASES: tuple[str, ...] = (Phase.GOAL_REVIEW, Phase.ANALYSIS, Phase.LESSONS, Phase.ACTIONS)


class RetroState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("retro", "Draft: collecting cards")
    RUNNING = "running", _("Meeting under way")
    CLOSED = "closed", pgettext_lazy("retro", "Closed")


class Retrospective(models.Model):
    """One retro of a team: for a goal set and period (one per key, never twice), a team's month
    or quarter, or a failure share. `version` grows on every phase move, so two facilitators moving
    at once do not both win."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="retros")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="retros", verbose_name=_("team"))
    kind = models.CharField(_("kind"), max_length=16, choices=RetroKind.choices)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    key = models.CharField(max_length=120)  # what makes it unique: kind, team or goal, period
    goals = models.ManyToManyField(Goal, through="RetroGoal", related_name="retros", blank=True)
    facilitator = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("facilitator"),
    )  # fmt: skip
    state = models.CharField(_("state"), max_length=8, choices=RetroState.choices, default=RetroState.DRAFT)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.GOAL_REVIEW)
    version = models.PositiveIntegerField(default=1)
    anonymous_cards = models.BooleanField(_("anonymous cards"), default=False)
    votes_per_person = models.PositiveSmallIntegerField(_("votes per person"), default=DEFAULT_VOTES)
    votes_revealed = models.BooleanField(_("votes revealed"), default=False)
    summary = models.TextField(_("summary"), blank=True, max_length=TEXT_LIMIT)
    automatic = models.BooleanField(default=False)  # prepared by beat when the goals' period ended
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("retrospective")
        verbose_name_plural = _("retrospectives")
        ordering = ("-period_end", "-id")
        constraints = [
            models.UniqueConstraint(fields=["org", "key"], name="retro_once_per_key"),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="retro_period_order"
            ),
        ]
        indexes = [models.Index(fields=["org", "team", "period_end"])]

    def __str__(self) -> str:
        return self.title

    @property
    def closed(self) -> bool:
        return self.state == RetroState.CLOSED

    @property
    def phase_number(self) -> int:
        return PHASES.index(self.phase) + 1

    def clean(self) -> None:
        if not 1 <= self.votes_per_person <= MAX_VOTES:
            raise ValidationError(
                {"votes_per_person": _("Between 1 and %(max)s votes.") % {"max": MAX_VOTES}}
            )


class RetroGoal(models.Model):
    """A goal of the retro's goal set."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    retro = models.ForeignKey(Retrospective, on_delete=models.CASCADE, related_name="goal_links")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="retro_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["retro", "goal"], name="retro_goal_once")]

    def __str__(self) -> str:
        return f"{self.retro_id} {self.goal_id}"


class PhaseState(models.TextChoices):
    PENDING = "pending", _("Not started")
    CURRENT = "current", _("Current")
    DONE = "done", _("Done")


class RetroPhase(models.Model):
    """The stored state of one phase of a retro, in order (`position` 1–4)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    retro = models.ForeignKey(Retrospective, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(max_length=12, choices=Phase.choices)
    position = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=8, choices=PhaseState.choices, default=PhaseState.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=TEXT_LIMIT)

    class Meta:
        ordering = ("retro", "position")
        constraints = [models.UniqueConstraint(fields=["retro", "phase"], name="retro_phase_once")]

    def __str__(self) -> str:
        return f"{self.retro_id} {self.phase}"


class CardKind(models.TextChoices):
    CAUSE = "cause", _("Cause of a miss")
    FACTOR = "factor", _("Success factor")
    NOTE = "note", _("Observation")


class CauseCategory(models.TextChoices):
    """Why a target was missed (the article's taxonomy)."""

    STRATEGY = "strategy", _("Strategy error (策略失误)")
    RESOURCES = "resources", _("Insufficient resources (资源不足)")
    EXTERNAL = "external", _("External change (外部环境变化): policy, epidemic, competition")
    EXECUTION = "execution", _("Execution")
    OTHER = "other", _("Other")


class FactorCategory(models.TextChoices):
    """What made over-achievement possible."""

    INNOVATION = "innovation", _("Innovative method (创新方法)")
    COLLABORATION = "collaboration", _("Efficient collaboration (高效协作)")
    RESOURCES = "resources", _("Resources")
    MARKET = "market", _("Market")
    OTHER = "other", _("Other")


class EvidenceKind(models.TextChoices):
    ALERT = "alert", _("Alert")
    INITIATIVE = "initiative", _("Initiative")
    METRIC = "metric", _("Supporting metric")
    REVISION = "revision", _("Revision")


class Card(models.Model):
    """A card a person adds (before or during the meeting). An anonymous card keeps no author: only
    `author_key`, a keyed hash of the retro and the person, so its author can still remove it and
    nothing — page, API, export, audit — can name them."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    retro = models.ForeignKey(Retrospective, on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField(_("kind"), max_length=8, choices=CardKind.choices)
    category = models.CharField(_("category"), max_length=16, blank=True)
    text = models.TextField(_("card"), max_length=CARD_LIMIT)
    author = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_key = models.CharField(max_length=64)
    anonymous = models.BooleanField(default=False)
    group_label = models.CharField(_("group"), max_length=80, blank=True)
    evidence_kind = models.CharField(_("evidence"), max_length=12, choices=EvidenceKind.choices, blank=True)
    evidence_id = models.PositiveBigIntegerField(null=True, blank=True)
    token = models.CharField(max_length=40, blank=True)  # the form's one-time token: a double click adds once
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ("retro", "group_label", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["retro", "author_key", "token"],
                condition=~Q(token=""),
                name="retro_card_once_per_token",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(author__isnull=True),
                name="retro_anonymous_card_has_no_author",
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["org", "retro"]), models.Index(fields=["org", "category"])]

    def __str__(self) -> str:
        return self.text[:60]

    def clean(self) -> None:
        allowed = {CardKind.CAUSE: CauseCategory.values, CardKind.FACTOR: FactorCategory.values}.get(
            CardKind(self.kind) if self.kind in CardKind.values else CardKind.NOTE, [""]
        )
        if self.category not in allowed:
            raise ValidationError({"category": _("Choose a category of this kind of card.")})


class Vote(models.Model):
    """One person's vote on a card (one per card; `votes_per_person` in all). Counts are shown only
    once the facilitator reveals them; who voted is never shown."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    retro = models.ForeignKey(Retrospective, on_delete=models.CASCADE, related_name="votes")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "voter"], name="retro_vote_once_per_card")]
        indexes = [models.Index(fields=["retro", "voter"])]

    def __str__(self) -> str:
        return f"{self.card_id}"


class LessonKind(models.TextChoices):
    KEEP = "keep", _("Keep doing")
    STOP = "stop", _("Stop doing")
    TRY = "try", _("Try")


class PracticeStage(models.TextChoices):
    """A lesson that becomes practice: candidate → trial → standard practice (标准化流程)."""

    NONE = "", _("Lesson")
    CANDIDATE = "candidate", _("Candidate practice")
    TRIAL = "trial", _("On trial")
    STANDARD = "standard", _("Standard practice (标准化流程)")


class Lesson(models.Model):
    """经验提炼 and 知识库: a distilled statement with its scope (team, metric, tags, cause category)
    and its evidence (a card), from a retro or written directly into the knowledge base. Published,
    the whole organisation reads it; as a practice it has a stage, an owner, a review date and the
    goal whose indicator should stay up (a fall reminds the owner, once per fall)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    retro = models.ForeignKey(
        Retrospective, on_delete=models.CASCADE, related_name="lessons", null=True, blank=True
    )  # none for an entry written directly into the knowledge base
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    kind = models.CharField(_("kind"), max_length=4, choices=LessonKind.choices)
    text = models.TextField(_("lesson"), max_length=TEXT_LIMIT)
    metric_name = models.CharField(_("metric"), max_length=120, blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    cause_category = models.CharField(_("cause category"), max_length=16, blank=True)
    period_end = models.DateField(_("period"), null=True, blank=True)  # the period it was learnt in
    evidence = models.ForeignKey(
        Card, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("evidence")
    )
    evidence_goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("goal")
    )
    published = models.BooleanField(_("published to the knowledge base"), default=False)
    search_text = models.TextField(blank=True)  # lower-case text, tags, metric and retro title
    stage = models.CharField(_("stage"), max_length=10, choices=PracticeStage.choices, blank=True, default="")
    owner = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_on = models.DateField(_("review date"), null=True, blank=True)
    watched_goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("indicator that should stay up"),
    )  # fmt: skip
    watch_baseline = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    reminded_for = models.CharField(max_length=40, blank=True)  # the fall or review date last reminded
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ("retro", "id")
        indexes = [
            models.Index(fields=["org", "published", "period_end"]),
            models.Index(fields=["org", "stage"]),
            models.Index(fields=["org", "team"]),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class LessonApplication(models.Model):
    """A lesson applied to a goal while it was drafted: shown on the goal, counted by the knowledge
    base with how those goals ended."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="applications")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")
    applied_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "goal"], name="lesson_applied_once_per_goal")
        ]
        indexes = [models.Index(fields=["org", "goal"])]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.goal_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class RetroAction(models.Model):
    """行动计划: what will be done, by whom (a person of the team) and by when; an open action comes
    back in the team's next retro, with the goal whose indicator it was meant to move."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    retro = models.ForeignKey(Retrospective, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"), max_length=TEXT_LIMIT)
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("goal it should move"),
    )  # fmt: skip
    token = models.CharField(max_length=40, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # what the action became (plans' initiative on the next period's goal, or tracking's 纠偏)
    initiative = models.ForeignKey(
        "plans.Initiative", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrective_action = models.ForeignKey(
        "tracking.CorrectiveAction", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("retro action")
        verbose_name_plural = _("retro actions")
        ordering = ("due_date", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["retro", "token"], condition=~Q(token=""), name="retro_action_once_per_token"
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        return self.description[:60]
