"""The goals API's filters and query-string parameters, scoped to the request's organisation."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers

from teams.api_base import org_choices
from teams.models import Membership, Team
from teams.page_forms import parse_id

from . import selectors
from .models import Goal, Status

org_teams = org_choices(Team)
org_members = org_choices(Membership)
org_goals = org_choices(Goal)


class GoalFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(queryset=org_teams)
    owner = django_filters.ModelChoiceFilter(queryset=org_members)
    parent = django_filters.ModelChoiceFilter(queryset=org_goals)
    status = django_filters.ChoiceFilter(choices=Status.choices)
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")
    period_start = django_filters.DateFilter(field_name="end_date", lookup_expr="gte", label="overlaps from")
    period_end = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label="overlaps until")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Goal
        fields = ("team", "owner", "parent", "status", "top_level", "period_start", "period_end", "search")

    def filter_search(self, queryset: QuerySet[Goal], name: str, value: str) -> QuerySet[Goal]:
        return selectors.goal_list(org=self.request.org, search=value).filter(pk__in=queryset.values("pk"))  # type: ignore[union-attr]


class GoalChildFilter(django_filters.FilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=org_goals)


def query_id(value: str, field: str) -> int:
    """A positive id or count from the query string, or a 400 naming the parameter."""
    number = parse_id(value)
    if number is None:
        raise serializers.ValidationError({field: [_("Enter a positive whole number.")]})
    return number


def query_depth(value: str, field: str) -> int:
    return 0 if value.strip() == "0" else query_id(value, field)
