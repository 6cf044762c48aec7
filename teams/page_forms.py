"""The one way a page handles a form, shared by every app's views."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .people_picker import choose_people as choose_people  # the one person picker of every form


def apply_service_errors(
    form: forms.Form, error: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form, on the field it names where the form has it
    (``field_map`` renames a service's field to the form's, e.g. base → proposed_base)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = (field_map or {}).get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], Any],
    on_success: Callable[[Any], HttpResponse],
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET renders the form. A valid POST calls ``save(cleaned_data)`` (a service) and answers
    ``on_success(result)``; a service's ValidationError lands on the form. A POST that fails
    renders the form again with status 400 and changes nothing."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return on_success(result)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)


# --- Dates --------------------------------------------------------------------------------------
# A browser's <input type="date"> only understands ISO values ("2027-01-01"); Django would write the
# active language's first input format ("2027/01/01" in 中文), which the browser shows as an empty
# field — and a form saved untouched then loses its dates. Every form of Stretch uses these.
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
ISO_TIME = "%H:%M"
ISO_MONTH = "%Y-%m"
ISO_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateInput(forms.DateInput):
    """<input type="date"> with an ISO value in every language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local"> with an ISO value ("2027-01-01T09:30") in every language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATETIME)


class TimeInput(forms.TimeInput):
    """<input type="time"> with a 24-hour value ("09:30") in every language."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_TIME)


class MonthInput(forms.TextInput):
    """<input type="month">: a date (or "YYYY-MM" text) shown as "2027-01"."""

    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if hasattr(value, "strftime"):
            return str(value.strftime(ISO_MONTH))
        return super().format_value(value)


class DateField(forms.DateField):
    """A date typed or picked in any language: ISO first, then the language's own formats."""

    widget = DateInput

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and ISO_DATE_TEXT.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


class DateTimeField(forms.DateTimeField):
    """A date and time in any language, shown and read as ISO (Django reads ISO 8601 already)."""

    widget = DateTimeInput


class TimeField(forms.TimeField):
    """A time of day, shown as 24-hour "09:30" in every language."""

    widget = TimeInput


MAX_NUMBER_EXPONENT = 13  # nothing a person types into Stretch is 10^13 or larger


def parse_id(raw: object) -> int | None:
    """An id typed into a URL or posted by a form, or None for anything else (never an exception:
    "²".isdigit() is true, so ASCII is checked first)."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    return int(text) or None


EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def parse_day(value: Any) -> date | None:
    """A date between 2000 and 2099 (anything else is a typo, and would overflow date arithmetic)."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def parse_month(raw: Any) -> date | None:
    """ "2026-11" (or a day of it, "2026-11-15") as the first day of that month, for the years
    Stretch takes (2000–2099, as parse_day); None for anything else."""
    text = str(raw or "").strip()
    if len(text) > 7:
        day = parse_day(text)
        return day.replace(day=1) if day else None
    parts = text.split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    return date(year, month, 1) if 2000 <= year <= 2099 and 1 <= month <= 12 else None


def parse_number(raw: object) -> Decimal | None:
    """A number typed by a person: thousands separators (, and ，) and spaces ignored; anything that
    is not a finite, realistic number is None."""
    text = str(raw or "").strip().replace(",", "").replace("，", "").replace(" ", "")
    text = text.replace("\u2212", "-").replace("\uff0d", "-")  # − and － typed as a minus
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.adjusted() >= MAX_NUMBER_EXPONENT:
        return None
    return value
