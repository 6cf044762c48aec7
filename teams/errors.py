"""The project's permission error.

A service refuses an action the actor has no right to with ``NotAllowed`` — a
``PermissionDenied`` that carries a sentence the person may read. Pages answer it with the 403
page showing that sentence, the API with a 403 whose ``detail`` is that sentence. (Bad input is a
``ValidationError``: 400, next to the field.)"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class NotAllowed(PermissionDenied):
    """The actor may not do this to this object (403), with the reason in words."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""
