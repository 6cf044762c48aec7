"""The one person picker of every form: a search-as-you-type combobox (htmx, served by the app)
instead of a <select> of the whole organisation.

- A *rule* names who a field may hold (``"people"``, ``"initiative-owner"``, ``"action-owner"``…):
  a function of the organisation and the acting person that returns the queryset of the selector
  the service's check uses. Apps register theirs in ``AppConfig.ready`` (``register_people_rule``);
  the form validates against the same queryset (``choose_people``), so the picker offers exactly
  the people the server accepts.
- ``PersonPicker`` renders the field as a text box (role="combobox") and a hidden input that carries
  the chosen membership's id; a refused form shows the chosen person again. It never lists people:
  the box asks ``people_pick`` (``/o/<org>/people/pick/<rule>/?q=…``) for the first
  ``PICK_LIMIT`` matches by name, e-mail or pinyin ("zs", "zhangsan" find 张三) as the user types, and static/js/stretch.js handles the
  keyboard (arrows, Enter, Escape) with ``aria-activedescendant``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse

from .models import Membership, Organization

PICK_LIMIT = 20
MAX_QUERY = 100
MAX_CHOSEN = 500  # a multi-person picker shows at most this many chosen people

PeopleRule = Callable[[Organization, Membership | None], QuerySet[Membership]]
PEOPLE_RULES: dict[str, PeopleRule] = {}
RULE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
INPUT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,80}$")


def active_people(org: Organization, actor: Membership | None = None) -> QuerySet[Membership]:
    """The organisation's active people, by name (the rule "people")."""
    return (
        Membership.objects.filter(org=org, is_active=True)
        .select_related("user")
        .order_by("user__display_name")
    )


def register_people_rule(name: str, rule: PeopleRule) -> None:
    """Name who a people field may hold; the last registration of a name wins (reloads in tests)."""
    if not RULE_NAME.match(name):
        raise ValueError(f"A people rule is named in lower-case words with dashes, not {name!r}.")
    PEOPLE_RULES[name] = rule


register_people_rule("people", active_people)


def people_for_rule(*, rule: str, org: Organization, actor: Membership | None) -> QuerySet[Membership] | None:
    """The queryset `rule` allows in `org` for `actor`, or None for an unknown rule."""
    found = PEOPLE_RULES.get(rule)
    return None if found is None else found(org, actor)


def people_search(*, people: QuerySet[Membership], text: str, limit: int = PICK_LIMIT) -> list[Membership]:
    """The first `limit` of `people` whose search key (name, e-mail, pinyin and its initials:
    teams.pinyin) contains every word of `text` (any case), by name; with no text, the first
    `limit` by name. One query; on PostgreSQL the key's trigram index serves it."""
    qs = people
    for word in text.strip()[:MAX_QUERY].lower().split():
        qs = qs.filter(user__search_key__contains=word)
    return list(qs.select_related("user").order_by("user__display_name", "user__email", "pk")[:limit])


def person_label(membership: Membership) -> str:
    return membership.user.get_full_name()


class PersonPicker(forms.Widget):
    """A combobox that searches the people of its field's rule and posts the chosen membership's id.
    The form field (a ModelChoiceField) keeps its queryset for validation; the widget never walks it
    (it reads one row: the person already chosen)."""

    template_name = "widgets/person_picker.html"  # teams/templates: the form renderer reads app templates

    def __init__(self, *, rule: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs)
        self.rule = rule
        self.org_slug = ""
        self.placeholder = ""  # what an empty choice means, for a field that may stay empty
        self.choices: Any = ()  # set by ModelChoiceField: its iterator (never iterated here)

    def __deepcopy__(self, memo: dict[int, Any]) -> PersonPicker:
        copy = super().__deepcopy__(memo)
        copy.choices = self.choices
        return copy

    def format_value(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        return str(getattr(value, "pk", value))

    def _chosen(self, value: str) -> Membership | None:
        if not value.isascii() or not value.isdigit():
            return None
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return None
        found: Membership | None = queryset.filter(pk=int(value)).select_related("user").first()
        return found

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        input_id = widget["attrs"].get("id") or f"id_{name}"
        chosen = self._chosen(widget["value"]) if widget["value"] else None
        widget.update(
            input_id=input_id,
            listbox_id=f"{input_id}_options",
            chosen_label=person_label(chosen) if chosen else "",
            value=str(chosen.pk) if chosen else "",
            url=reverse("people_pick", args=[self.org_slug, self.rule]) + f"?for={input_id}"
            if self.org_slug
            else "",
            placeholder=self.placeholder,
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data


class PeoplePicker(PersonPicker):
    """The picker of a field holding several people (a team's managers, a squad's members): the
    chosen people are chips, each with a hidden input posting its membership's id and a button
    removing it, above the same search box; choosing a match adds a chip. The form field (a
    ModelMultipleChoiceField) validates; the widget reads the chosen people in one query."""

    template_name = "widgets/people_picker.html"
    allow_multiple_selected = True

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        if value is None or value == "":
            return []
        if isinstance(value, str) or not hasattr(value, "__iter__"):
            value = [value]
        return [str(getattr(v, "pk", v)) for v in value if v is not None and v != ""]

    def _chosen_people(self, values: list[str]) -> list[Membership]:
        ids = list(dict.fromkeys(int(v) for v in values if v.isascii() and v.isdigit()))[:MAX_CHOSEN]
        queryset = getattr(self.choices, "queryset", None)
        if not ids or queryset is None:
            return []
        found = {m.pk: m for m in queryset.filter(pk__in=ids).select_related("user").prefetch_related(None)}
        return [found[pk] for pk in ids if pk in found]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        input_id = widget["attrs"].get("id") or f"id_{name}"
        chosen = self._chosen_people(widget["value"] or [])
        widget.update(
            input_id=input_id,
            listbox_id=f"{input_id}_options",
            chips_id=f"{input_id}_chosen",
            chosen=[(m.pk, person_label(m)) for m in chosen],
            url=reverse("people_pick", args=[self.org_slug, self.rule]) + f"?for={input_id}"
            if self.org_slug
            else "",
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getlist = getattr(data, "getlist", None)
        return getlist(name) if getlist else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no chip posts nothing: nobody chosen (as unticked checkboxes)


def choose_people(
    field: forms.Field, *, org: Organization, rule: str = "people", actor: Membership | None = None
) -> None:
    """Make a ModelChoiceField a person picker for `rule` (see PEOPLE_RULES), a
    ModelMultipleChoiceField a people picker (chips): it accepts exactly the people the rule's
    selector returns, and searches them as the user types."""
    people = people_for_rule(rule=rule, org=org, actor=actor)
    if people is None:
        raise ValueError(f"No people rule named {rule!r}: register it in the app's ready().")
    field.queryset = people  # type: ignore[attr-defined]
    field.label_from_instance = person_label  # type: ignore[attr-defined]
    widget: PersonPicker
    if isinstance(field, forms.ModelMultipleChoiceField):
        widget = PeoplePicker(rule=rule, attrs=field.widget.attrs)
    else:
        widget = PersonPicker(rule=rule, attrs=field.widget.attrs)
        if not field.required:
            widget.placeholder = str(getattr(field, "empty_label", "") or "")
    widget.org_slug = org.slug
    widget.is_required = field.required
    field.widget = widget
    widget.choices = field.choices  # type: ignore[attr-defined]
