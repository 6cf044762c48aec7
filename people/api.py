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
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS
from teams.api_base import OrgAPIView, OrgGenericViewSet, org_choices, service_errors
from teams.models import Membership, Organization
from teams.page_forms import parse_id
from teams.selectors import org_today

from . import selectors, services
from .models import ActionItem, AgendaItem, Cadence, Meeting, PrivateNote, Pulse, PulseSchedule, Series
from .selectors.rights import PULSE_RUNNERS as RUNNERS
from .selectors.rights import RESULT_READERS
from .serializers import (
    ActionDoneSerializer,
    ActionItemSerializer,
    AgendaItemSerializer,
    BurnoutSignalSerializer,
    MeetingSerializer,
    PrivateNoteSerializer,
    PulseAnswerSerializer,
    PulseResultsSerializer,
    PulseScheduleSerializer,
    PulseScheduleStopSerializer,
    PulseSerializer,
    SeriesSerializer,
)
from .talking_points import manager_actions, talking_points

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


class PulseViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Pulse surveys. HR, admins and managers list every pulse; others the open ones waiting for
    their answer. HR and admins run organisation pulses, managers their teams' ones."""

    serializer_class = PulseSerializer
    read_roles = ALL_ROLES
    write_roles = RUNNERS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Pulse]:
        viewer = getattr(self, "membership", None)
        if viewer is None:  # the schema generator
            return Pulse.objects.none()
        if viewer.role in RESULT_READERS:
            return selectors.pulse_list(org=org).prefetch_related("questions")
        waiting = [p.pk for p in selectors.pulses_to_answer(member=viewer)]
        return selectors.pulse_list(org=org).filter(pk__in=waiting).prefetch_related("questions")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.pulse_create(actor=self.membership, team=data.get("team"),
                                                        opens_on=data["opens_on"], closes_on=data["closes_on"],
                                                        threshold=data.get("threshold"))  # fmt: skip


class PulseScheduleViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Pulses on a schedule (the same rules as the pulses page): HR, admins and managers list the
    active schedules; HR and admins schedule the organisation's pulses, managers their teams';
    `stop/` stops one (pulses already open stay open)."""

    serializer_class = PulseScheduleSerializer
    read_roles = RUNNERS
    write_roles = RUNNERS

    def scoped_queryset(self, *, org: Organization) -> QuerySet[PulseSchedule]:
        return selectors.schedule_list(org=org)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        with service_errors({"__all__": "non_field_errors"}):
            serializer.instance = services.schedule_create(actor=self.membership, team=data.get("team"),
                                                           cadence=data.get("cadence", Cadence.BIWEEKLY), next_on=data["next_on"],
                                                           days_open=data.get("days_open", 3), threshold=data.get("threshold", 5))  # fmt: skip

    @extend_schema(request=PulseScheduleStopSerializer, responses=PulseScheduleSerializer)
    @action(detail=False, methods=["post"], url_path="stop")
    def stop(self, request: Request, org_slug: str) -> Response:
        """Stop a schedule: a team's by those who manage the team, the organisation's by HR and admins."""
        query = PulseScheduleStopSerializer(data=request.data, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        schedule = selectors.schedule_get(org=self.org, schedule_id=query.validated_data["schedule"].pk)
        with service_errors({"__all__": "non_field_errors"}):
            schedule = services.schedule_stop(actor=self.membership, schedule=schedule)
        return Response(PulseScheduleSerializer(schedule, context=self.get_serializer_context()).data)


class PulseAnswerView(OrgAPIView):
    """Answer a pulse (write only): a score from 1 to 5 per question key and an optional comment,
    stored without the person; once per person."""

    read_roles = frozenset()
    write_roles = ALL_ROLES
    serializer_class = PulseAnswerSerializer

    @extend_schema(request=PulseAnswerSerializer, responses={201: None})
    def post(self, request: Request, org_slug: str) -> Response:
        body = PulseAnswerSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_errors({"__all__": "non_field_errors"}):
            stored = services.pulse_answer(pulse=data["pulse"], member=self.membership, scores=data["scores"],
                                           comment=data["comment"])  # fmt: skip
        return Response({"answers": stored}, status=201)


EMPTY_RESULTS = {"pulse": None, "closed": False, "threshold": None, "total": None, "groups": [], "hidden_groups": 0,
                 "comments": []}  # fmt: skip


class PulseResultsView(OrgAPIView):
    """A pulse's aggregated results (the latest closed pulse without `pulse`), under the anonymity
    rule: nothing while open, nothing for a group below the threshold or one that subtraction would
    reveal. HR, admins and managers."""

    read_roles = RESULT_READERS

    @extend_schema(
        parameters=[OpenApiParameter("pulse", int, required=False)], responses=PulseResultsSerializer
    )
    def get(self, request: Request, org_slug: str) -> Response:
        pulses = selectors.pulse_list(org=self.org)
        wanted = parse_id(request.query_params.get("pulse"))
        if request.query_params.get("pulse") and wanted is None:
            raise exceptions.ValidationError({"pulse": [_("Enter a pulse id.")]})
        if wanted is not None:
            pulse = pulses.filter(pk=wanted).first()
        else:
            pulse = pulses.filter(closes_on__lt=org_today(self.org)).first()
        if pulse is None and wanted is not None:
            raise exceptions.NotFound(_("No pulse found."))
        if pulse is None:  # no pulse has closed yet: nothing to show
            return Response(PulseResultsSerializer(EMPTY_RESULTS).data)
        return Response(PulseResultsSerializer(selectors.pulse_results(pulse=pulse)).data)


class BurnoutSignalView(OrgAPIView):
    """A person's burnout signal with each factor explained (`member`, default: the requester):
    for the person and the manager who holds one-on-ones with them. Never uses pulse answers."""

    read_roles = CONTRIBUTORS

    @extend_schema(
        parameters=[OpenApiParameter("member", int, required=False)], responses=BurnoutSignalSerializer
    )
    def get(self, request: Request, org_slug: str) -> Response:
        raw = request.query_params.get("member")
        wanted = parse_id(raw) if raw else self.membership.pk
        if wanted is None:
            raise exceptions.ValidationError({"member": [_("Enter a person's id.")]})
        member = Membership.objects.filter(org=self.org, pk=wanted).select_related("org").first()
        if member is None:
            raise exceptions.NotFound(_("No such person."))
        selectors.can_see_burnout(viewer=self.membership, member=member).require()
        facts = selectors.prepared_facts(org=self.org, member=member)
        signal = facts.burnout
        body = {"member": member.pk, "score": signal.score, "level": signal.level, "factors": signal.factors,
                "talking_points": signal.talking_points, "manager_actions": signal.manager_actions,
                "suggested": talking_points(facts, org_slug=self.org.slug),
                "manager_links": manager_actions(facts, org_slug=self.org.slug)}  # fmt: skip
        return Response(BurnoutSignalSerializer(body).data)
