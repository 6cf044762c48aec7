"""A goal's history in sentences: "陈经理 approved the revision: challenge 10,000,000 → 9,000,000".

The audit trail stores codes (`revision.approve`, field names, ids, "10000000.0000"); this module
turns one goal's entries into translated sentences: fields by their names, choices by their
labels, people, teams and goals by their names (looked up once for the whole list), numbers grouped
without the stored trailing zeros, dates in the reader's language, a missing value as "—".

Other apps that write into a goal's history (plans: initiatives, dependencies) register their
sentences in `describers` from their AppConfig.ready, so goals never imports them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, pgettext

from teams import numbers
from teams.models import AuditEntry, Membership, Team

from .models import Goal, PeriodKind, Revision, SupportingMetric

MISSING = "—"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str


def format_number(value: Decimal) -> str:
    """Grouped by thousands in the reader's language, without the stored trailing zeros:
    10,000,000 · 0.25 · -1,200.5 (the one formatter, teams.numbers, up to four decimals)."""
    return numbers.format_number(value, -4)


class Narrator:
    """Words for the values of audit changes; names of the people, teams and goals they mention
    are fetched once for all the entries (at most three queries, whatever their number)."""

    REFERENCES: dict[str, type[models.Model]] = {
        "owner_id": Membership, "membership_id": Membership, "team_id": Team, "parent_id": Goal, "goal_id": Goal,
    }  # fmt: skip

    def __init__(self, entries: Sequence[AuditEntry]) -> None:
        wanted: dict[type[models.Model], set[int]] = {}
        for entry in entries:
            for field, change in (entry.changes or {}).items():
                model = self.REFERENCES.get(field)
                if model is None or not isinstance(change, list):
                    continue
                wanted.setdefault(model, set()).update(v for v in change if isinstance(v, int))
        self.names: dict[type[models.Model], dict[int, str]] = {}
        for model, ids in wanted.items():
            if model is Membership:
                people = Membership.objects.filter(pk__in=ids).select_related("user")
                self.names[model] = {m.pk: m.user.get_full_name() for m in people}
            elif model is Team:
                self.names[model] = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
            else:
                self.names[model] = dict(Goal.objects.filter(pk__in=ids).values_list("pk", "title"))

    def label(self, model: type[models.Model] | None, field: str) -> str:
        if field in ("base", "challenge", "stretch"):
            return {"base": _("base"), "challenge": _("challenge"), "stretch": _("stretch")}[field]
        if field == "effective_from":
            return _("effective from")
        name = field[:-3] if field.endswith("_id") else field
        if model is not None:
            try:
                return str(model._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # a field the model no longer has: its code will do
                return name.replace("_", " ")
        return name.replace("_", " ")

    def value(self, model: type[models.Model] | None, field: str, raw: object) -> str:
        if raw is None or raw == "" or raw == []:
            return MISSING
        if isinstance(raw, bool):
            return _("yes") if raw else _("no")
        reference = self.REFERENCES.get(field)
        if reference is not None and isinstance(raw, int):
            return self.names.get(reference, {}).get(raw, MISSING)
        if model is not None:
            try:
                choices = dict(model._meta.get_field(field).choices or ())
            except FieldDoesNotExist:
                choices = {}
            if isinstance(raw, str | int) and raw in choices:
                return str(choices[raw])
        if isinstance(raw, int | float):
            return format_number(Decimal(str(raw)))
        if isinstance(raw, str) and _NUMBER.match(raw):
            try:
                return format_number(Decimal(raw))
            except InvalidOperation:
                return raw
        if isinstance(raw, str) and _ISO_DATE.match(raw):
            try:
                return str(formats.date_format(date.fromisoformat(raw), "SHORT_DATE_FORMAT"))
            except ValueError:
                return raw
        if isinstance(raw, list):
            return ", ".join(self.value(model, field, item) for item in raw)
        text = str(raw)
        return f"“{text[:77]}…”" if len(text) > 80 else f"“{text}”"  # words someone typed

    def changes(
        self, model: type[models.Model] | None, changes: dict[str, Any], *, skip: Iterable[str] = ()
    ) -> str:
        """ "challenge 10,000,000 → 9,000,000; end 3/31/2027 → 6/30/2027" (a value that was not
        there before is just given)."""
        parts = []
        for field in sorted(changes, key=lambda name: self.position(model, name)):
            change = changes[field]
            if field in skip or not isinstance(change, list) or len(change) != 2:
                continue
            label = self.label(model, field)
            if field.endswith("_id") and field not in self.REFERENCES:  # a row we cannot name here
                parts.append(_("%(field)s changed") % {"field": label})
                continue
            before, after = (self.value(model, field, v) for v in change)
            if before == after:  # "100.0000" and "100" are the same number
                continue
            parts.append(f"{label} {after}" if change[0] is None else f"{label} {before} → {after}")
        return pgettext("between the changes of one history line", "; ").join(parts)

    FIRST = (
        "title",
        "status",
        "progress",
        "base",
        "challenge",
        "stretch",
        "start_date",
        "end_date",
        "effective_from",
    )

    def position(self, model: type[models.Model] | None, field: str) -> tuple[int, str]:
        """Changes in a stable, readable order: what a person looks at first, then the model's order."""
        if field in self.FIRST:
            return self.FIRST.index(field), field
        names = [f.attname for f in model._meta.concrete_fields] if model is not None else []
        return (len(self.FIRST) + names.index(field), field) if field in names else (1000, field)

    def tiers(self, changes: dict[str, Any]) -> dict[str, str]:
        return {
            t: self.value(None, t, (changes.get(t) or [None, None])[1])
            for t in ("base", "challenge", "stretch")
        }


Describer = Callable[[AuditEntry, str, Narrator], str]

# action → sentence; apps above goals add theirs (see the module's docstring).
describers: dict[str, Describer] = {}


def describe(entry: AuditEntry, who: str, narrator: Narrator) -> str:
    describer = describers.get(entry.action)
    if describer is not None:
        return describer(entry, who, narrator)
    changes = narrator.changes(None, entry.changes or {})
    if changes:
        return _("%(who)s changed “%(target)s”: %(changes)s.") % {
            "who": who, "target": entry.target_repr, "changes": changes}  # fmt: skip
    return _("%(who)s changed “%(target)s”.") % {"who": who, "target": entry.target_repr}


def history(entries: Sequence[AuditEntry]) -> list[HistoryLine]:
    """The entries (newest first) as sentences; a decomposition's many period targets, saved at
    once by one person, are one line."""
    narrator = Narrator(entries)
    lines: list[HistoryLine] = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        who = entry.actor.get_full_name() if entry.actor else pgettext("the system as an actor", "Stretch")
        if entry.action == "period_target.set":
            batch = [entry]
            while (
                index + len(batch) < len(entries)
                and (following := entries[index + len(batch)]).action == entry.action
                and following.actor_id == entry.actor_id
                and abs(following.at - batch[-1].at) < timedelta(minutes=1)
            ):
                batch.append(following)
            lines.append(HistoryLine(entry.at, _period_targets(batch, who)))
            index += len(batch)
            continue
        lines.append(HistoryLine(entry.at, describe(entry, who, narrator)))
        index += 1
    return lines


# --- The goals app's own sentences -----------------------------------------------------------------
def _period_targets(batch: list[AuditEntry], who: str) -> str:
    kinds = {e.target_repr.rsplit(" ", 2)[-2] for e in batch if e.target_repr.count(" ") >= 2}
    kind = next(iter(kinds)) if len(kinds) == 1 else ""
    label = str(PeriodKind(kind).label).lower() if kind in PeriodKind.values else ""
    return ngettext(
        "%(who)s set the %(kind)s targets of %(n)d period.", "%(who)s set the %(kind)s targets of %(n)d periods.",
        len(batch),
    ) % {"who": who, "kind": label, "n": len(batch)}  # fmt: skip


def _goal_create(entry: AuditEntry, who: str, n: Narrator) -> str:
    changes = entry.changes or {}
    return _("%(who)s created the goal: base %(base)s, challenge %(challenge)s, stretch %(stretch)s, "
             "from %(start)s to %(end)s.") % {
        "who": who, **n.tiers(changes), "start": n.value(Goal, "start_date", (changes.get("start_date") or [None, None])[1]),
        "end": n.value(Goal, "end_date", (changes.get("end_date") or [None, None])[1]),
    }  # fmt: skip


def _goal_update(entry: AuditEntry, who: str, n: Narrator) -> str:
    return _("%(who)s edited the goal: %(changes)s.") % {
        "who": who, "changes": n.changes(Goal, entry.changes or {}, skip=("version",)) or MISSING}  # fmt: skip


def _status(text: str) -> Describer:
    """`text` is marked with gettext_noop and translated when the sentence is written."""

    def sentence(entry: AuditEntry, who: str, n: Narrator) -> str:
        result = (entry.changes or {}).get("result_value") or [None, None]
        return _(text) % {"who": who, "result": n.value(Goal, "result_value", result[1])}

    return sentence


def _revision_request(entry: AuditEntry, who: str, n: Narrator) -> str:
    changes = entry.changes or {}
    return _("%(who)s asked for a revision (%(reason)s), effective from %(date)s: base %(base)s, "
             "challenge %(challenge)s, stretch %(stretch)s.") % {
        "who": who, "reason": n.value(Revision, "reason", (changes.get("reason") or [None, None])[1]),
        "date": n.value(None, "effective_from", (changes.get("effective_from") or [None, None])[1]), **n.tiers(changes),
    }  # fmt: skip


def _revision_approve(entry: AuditEntry, who: str, n: Narrator) -> str:
    changes = entry.changes or {}
    tiers = n.changes(None, {t: c for t, c in changes.items() if t in ("base", "challenge", "stretch")})
    effective = (changes.get("effective_from") or [None, None])[1]
    if effective:
        return _("%(who)s approved the revision: %(changes)s, in force from %(date)s.") % {
            "who": who, "changes": tiers or MISSING, "date": n.value(None, "effective_from", effective)}  # fmt: skip
    return _("%(who)s approved the revision: %(changes)s.") % {"who": who, "changes": tiers or MISSING}


def _metric(text: str, with_changes: bool = False) -> Describer:
    def sentence(entry: AuditEntry, who: str, n: Narrator) -> str:
        changes = n.changes(SupportingMetric, entry.changes or {}) if with_changes else ""
        return _(text) % {"who": who, "name": entry.target_repr, "changes": changes or MISSING}

    return sentence


def _override(entry: AuditEntry, who: str, n: Narrator) -> str:
    override = ((entry.changes or {}).get("override") or [None, None])[1]
    reason = override.get("reason", "") if isinstance(override, dict) else ""
    return _("%(who)s accepted targets that do not add up to the whole, because: “%(reason)s”.") % {
        "who": who, "reason": reason}  # fmt: skip


def _register() -> None:
    describers.update({
        "goal.create": _goal_create,
        "goal.update": _goal_update,
        "goal.proposed": _status(gettext_noop("%(who)s opened the goal for the team's input.")),
        "goal.active": _status(gettext_noop("%(who)s activated the goal.")),
        "goal.achieved": _status(gettext_noop("%(who)s closed the goal as achieved, with a final result of %(result)s.")),
        "goal.missed": _status(gettext_noop("%(who)s closed the goal as missed, with a final result of %(result)s.")),
        "goal.cancelled": _status(gettext_noop("%(who)s cancelled the goal.")),
        "goal.decomposition_override": _override,
        "revision.request": _revision_request,
        "revision.approve": _revision_approve,
        "revision.reject": lambda entry, who, n: _("%(who)s rejected the revision.") % {"who": who},
        "supporting_metric.create": _metric(gettext_noop("%(who)s added the supporting metric “%(name)s”.")),
        "supporting_metric.update": _metric(
            gettext_noop("%(who)s changed the supporting metric “%(name)s”: %(changes)s."), with_changes=True),
        "supporting_metric.delete": _metric(gettext_noop("%(who)s removed the supporting metric “%(name)s”.")),
    })  # fmt: skip


_register()
