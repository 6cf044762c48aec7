from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from goals.models import Goal
from teams.models import Membership, Organization
from teams.page_forms import DateField, choose_people

from .models import Initiative, Need, Priority, Squad, Status
from .pickers import choose_initiative
from .selectors import initiative_choices


class InitiativeForm(forms.Form):
    dimension_name = forms.CharField(label=_("Goal dimension"), max_length=120, required=False)
    title = forms.CharField(label=_("Initiative"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    start_date = DateField(label=_("Start"))
    due_date = DateField(label=_("Due"), required=False)
    ongoing = forms.BooleanField(label=_("Ongoing"), required=False)
    budget = forms.DecimalField(
        label=_("Budget"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    needs = forms.MultipleChoiceField(label=_("Resource needs"), choices=Need.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)  # fmt: skip
    needs_note = forms.CharField(label=_("Other resource needs"), max_length=200, required=False)
    squad = forms.ModelChoiceField(label=_("Squad"), queryset=Squad.objects.none(), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P2)
    is_milestone = forms.BooleanField(label=_("Milestone (small win)"), required=False)
    is_experiment = forms.BooleanField(label=_("Innovation experiment"), required=False)

    @staticmethod
    def initial_for(item: Initiative) -> dict[str, Any]:
        """The form's values for an initiative being edited."""
        return {
            "dimension_name": item.dimension.name if item.dimension else "", "title": item.title, "owner": item.owner,
            "start_date": item.start_date, "due_date": item.due_date, "ongoing": item.ongoing, "budget": item.budget,
            "needs": item.needs, "needs_note": item.needs_note, "squad": item.squad, "priority": item.priority,
            "is_milestone": item.is_milestone, "is_experiment": item.is_experiment,
        }  # fmt: skip

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_people(self.fields["owner"], org=org, rule="initiative-owner")  # OWNER_ROLES, as the service
        self.fields["squad"].queryset = Squad.objects.filter(org=org).order_by("name")  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress %"), min_value=0, max_value=100)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("(from progress)")), *Status.choices], required=False
    )
    lesson = forms.CharField(
        label=_("Lesson learned"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _people(org: Organization) -> Any:
    return (
        Membership.objects.filter(org=org, is_active=True)
        .select_related("user")
        .order_by("user__display_name")
    )


class SquadForm(forms.Form):
    """专项小组: people from several teams under one lead."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=Membership.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=Membership.objects.none(), required=False
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead", "members"):  # searched as the user types (teams.people_picker)
            choose_people(self.fields[name], org=org)


class TeamBudgetForm(forms.Form):
    """The team's budget for the goal's period (a text field: a refused amount comes back as typed)."""

    amount = forms.CharField(label=_("Amount"), max_length=40,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "team-budget-%s")
        super().__init__(*args, **kwargs)


class BudgetMoveForm(forms.Form):
    """Move budget between two initiatives of a plan: each picked by typing part of its title (the
    source among those with budget to give)."""

    source = forms.ModelChoiceField(
        label=pgettext_lazy("budget move", "From"), queryset=Initiative.objects.none()
    )
    target = forms.ModelChoiceField(
        label=pgettext_lazy("budget move", "To"), queryset=Initiative.objects.none()
    )
    amount = forms.CharField(label=_("Amount"), max_length=40,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, org: Organization, goal: Goal, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "move-%s")
        super().__init__(*args, **kwargs)
        choose_initiative(self.fields["source"], org_slug=org.slug, goal_id=goal.pk, with_budget=True,
                          queryset=initiative_choices(org=org, goal=goal, with_budget=True))  # fmt: skip
        choose_initiative(self.fields["target"], org_slug=org.slug, goal_id=goal.pk,
                          queryset=initiative_choices(org=org, goal=goal))  # fmt: skip
        for name in ("amount", "reason"):
            self.fields[name].widget.attrs["placeholder"] = self.fields[name].label


class DependencyForm(forms.Form):
    """A finish-to-start link between two initiatives of a plan, each picked by typing part of its
    title (the page's form; dependency_add_view reads the two ids)."""

    predecessor = forms.ModelChoiceField(label=_("Finish"), queryset=Initiative.objects.none())
    successor = forms.ModelChoiceField(label=_("before starting"), queryset=Initiative.objects.none())

    def __init__(self, *args: Any, org: Organization, goal: Goal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("predecessor", "successor"):
            choose_initiative(self.fields[name], org_slug=org.slug, goal_id=goal.pk,
                              queryset=initiative_choices(org=org, goal=goal))  # fmt: skip


class CapacityForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Person"), queryset=Membership.objects.none())
    load = forms.DecimalField(label=_("Capacity"), max_digits=5, decimal_places=2, min_value=0)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = _people(org)  # type: ignore[attr-defined]
