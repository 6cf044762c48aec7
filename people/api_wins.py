"""People API for small wins (小胜利) and the teams' burnout signal, under /api/v1/orgs/<org_slug>/.

- `small-wins/` (every role; `?team=`): the newest small wins, each with its sentence and, for
  those who may nominate, the link that recognises its person (from the recognition app, through
  `teams.hooks.recognition_prompt`);
- `team-burnout/` (HR, admins, managers; `?team=`): the burnout signal of each team the requester
  may see, aggregated — never one person's pulse answer, never one person's signal."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import ALL_ROLES
from teams.api_base import OrgAPIView, OrgGenericViewSet, org_choices
from teams.models import Organization, Team
from teams.page_forms import parse_id

from . import selectors
from .models import SmallWin
from .selectors.load import LOAD_READERS, can_see_team_load, load_teams, team_loads


class SmallWinSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    person_name = serializers.CharField(source="person.user.get_full_name", read_only=True)
    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    recognise_url = serializers.SerializerMethodField(help_text="Where the requester nominates the person behind "
                                                      "the win (null when they cannot).")  # fmt: skip

    class Meta:
        model = SmallWin
        fields = ("id", "team", "kind", "title", "person", "person_name", "helped", "happened_on", "text", "url",
                  "recognise_url")  # fmt: skip
        read_only_fields = fields

    def _view(self, obj: SmallWin) -> selectors.WinView:
        views: dict[int, selectors.WinView] = self.context.setdefault("win_views", {})
        if obj.pk not in views:
            view = self.context["view"]
            views[obj.pk] = selectors.win_view(obj, org=view.org, viewer=view.membership)
        return views[obj.pk]

    def get_text(self, obj: SmallWin) -> str:
        return self._view(obj).text

    def get_url(self, obj: SmallWin) -> str:
        return self._view(obj).url

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recognise_url(self, obj: SmallWin) -> str | None:
        prompt = self._view(obj).prompt
        return prompt.url if prompt else None


class SmallWinFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(queryset=org_choices(Team))

    class Meta:
        model = SmallWin
        fields = ("team",)


class SmallWinViewSet(mixins.ListModelMixin, OrgGenericViewSet):
    """Small wins (小胜利) detected from the data, newest first: a week target met, a milestone done,
    a sub-goal at its base target, a blocker resolved for a colleague."""

    serializer_class = SmallWinSerializer
    filterset_class = SmallWinFilter
    read_roles = ALL_ROLES

    def scoped_queryset(self, *, org: Organization) -> QuerySet[SmallWin]:
        return selectors.small_win_list(org=org)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "win_views": {}}


class LoadFactorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    points = serializers.IntegerField()
    explanation = serializers.CharField()
    talking_point = serializers.CharField()


class TalkToSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.user.get_full_name")
    series = serializers.IntegerField(source="series_id")
    level = serializers.CharField(source="signal.level")


class TeamLoadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    team = serializers.IntegerField(source="team.pk")
    team_name = serializers.CharField(source="team.name")
    people = serializers.IntegerField(source="size")
    score = serializers.IntegerField(source="signal.score")
    level = serializers.CharField(source="signal.level")
    factors = LoadFactorSerializer(many=True, source="signal.factors")
    talking_points = serializers.ListField(child=serializers.CharField(), source="signal.talking_points")
    manager_actions = serializers.ListField(child=serializers.CharField(), source="signal.manager_actions")
    talk_to = TalkToSerializer(
        many=True, help_text="The requester's own one-on-ones whose signal is worth a talk."
    )


class TeamBurnoutView(OrgAPIView):
    """The burnout signal of each team the requester reads (`team` for one), each factor explained
    with its numbers: HR and admins for every team, a manager for the teams they manage. Aggregated:
    never one person's pulse answer nor one person's signal."""

    read_roles = LOAD_READERS
    pagination_class = None  # one row per team the requester reads: a plain list, as the schema says

    @extend_schema(
        parameters=[OpenApiParameter("team", int, required=False)], responses=TeamLoadSerializer(many=True)
    )
    def get(self, request: Request, org_slug: str) -> Response:
        raw = request.query_params.get("team")
        teams = load_teams(org=self.org, viewer=self.membership)
        if raw is not None:
            wanted = parse_id(raw)
            if wanted is None:
                raise exceptions.ValidationError({"team": [_("Enter a team id.")]})
            team = Team.objects.filter(org=self.org, pk=wanted).first()
            if team is None:
                raise exceptions.NotFound(_("No such team."))
            can_see_team_load(viewer=self.membership, team=team).require()
            teams = [team]
        loads = team_loads(org=self.org, teams=teams, viewer=self.membership)
        return Response(TeamLoadSerializer(loads, many=True).data)
