from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from goals.services import TIER_FIELDS
from teams.models import Membership, Organization, Role, Team
from teams.page_forms import DateField, choose_people

from . import bands as band_rules
from .models import SchemeKind


class SchemeForm(forms.Form):
    """A scheme in one form (its commission bands are rows of their own: BandFormSet); steps as
    lines "attainment, payout"."""

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
    steps = forms.CharField(label=_("Steps"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("For a steps curve, one per line: attainment %, payout %."))  # fmt: skip
    multiples = forms.CharField(label=_("Tier multiples"), required=False, initial="0.5, 1, 1.5",
                                help_text=_("For a tiers scheme: base, challenge, stretch."))  # fmt: skip
    cap_multiple = forms.DecimalField(
        label=_("Cap (× target bonus)"), max_digits=6, decimal_places=2, required=False
    )
    cap_amount = forms.DecimalField(label=_("or cap (amount)"), max_digits=14, decimal_places=2, required=False,
                                    help_text=_("The most bonus + commission pay together. Leave both empty for no cap."))  # fmt: skip
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
            "steps": "\n".join(f"{a}, {p}" for a, p in scheme.steps),
            "multiples": ", ".join(str(scheme.multiples.get(t, "")) for t in TIER_FIELDS) if scheme.multiples else "",
            "cap_multiple": scheme.cap_multiple, "cap_amount": scheme.cap_amount, "team_weight": scheme.team_weight, "own_weight": scheme.own_weight,
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

    def clean_steps(self) -> list[list[str]]:
        return self.lines(self.cleaned_data.get("steps") or "", 2)

    def clean_multiples(self) -> dict[str, str]:
        text = (self.cleaned_data.get("multiples") or "").strip()
        if not text:
            return {}
        rows = self.lines(text, len(TIER_FIELDS))
        return dict(zip(TIER_FIELDS, rows[0], strict=True))


# The article's bands, to start a new scheme from: 5 % per point from 100 % to 120 %, 10 % beyond.
ARTICLE_BANDS = [{"start": "100", "end": "120", "rate": "5"}, {"start": "120", "end": "", "rate": "10"}]


class BandForm(forms.Form):
    """One commission band as HR reads it: from %, to % (empty: no end), rate in % of the target
    bonus per attainment point. Checked with the others (BaseBandFormSet.clean), row by row."""

    start = forms.CharField(label=_("From %"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))  # fmt: skip
    end = forms.CharField(label=_("To %"), max_length=20, required=False,
                          widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))  # fmt: skip
    rate = forms.CharField(label=_("Rate % per point"), max_length=20, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))  # fmt: skip


class BaseBandFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The band rows: empty and removed rows are left out; the rest are checked together by the
    rules of incentives/bands.py, and each problem is shown on its row and cell. `bands` holds the
    valid bands as the service takes them (rates as fractions, 5 % → 0.05)."""

    bands: list[list[Any]]
    row_forms: list[forms.Form]

    def clean(self) -> None:
        self.bands, self.row_forms, rows = [], [], []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (self.can_delete and self._should_delete_form(form)):
                continue
            data = form.cleaned_data
            # "5 %" and "5％" read as 5: the column already says %
            start, end, rate = (
                str(data.get(name) or "").strip().rstrip("%％").strip() for name in ("start", "end", "rate")
            )
            if not (start or end or rate):
                continue
            percent = band_rules.number(rate)
            rows.append([start, end, rate if percent is None else str(percent / 100)])
            self.row_forms.append(form)
        checked = band_rules.check_bands(rows)
        for index, problems in checked.rows.items():
            for name, message in problems.items():
                self.row_forms[index].add_error(name, message)
        if not checked.ok and not checked.rows:
            raise forms.ValidationError(checked.summary)
        self.bands = checked.bands

    def show_service_errors(self, errors: dict[str, list[str]]) -> None:
        """A service's "bands.<row>.<cell>" errors on their rows (its "bands" summary when no row
        is named)."""
        named = False
        for key, messages in errors.items():
            parts = key.split(".")
            if (
                len(parts) == 3
                and parts[0] == "bands"
                and parts[1].isdigit()
                and int(parts[1]) < len(self.row_forms)
            ):
                self.row_forms[int(parts[1])].add_error(parts[2], messages)
                named = True
        if not named and errors.get("bands"):
            self._non_form_errors = self.error_class(list(self.non_form_errors()) + list(errors["bands"]))


BandFormSet = forms.formset_factory(BandForm, formset=BaseBandFormSet, extra=1, can_delete=True)


def band_formset(
    data: Any = None, *, bands: list[list[Any]] | None = None, add_row: bool = False
) -> BaseBandFormSet:
    """The band editor: bound to a POST, or showing a scheme's bands (the article's for a new
    scheme). With `add_row`, the rows typed so far (not removed) and one more, and no errors yet."""
    if add_row and data is not None:
        bound = BandFormSet(data, prefix="bands")
        typed = [
            {name: str(data.get(f"{form.prefix}-{name}", "")) for name in ("start", "end", "rate")}
            for form in bound.forms
            if not data.get(f"{form.prefix}-DELETE")
        ]
        rows = [row for row in typed if any(row.values())]
        return BandFormSet(initial=rows, prefix="bands")  # type: ignore[return-value]  # and one empty row
    if data is not None:
        return BandFormSet(data, prefix="bands")  # type: ignore[return-value]
    initial = ARTICLE_BANDS if bands is None else band_rules.as_percent_rows(bands)
    return BandFormSet(initial=initial, prefix="bands")  # type: ignore[return-value]


class AssignForm(forms.Form):
    """Who a scheme applies to: a team or a role from the list, or one person found with the person
    picker (an organisation of 5,000 people is no list). The view posts "team:3", "role:member" or
    "member:12" to the selector (`target`); a person chosen wins over the list."""

    target = forms.ChoiceField(label=_("Applies to"), required=False)
    member = forms.ModelChoiceField(label=_("Person"), queryset=Membership.objects.none(), required=False)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = [(f"team:{t.pk}", t.name) for t in Team.objects.filter(org=org).order_by("name")]
        roles = [(f"role:{value}", label) for value, label in Role.choices]
        self.fields["target"].choices = [("", "—"), (_("Teams"), teams), (_("Roles"), roles)]  # type: ignore[attr-defined]
        choose_people(self.fields["member"], org=org)

    def member_picker(self, scheme_id: int) -> str:
        """The person picker of one scheme's form (each scheme's form on the page has its own ids)."""
        return self.fields["member"].widget.render("member", None, attrs={"id": f"assign-{scheme_id}-member"})

    @staticmethod
    def posted_target(data: Any) -> str:
        """What the selector reads: the person picked, otherwise the team or role chosen."""
        member = str(data.get("member", "")).strip()
        return f"member:{member}" if member else str(data.get("target", ""))


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
        from teams.selectors import org_today

        from .selectors import current_quarter

        start, end = current_quarter(org, org_today(org))
        self.fields["start"].initial, self.fields["end"].initial = start, end


class AdjustForm(forms.Form):
    """Change one line of a run by an amount, with the reason (both required)."""

    amount = forms.DecimalField(label=_("Adjustment"), max_digits=14, decimal_places=2,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.TextInput(),
                             error_messages={"required": _("Give the reason for the adjustment.")})  # fmt: skip


class GrantForm(forms.Form):
    """An admin lets a manager see the pay of their teams' people, with the reason."""

    manager = forms.ModelChoiceField(label=_("Manager"), queryset=Membership.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Why this manager needs to see the pay of their teams, e.g. a salary review."))  # fmt: skip

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "grant_%s")
        super().__init__(*args, **kwargs)
        choose_people(self.fields["manager"], org=org, rule="grantable-manager")


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=1000)
