"""The plan's sentences in a goal's history (goals.history asks the apps above it for them)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from goals.history import MISSING, Narrator, describers
from teams.models import AuditEntry

from .models import Initiative


def _initiative_create(entry: AuditEntry, who: str, n: Narrator) -> str:
    return _("%(who)s added the initiative “%(title)s” to the plan.") % {
        "who": who,
        "title": entry.target_repr,
    }


def _initiative_update(entry: AuditEntry, who: str, n: Narrator) -> str:
    changes = n.changes(Initiative, entry.changes or {}, skip=("goal_id",))
    return _("%(who)s changed the initiative “%(title)s”: %(changes)s.") % {
        "who": who, "title": entry.target_repr, "changes": changes or MISSING}  # fmt: skip


def _initiative_progress(entry: AuditEntry, who: str, n: Narrator) -> str:
    changes = n.changes(Initiative, entry.changes or {}, skip=("goal_id",))
    return _("%(who)s reported progress on “%(title)s”: %(changes)s.") % {
        "who": who, "title": entry.target_repr, "changes": changes or MISSING}  # fmt: skip


def _dependency_add(entry: AuditEntry, who: str, n: Narrator) -> str:
    return _("%(who)s linked “%(link)s”: the first finishes before the second starts.") % {
        "who": who, "link": entry.target_repr}  # fmt: skip


def _dependency_remove(entry: AuditEntry, who: str, n: Narrator) -> str:
    return _("%(who)s removed the link “%(link)s”.") % {"who": who, "link": entry.target_repr}


def register() -> None:
    describers.update({
        "initiative.create": _initiative_create, "initiative.update": _initiative_update,
        "initiative.progress": _initiative_progress, "dependency.add": _dependency_add,
        "dependency.remove": _dependency_remove,
    })  # fmt: skip
