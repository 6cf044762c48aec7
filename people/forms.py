from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Team
from teams.page_forms import DateField

from .models import NOTE_LIMIT, TEXT_LIMIT, Cadence


class SeriesForm(forms.Form):
    """Start one-on-ones: a member of a team the manager manages, the cadence and the first date."""

    member = forms.ModelChoiceField(label=_("Team member"), queryset=Membership.objects.none())
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices, initial=Cadence.BIWEEKLY)
    next_date = DateField(label=_("First one-on-one"))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = people  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.user.get_full_name()  # type: ignore[attr-defined]
        # Drawn from the people already loaded (no query to show the page); a choice sent is still
        # checked against the queryset.
        ordered = sorted(people, key=lambda p: p.user.display_name)
        field.widget.choices = [("", field.empty_label), *((p.pk, p.user.get_full_name()) for p in ordered)]  # type: ignore[attr-defined]


class ScheduleForm(forms.Form):
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices)
    next_date = DateField(label=_("Next one-on-one"))


class AgendaForm(forms.Form):
    text = forms.CharField(label=_("Talking point"), max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class NoteForm(forms.Form):
    body = forms.CharField(label=_("My private note"), max_length=NOTE_LIMIT, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Only you will ever see this note."))  # fmt: skip


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=TEXT_LIMIT)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    due = DateField(label=_("Due"), required=False)

    def __init__(self, *args: Any, people: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = Membership.objects.filter(pk__in=[p.pk for p in people]).select_related("user")  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.user.get_full_name()  # type: ignore[attr-defined]
        # Drawn from the people already loaded (no query to show the page); a choice sent is still
        # checked against the queryset.
        ordered = sorted(people, key=lambda p: p.user.display_name)
        field.widget.choices = [("", field.empty_label), *((p.pk, p.user.get_full_name()) for p in ordered)]  # type: ignore[attr-defined]


class FeelingForm(forms.Form):
    feeling = forms.TypedChoiceField(
        label=_("How do you feel?"), coerce=int, widget=forms.RadioSelect,
        choices=[(1, _("1 · Rough")), (2, _("2 · Low")), (3, _("3 · OK")), (4, _("4 · Good")), (5, _("5 · Great"))],
    )  # fmt: skip


SCALE = [(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")]


class PulseAnswerForm(forms.Form):
    """One radio row of 1–5 per question, and an optional comment: a tap per question."""

    comment = forms.CharField(label=_("Anything to add? (optional, anonymous)"), required=False,
                              max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question_keys = []
        for q in questions:
            self.fields[q.key] = forms.TypedChoiceField(
                label=q.text, choices=SCALE, coerce=int, widget=forms.RadioSelect(attrs={"class": "scale"}),
                error_messages={"required": _("Choose an answer from 1 to 5."),
                                "invalid_choice": _("Choose an answer from 1 to 5.")},
            )  # fmt: skip
            self.question_keys.append(q.key)
        self.fields["comment"] = self.fields.pop("comment")  # last

    def scale_fields(self) -> list[Any]:
        return [self[key] for key in self.question_keys]


class PulseForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False,
                                  empty_label=_("The whole organisation"))  # fmt: skip
    opens_on = DateField(label=_("Opens"))
    closes_on = DateField(label=_("Closes"))
    threshold = forms.IntegerField(label=_("Anonymity threshold"), initial=5,
                                   help_text=_("Results appear only for groups with at least this many respondents (3 to 10)."))  # fmt: skip

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class PulseScheduleForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False,
                                  empty_label=_("The whole organisation"))  # fmt: skip
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices, initial=Cadence.BIWEEKLY)
    next_on = DateField(label=_("First pulse"))
    days_open = forms.IntegerField(label=_("Days open"), initial=3, help_text=_("From 1 to 7 days."))
    threshold = forms.IntegerField(label=_("Anonymity threshold"), initial=5,
                                   help_text=_("Results appear only for groups with at least this many respondents (3 to 10)."))  # fmt: skip

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
