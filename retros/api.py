"""Retros API under /api/v1/orgs/<org_slug>/: retros (start, move the phase with the version the
client read, reveal the votes, close with a summary, export), their cards and votes, lessons, the
knowledge base (知识库) search and the actions.

Who (docs/retros.md): the team's people add cards and vote; the facilitator (the team's manager,
an admin, or the person they named) runs the meeting; the organisation reads retros (a viewer:
the closed ones), their lessons and actions and the published knowledge, never another team's
cards; another organisation gets 404. The rules are the services'; these views translate."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from teams.access import ALL_ROLES, CONTRIBUTORS, MANAGERS, TEAM_RULE
from teams.api_base import OrgGenericViewSet, org_choices, service_errors
from teams.api_strict import refuse_empty
from teams.models import Membership, Organization, Team

from . import exports, selectors, services
from .models import ActionStatus, Card, Lesson, RetroAction, RetroPhase, Retrospective, RetroState, Vote
from .serializers import (
    ActionConvertSerializer,
    ActionCreateSerializer,
    ActionSerializer,
    ActionStatusSerializer,
    CardCreateSerializer,
    CardGroupSerializer,
    CardSerializer,
    CardUpdateSerializer,
    CloseSerializer,
    FacilitatorSerializer,
    LessonCreateSerializer,
    LessonSerializer,
    PhaseMoveSerializer,
    PublishSerializer,
    RetroSerializer,
    RetroStartSerializer,
)

FACILITATION = ("phase", "reveal_votes", "close", "facilitator")


def _member(view: Any) -> Any:
    return getattr(view, "membership", None)  # None while the schema is generated


class RetroFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(queryset=org_choices(Team))
    state = django_filters.ChoiceFilter(choices=RetroState.choices)

    class Meta:
        model = Retrospective
        fields = ("team", "state")


class RetroViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgGenericViewSet):
    """Retrospectives (复盘) the requester reads, newest period first, with their four phases. A
    manager of the team (or an admin) starts one; the facilitator moves its phase (sending the
    `version` they read: a move made meanwhile is refused), reveals the votes and closes it with a
    summary. A closed retro exports as Markdown, PDF or XLSX (cards and actions)."""

    serializer_class = RetroSerializer
    filterset_class = RetroFilter
    read_roles = ALL_ROLES
    write_roles = CONTRIBUTORS
    action_roles = {"create": MANAGERS, **dict.fromkeys(FACILITATION, CONTRIBUTORS)}  # noqa: RUF012
    action_object_rules = dict.fromkeys(FACILITATION, TEAM_RULE)  # noqa: RUF012

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Retrospective]:
        member = _member(self)
        if member is None:
            return Retrospective.objects.none()
        phases = Prefetch("phases", queryset=RetroPhase.objects.order_by("position"))
        return selectors.retro_list(member=member).prefetch_related(phases)

    def require_change(self, obj: Retrospective) -> None:
        selectors.can_facilitate(member=self.membership, retro=obj).require()

    def _out(self, retro: Retrospective, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.scoped_queryset(org=self.org).get(pk=retro.pk)
        return Response(RetroSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=RetroStartSerializer, responses={201: RetroSerializer})
    def create(self, request: Request, org_slug: str) -> Response:
        """Start a retro (a manager of the team, or an admin)."""
        given = RetroStartSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with service_errors():
            retro = services.retro_start(
                team=data["team"], actor=self.membership, kind=data["kind"], period_start=data.get("period_start"),
                period_end=data.get("period_end"), goal_id=data["goal"].pk if data.get("goal") else None,
                title=data["title"], facilitator=data.get("facilitator"), anonymous_cards=data["anonymous_cards"],
                votes_per_person=data["votes_per_person"],
            )  # fmt: skip
        return self._out(retro, status.HTTP_201_CREATED)

    @extend_schema(request=PhaseMoveSerializer, responses=RetroSerializer)
    @action(detail=True, methods=["post"])
    def phase(self, request: Request, org_slug: str, pk: str) -> Response:
        """Move to a phase, sending the `version` last read; a closed retro refuses (403)."""
        retro = self.get_object()
        given = PhaseMoveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            moved = services.phase_move(retro=retro, actor=self.membership, **given.validated_data)
        return self._out(moved)

    @extend_schema(request=None, responses=RetroSerializer)
    @action(detail=True, methods=["post"], url_path="reveal-votes")
    def reveal_votes(self, request: Request, org_slug: str, pk: str) -> Response:
        """Show everyone the cards' vote counts (hidden until then)."""
        return self._out(services.votes_reveal(retro=self.get_object(), actor=self.membership))

    @extend_schema(request=FacilitatorSerializer, responses=RetroSerializer)
    @action(detail=True, methods=["post"])
    def facilitator(self, request: Request, org_slug: str, pk: str) -> Response:
        """Name who facilitates (a person of the team), or null to leave it to the team's managers
        (a manager of the team or an admin)."""
        retro = self.get_object()
        given = FacilitatorSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        with service_errors():
            retro = services.facilitator_set(
                retro=retro, actor=self.membership, facilitator=given.validated_data["facilitator"]
            )
        return self._out(retro)

    @extend_schema(request=CloseSerializer, responses=RetroSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, org_slug: str, pk: str) -> Response:
        """Close with a summary: the retro becomes read-only (its actions go on being updated)."""
        retro = self.get_object()
        given = CloseSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            closed = services.retro_close(
                retro=retro, actor=self.membership, summary=given.validated_data["summary"]
            )
        return self._out(closed)

    @extend_schema(
        parameters=[OpenApiParameter("file", str, enum=list(exports.FORMATS), description="md (default), pdf or xlsx")],
        responses={(200, "text/markdown"): OpenApiTypes.BINARY, (200, exports.PDF): OpenApiTypes.BINARY,
                   (200, exports.XLSX): OpenApiTypes.BINARY},
    )  # fmt: skip
    @action(detail=True, methods=["get"])
    def export(self, request: Request, org_slug: str, pk: str) -> HttpResponse:
        """A closed retro as a file (400 naming `state` while it is open). Its cards are in it for
        the team's people only; an anonymous card's author never."""
        retro = self.get_object()
        refuse_empty(request.query_params, ["file"])
        fmt = request.query_params.get("file", "md")
        if fmt not in exports.FORMATS:
            raise serializers.ValidationError({"file": [_("Choose md, pdf or xlsx.")]})
        with service_errors():
            data = selectors.retro_export(retro=retro, member=self.membership)
        body, content_type = exports.retro_file(data, fmt, org_name=self.org.name)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(data, fmt)}"'
        return response


class CardFilter(django_filters.FilterSet):
    retro = django_filters.ModelChoiceFilter(queryset=org_choices(Retrospective))

    class Meta:
        model = Card
        fields = ("retro",)


class RetroCardViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    OrgGenericViewSet,
):  # fmt: skip
    """Cards of the retros whose team the requester belongs to (never another team's). The team's
    people add them (anonymous when the retro says so: no author is kept), change and remove their
    own, and vote within the retro's votes per person; the facilitator groups, re-categorises and
    removes. Vote counts are null until revealed; who voted is never shown."""

    serializer_class = CardSerializer
    filterset_class = CardFilter
    read_roles = ALL_ROLES
    write_roles = CONTRIBUTORS
    object_rule = TEAM_RULE

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Card]:
        member = _member(self)
        if member is None:
            return Card.objects.none()
        qs = Card.objects.filter(org=org).select_related("retro", "author__user")
        if self.action == "list":  # writes find any card of the organisation, then answer 403
            qs = qs.filter(retro__team_id__in=sorted(selectors.card_team_ids(member=member)))
        mine = Vote.objects.filter(card=OuterRef("pk"), voter=member)
        return qs.annotate(vote_count=Count("votes"), voted=Exists(mine)).order_by(
            "retro", "group_label", "pk"
        )

    def require_change(self, obj: Card) -> None:
        member, retro = self.membership, obj.retro
        if self.action == "group" or not selectors.can_take_part(member=member, retro=retro):
            selectors.can_facilitate(member=member, retro=retro).require()

    def _out(self, card: Card, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.scoped_queryset(org=self.org).get(pk=card.pk)
        return Response(CardSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CardCreateSerializer, responses={201: CardSerializer})
    def create(self, request: Request, org_slug: str) -> Response:
        """Add a card; the same `token` twice (a double submit) adds it once."""
        given = CardCreateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        with service_errors():
            card = services.card_add(actor=self.membership, **data)
        return self._out(card, status.HTTP_201_CREATED)

    @extend_schema(request=CardUpdateSerializer, responses=CardSerializer)
    def partial_update(self, request: Request, org_slug: str, pk: str) -> Response:
        """Change a card's text (its author) or category (its author or the facilitator)."""
        card = self.get_object()
        given = CardUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if given.validated_data:
            with service_errors():
                card = services.card_edit(card=card, actor=self.membership, **given.validated_data)
        return self._out(card)

    def destroy(self, request: Request, org_slug: str, pk: str) -> Response:
        """Remove a card (its author or the facilitator)."""
        services.card_delete(card=self.get_object(), actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=CardSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, org_slug: str, pk: str) -> Response:
        """Vote for the card (again: no change); 400 naming `vote` beyond the votes per person."""
        card = self.get_object()
        with service_errors():
            services.vote_set(card=card, actor=self.membership, voted=True)
        return self._out(card)

    @extend_schema(request=None, responses=CardSerializer)
    @action(detail=True, methods=["post"])
    def unvote(self, request: Request, org_slug: str, pk: str) -> Response:
        """Take the vote for the card back (none: no change)."""
        card = self.get_object()
        with service_errors():
            services.vote_set(card=card, actor=self.membership, voted=False)
        return self._out(card)

    @extend_schema(request=CardGroupSerializer, responses=CardSerializer)
    @action(detail=True, methods=["post"])
    def group(self, request: Request, org_slug: str, pk: str) -> Response:
        """Put the card in a group (an empty label: none) — the facilitator."""
        card = self.get_object()
        given = CardGroupSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            services.card_group(
                card=card, actor=self.membership, group_label=given.validated_data["group_label"]
            )
        return self._out(card)


class LessonFilter(django_filters.FilterSet):
    retro = django_filters.ModelChoiceFilter(queryset=org_choices(Retrospective))
    published = django_filters.BooleanFilter()

    class Meta:
        model = Lesson
        fields = ("retro", "published")


class LessonViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Lessons (经验提炼: keep doing / stop / try): those of the retros the requester reads, and
    every published one. The facilitator records them and publishes them to the knowledge base."""

    serializer_class = LessonSerializer
    filterset_class = LessonFilter
    read_roles = ALL_ROLES
    write_roles = CONTRIBUTORS
    action_object_rules = {"publish": TEAM_RULE}  # noqa: RUF012

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Lesson]:
        member = _member(self)
        if member is None:
            return Lesson.objects.none()
        qs = Lesson.objects.filter(org=org).select_related("retro", "team")
        if self.action == "list":
            qs = qs.filter(Q(published=True) | Q(retro__in=selectors.readable_retros(member=member)))
        return qs.order_by("-retro__period_end", "retro_id", "pk")

    def require_change(self, obj: Lesson) -> None:
        selectors.can_facilitate(member=self.membership, retro=obj.retro).require()

    @extend_schema(request=LessonCreateSerializer, responses={201: LessonSerializer})
    def create(self, request: Request, org_slug: str) -> Response:
        given = LessonCreateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        evidence = data.pop("evidence", None)
        with service_errors():
            lesson = services.lesson_add(actor=self.membership, evidence_card_id=evidence, **data)
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PublishSerializer, responses=LessonSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, org_slug: str, pk: str) -> Response:
        """Publish the lesson to the knowledge base (`"published": false` withdraws it)."""
        lesson = self.get_object()
        given = PublishSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        lesson = services.lesson_publish(lesson=lesson, actor=self.membership, **given.validated_data)
        return Response(LessonSerializer(lesson).data)


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Words to find (Chinese or English), in any order."),
        OpenApiParameter("team", int, description="Lessons of this team's retros."),
    ]
)
class KnowledgeViewSet(mixins.ListModelMixin, OrgGenericViewSet):
    """知识库: the organisation's published lessons, newest first, matching every word of `q`."""

    serializer_class = LessonSerializer
    read_roles = ALL_ROLES
    filter_backends: list[Any] = []  # noqa: RUF012 - q and team are read here, strictly

    def scoped_queryset(self, *, org: Organization) -> QuerySet[Lesson]:
        request = getattr(self, "request", None)
        params = request.query_params if request is not None else {}
        team_id = None
        if request is not None:
            refuse_empty(params, ["team"])
            if "team" in params:
                raw = params["team"]
                team_id = int(raw) if raw.isdigit() and len(raw) < 19 else None
                if team_id is None or not Team.objects.filter(org=org, pk=team_id).exists():
                    raise serializers.ValidationError({"team": [_("Choose a team of this organisation.")]})
        return selectors.knowledge_search(
            org_id=org.pk, query=str(params.get("q", ""))[:200], team_id=team_id
        )


class ActionFilter(django_filters.FilterSet):
    retro = django_filters.ModelChoiceFilter(queryset=org_choices(Retrospective))
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)
    owner = django_filters.ModelChoiceFilter(queryset=org_choices(Membership))

    class Meta:
        model = RetroAction
        fields = ("retro", "status", "owner")


class RetroActionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrgGenericViewSet):
    """Actions (行动计划) of the retros the requester reads. The facilitator records one with an
    owner of the team and a due date; its owner or a manager of the team sets its status, also
    after the close (that is how the next retro knows)."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    read_roles = ALL_ROLES
    write_roles = CONTRIBUTORS
    action_object_rules = {"set_status": TEAM_RULE, "convert": TEAM_RULE}  # noqa: RUF012

    def scoped_queryset(self, *, org: Organization) -> QuerySet[RetroAction]:
        member = _member(self)
        if member is None:
            return RetroAction.objects.none()
        qs = RetroAction.objects.filter(org=org).select_related("owner__user", "retro__team")
        if self.action == "list":
            qs = qs.filter(retro__in=selectors.readable_retros(member=member))
        return qs.order_by("due_date", "pk")

    def require_change(self, obj: RetroAction) -> None:
        selectors.can_update_action(member=self.membership, action=obj).require()

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def create(self, request: Request, org_slug: str) -> Response:
        """Record an action (the facilitator); the same `token` twice adds it once."""
        given = ActionCreateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        goal = data.pop("goal", None)
        with service_errors():
            created = services.action_add(actor=self.membership, goal_id=goal.pk if goal else None, **data)
        return Response(ActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionStatusSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, org_slug: str, pk: str) -> Response:
        """Mark the action open, done or dropped (its owner or a manager of the team)."""
        item = self.get_object()
        given = ActionStatusSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            item = services.action_set_status(
                action=item, actor=self.membership, status=given.validated_data["status"]
            )
        return Response(ActionSerializer(item).data)

    @extend_schema(request=ActionConvertSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"], url_path="convert")
    def convert(self, request: Request, org_slug: str, pk: str) -> Response:
        """Turn the action into an initiative on a goal of a later period, or a corrective action
        (optionally answering one of the goal's alerts). Only who may change that goal does it; the
        action keeps the link (`initiative` or `corrective_action`)."""
        item = self.get_object()
        selectors.can_read_retro(member=self.membership, retro=item.retro).require()
        given = ActionConvertSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with service_errors():
            item = services.action_convert(
                action=item, actor=self.membership, into=data["into"], goal_id=data["goal"],
                alert_id=data.get("alert"),
            )  # fmt: skip
        return Response(ActionSerializer(item).data)
