"""The initiative picker of a plan's forms (a dependency's two ends, a budget move's source and
target): a search-as-you-type combobox instead of a <select> of every initiative of the plan.
It is the people picker's widget (teams.people_picker; the same template and keyboard handling in
static/js/stretch.js) asking ``initiative_pick`` (``/o/<org>/plans/goals/<goal>/initiatives/pick/
?q=…``) for the first matches by title, among the initiatives the form accepts
(plans.selectors.initiative_choices)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Initiative


class InitiativePicker(forms.Widget):
    """A combobox that searches one plan's initiatives and posts the chosen one's id. The field's
    queryset validates; the widget reads one row of it (the initiative already chosen)."""

    template_name = "widgets/person_picker.html"

    def __init__(
        self, *, url: str, queryset: QuerySet[Initiative], attrs: dict[str, Any] | None = None
    ) -> None:
        super().__init__(attrs=attrs)
        self.url = url
        self.queryset = queryset

    def format_value(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        return str(getattr(value, "pk", value))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        input_id = widget["attrs"].get("id") or f"id_{name}"
        raw = widget["value"] or ""
        chosen = (
            self.queryset.filter(pk=int(raw)).values_list("pk", "title").first()
            if raw.isascii() and raw.isdigit()
            else None
        )
        separator = "&" if "?" in self.url else "?"
        widget.update(
            input_id=input_id, listbox_id=f"{input_id}_options",
            chosen_label=chosen[1] if chosen else "", value=str(chosen[0]) if chosen else "",
            url=f"{self.url}{separator}for={input_id}", placeholder=_("Type part of a title"),
            options_label=_("Initiatives found"),
        )  # fmt: skip
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data


def choose_initiative(
    field: forms.Field,
    *,
    org_slug: str,
    goal_id: int,
    queryset: QuerySet[Initiative],
    with_budget: bool = False,
) -> None:
    """Make a ModelChoiceField an initiative picker of one goal's plan: it accepts exactly
    `queryset` (plans.selectors.initiative_choices) and searches it as the user types."""
    url = reverse("initiative_pick", args=[org_slug, goal_id]) + ("?budget=1" if with_budget else "")
    field.queryset = queryset  # type: ignore[attr-defined]
    widget = InitiativePicker(url=url, queryset=queryset, attrs=field.widget.attrs)
    widget.is_required = field.required
    field.widget = widget
