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


class FeelingForm(forms.Form):
    feeling = forms.TypedChoiceField(
        label=_("How do you feel?"), coerce=int, widget=forms.RadioSelect,
        choices=[(1, _("1 · Rough")), (2, _("2 · Low")), (3, _("3 · OK")), (4, _("4 · Good")), (5, _("5 · Great"))],
    )  # fmt: skip


def team_choices(teams: list[Team]) -> list[tuple[int, str]]:
    return [(t.pk, t.name) for t in teams]
