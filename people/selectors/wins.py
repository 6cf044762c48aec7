"""Small wins (小胜利) as people read them: the wording (in the reader's language), where to look,
and the prompt to recognise the person behind each win — offered by the recognition app through
`teams.hooks.recognition_prompt` (people and recognition never import each other)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.hooks import Highlight, RecognitionPrompt, recognition_prompt
from teams.models import Membership, Organization, Team
from teams.selectors import org_today

from ..models import SmallWin, WinKind

FEED_LIMIT = 50
HIGHLIGHT_DAYS = 30


def win_text(win: SmallWin) -> str:
    """One sentence with the win's numbers (the person and the colleague helped must be loaded)."""
    name = win.person.user.get_full_name()
    if win.kind == WinKind.WEEK_MET:
        return _("%(name)s: “%(title)s” met its week target in the week of %(week)s (%(actual)s of %(base)s).") % {
            "name": name, "title": win.title, "week": win.detail.get("week", ""),
            "actual": win.detail.get("actual", ""), "base": win.detail.get("base", "")}  # fmt: skip
    if win.kind == WinKind.MILESTONE:
        return _("%(name)s finished the milestone “%(title)s”.") % {"name": name, "title": win.title}
    if win.kind == WinKind.BASE_TIER:
        return _("%(name)s: the sub-goal “%(title)s” reached its base target (%(actual)s of %(base)s).") % {
            "name": name, "title": win.title, "actual": win.detail.get("actual", ""),
            "base": win.detail.get("base", "")}  # fmt: skip
    helped = win.helped.user.get_full_name() if win.helped is not None else ""
    return _("%(name)s resolved a blocker for %(colleague)s (stand-up of %(day)s).") % {
        "name": name, "colleague": helped, "day": win.detail.get("day", "")}  # fmt: skip


def win_url(win: SmallWin, org: Organization) -> str:
    if win.goal_id_ref is None:
        return ""
    if win.kind == WinKind.MILESTONE:
        return reverse("goal_plan", kwargs={"org_slug": org.slug, "goal_id": win.goal_id_ref})
    return reverse("goal_detail", kwargs={"org_slug": org.slug, "goal_id": win.goal_id_ref})


@dataclass(frozen=True)
class WinView:
    win: SmallWin
    text: str
    url: str
    prompt: RecognitionPrompt | None  # how the viewer recognises the person behind it (None: they cannot)


def small_win_list(*, org: Organization, team_ids: Iterable[int] | None = None) -> QuerySet[SmallWin]:
    qs = SmallWin.objects.filter(org=org).select_related("team", "person__user", "helped__user")
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    return qs.order_by("-happened_on", "-id")


def small_win_feed(
    *, org: Organization, viewer: Membership, team: Team | None = None, limit: int = FEED_LIMIT
) -> list[WinView]:
    """The newest small wins (of one team, or of the organisation), each with its sentence and the
    prompt to recognise its person: two queries (the wins with their people; the teams' org)."""
    wins = list(small_win_list(org=org, team_ids=[team.pk] if team else None)[:limit])
    return [win_view(win, org=org, viewer=viewer) for win in wins]


def win_view(win: SmallWin, *, org: Organization, viewer: Membership) -> WinView:
    text = win_text(win)
    prompt = recognition_prompt(viewer=viewer, nominee_id=win.person_id,
                                nominee_name=win.person.user.get_full_name(), reason=text)  # fmt: skip
    return WinView(win=win, text=text, url=win_url(win, org), prompt=prompt)


def small_win_highlights(org: Organization, teams: list[Team]) -> dict[int, list[Highlight]]:
    """The team page's highlights (teams.hooks): small wins of the last 30 days, in one query.
    Milestones are left to the plans app's own highlight, which shows them the moment they are
    reached."""
    since = org_today(org) - timedelta(days=HIGHLIGHT_DAYS)
    feed = reverse("people_small_wins", args=[org.slug])
    found: dict[int, list[Highlight]] = {}
    for win in (
        small_win_list(org=org, team_ids=[t.pk for t in teams])
        .exclude(kind=WinKind.MILESTONE)
        .filter(happened_on__gte=since)[:200]
    ):
        when = timezone.make_aware(datetime.combine(win.happened_on, time(12)))
        found.setdefault(win.team_id, []).append(
            Highlight(text=win_text(win), when=when, url=f"{feed}?team={win.team_id}")
        )
    return found
