from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from goals.services import TIER_FIELDS
from teams.models import Membership, Organization, Role, Team
from teams.page_forms import DateField, choose_people

from .models import SchemeKind


class SchemeForm(forms.Form):
    """A scheme in one form: commission bands as lines "from, to, rate" (e.g. "100, 120, 0.05";
    leave "to" empty for the last band), steps as "attainment, payout"."""

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Payout curve"), choices=SchemeKind.choices)
    target_bonus = forms.DecimalField(
        label=_("Target bonus (amount)"), max_digits=14, decimal_places=2, required=False
    )
    # xgettext:no-python-format
    target_bonus_pct = forms.DecimalField(label=_("or target bonus (% of base)"), max_digits=7, decimal_places=2,
                                          required=False)  # fmt: skip
    threshold = forms.DecimalField(
        label=_("Threshold (attainment %)"), max_digits=6, decimal_places=2, initial=60
    )
    bands = forms.CharField(label=_("Commission bands"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            initial="100, 120, 0.05\n120, , 0.10",
                            help_text=_("One band per line: from %, to % (empty for no end), rate of the target bonus per point."))  # fmt: skip
    steps = forms.CharField(label=_("Steps"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("For a steps curve, one per line: attainment %, payout %."))  # fmt: skip
    multiples = forms.CharField(label=_("Tier multiples"), required=False, initial="0.5, 1, 1.5",
                                help_text=_("For a tiers scheme: base, challenge, stretch."))  # fmt: skip
    cap_multiple = forms.DecimalField(
        label=_("Cap (× target bonus)"), max_digits=6, decimal_places=2, required=False
    )
    team_weight = forms.DecimalField(
        label=_("Weight of the team's goals"), max_digits=4, decimal_places=2, initial="0.6"
    )
    own_weight = forms.DecimalField(label=_("Weight of the person's own goals"), max_digits=4, decimal_places=2,
                                    initial="0.4")  # fmt: skip

    @staticmethod
    def initial_for(scheme: Any) -> dict[str, Any]:
        """The form's fields from a saved scheme (lines as the form reads them)."""
        return {
            "name": scheme.name, "kind": scheme.kind, "target_bonus": scheme.target_bonus,
            "target_bonus_pct": scheme.target_bonus_pct, "threshold": scheme.threshold,
            "bands": "\n".join(f"{a}, {'' if b is None else b}, {r}" for a, b, r in scheme.bands),
            "steps": "\n".join(f"{a}, {p}" for a, p in scheme.steps),
            "multiples": ", ".join(str(scheme.multiples.get(t, "")) for t in TIER_FIELDS) if scheme.multiples else "",
            "cap_multiple": scheme.cap_multiple, "team_weight": scheme.team_weight, "own_weight": scheme.own_weight,
        }  # fmt: skip

    @staticmethod
    def lines(text: str, width: int) -> list[list[str]]:
        """Comma-separated lines of exactly `width` cells; a line of another width is an error."""
        rows = []
        for number, line in enumerate((t for t in text.splitlines() if t.strip()), start=1):
            cells = [cell.strip() for cell in line.split(",")]
            if len(cells) != width:
                raise forms.ValidationError(
                    _("Line %(n)s: give %(width)s values separated by commas.")
                    % {"n": number, "width": width}
                )
            rows.append(cells)
        return rows

    def clean_bands(self) -> list[list[str]]:
        return self.lines(self.cleaned_data.get("bands") or "", 3)

    def clean_steps(self) -> list[list[str]]:
        return self.lines(self.cleaned_data.get("steps") or "", 2)

    def clean_multiples(self) -> dict[str, str]:
        text = (self.cleaned_data.get("multiples") or "").strip()
        if not text:
            return {}
        rows = self.lines(text, len(TIER_FIELDS))
        return dict(zip(TIER_FIELDS, rows[0], strict=True))


class AssignForm(forms.Form):
    target = forms.ChoiceField(label=_("Applies to"))

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = [(f"team:{t.pk}", t.name) for t in Team.objects.filter(org=org).order_by("name")]
        roles = [(f"role:{value}", label) for value, label in Role.choices]
        people = [(f"member:{m.pk}", m.user.get_full_name())
                  for m in Membership.objects.filter(org=org, is_active=True).select_related("user").order_by("user__display_name")]  # fmt: skip
        self.fields["target"].choices = [(_("Teams"), teams), (_("Roles"), roles), (_("People"), people)]  # type: ignore[attr-defined]


class SalaryForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Person"), queryset=Membership.objects.none())
    base = forms.DecimalField(label=_("Base salary"), max_digits=14, decimal_places=2)
    effective_from = DateField(label=_("Effective from"))

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "salary_%s")  # beside the scheme form on one page
        super().__init__(*args, **kwargs)
        choose_people(self.fields["member"], org=org)


class RunForm(forms.Form):
    """The period of a payout run; the current quarter by default."""

    start = DateField(label=pgettext_lazy("payout period", "From"))
    end = DateField(label=pgettext_lazy("payout period", "To"))

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tracking.selectors import org_today

        from .selectors import current_quarter

        start, end = current_quarter(org, org_today(org))
        self.fields["start"].initial, self.fields["end"].initial = start, end


class AdjustForm(forms.Form):
    """Change one line of a run by an amount, with the reason (both required)."""

    amount = forms.DecimalField(label=_("Adjustment"), max_digits=14, decimal_places=2,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.TextInput(),
                             error_messages={"required": _("Give the reason for the adjustment.")})  # fmt: skip
