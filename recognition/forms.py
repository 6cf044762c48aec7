from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teams.models import Membership, Team
from teams.page_forms import DateField, MonthInput, choose_people, parse_month

from . import selectors
from .models import TEXT_LIMIT, RewardKind


class MonthField(forms.CharField):
    """A month as "YYYY-MM" (the browser's month picker), cleaned to its first day."""

    widget = MonthInput

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return month


class PrintedSelect(forms.Select):
    """A select printed in Python, with the markup of Django's template (which renders two more
    templates per option: some milliseconds of the recognition page for a handful of teams)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        chosen = set(self.format_value(value))
        options = format_html_join(
            "", '\n  <option value="{}"{}>{}</option>',
            ((str(v), " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )  # fmt: skip
        return format_html(
            '<select name="{}"{}>{}\n</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class NominationForm(forms.Form):
    nominee = forms.ModelChoiceField(label=_("Colleague"), queryset=Membership.objects.none())
    month = MonthField(label=pgettext_lazy("calendar month", "Month"))
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("What did they do that deserves recognition?"))  # fmt: skip

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_people(self.fields["nominee"], org=member.org, rule="colleague", actor=member)  # not oneself


class StarForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), widget=PrintedSelect)
    month = MonthField(label=pgettext_lazy("calendar month", "Month"))
    member = forms.ModelChoiceField(label=_("Star of the month"), queryset=Membership.objects.none())
    citation = forms.CharField(
        label=_("Citation"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, actor: Membership, teams: list[Team] | None = None, **kwargs: Any) -> None:
        """`teams`: the actor's selectable teams when the page has read them already (the choices are
        printed from them; what is posted is still checked against selectable_teams)."""
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        field.queryset = selectors.selectable_teams(member=actor)  # type: ignore[attr-defined]
        if teams is not None:
            field.choices = [("", field.empty_label), *((t.pk, t.name) for t in teams)]  # type: ignore[attr-defined]
        choose_people(self.fields["member"], org=actor.org)


class GrowthForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Person"), queryset=Membership.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=RewardKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("e.g. Data analysis course, or: ready for senior operations specialist"))  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    planned_for = DateField(label=pgettext_lazy("planned date", "When"), required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_people(self.fields["member"], org=actor.org, rule="manageable-person", actor=actor)


class RuleForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    reward = forms.CharField(label=_("Reward"), max_length=120, initial=_("Afternoon tea"),
                             help_text=_("Earned when the team meets its weekly target."))  # fmt: skip
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import rule_teams

        self.fields["team"].queryset = rule_teams(actor=actor)  # type: ignore[attr-defined]
