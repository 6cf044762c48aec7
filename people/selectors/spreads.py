"""The answer spread of pulses — {team: {question: (topic, {score: count})}} — that results, team
trends and the teams' load read, with a closed pulse's spread kept in the shared cache.

A closed pulse takes no more answers (`can_answer_pulse`), so its spread never changes: it is
counted in SQL once and then read from Django's cache (Redis, shared by web processes and workers;
never process memory), keyed by the pulse's id and creation time (ids come back when a database is
recreated). Only a pulse closed for more than a day by the organisation's real today is cached
(never one a caller only treats as closed with its own `today`), so an answer committed around
midnight is in the spread stored.

The key also holds two versions, so that what can still change a pulse's rows is never read from
the cache: the pulse's own, moved on by every answer (`services.pulse_answer`), and the
organisation's, moved on by the signals `people.apps` connects — a team deleted (its answers move
to "no team", `SET_NULL`), a pulse changed or deleted, an answer saved or deleted one by one (the
admin). Bulk writes to the answers of a closed pulse outside the service are not expected.

The spread holds counts per group only; every reader applies the anonymity rule on top of it
(`pulses._suppressed`), so a cached spread is never shown as it is."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count

from teams.models import Organization
from teams.selectors import org_today

from ..models import PulseAnswer

# {team: {question: (topic, {score: count})}}
Spread = dict[int | None, dict[int, tuple[str, dict[int, int]]]]

GRACE = timedelta(days=1)  # closed for more than this before its spread is cached
TIMEOUT = 60 * 60 * 24 * 120  # a spread not read for four months is counted again when asked


def _org_key(org_id: int) -> str:
    return f"people:pulses:v:{org_id}"


def _answers_key(pulse_id: int) -> str:
    return f"people:pulse:v:{pulse_id}"


def _versions(keys: list[str]) -> dict[str, str]:
    """The current token of each key (a random one made for a key first asked, or evicted)."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key, "")
    return {key: str(found[key]) for key in keys}


def _bump_now_and_on_commit(key: str) -> None:
    """Move a version on now and again once the transaction commits, so a reader who read the old
    rows during the transaction cannot store them under the version that follows the write."""

    def bump() -> None:
        cache.set(key, uuid.uuid4().hex, timeout=None)

    bump()
    transaction.on_commit(bump)


def pulses_changed(*, org_id: int) -> None:
    """Any pulse of the organisation may now have other answers than those counted."""
    _bump_now_and_on_commit(_org_key(org_id))


def answers_changed(*, pulse_id: int) -> None:
    """The pulse got answers (`services.pulse_answer`): a closed pulse takes none, but a cached
    spread does not rest on that alone."""
    _bump_now_and_on_commit(_answers_key(pulse_id))


def on_answers_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save / post_delete receiver (Team deleted, Pulse and PulseAnswer changed). A pulse just
    made has no answers yet, and its reminder time is no answer."""
    if kwargs.get("raw") or kwargs.get("created") or getattr(instance, "org_id", None) is None:
        return
    if set(kwargs.get("update_fields") or ()) == {"reminded_at"}:
        return
    pulses_changed(org_id=instance.org_id)


def pulse_spreads(*, org: Organization, pulses: Iterable[tuple[int, date, datetime]]) -> dict[int, Spread]:
    """The spread of each pulse given as (id, closes_on, created_at): the cached ones from the
    cache, the others in one query (the one query a cold read makes, whatever the answers)."""
    pulses = list(pulses)
    stable = org_today(org) - GRACE
    cacheable = {pk: created for pk, closes_on, created in pulses if closes_on < stable}
    keys: dict[int, str] = {}
    if cacheable:
        versions = _versions([_org_key(org.pk), *(_answers_key(pk) for pk in cacheable)])
        org_version = versions[_org_key(org.pk)]
        keys = {
            pk: f"people:spread:{pk}:{created.timestamp():.6f}:{org_version}:{versions[_answers_key(pk)]}"
            for pk, created in cacheable.items()
        }
    found = cache.get_many(list(keys.values())) if keys else {}
    out: dict[int, Spread] = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk, _c, _t in pulses if pk not in out]
    if not missing:
        return out
    fresh: dict[int, Spread] = {pk: {} for pk in missing}
    for pulse_id, team_id, question_id, topic, score, count in (
        PulseAnswer.objects.filter(org=org, pulse_id__in=missing)
        .values_list("pulse_id", "team_id", "question_id", "question__topic", "score")
        .annotate(count=Count("pk")).order_by()
    ):  # fmt: skip
        fresh[pulse_id].setdefault(team_id, {}).setdefault(question_id, (topic, {}))[1][score] = count
    store = {keys[pk]: spread for pk, spread in fresh.items() if pk in keys}
    if store:
        cache.set_many(store, timeout=TIMEOUT)
    out.update(fresh)
    return out
