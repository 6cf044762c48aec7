"""The team dashboard served from the last recompute.

The dashboard's body (goal cards, burn-up charts, open alerts) is the same for everyone who may
see the team, so it is rendered once and kept in Django's default cache — the one web and
worker share (Redis in production and CI; the file cache in the embedded default, never process
memory) — until something it shows changes. Who may see it is never cached: the view checks the
organisation, the role and the team on every request, then takes the body from here.

Keys carry two generation tokens: one per organisation and one per team. Writing a new token
makes every body stored under the old one unreachable (it expires with its timeout):

* the indicator recompute (the job values and stand-ups queue) renews the tokens of the teams of
  the goals it recomputed and of the goals above them (progress rolls up the cascade); a full
  recompute renews the organisation's;
* value writes renew their goals' teams at once, before the recompute they queue has run;
* alerts raised, resolved, reopened, escalated or acknowledged, and any change to a goal, its
  targets, slices or supporting metrics, renew the organisation's (rare, and a goal may move
  between teams).

Tokens are renewed at once and again when the transaction commits, so a body another request
computed meanwhile from the data before the change is never served. A missing token (evicted, or never set) is replaced by a new
one, which can only miss. The database's name is part of every key, so two databases sharing one
Redis (test workers) never read each other's bodies."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction

from goals.models import Goal

BODY_TIMEOUT = 15 * 60  # a safety net for a change no path above announces (a person renamed)
_PREFIX = "tracking:dashboard"


def _org_part(org_id: int) -> str:
    return f"{connection.settings_dict['NAME']}:{org_id}"


def _org_key(org_id: int) -> str:
    return f"{_PREFIX}:org:{_org_part(org_id)}"


def _team_key(org_id: int, team_id: int) -> str:
    return f"{_PREFIX}:team:{_org_part(org_id)}:{team_id}"


def _tokens(keys: list[str]) -> list[str]:
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            cache.add(key, uuid.uuid4().hex, None)
            token = cache.get(key)  # whoever added first
        tokens.append(str(token))
    return tokens


def body_key(*, org_id: int, team_id: int, language: str, today: date) -> str:
    """Where the dashboard body of a team is kept, for a language and a day (one cache read)."""
    org_token, team_token = _tokens([_org_key(org_id), _team_key(org_id, team_id)])
    return f"{_PREFIX}:body:{_org_part(org_id)}:{team_id}:{org_token}:{team_token}:{language}:{today.isoformat()}"


def body_get(key: str) -> str | None:
    found = cache.get(key)
    return found if isinstance(found, str) else None


def body_set(key: str, body: str) -> None:
    cache.set(key, body, BODY_TIMEOUT)


def _renew(keys: list[str]) -> None:
    if keys:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)


def dashboards_invalidate(*, org_id: int, team_ids: Iterable[int] | None = None) -> None:
    """Make the dashboards of these teams (None: every team of the organisation) compute again,
    once the current transaction commits (at once outside one)."""
    keys = [_org_key(org_id)] if team_ids is None else [_team_key(org_id, pk) for pk in sorted(set(team_ids))]
    _renew(keys)  # now: this transaction's own reads (and tests, whose transactions never commit)
    transaction.on_commit(lambda: _renew(keys))  # again: a body computed meanwhile from older data


def dashboards_invalidate_goals(*, org_id: int, goal_ids: Iterable[int]) -> None:
    """Invalidate the dashboards that show these goals or a goal above them (one query)."""
    wanted = set(goal_ids)
    if not wanted:
        return
    rows = {pk: (parent_id, team_id) for pk, parent_id, team_id in
            Goal.objects.filter(org_id=org_id).order_by().values_list("pk", "parent_id", "team_id")}  # fmt: skip
    teams: set[int] = set()
    seen: set[int] = set()
    for pk in wanted:
        current: int | None = pk
        while current is not None and current in rows and current not in seen:
            seen.add(current)
            parent_id, team_id = rows[current]
            if team_id is not None:
                teams.add(team_id)
            current = parent_id
    dashboards_invalidate(org_id=org_id, team_ids=teams)


def goal_changed(sender: type, instance: object, **kwargs: object) -> None:
    """Receiver (tracking.apps) for saves of a goal, a target version (decompositions save theirs)
    and a supporting metric, and deletions of a metric: every dashboard of the organisation."""
    goal = instance if isinstance(instance, Goal) else getattr(instance, "goal", None)
    if isinstance(goal, Goal) and goal.org_id is not None:
        dashboards_invalidate(org_id=goal.org_id)
