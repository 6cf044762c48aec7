from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SCOPE = "retros"


def text_errors(errors: dict[str, list[str]], name: str, value: str, *, required: str, limit: int) -> None:
    """An empty text, or one over the limit, gets its message next to the field."""
    if not value.strip():
        errors[name] = [required]
    elif len(value) > limit:
        errors[name] = [
            _("At most %(limit)s characters (this one has %(count)s).")
            % {"limit": limit, "count": len(value)}
        ]


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)
