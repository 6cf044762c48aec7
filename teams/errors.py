"""The project's permission error.

A service refuses an action the actor has no right to with ``NotAllowed`` — a
``PermissionDenied`` that carries a sentence the person may read. Pages answer it with the 403
page showing that sentence, the API with a 403 whose ``detail`` is that sentence. (Bad input is a
``ValidationError``: 400, next to the field.)"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


class NotAllowed(PermissionDenied):
    """The actor may not do this to this object (403), with the reason in words."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Verdict:
    """The one style for a permission check: a selector ``can_<verb>_<object>(*, member, …)``
    returns a Verdict. It is truthy when allowed, so a template or a view asks ``{% if can_edit %}``;
    when refused it carries the sentence the person reads, and a service enforces it with
    ``can_…(…).require()`` (which raises ``NotAllowed`` with that sentence: 403 in pages and API).

    Use ``allow()`` and ``refuse(_("…"))`` to build one."""

    allowed: bool
    reason: str = ""
    # Where a form shows the refusal when it is about the input rather than the person: a field's
    # name, or "__all__" for the whole form.
    field: str = "__all__"

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        if not self.allowed:
            raise NotAllowed(self.reason)


def allow() -> Verdict:
    return Verdict(True)


def refuse(reason: str, *, field: str = "__all__") -> Verdict:
    return Verdict(False, str(reason), field)
