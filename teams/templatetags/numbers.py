"""`{% load numbers %}`: `{{ value|num:goal }}` (at the goal's precision), `{{ value|num:2 }}`,
`{{ amount|money }}` (2 decimals), `{{ share|pct }}` (1 decimal and "%"). See teams/numbers.py."""

from __future__ import annotations

from django import template

from teams.numbers import PERCENT_PLACES, format_money, format_number, format_percent, places_of

register = template.Library()


@register.filter
def num(value: object, places: object = None) -> str:
    return format_number(value, places_of(places))


@register.filter
def money(value: object) -> str:
    return format_money(value)


@register.filter
def pct(value: object, places: object = None) -> str:
    return format_percent(value, places_of(places, PERCENT_PLACES))
