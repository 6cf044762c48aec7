from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from teams.models import Membership, Organization, Team
from teams.page_forms import DateField, TimeField, choose_people, parse_id, parse_number

from .models import (
    Cause,
    ChannelKind,
    CorrectiveAction,
    Mood,
    NotificationChannel,
    ReminderChannel,
    ResolutionReason,
    Review,
    RuleKind,
)


def value_field_name(goal_id: int, metric_id: int | None = None) -> str:
    return f"value_{goal_id}" if metric_id is None else f"value_{goal_id}_{metric_id}"


class StandupForm(forms.Form):
    """每日站会 in one short form: three lines, an optional mood, and today's values for the goals
    the member works on (one field per goal metric and leading metric)."""

    day = DateField(widget=forms.HiddenInput)
    yesterday = forms.CharField(
        label=_("Yesterday"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("What I finished")}),
    )  # fmt: skip
    today = forms.CharField(
        label=_("Today"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("What I will do")}),
    )  # fmt: skip
    blockers = forms.CharField(
        label=_("Blockers"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("What stops me (leave empty if nothing)")}),
    )  # fmt: skip
    mood = forms.TypedChoiceField(
        label=_("Mood"), choices=Mood.choices, coerce=int, required=False, empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "mood"}),
    )  # fmt: skip

    def __init__(self, *args: Any, goals: list[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.value_fields: list[tuple[str, Goal, Any]] = []
        for goal in goals:
            name = value_field_name(goal.pk)
            label = goal.metric_name or goal.title
            self.fields[name] = forms.CharField(
                label=f"{label}" + (f" ({goal.unit})" if goal.unit else ""), required=False, max_length=40,
                help_text=goal.title, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )  # fmt: skip
            self.value_fields.append((name, goal, None))
            for metric in goal.supporting_metrics.all():
                if metric.kind != "leading":
                    continue
                name = value_field_name(goal.pk, metric.pk)
                self.fields[name] = forms.CharField(
                    label=metric.name + (f" ({metric.unit})" if metric.unit else ""), required=False, max_length=40,
                    help_text=goal.title, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )  # fmt: skip
                self.value_fields.append((name, goal, metric))

    def text_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("yesterday", "today", "blockers")]

    def number_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _goal, _metric in self.value_fields]


class EntryForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"))
    day = DateField(label=_("Day"))
    value = forms.CharField(
        label=_("Value"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    member = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("(the whole team)"),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, goal: Goal, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", goal.metric_name or goal.title)]
        choices += [(str(m.pk), m.name) for m in goal.supporting_metrics.all()]
        self.fields["metric"].choices = choices  # type: ignore[attr-defined]
        self.fields["metric"].required = False
        # Exactly the people the service accepts (tracking.selectors.can_attribute_value).
        choose_people(self.fields["member"], org=actor.org, rule="value-person", actor=actor)


class AcknowledgeForm(forms.Form):
    """纠偏: the cause of the deviation and the corrective action, with its owner and due date."""

    cause = forms.ChoiceField(label=_("Cause"), choices=[("", "—"), *Cause.choices])
    cause_note = forms.CharField(
        label=_("Cause in your words"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. a competitor's price cut in the East region")}),
    )  # fmt: skip
    action = forms.CharField(
        label=_("Corrective action"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. more promotion budget there; target a new customer segment")}),
    )  # fmt: skip
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    due_date = DateField(label=_("Due"))

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Exactly the people the service accepts (tracking.selectors.can_own_action).
        choose_people(self.fields["owner"], org=org, rule="action-owner")


class ResolveForm(forms.Form):
    """Resolve an alert by hand: why (a category), a note, and — when the corrective action
    resolved it — which of the alert's actions. Shown with the prefix "resolve" beside the
    acknowledge form."""

    reason = forms.ChoiceField(label=_("Why is it resolved?"), choices=ResolutionReason.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": _("Choose why the alert is resolved.")})  # fmt: skip
    action = forms.TypedChoiceField(label=_("The corrective action that resolved it"), required=False, coerce=int,
                                    empty_value=None)  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=200,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. the East region caught up after the promotion")}),
                           error_messages={"required": _("Say why the alert is resolved.")})  # fmt: skip

    def __init__(self, *args: Any, actions: list[CorrectiveAction], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "resolve")
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "—"), *((a.pk, a.description[:80]) for a in actions)]  # type: ignore[attr-defined]


class ChannelForm(forms.Form):
    """Add a webhook, or (with `channel`) change one: its address and secret are not shown again;
    left empty, they stay as they are."""

    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Format"), choices=ChannelKind.choices)
    url = forms.CharField(label=_("Webhook URL"), max_length=500,
                          widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}))  # fmt: skip
    secret = forms.CharField(label=_("Signing secret"), max_length=200, required=False,
                             widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
                             help_text=_("Feishu and DingTalk sign with it; plain JSON gets X-Stretch-Timestamp and X-Stretch-Signature headers."))  # fmt: skip
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False,
                                  empty_label=_("(every team)"),
                                  help_text=_("Alerts and messages of this team only, or of every team."))  # fmt: skip

    def __init__(
        self, *args: Any, org: Organization, channel: NotificationChannel | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(org=org).order_by("name")  # type: ignore[attr-defined]
        if channel is not None:
            self.fields["url"].required = False
            self.fields["url"].help_text = _("Now %(address)s. Leave empty to keep it; the address carries the platform's token and is not shown again.") % {"address": channel.url_masked}  # fmt: skip
            self.fields["url"].widget.attrs["placeholder"] = channel.url_masked
            self.fields["secret"].help_text = (
                _("Leave empty to keep the current secret.") if channel.secret else _("No secret yet.")
            )
            if channel.secret:
                self.fields["clear_secret"] = forms.BooleanField(
                    label=_("Remove the signing secret"), required=False
                )


class ReviewActionForm(forms.Form):
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False,
                                  empty_label=_("(the whole team)"))  # fmt: skip
    action = forms.CharField(label=_("Corrective action"), max_length=2000)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    due_date = DateField(label=_("Due"))

    def __init__(self, *args: Any, org: Organization, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(org=org, team=team, status="active").order_by(
            "title"
        )  # type: ignore[attr-defined]
        choose_people(self.fields["owner"], org=org, rule="action-owner")


class ReviewForm(forms.Form):
    """The decisions of a weekly review (the lessons of a monthly one), kept as typed when refused."""

    decisions = forms.CharField(
        required=False, max_length=Review._meta.get_field("decisions").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No maxlength in the page: a browser would silently cut a long paste. The server says
        # how long it is instead, and keeps all of it in the field.
        self.fields["decisions"].widget.attrs.pop("maxlength", None)


class AlertRuleForm(forms.Form):
    """One alert rule's settings. Text fields, so that what was typed comes back as typed when it
    is refused; every message names the rule (the page lists them all)."""

    threshold = forms.CharField(
        label=_("Threshold"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 4, "autocomplete": "off"}),
    )  # fmt: skip
    escalate_after_days = forms.CharField(
        label=_("escalate after (days)"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3, "autocomplete": "off"}),
    )  # fmt: skip
    enabled = forms.BooleanField(label=_("enabled"), required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"rule-{kind}-%s")
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.rule_label = RuleKind(kind).label

    def named(self, problem: Any) -> str:
        return _("%(rule)s: %(problem)s") % {"rule": self.rule_label, "problem": problem}

    def clean_threshold(self) -> Any:
        text = self.cleaned_data["threshold"].strip()
        if not text:
            return None
        value = parse_number(text)
        if value is None:
            raise forms.ValidationError(self.named(_("Enter a number, e.g. 10.")))
        return value

    def clean_escalate_after_days(self) -> int:
        text = self.cleaned_data["escalate_after_days"].strip()
        days = 0 if text.isascii() and text.isdigit() and int(text) == 0 else parse_id(text)
        if days is None:  # the range is the service's to check
            raise forms.ValidationError(
                self.named(_("Between %(low)s and %(high)s.") % {"low": 1, "high": 60})
            )
        return days


class RhythmForm(forms.Form):
    standup_time = TimeField(label=_("Stand-up by"))
    working_days = forms.MultipleChoiceField(
        label=_("Working days"), widget=forms.CheckboxSelectMultiple,
        choices=[("1", _("Mon")), ("2", _("Tue")), ("3", _("Wed")), ("4", _("Thu")), ("5", _("Fri")),
                 ("6", _("Sat")), ("7", _("Sun"))],
    )  # fmt: skip
    reminders = forms.BooleanField(label=_("Remind who has not checked in"), required=False)


class PreferenceForm(forms.Form):
    reminder_channel = forms.ChoiceField(label=_("Remind me"), choices=ReminderChannel.choices)
