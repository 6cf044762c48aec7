"""People (FAQ2 of the article: relieve pressure and build capability together): one-on-ones
(一对一沟通) between a manager and a member of their team, with a shared agenda, private notes,
action items and a feeling check; and pulse surveys whose answers are never shown per person.

Every table carries `org` directly (PRODUCT.md: sharding by organisation later)."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Organization, Team

TEXT_LIMIT = 1000  # an agenda point or an action item
NOTE_LIMIT = 5000  # a private note


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


class Series(models.Model):
    """A manager's one-on-ones with one member of a team they manage: the cadence and the date
    of the next meeting. One series per manager and member."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="one_on_one_series")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    manager = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="one_on_ones_led", verbose_name=_("manager")
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="one_on_ones", verbose_name=_("team member")
    )
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.BIWEEKLY)
    next_date = models.DateField(_("next one-on-one"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("one-on-one series")
        verbose_name_plural = _("one-on-one series")
        ordering = ("next_date", "id")
        constraints = [
            models.UniqueConstraint(fields=["manager", "member"], name="one_on_one_series_once"),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("member")), name="one_on_one_not_self"
            ),
        ]
        indexes = [models.Index(fields=["org", "next_date"])]

    def __str__(self) -> str:
        return f"{self.manager_id} ↔ {self.member_id}"

    def participant_ids(self) -> tuple[int, int]:
        return (self.manager_id, self.member_id)


class Meeting(models.Model):
    """One one-on-one of a series, on a day. Open until it is held; holding it carries the
    unchecked agenda points over to the next meeting, which it creates."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="meetings")
    day = models.DateField(_("day"))
    feeling = models.PositiveSmallIntegerField(
        _("feeling"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How the team member feels, from 1 (rough) to 5 (great)."),
    )  # fmt: skip
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the reminder job claims it once
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("one-on-one")
        verbose_name_plural = _("one-on-ones")
        ordering = ("-day", "-id")
        constraints = [
            models.UniqueConstraint(fields=["series", "day"], name="one_on_one_meeting_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(feeling__isnull=True) | models.Q(feeling__gte=1, feeling__lte=5),
                name="one_on_one_feeling_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["org", "day"])]

    def __str__(self) -> str:
        return f"{self.series_id} {self.day}"

    @property
    def is_held(self) -> bool:
        return self.held_at is not None


class AgendaItem(models.Model):
    """A talking point either participant adds before or during the meeting. Unchecked points
    carry over to the next meeting when this one is held (`carried_from` says where from)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    author = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("added by")
    )
    text = models.TextField(_("talking point"), max_length=TEXT_LIMIT)
    done = models.BooleanField(_("discussed"), default=False)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("talking point")
        verbose_name_plural = _("talking points")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["org", "meeting"])]

    def __str__(self) -> str:
        return self.text[:60]


class PrivateNote(models.Model):
    """A participant's own note on a meeting: only its author ever reads it (no page, API,
    export or audit entry shows it to anyone else). One per author and meeting."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("private note"), max_length=NOTE_LIMIT, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        constraints = [models.UniqueConstraint(fields=["meeting", "author"], name="private_note_once")]
        indexes = [models.Index(fields=["org", "author"])]

    def __str__(self) -> str:
        return f"note {self.pk}"  # never the body: reprs end up in logs and audit entries


class ActionItem(models.Model):
    """Something one participant will do, with a due date. It stays on every meeting of the
    series until it is done."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner"))
    text = models.TextField(_("action"), max_length=TEXT_LIMIT)
    due = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ("done_at", "due", "id")
        indexes = [models.Index(fields=["org", "owner"]), models.Index(fields=["series", "done_at"])]

    def __str__(self) -> str:
        return self.text[:60]


# --- Pulse surveys --------------------------------------------------------------------------------
class Pulse(models.Model):
    """A short survey (3–5 questions on a 1–5 scale) for the organisation or one team, open for
    some days. Results are shown only once it has closed, and only for groups of at least
    `threshold` respondents."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pulses")
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team"),
        help_text=_("Empty for the whole organisation."),
    )  # fmt: skip
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold"), default=5, validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text=_("Results appear only for groups with at least this many respondents (3 to 10)."),
    )  # fmt: skip
    bank_version = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    schedule = models.ForeignKey(
        "PulseSchedule", on_delete=models.SET_NULL, null=True, blank=True, related_name="pulses"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)  # the reminder job claims it once
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pulse survey")
        verbose_name_plural = _("pulse surveys")
        ordering = ("-opens_on", "-id")
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold__gte=3, threshold__lte=10),
                                   name="pulse_threshold_3_to_10"),
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")),
                                   name="pulse_closes_after_it_opens"),
            models.UniqueConstraint(fields=["schedule", "opens_on"], name="pulse_scheduled_once"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["org", "closes_on"])]

    def __str__(self) -> str:
        return f"pulse {self.opens_on}"


class PulseQuestion(models.Model):
    """A question of a pulse, from the versioned bank (`people.questions`): its key and topic."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=40)
    topic = models.CharField(max_length=20)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        constraints = [models.UniqueConstraint(fields=["pulse", "key"], name="pulse_question_once")]

    def __str__(self) -> str:
        return self.key


class PulseParticipation(models.Model):
    """That a person answered a pulse (so they answer once), and nothing about what they answered:
    answers and comments are stored apart, without the person, a time or an ordered id."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pulse", "member"], name="pulse_answered_once")]

    def __str__(self) -> str:
        return f"{self.pulse_id} {self.member_id}"


class PulseAnswer(models.Model):
    """One anonymous answer: the question, the score and the respondent's team (the group results
    are counted in). A random id, no person and no timestamp, so answers cannot be put back in the
    order people answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(PulseQuestion, on_delete=models.CASCADE, related_name="answers")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="pulse_score_1_to_5")
        ]
        indexes = [models.Index(fields=["org", "pulse"])]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class PulseComment(models.Model):
    """A free-text comment, without its author (like an answer)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="comments")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(max_length=TEXT_LIMIT)

    def __str__(self) -> str:
        return f"comment {self.pk}"


# --- Small wins -----------------------------------------------------------------------------------
class WinKind(models.TextChoices):
    WEEK_MET = "week_met", _("Week target met")
    MILESTONE = "milestone", _("Milestone done")
    BASE_TIER = "base_tier", _("Sub-goal reached its base target")
    BLOCKER = "blocker", _("Blocker resolved for a colleague")


class SmallWin(models.Model):
    """小胜利: something that went well, detected from the data once (`key` is unique per
    organisation, so a rerun or a duplicated job adds nothing), shown in the team's feed and
    announced on the team's channels in the day's batch (`announced_on`)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="small_wins")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    kind = models.CharField(_("kind"), max_length=12, choices=WinKind.choices)
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)  # the goal's or the initiative's
    person = models.ForeignKey(  # the person behind it (to recognise)
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    helped = models.ForeignKey(  # for a blocker: the colleague who was helped
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    goal_id_ref = models.PositiveBigIntegerField(null=True, blank=True)  # where to look (no FK: history)
    detail = models.JSONField(default=dict, blank=True)  # the numbers (week, actual, base target)
    happened_on = models.DateField(_("day"))
    announced_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("small win")
        verbose_name_plural = _("small wins")
        ordering = ("-happened_on", "-id")
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="small_win_once")]
        indexes = [
            models.Index(fields=["org", "team", "happened_on"]),
            models.Index(fields=["org", "announced_on"]),
        ]

    def __str__(self) -> str:
        return self.key


class PulseSchedule(models.Model):
    """Pulses on a schedule for the organisation or a team: beat opens one on `next_on` (each
    schedule and day once, see services.schedules), open `days_open` days, then moves `next_on`
    on by the cadence."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pulse_schedules")
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team"),
        help_text=_("Empty for the whole organisation."),
    )  # fmt: skip
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.BIWEEKLY)
    next_on = models.DateField(_("next pulse"))
    days_open = models.PositiveSmallIntegerField(
        _("days open"), default=3, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold"), default=5, validators=[MinValueValidator(3), MaxValueValidator(10)]
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pulse schedule")
        verbose_name_plural = _("pulse schedules")
        ordering = ("next_on", "id")
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold__gte=3, threshold__lte=10),
                                   name="pulse_schedule_threshold_3_to_10"),
            models.CheckConstraint(condition=models.Q(days_open__gte=1, days_open__lte=7),
                                   name="pulse_schedule_days_open_1_to_7"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["active", "next_on"])]

    def __str__(self) -> str:
        return f"pulse schedule {self.pk}"


class CalendarFeed(models.Model):
    """A person's secret calendar address (ICS): their one-on-ones and their teams' reviews. The
    secret alone opens the feed; revoking deletes it (the old address answers 404) and
    regenerating replaces it."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="calendar_feed")
    secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed {self.pk}"  # never the secret
