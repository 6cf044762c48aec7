"""The retros pages' forms: they check the shape of what was typed; the services apply the rules."""

from __future__ import annotations

from html import escape  # the standard one: Django's adds a lazy-string wrapper per call
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from teams.models import Membership, Team
from teams.page_forms import DateField, choose_people
from teams.people_picker import person_label
from teams.selectors import managed_team_ids

from .models import (
    CARD_LIMIT,
    DEFAULT_VOTES,
    MAX_VOTES,
    TEXT_LIMIT,
    CardKind,
    CauseCategory,
    FactorCategory,
    LessonKind,
    PracticeStage,
    RetroKind,
    Retrospective,
)
from .selectors import action_owners

# One picker for what a card is: a cause of a miss, a success factor, or an observation.
CARD_CHOICES = [
    (_("Cause of a miss"), [(f"cause:{v}", label) for v, label in CauseCategory.choices]),
    (_("Success factor"), [(f"factor:{v}", label) for v, label in FactorCategory.choices]),
    ("note:", _("Observation")),
]


class StartForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=RetroKind.choices)
    goal = forms.ModelChoiceField(
        label=_("Goal"), queryset=Goal.objects.none(), required=False,
        help_text=_("For a goal retrospective: its period is the goal's."),
    )  # fmt: skip
    period_start = DateField(label=_("Period start"), required=False)
    period_end = DateField(label=_("Period end"), required=False)
    facilitator = forms.ModelChoiceField(
        label=_("Facilitator"), queryset=Membership.objects.none(), required=False,
        help_text=_("Empty: the team's managers facilitate. Or name a person of the team."),
    )  # fmt: skip
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Leave empty for the usual title."))  # fmt: skip
    anonymous_cards = forms.BooleanField(label=_("Cards are anonymous"), required=False,
                                         help_text=_("Nobody — not even an admin — can see who wrote a card."))  # fmt: skip
    votes_per_person = forms.IntegerField(label=_("Votes per person"), min_value=1, max_value=MAX_VOTES,
                                          initial=DEFAULT_VOTES)  # fmt: skip

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(org_id=member.org_id).order_by("name")
        if not member.is_admin:
            teams = teams.filter(pk__in=sorted(managed_team_ids(member=member)))
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        goals = Goal.objects.filter(org_id=member.org_id, team__in=teams).order_by("-end_date", "title")
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        choose_people(self.fields["facilitator"], org=member.org, rule="retro-facilitator", actor=member)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """Django's <select> markup, built in Python: its template includes one template per option
    (and the attributes' template for each), which made the meeting page's card form — the card
    kinds and the goal review's evidence — the page's slowest part after its loops."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{escape(str(widget["name"]))}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{escape(str(group_name))}">')
            out.extend(
                f'\n  <option value="{escape(str(o["value"]))}"{_attrs(o["attrs"])}>{escape(str(o["label"]))}</option>\n'
                for o in options
            )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 - every value escaped above


class CardForm(forms.Form):
    what = forms.ChoiceField(label=_("What is it?"), choices=CARD_CHOICES, widget=QuickSelect)
    text = forms.CharField(label=_("Card"), max_length=CARD_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))
    # "kind:id" of an alert, initiative, metric or revision of the goal review (the service checks it)
    evidence = forms.CharField(
        label=_("Evidence (optional)"), required=False, max_length=40, widget=QuickSelect,
        help_text=_("An alert, an initiative, a metric or a revision from the goal review."),
    )  # fmt: skip
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def card_kind(self) -> tuple[str, str]:
        kind, _sep, category = self.cleaned_data["what"].partition(":")
        return (kind if kind in CardKind.values else CardKind.NOTE), category

    def card_evidence(self) -> tuple[str, int | None]:
        """("", None) without evidence; an unreadable value gives a kind the service refuses."""
        kind, _sep, pk = (self.cleaned_data.get("evidence") or "").partition(":")
        if not kind:
            return "", None
        return kind, int(pk) if pk.isdigit() else None


class LessonForm(forms.Form):
    kind = forms.ChoiceField(label=_("Lesson"), choices=LessonKind.choices)
    text = forms.CharField(
        label=_("Statement"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    metric_name = forms.CharField(label=_("Metric"), max_length=120, required=False)
    tags = forms.CharField(
        label=_("Tags"), max_length=200, required=False, help_text=_("Separated by commas.")
    )


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Action"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    due_date = DateField(label=_("Due"))
    goal = forms.ModelChoiceField(
        label=_("Goal it should move"), queryset=Goal.objects.none(), required=False
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, retro: Retrospective, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The team's people only (a team, not the organisation): a short list, so a plain <select>.
        owner = self.fields["owner"]
        owner.queryset = action_owners(team=retro.team)  # type: ignore[attr-defined]
        owner.label_from_instance = person_label  # type: ignore[attr-defined]
        self.fields["goal"].queryset = Goal.objects.filter(  # type: ignore[attr-defined]
            org_id=retro.org_id, team_id=retro.team_id
        ).order_by("-end_date", "title")


class CloseForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )


class KnowledgeEntryForm(forms.Form):
    """An entry written straight into the knowledge base."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    kind = forms.ChoiceField(label=_("Lesson"), choices=LessonKind.choices)
    text = forms.CharField(
        label=_("Statement"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    metric_name = forms.CharField(label=_("Metric"), max_length=120, required=False)
    tags = forms.CharField(
        label=_("Tags"), max_length=200, required=False, help_text=_("Separated by commas.")
    )
    cause_category = forms.ChoiceField(
        label=_("Cause category"), required=False, choices=[("", "—"), *CauseCategory.choices]
    )
    evidence_goal = forms.ModelChoiceField(
        label=_("Evidence: a goal"), queryset=Goal.objects.none(), required=False
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(org_id=member.org_id).order_by("name")
        if not member.is_admin:
            teams = teams.filter(pk__in=sorted(managed_team_ids(member=member)))
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["evidence_goal"].queryset = Goal.objects.filter(  # type: ignore[attr-defined]
            org_id=member.org_id, team__in=teams
        ).order_by("-end_date", "title")


class PracticeForm(forms.Form):
    """A lesson's practice stage: candidate → trial → standard practice, with owner, review date and
    the goal whose indicator should stay up."""

    stage = forms.ChoiceField(label=_("Stage"), choices=PracticeStage.choices, required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Membership.objects.none(), required=False)
    review_on = DateField(label=_("Review date"), required=False)
    watched_goal = forms.ModelChoiceField(
        label=_("Indicator that should stay up"), queryset=Goal.objects.none(), required=False,
        help_text=_("The goal whose indicator the practice keeps up: if it falls, the owner is reminded."),
    )  # fmt: skip

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_people(self.fields["owner"], org=member.org, rule="retro-facilitator", actor=member)
        self.fields["watched_goal"].queryset = (
            Goal.objects.filter(  # type: ignore[attr-defined]
                org_id=member.org_id
            )
            .exclude(status="cancelled")
            .order_by("-end_date", "title")
        )
