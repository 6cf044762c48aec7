"""Every date, date-time, time and month input of every form carries an ISO value in every
language (a browser's date picker shows nothing for "2027/01/01"), and ISO input is accepted in
every language. The test finds the forms itself, so a new form cannot slip through."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from datetime import UTC, date, datetime, time

import pytest
from django import forms
from django.conf import settings
from django.utils import timezone, translation

from teams.models import Role
from tests import factories
from tests.html import form_data

APPS = ("teams", "goals", "plans", "tracking", "incentives", "recognition", "retros")
LANGUAGES = [code for code, _name in settings.LANGUAGES]
DAY = date(2027, 1, 1)
MOMENT = datetime(2027, 1, 1, 9, 30, tzinfo=UTC)
CLOCK = time(9, 30)


def _import_project() -> None:
    importlib.import_module("config.urls")  # every view, hence every form a page uses
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            importlib.import_module(info.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def project_forms() -> list[type[forms.BaseForm]]:
    _import_project()
    return sorted(
        (c for c in _subclasses(forms.BaseForm) if c.__module__.split(".")[0] in APPS),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def kind_of(field: forms.Field) -> str | None:
    """What the browser's input expects: date, datetime-local, time or month (None: not a date)."""
    input_type = getattr(field.widget, "input_type", None)
    if input_type in ("date", "datetime-local", "time", "month"):
        return input_type
    if isinstance(field, forms.DateTimeField):
        return "datetime-local"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.TimeField):
        return "time"
    return None


INITIAL = {"date": DAY, "datetime-local": MOMENT, "time": CLOCK, "month": DAY}
ISO = {"date": "2027-01-01", "datetime-local": "2027-01-01T09:30", "time": "09:30", "month": "2027-01"}


def dated_forms() -> list[tuple[type[forms.BaseForm], str, str]]:
    return [
        (cls, name, kind)
        for cls in project_forms()
        for name, field in cls.base_fields.items()
        if (kind := kind_of(field)) is not None
    ]


def test_the_project_has_dated_forms_to_check():
    names = {f"{cls.__name__}.{name}" for cls, name, _kind in dated_forms()}
    # The forms named in the issue, so that the discovery above cannot silently find nothing.
    assert {"GoalForm.start_date", "GoalForm.end_date", "InitiativeForm.start_date", "EntryForm.day",
            "RunForm.start", "RunForm.end", "SalaryForm.effective_from"} <= names  # fmt: skip


@pytest.fixture
def arguments(org):
    """What the forms' constructors take, by parameter name."""
    manager = factories.member(org, Role.MANAGER, name="Chen Manager")
    team = factories.team(org, "Operations", managers=[manager])
    goal = factories.goal(org, manager, team=team, status="active")
    from retros.services import retro_start

    retro = retro_start(team=team, actor=manager, kind="goal", goal_id=goal.pk)
    return {"org": org, "team": team, "goal": goal, "goals": [goal], "member": manager, "actor": manager,
            "retro": retro}  # fmt: skip


def build(cls: type[forms.BaseForm], arguments: dict, **kwargs):
    needed = {
        name: arguments[name]
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if parameter.kind == parameter.KEYWORD_ONLY and parameter.default is parameter.empty
    }
    return cls(**needed, **kwargs)


def value_attribute(html: str) -> str | None:
    match = re.search(r'\svalue="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_input_of_every_form_carries_an_iso_value(arguments, language):
    wrong = []
    with translation.override(language), timezone.override("UTC"):
        for cls, name, kind in dated_forms():
            form = build(cls, arguments, initial={name: INITIAL[kind]})
            rendered = value_attribute(str(form[name]))
            if rendered != ISO[kind]:
                wrong.append(
                    f"{cls.__module__}.{cls.__name__}.{name}: value={rendered!r}, want {ISO[kind]!r}"
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_field_accepts_iso_input_and_shows_it_back(arguments, language):
    wrong = []
    with translation.override(language), timezone.override("UTC"):
        for cls, name, kind in dated_forms():
            form = build(cls, arguments, data={name: ISO[kind]})
            field = form.fields[name]
            try:
                cleaned = field.clean(ISO[kind])
            except forms.ValidationError as error:
                wrong.append(f"{cls.__name__}.{name}: {ISO[kind]!r} refused: {error.messages}")
                continue
            if cleaned != INITIAL[kind]:
                wrong.append(f"{cls.__name__}.{name}: {ISO[kind]!r} read as {cleaned!r}")
            if value_attribute(str(form[name])) != ISO[kind]:
                wrong.append(f"{cls.__name__}.{name}: typed {ISO[kind]!r}, shown back differently")
    assert not wrong, "\n".join(wrong)


def test_a_goal_edit_saved_untouched_in_chinese_keeps_its_dates(org, client_for):
    """The issue's case: in 中文 the edit form must hand back exactly what it was given."""
    from django.urls import reverse

    from goals.models import Goal

    manager = factories.member(org, Role.MANAGER, name="Chen Manager")
    team = factories.team(org, "Operations", managers=[manager])
    goal = factories.goal(org, manager, team=team, start_date=date(2027, 1, 1), end_date=date(2027, 3, 31))
    manager.user.language = "zh-hans"
    manager.user.save()
    client = client_for(manager)
    url = reverse("goal_edit", args=[org.slug, goal.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="start_date" value="2027-01-01"' in html
    assert 'name="end_date" value="2027-03-31"' in html
    response = client.post(url, form_data(html, id="goal-form"))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    goal = Goal.objects.get(pk=goal.pk)
    assert (goal.start_date, goal.end_date) == (date(2027, 1, 1), date(2027, 3, 31))
