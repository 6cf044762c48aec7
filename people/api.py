"""People API under /api/v1/orgs/<org_slug>/: one-on-one series, their meetings with the shared
agenda, talking points, action items, and private notes — listed for their author only.

Nothing here is fetched by id for reading: lists are scoped to what the requester may see (the
series they take part in or whose team they manage), so another person's one-on-one is simply
absent, and a private note is only ever in its author's own list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import CONTRIBUTORS, MANAGERS
from teams.api_base import OrgGenericViewSet, org_choices, service_errors
from teams.models import Organization

from . import selectors, services
from .models import ActionItem, AgendaItem, Meeting, PrivateNote, Series
from .serializers import (
    ActionDoneSerializer,
    ActionItemSerializer,
    AgendaItemSerializer,
    MeetingSerializer,
    PrivateNoteSerializer,
    SeriesSerializer,
)

_series = org_choices(Series)


def _visible_series(org: Organization, view: Any) -> QuerySet[Series]:
    viewer = getattr(view, "membership", None)
    if viewer is None:  # the schema generator
        return Series.objects.none()
    return selectors.series_list(org=org, viewer=viewer)


class SeriesFilter(django_filters.FilterSet):
    series = django_filters.ModelChoiceFilter(queryset=_series)


class MeetingFilter(SeriesFilter):
    class Meta:
        model = Meeting
        fields = ("series",)


class ActionFilter(SeriesFilter):
    class Meta:
        model = ActionItem
        fields = ("series",)


class OneOnOneViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """One-on-one series (一对一沟通) the requester takes part in or whose team they manage. A
    manager (or an admin) starts one with a member of a team they manage."""

    serializer_class = SeriesSerializer
    read_roles = CONTRIBUTORS
    write_roles = MANAGERS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Series]:
        return _visible_series(org, self).order_by("next_date", "pk")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        team = selectors.series_team_for(actor=self.membership, member=data["member"])
        with service_errors({"__all__": "non_field_errors"}):
            if team is None:
                raise ValidationError({"member": [_("Choose a member of a team you manage.")]})
            serializer.instance = services.series_start(actor=self.membership, team=team, member=data["member"],
                                                        cadence=data["cadence"], next_date=data["next_date"])  # fmt: skip


class MeetingViewSet(mixins.ListModelMixin, OrgGenericViewSet):
    """The meetings of the series the requester sees, newest first, each with its shared agenda."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    read_roles = CONTRIBUTORS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Meeting]:
        agenda = AgendaItem.objects.select_related("author__user").order_by("created_at", "id")
        return (
            Meeting.objects.filter(org=org, series__in=_visible_series(org, self))
            .prefetch_related(Prefetch("agenda", queryset=agenda))
            .order_by("-day", "-id")
        )


class AgendaItemViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Talking points of the shared agenda; either person of a one-on-one adds one to a meeting
    that has not been held yet."""

    serializer_class = AgendaItemSerializer
    read_roles = CONTRIBUTORS
    write_roles = CONTRIBUTORS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[AgendaItem]:
        return (
            AgendaItem.objects.filter(org=org, meeting__series__in=_visible_series(org, self))
            .select_related("author__user")
            .order_by("-meeting__day", "created_at", "id")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        meeting = selectors.meeting_get(org=self.org, meeting_id=data["meeting"].pk)
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.agenda_add(
                meeting=meeting, author=self.membership, text=data["text"]
            )


class ActionItemViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Action items of one-on-ones (owner, due date), open until done."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionFilter
    read_roles = CONTRIBUTORS
    write_roles = CONTRIBUTORS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[ActionItem]:
        return (
            ActionItem.objects.filter(org=org, series__in=_visible_series(org, self))
            .select_related("owner__user")
            .order_by("done_at", "due", "id")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        meeting = selectors.meeting_get(org=self.org, meeting_id=data["meeting"].pk)
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.action_add(meeting=meeting, actor=self.membership, owner=data["owner"],
                                                      text=data["text"], due=data.get("due"))  # fmt: skip

    @extend_schema(request=ActionDoneSerializer, responses=ActionItemSerializer)
    @action(detail=False, methods=["post"], url_path="done")
    def done(self, request: Request, org_slug: str) -> Response:
        """Mark an action done (or, with "done": false, open again)."""
        query = ActionDoneSerializer(data=request.data, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        item: ActionItem = query.validated_data["action"]
        series = selectors.series_get(org=self.org, series_id=item.series_id)
        item.series = series
        with service_errors({"__all__": "non_field_errors"}):
            item = services.action_done(action=item, actor=self.membership, done=query.validated_data["done"])
        return Response(ActionItemSerializer(item, context=self.get_serializer_context()).data)


class PrivateNoteViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """The requester's own private notes on one-on-ones — nobody else's, whatever their role.
    Posting a note for a meeting replaces the requester's note on it."""

    serializer_class = PrivateNoteSerializer
    read_roles = CONTRIBUTORS
    write_roles = CONTRIBUTORS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[PrivateNote]:
        viewer = getattr(self, "membership", None)
        if viewer is None:  # the schema generator
            return PrivateNote.objects.none()
        return PrivateNote.objects.filter(org=org, author=viewer).order_by("-updated_at", "-id")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        meeting = selectors.meeting_get(org=self.org, meeting_id=data["meeting"].pk)
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.private_note_save(meeting=meeting, author=self.membership,
                                                             body=data["body"])  # fmt: skip
