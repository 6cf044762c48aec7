"""The API refuses what its schema says is invalid, with a 400 naming the parameter or field, instead
of reading it leniently the way DRF and django-filter do by default (docs/api.md, "Strict input"):

* a query filter that is present must have a value of its type: `?until=` (empty) is a 400, not
  "no filter" — leave the parameter out for no filter (free-text filters such as `search` may be
  empty); a boolean filter is `true` or `false` (not `1`, `yes` or `null`);
* in a JSON body a boolean is `true`/`false` (not 0/1) and a text field is a string (not a number);
* a decimal may be sent as a JSON number or as a decimal string: the schema says so (teams.schema).

`StrictFilterBackend` is REST_FRAMEWORK's filter backend; `strict_json_types` runs once, from
TeamsConfig.ready."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers

TRUE_WORDS = frozenset({"true", "True"})
FALSE_WORDS = frozenset({"false", "False"})


def query_bool(params: Any, name: str, *, default: bool) -> bool:
    """A boolean query parameter: `true` or `false`, `default` when absent; anything else a 400."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params[name]] if name in params else []
    if not values:
        return default
    if any(value not in TRUE_WORDS | FALSE_WORDS for value in values):
        raise serializers.ValidationError({name: [_("Enter true or false.")]})
    return values[-1] in TRUE_WORDS


def refuse_empty(params: Any, names: list[str]) -> None:
    """Parameters that are present must have a value (leave one out for its default)."""
    for name in names:
        if name in params and any(value == "" for value in params.getlist(name)):
            raise serializers.ValidationError({name: [_("Give a value, or leave the parameter out.")]})


class StrictFilterBackend(DjangoFilterBackend):  # type: ignore[misc]
    """django-filter's backend, refusing a present-but-empty filter (but free text) and a boolean
    filter that is not `true` or `false`, with a 400 naming the parameter."""

    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            params = request.query_params
            for name, declared in filterset.filters.items():
                if name not in params:
                    continue
                values = params.getlist(name)
                if isinstance(declared, django_filters.BooleanFilter):
                    query_bool(params, name, default=False)
                elif "" in values and not _free_text(declared):
                    refuse_empty(params, [name])
        return filterset


def _free_text(declared: Any) -> bool:
    return isinstance(declared, django_filters.CharFilter) and not isinstance(
        declared, django_filters.ChoiceFilter
    )


def _strict_boolean(self: serializers.BooleanField, data: Any) -> bool:
    if isinstance(data, bool):
        return data
    if isinstance(data, str) and data in TRUE_WORDS | FALSE_WORDS:
        return data in TRUE_WORDS
    self.fail("invalid", input=data)
    raise AssertionError  # fail() raises


def _strict_nullable_boolean(self: serializers.BooleanField, data: Any) -> bool | None:
    if self.allow_null and data == "":  # an empty form field; JSON null never gets here
        return None
    return _strict_boolean(self, data)


_lenient_char = serializers.CharField.to_internal_value


def _strict_char(self: serializers.CharField, data: Any) -> str:
    if not isinstance(data, str):
        self.fail("invalid")
    return str(_lenient_char(self, data))


def strict_json_types() -> None:
    """JSON booleans are true/false and text is a string: DRF would also take 0/1, "yes", 12 (as "12")."""
    serializers.BooleanField.to_internal_value = _strict_nullable_boolean  # type: ignore[method-assign,assignment]
    serializers.CharField.to_internal_value = _strict_char  # type: ignore[method-assign,assignment]
