"""Forms of the goals pages: shape only; services hold the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Organization, Team
from teams.page_forms import DateField, choose_people, parse_number

from . import selectors
from .hooks import GoalDraft, draft_panels
from .models import (
    SLICE_KINDS,
    Aggregation,
    Direction,
    Goal,
    PeriodKind,
    Revision,
    Scope,
    Status,
    SupportingMetric,
)
from .smart import Draft, checklist, suggest_tiers

AMOUNT = {"max_digits": 18, "decimal_places": 4}


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Specific: what exactly changes, for whom."),
    )  # fmt: skip
    scope = forms.ChoiceField(label=_("Level"), choices=Scope.choices, initial=Scope.TEAM)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    parent = forms.ModelChoiceField(
        label=_("Serves (parent goal)"), queryset=Goal.objects.none(), required=False
    )
    weight = forms.DecimalField(
        label=_("Weight in the parent goal"), initial=1, max_digits=6, decimal_places=3, min_value=0.001
    )
    rationale = forms.CharField(
        label=_("Why it matters"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Relevant: needed when the goal serves no higher goal."),
    )  # fmt: skip
    metric_name = forms.CharField(label=_("Metric"), max_length=120, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.UP)
    aggregation = forms.ChoiceField(
        label=_("Values combine by"), choices=Aggregation.choices, initial=Aggregation.SUM
    )
    baseline = forms.DecimalField(label=_("Baseline"), required=False, **AMOUNT)
    allows_negative = forms.BooleanField(
        label=_("Values may be negative"), required=False,
        help_text=_("For a change such as “DAU growth %”. A count such as new users never is."),
    )  # fmt: skip
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    # Not required: a period (quarter, month …) fills in whichever is left empty.
    start_date = DateField(label=_("Start"), required=False,
                           help_text=_("Filled in from the period; change it for other dates."))  # fmt: skip
    end_date = DateField(label=_("End"), required=False)
    base = forms.DecimalField(label=_("Base target"), **AMOUNT)
    challenge = forms.DecimalField(label=_("Challenge target"), **AMOUNT)
    stretch = forms.DecimalField(label=_("Stretch target"), **AMOUNT)

    def __init__(
        self, *args: Any, org: Organization, actor: Membership, goal: Goal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.org, self.actor = org, actor
        # Only the teams the person may give a goal (and the goal's own team, when editing).
        teams = selectors.goal_teams(member=actor)
        if goal is not None and goal.team_id is not None:
            teams = teams | Team.objects.filter(pk=goal.team_id)
        self.fields["team"].queryset = teams.distinct().order_by("name")  # type: ignore[attr-defined]
        choose_people(self.fields["owner"], org=org)
        parents = (
            Goal.objects.filter(org=org).exclude(status=Status.CANCELLED).order_by("start_date", "title")
        )
        if goal is not None:
            parents = parents.exclude(pk=goal.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def smart(self) -> dict[str, Any]:
        """The live SMART checklist and the tier suggestion for whatever the form holds so far."""
        draft = self._draft() if self.is_bound else Draft()
        return {
            "checklist": checklist(draft),
            "suggestion": suggest_tiers(
                draft.history,
                direction=draft.direction,
                non_negative=self.data.get("aggregation", "sum") == "sum",
            )
            if draft.history
            else None,
            # Beside the checklist: what later apps offer for this draft (past lessons, retros).
            "draft_panels": draft_panels(GoalDraft.of(self.org, self.data)) if self.is_bound else [],
        }

    def _draft(self) -> Draft:
        """Whatever the form holds so far, valid or not."""
        data = self.data

        def number(name: str) -> Decimal | None:
            return parse_number(data.get(name))

        def day(name: str) -> Any:
            field = self.fields[name]
            try:
                return field.clean(data.get(name)) if data.get(name) else None
            except ValidationError:
                return None

        metric = str(data.get("metric_name", ""))
        return Draft(
            title=str(data.get("title", "")), description=str(data.get("description", "")),
            rationale=str(data.get("rationale", "")), metric_name=metric, has_parent=bool(data.get("parent")),
            base=number("base"), challenge=number("challenge"), stretch=number("stretch"), baseline=number("baseline"),
            direction=str(data.get("direction", "up")), start_date=day("start_date"), end_date=day("end_date"),
            history=selectors.metric_history(org=self.org, metric_name=metric),
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        """A goal only goes where its author may change it (the service refuses the rest with a
        403; here the person sees why next to the field instead). A quarter (month, week, year) with
        no dates gets the current one; with one date, the period around it. Custom dates need both."""
        data = super().clean() or {}
        owner, scope = data.get("owner"), data.get("scope")
        if owner is not None and scope:
            draft = Goal(org=self.org, scope=scope, team=data.get("team"), owner=owner)
            verdict = selectors.can_change_goal(member=self.actor, goal=draft)
            if not verdict:
                self.add_error("team" if draft.team_id else "owner", verdict.reason)
        start, end = data.get("start_date"), data.get("end_date")
        if start and end or "start_date" in self.errors or "end_date" in self.errors:
            return data
        span = selectors.period_dates(org=self.org, kind=data.get("period_kind", ""), day=start or end)
        if span is None:
            for name in ("start_date", "end_date"):
                if not data.get(name):
                    self.add_error(name, forms.ValidationError(self.fields[name].error_messages["required"],
                                                               code="required"))  # fmt: skip
            return data
        data["start_date"] = start or span[0]
        data["end_date"] = end or span[1]
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    result_value = forms.DecimalField(label=_("Final result"), required=False,
                                      widget=forms.TextInput(attrs={"inputmode": "decimal"}), **AMOUNT)  # fmt: skip


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))
    proposed_base = forms.DecimalField(label=_("Propose base"), required=False, **AMOUNT)
    proposed_challenge = forms.DecimalField(label=_("Propose challenge"), required=False, **AMOUNT)
    proposed_stretch = forms.DecimalField(label=_("Propose stretch"), required=False, **AMOUNT)


class SupportingMetricForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupportingMetric.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.UP)
    weekly_target = forms.DecimalField(label=_("Weekly target (leading)"), required=False, **AMOUNT)
    threshold = forms.DecimalField(label=_("Threshold (risk)"), required=False, **AMOUNT)
    allows_negative = forms.BooleanField(
        label=_("Values may be negative"), required=False, help_text=_("For a change; a count never is.")
    )


class RevisionForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Revision.Reason.choices)
    comment = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 2}))
    base = forms.DecimalField(label=_("New base target"), **AMOUNT)
    challenge = forms.DecimalField(label=_("New challenge target"), **AMOUNT)
    stretch = forms.DecimalField(label=_("New stretch target"), **AMOUNT)
    effective_from = DateField(label=_("Effective from"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("Comment"), required=False)


class DecomposeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Into"), choices=SLICE_KINDS, initial="week")
    method = forms.ChoiceField(
        label=_("How"),
        choices=[("even", _("Evenly by calendar days")), ("working_days", _("By working days")), ("weights", _("By weights")),
                 ("level", _("Same level in every period")), ("ramp", _("Ramp from the baseline"))],
        initial="even",
    )  # fmt: skip
    weights = forms.CharField(
        label=_("Weights"), required=False, help_text=_("One number per period, separated by commas (seasonality)."),
    )  # fmt: skip
