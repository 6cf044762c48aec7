"""One-on-one reads: the series a person sees, one meeting with its agenda and actions, and the
viewer's own private note. Every read takes the organisation; a series or meeting of another
organisation is a 404, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from teams.models import Membership, Organization, Role, Team
from teams.selectors import managed_team_ids

from ..models import ActionItem, AgendaItem, Meeting, PrivateNote, Series

HISTORY_LIMIT = 60  # meetings listed on a series' page (more than a year of weekly ones)


def series_list(*, org: Organization, viewer: Membership) -> QuerySet[Series]:
    """The series the viewer takes part in or whose team they manage (admins: all)."""
    qs = Series.objects.filter(org=org, active=True).select_related("manager__user", "member__user", "team")
    if viewer.role == Role.ADMIN:
        return qs
    reach = Q(manager=viewer) | Q(member=viewer)
    if viewer.role == Role.MANAGER:
        reach |= Q(team_id__in=managed_team_ids(member=viewer))
    return qs.filter(reach)


def series_get(*, org: Organization, series_id: int) -> Series:
    try:
        return Series.objects.select_related("manager__user", "member__user", "team", "org").get(
            org=org, pk=series_id
        )
    except Series.DoesNotExist:
        raise Http404("No one-on-one found.") from None


def meeting_get(*, org: Organization, meeting_id: int) -> Meeting:
    try:
        return Meeting.objects.select_related(
            "series__manager__user", "series__member__user", "series__team", "series__org"
        ).get(org=org, pk=meeting_id)
    except Meeting.DoesNotExist:
        raise Http404("No one-on-one found.") from None


def current_meeting(*, series: Series) -> Meeting | None:
    """The series' open meeting (the next one), else its last."""
    meetings = Meeting.objects.filter(org_id=series.org_id, series=series)
    meeting = (
        meetings.filter(held_at__isnull=True).order_by("day", "id").first()
        or meetings.order_by("-day").first()
    )
    if meeting is not None:
        meeting.series = series  # already loaded, with its people
    return meeting


def team_members(*, org: Organization, team: Team) -> QuerySet[Membership]:
    return Membership.objects.filter(org=org, teams=team, is_active=True).select_related("user")


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    agenda: list[AgendaItem]
    actions: list[ActionItem]  # the series' open actions, and those done at this meeting
    note: PrivateNote | None  # the viewer's own, never anyone else's
    history: list[Meeting]


def meeting_view(*, meeting: Meeting, viewer: Membership) -> MeetingView:
    """Everything a meeting's page shows the viewer, in a fixed number of queries (four) however
    long the series' history. The private note is looked up by the viewer as author: nobody
    else's note can come back from here."""
    series = meeting.series
    agenda = list(
        AgendaItem.objects.filter(org_id=series.org_id, meeting=meeting).select_related("author__user")
    )
    actions = list(
        ActionItem.objects.filter(org_id=series.org_id, series=series)
        .filter(Q(done_at__isnull=True) | Q(meeting=meeting))
        .select_related("owner__user")
        .order_by("done_at", "due", "id")
    )
    note = PrivateNote.objects.filter(org_id=series.org_id, meeting=meeting, author=viewer).first()
    history = list(
        Meeting.objects.filter(org_id=series.org_id, series=series).order_by("-day", "-id")[:HISTORY_LIMIT]
    )
    return MeetingView(meeting=meeting, agenda=agenda, actions=actions, note=note, history=history)


def private_note_get(*, org: Organization, meeting: Meeting, author: Membership) -> PrivateNote | None:
    """The author's own note on a meeting (the only way to read a note)."""
    return PrivateNote.objects.filter(org=org, meeting=meeting, author=author).first()


def upcoming_for(*, org: Organization, member: Membership, until: object) -> list[Meeting]:
    """The person's open meetings up to a day (the landing page's reminder)."""
    return list(
        Meeting.objects.filter(org=org, held_at__isnull=True, day__lte=until, series__active=True)
        .filter(Q(series__manager=member) | Q(series__member=member))
        .select_related("series__manager__user", "series__member__user")
        .order_by("day", "id")[:5]
    )


def startable_people(*, actor: Membership) -> QuerySet[Membership]:
    """Who the actor may start one-on-ones with: the active people of the teams they manage (an
    admin: of every team), themselves and those they already meet excepted."""
    qs = Membership.objects.filter(org_id=actor.org_id, is_active=True).exclude(pk=actor.pk)
    if actor.role == Role.ADMIN:
        qs = qs.filter(teams__isnull=False)
    elif actor.role == Role.MANAGER:
        qs = qs.filter(teams__in=managed_team_ids(member=actor))
    else:
        return qs.none()
    taken = Series.objects.filter(manager=actor).values("member_id")
    return qs.exclude(pk__in=taken).distinct().select_related("user").order_by("user__display_name", "pk")


def series_team_for(*, actor: Membership, member: Membership) -> Team | None:
    """The team a new series belongs to: the member's first team the actor manages (an admin: the
    member's first team)."""
    teams = member.teams.order_by("pk")
    if actor.role != Role.ADMIN:
        teams = teams.filter(pk__in=managed_team_ids(member=actor))
    return teams.first()
