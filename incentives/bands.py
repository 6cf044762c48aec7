"""Commission bands as HR writes them — rows of "from %", "to %" (empty: no end) and a rate per
attainment point — checked row by row, so that the scheme editor and the API can say which row
is wrong and why. Pure: no database. Rates are stored as fractions of the target bonus per point
(0.05); people read and type them as percentages (5 %), see incentives/forms.py.

The rules (the article: 5 % per point from 100 % to 120 %, 10 % beyond): the bands start at
100 %, follow each other without overlap or gap, each ends above where it starts, only the last
may have no end, and a rate is between 0 % and 100 % of the target bonus per point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

START = Decimal(100)
LIMIT = Decimal("1e12")


def number(value: Any) -> Decimal | None:
    """A finite decimal of a sensible size, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        found = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() and abs(found) < LIMIT else None


def percent_text(value: Decimal) -> str:
    """100 → "100", 2.50 → "2.5": a percentage as a person writes it."""
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class BandCheck:
    """The bands ready to store (`bands`, in order), or what is wrong: `rows` maps a row's index
    (as given) to {field: message} with field "start", "end" or "rate"; `summary` is one sentence
    for the whole list (the API's "bands" error, and the old text of the form)."""

    bands: list[list[str | None]] = field(default_factory=list)
    rows: dict[int, dict[str, str]] = field(default_factory=dict)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.rows and not self.summary


def check_bands(rows: Any) -> BandCheck:
    """Check `rows`, each [from %, to % or None/"", rate as a fraction]; see the module's rules."""
    result = BandCheck()
    if not isinstance(rows, list | tuple) or any(
        not isinstance(r, list | tuple) or len(r) != 3 for r in rows
    ):
        # xgettext:no-python-format
        result.summary = _("Give each commission band as from %, to % (empty for no end) and rate.")
        return result
    parsed: list[tuple[int, Decimal, Decimal | None, Decimal]] = []
    out_of_range = 0  # rows whose only problem is a rate outside 0–100 %
    for index, (raw_start, raw_end, raw_rate) in enumerate(rows):
        start, rate = number(raw_start), number(raw_rate)
        open_end = raw_end is None or str(raw_end).strip() == ""
        end = None if open_end else number(raw_end)
        problems: dict[str, str] = {}
        if start is None:
            # xgettext:no-python-format
            problems["start"] = _("Enter the attainment % where the band starts.")
        if not open_end and end is None:
            problems["end"] = _("Enter a number, or leave it empty for the last band.")
        elif start is not None and end is not None and end <= start:
            problems["end"] = _("“To” must be above “from” (%(start)s %%).") % {"start": percent_text(start)}
        if rate is None:
            # xgettext:no-python-format
            problems["rate"] = _("Enter the rate, in % of the target bonus per point.")
        elif not 0 <= rate <= 1:
            # xgettext:no-python-format
            problems["rate"] = _("A rate is between 0 % and 100 %.")
            out_of_range += set(problems) == {"rate"}
        if problems:
            result.rows[index] = problems
        elif start is not None and rate is not None:
            parsed.append((index, start, end, rate))
    if result.rows:
        result.summary = (
            # xgettext:no-python-format
            _("A commission rate is between 0 and 100% of the target bonus per point.")
            if out_of_range == len(result.rows)
            # xgettext:no-python-format
            else _("Give each commission band as from %, to % (empty for no end) and rate.")
        )
        return result
    parsed.sort(key=lambda band: (band[1], band[0]))
    previous: tuple[int, Decimal, Decimal | None, Decimal] | None = None
    for band in parsed:
        index, start, end, _rate = band
        message = None
        if previous is None and start != START:
            # xgettext:no-python-format
            message = _("The first band starts at 100 %: commission is paid on the points above 100 %.")
        elif previous is not None and previous[2] is None:
            message = _("The band before it has no end, so this one would never apply.")
        elif previous is not None and previous[2] is not None and start < previous[2]:
            message = _("Overlaps the band before it, which ends at %(end)s %%.") % {
                "end": percent_text(previous[2])
            }
        elif previous is not None and previous[2] is not None and start > previous[2]:
            message = _("Leaves a gap after the band before it, which ends at %(end)s %%.") % {
                "end": percent_text(previous[2])
            }
        if message:
            result.rows[index] = {"start": message}
            result.summary = _(
                "Commission bands must start at 100%% and follow each other without overlap or gap (band %(n)s)."
            ) % {"n": index + 1}
            return result
        previous = band
    result.bands = [[str(s), None if e is None else str(e), str(r)] for _i, s, e, r in parsed]
    return result


def as_percent_rows(bands: Sequence[Sequence[Any]]) -> list[dict[str, str]]:
    """Stored bands as the editor shows them: {"start": "100", "end": "120", "rate": "5"}."""
    rows = []
    for start, end, rate in bands:
        rows.append({
            "start": percent_text(Decimal(str(start))),
            "end": "" if end in (None, "") else percent_text(Decimal(str(end))),
            "rate": percent_text(Decimal(str(rate)) * 100),
        })  # fmt: skip
    return rows
