"""The tables the decomposition and split pages post back (one input per cell), parsed into rows,
and the services' errors put back on their cells. Parsing only: the services hold the rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from teams.models import Membership
from teams.page_forms import parse_number

from .decompose import TIERS
from .services import tier_label


def parse_weights(raw: str) -> list[Decimal] | None:
    if not raw.strip():
        return None
    parts = [part.strip() for part in raw.replace("，", ",").split(",") if part.strip()]
    weights = [parse_number(part) for part in parts[:400]]
    if any(w is None for w in weights):
        raise ValidationError({"weights": [_("Weights are numbers separated by commas.")]})
    return [w for w in weights if w is not None]


def slice_rows_from_post(post: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The decomposition table: rows of start_date, end_date and the three tiers, and the cells
    that are not numbers."""
    rows: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    try:
        count = min(int(post.get("rows", "0")), 400)
    except ValueError:
        return [], {"rows": [_("The table was not sent completely. Reload the page.")]}
    for i in range(count):
        row: dict[str, Any] = {}
        try:
            row["start_date"] = date.fromisoformat(post.get(f"start_{i}", ""))
            row["end_date"] = date.fromisoformat(post.get(f"end_{i}", ""))
        except ValueError:
            errors[f"rows.{i}"] = [_("The table was not sent completely. Reload the page.")]
            continue
        for tier in TIERS:
            value = parse_number(post.get(f"{tier}_{i}"))
            if value is None:
                errors[f"rows.{i}.{tier}"] = [_("Row %(n)d: enter a number.") % {"n": i + 1}]
                value = Decimal(0)
            row[tier] = value
        rows.append(row)
    return rows, errors


def slice_row_errors(error: ValidationError) -> dict[str, list[str]]:
    """Service errors keyed rows.<i>.<tier> become "Row 3, challenge: …" so the manager finds the cell."""
    if not hasattr(error, "error_dict"):
        return {"__all__": error.messages}
    result: dict[str, list[str]] = {}
    for key, messages_ in error.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "rows" and parts[1].isdigit():
            label = _("Row %(n)d, %(tier)s") % {"n": int(parts[1]) + 1, "tier": tier_label(parts[2])}
            result[key] = [f"{label}: {m}" for m in messages_]
        else:
            result[key] = messages_
    return result


def allocations_from_post(
    post: Any, members: Sequence[Membership]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The split table: a row (member and the three tiers) for each member included, and the
    cells that are not numbers."""
    rows: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for member in members:
        if post.get(f"include_{member.pk}") != "1":
            continue
        row: dict[str, Any] = {"member": member}
        for tier in TIERS:
            value = parse_number(post.get(f"{tier}_{member.pk}"))
            if value is None:
                errors[f"{member.pk}.{tier}"] = [
                    _("%(name)s, %(tier)s: enter a number.")
                    % {"name": member.user.get_full_name(), "tier": tier_label(tier)}
                ]
                value = Decimal(0)
            row[tier] = value
        rows.append(row)
    return rows, errors
