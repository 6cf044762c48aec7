"""Small wins (小胜利) as people read them: the wording (in the reader's language), where to look,
and the prompt to recognise the person behind each win — offered by the recognition app through
`teams.hooks.recognition_prompt` (people and recognition never import each other)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
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
HIGHLIGHT_CACHE_SECONDS = 3600  # names and the 30-day window may lag by this much


def win_text(win: SmallWin) -> str:
    """One sentence with the win's numbers (the person and the colleague helped must be loaded)."""
    helped = win.helped.user.get_full_name() if win.helped is not None else ""
    return sentence(kind=win.kind, name=win.person.user.get_full_name(), helped=helped, title=win.title,
                    detail=win.detail)  # fmt: skip


def sentence(*, kind: str, name: str, helped: str, title: str, detail: dict[str, Any]) -> str:
    if kind == WinKind.WEEK_MET:
        return _("%(name)s: “%(title)s” met its week target in the week of %(week)s (%(actual)s of %(base)s).") % {
            "name": name, "title": title, "week": detail.get("week", ""),
            "actual": detail.get("actual", ""), "base": detail.get("base", "")}  # fmt: skip
    if kind == WinKind.MILESTONE:
        return _("%(name)s finished the milestone “%(title)s”.") % {"name": name, "title": title}
    if kind == WinKind.BASE_TIER:
        return _("%(name)s: the sub-goal “%(title)s” reached its base target (%(actual)s of %(base)s).") % {
            "name": name, "title": title, "actual": detail.get("actual", ""),
            "base": detail.get("base", "")}  # fmt: skip
    return _("%(name)s resolved a blocker for %(colleague)s (stand-up of %(day)s).") % {
        "name": name, "colleague": helped, "day": detail.get("day", "")}  # fmt: skip


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


def highlight_key(org: Organization) -> str:
    """The cache key of an organisation's recent small wins for the team page (Django's cache,
    shared by web and workers); moved on by `small_wins_detect` when it records new ones."""
    return f"people:small-win-highlights:{org.pk}:{org.created_at.timestamp()}"


def _recent_rows(org: Organization) -> list[dict[str, Any]]:
    since = org_today(org) - timedelta(days=HIGHLIGHT_DAYS)
    rows = [
        {"team": w.team_id, "kind": w.kind, "title": w.title, "name": w.person.user.get_full_name(),
         "helped": w.helped.user.get_full_name() if w.helped is not None else "", "detail": w.detail,
         "day": w.happened_on.isoformat()}
        for w in small_win_list(org=org).exclude(kind=WinKind.MILESTONE).filter(happened_on__gte=since)[:500]
    ]  # fmt: skip
    return rows


def small_win_highlights(org: Organization, teams: list[Team]) -> dict[int, list[Highlight]]:
    """The team page's highlights (teams.hooks): small wins of the last 30 days, from the cache
    (one query when it is cold). Milestones are left to the plans app's own highlight, which shows
    them the moment they are reached."""
    rows = cache.get_or_set(highlight_key(org), lambda: _recent_rows(org), HIGHLIGHT_CACHE_SECONDS)
    since = (org_today(org) - timedelta(days=HIGHLIGHT_DAYS)).isoformat()
    wanted = {t.pk for t in teams}
    feed = reverse("people_small_wins", args=[org.slug])
    found: dict[int, list[Highlight]] = {}
    for row in rows or []:
        if row["team"] not in wanted or row["day"] < since:
            continue
        when = timezone.make_aware(datetime.combine(date.fromisoformat(row["day"]), time(12)))
        text = sentence(kind=row["kind"], name=row["name"], helped=row["helped"], title=row["title"],
                        detail=row["detail"])  # fmt: skip
        found.setdefault(row["team"], []).append(
            Highlight(text=text, when=when, url=f"{feed}?team={row['team']}")
        )
    return found
