"""The one way a page handles a form, shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
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
