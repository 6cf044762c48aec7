"""What several writes of the plans app share: the database's limits and money checks (so that a
long or odd value is a message, never a DataError), and the audit snapshot of an initiative."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .. import selectors
from ..models import Dimension, Initiative, Squad

MAX_MONEY = Decimal("1e12")
CENT = Decimal("0.01")
OWNER_ROLES = selectors.OWNER_ROLES  # who may own an initiative
# The database's limits, checked here so that a long value is a message, never a DataError.
MAX_TITLE = Initiative._meta.get_field("title").max_length or 200
MAX_DIMENSION = Dimension._meta.get_field("name").max_length or 120
MAX_NEEDS_NOTE = Initiative._meta.get_field("needs_note").max_length or 200
MAX_SQUAD_NAME = Squad._meta.get_field("name").max_length or 120
FIELDS = ("title", "goal_id", "dimension_id", "owner_id", "squad_id", "start_date", "due_date", "ongoing", "budget",
          "needs", "needs_note", "priority", "status", "progress", "is_milestone", "is_experiment", "lesson")  # fmt: skip


def _scope(initiative: Initiative) -> str:
    return f"goal:{initiative.goal_id}"


def _snapshot(initiative: Initiative) -> dict[str, object]:
    return {f: getattr(initiative, f) for f in FIELDS}


def _too_long(text: str, limit: int) -> str | None:
    length = len(text.strip())
    if length <= limit:
        return None
    return _("At most %(limit)d characters (this one has %(length)d).") % {"limit": limit, "length": length}


def _cents(amount: Decimal) -> bool:
    """True when the amount has at most 2 decimal places (money is stored in cents)."""
    return amount == amount.quantize(CENT)
