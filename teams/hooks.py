"""Extension points through which later apps add to pages of the teams app without the teams app
importing them (dependencies point one way)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .models import Membership, Organization, Team


@dataclass(frozen=True)
class Highlight:
    """Something to celebrate on a team's card, e.g. a small win (小胜利)."""

    text: str
    when: datetime
    url: str = ""


# Each provider returns {team id: [highlights]} for the given teams, in one query.
team_highlight_providers: list[Callable[[Organization, list[Team]], dict[int, list[Highlight]]]] = []


def team_highlights(org: Organization, teams: list[Team]) -> dict[int, list[Highlight]]:
    result: dict[int, list[Highlight]] = {}
    for provider in team_highlight_providers:
        for team_id, items in provider(org, teams).items():
            result.setdefault(team_id, []).extend(items)
    for items in result.values():
        items.sort(key=lambda h: h.when, reverse=True)
    return result


# Each provider adds to the context of every page (e.g. the inbox's unread count); values should
# be lazy so a page that does not show them costs no query.
shell_context_providers: list[Callable[[Any], dict[str, Any]]] = []


@dataclass(frozen=True)
class HomePanel:
    """A card on the organisation's home page, the page a person lands on after signing in (e.g.
    today's stand-up for a member): an app's template and its context."""

    template: str
    context: dict[str, Any]


# Each provider returns the panels it adds to the home page for the request's membership (often
# none); they are shown above the organisation's overview, in the order the providers registered.
home_panel_providers: list[Callable[[Any], list[HomePanel]]] = []


def home_panels(request: Any) -> list[HomePanel]:
    return [panel for provider in home_panel_providers for panel in provider(request)]


@dataclass(frozen=True)
class RecognitionPrompt:
    """A way for the signed-in person to recognise a colleague for something that went well (e.g.
    a small win 小胜利): a link to the recognition app's nomination, filled in with the reason."""

    label: str
    url: str


# Each provider returns a prompt for `viewer` to recognise the person `nominee_id` (named
# `nominee_name`) for `reason`, or None when the viewer cannot (e.g. it is themself, or their role
# does not nominate). The recognition app registers one; the people app asks it for its small wins
# (the two never import each other).
recognition_prompt_providers: list[Callable[[Membership, int, str, str], RecognitionPrompt | None]] = []


def recognition_prompt(
    *, viewer: Membership, nominee_id: int, nominee_name: str, reason: str
) -> RecognitionPrompt | None:
    for provider in recognition_prompt_providers:
        prompt = provider(viewer, nominee_id, nominee_name, reason)
        if prompt is not None:
            return prompt
    return None


@dataclass(frozen=True)
class RecognitionReceived:
    """Something a person was recognised for (e.g. star of the month 月度之星, colleagues'
    nominations, a training opportunity): a sentence, its day and where to read more."""

    text: str
    when: date
    url: str = ""


# Each provider returns what `member` received since `since`, newest first, in a fixed number of
# queries. The recognition app registers one; the people app shows it in a one-on-one's prepared
# facts (the two never import each other).
recognition_received_providers: list[
    Callable[[Organization, Membership, date], list[RecognitionReceived]]
] = []


def recognition_received(*, org: Organization, member: Membership, since: date) -> list[RecognitionReceived]:
    items = [item for provider in recognition_received_providers for item in provider(org, member, since)]
    return sorted(items, key=lambda item: item.when, reverse=True)
