"""Numbers as a person reads them: the one place that turns a figure into text.

Every page, the monthly review PDF and the explanation lines go through `format_number` (and its
two shorthands `format_money` and `format_percent`), or the template filters of the same names in
`teams/templatetags/numbers.py` (`num`, `money`, `pct`). The rules:

- grouped by thousands in every language (30,000,000; Chinese business writing groups by three
  with commas too, so `config/formats/zh_Hans` overrides Django's ungrouped default);
- at the precision of the figure, never the 4 decimals the database stores: money at 2 decimals,
  percentages at 1, a goal's values at `places_for(unit, aggregation)`;
- rounded half up (as money is, see incentives/calculator.py), never "-0";
- a missing figure reads "—".

Spreadsheets keep numbers as numbers: `excel_format(places)` gives the matching number format.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import get_language

MONEY_PLACES = 2
PERCENT_PLACES = 1
MAX_PLACES = 4
MISSING = "—"

PERCENT_UNITS = frozenset({"%", "％", "percent", "pct", "pp", "百分比", "百分点"})
CURRENCY_SIGNS = ("¥", "￥", "$", "€", "£", "元")
CURRENCY_WORDS = frozenset({"cny", "rmb", "usd", "eur", "gbp", "jpy", "hkd", "yuan", "dollars"})


def is_percent_unit(unit: str) -> bool:
    return unit.strip().lower() in PERCENT_UNITS


def is_money_unit(unit: str) -> bool:
    text = unit.strip().lower()
    return any(sign in text for sign in CURRENCY_SIGNS) or text in CURRENCY_WORDS


def places_for(*, unit: str = "", aggregation: str = "") -> int:
    """How many decimals a metric's values show: 1 for a percentage, 2 for money, 1 for an
    average (of visits, of days…), otherwise 0 (counts: users, pushes, partnerships)."""
    if is_percent_unit(unit or ""):
        return PERCENT_PLACES
    if is_money_unit(unit or ""):
        return MONEY_PLACES
    if aggregation == "average":
        return 1
    return 0


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    return number if number.is_finite() else None


def format_number(value: object, places: int = 0) -> str:
    """`value` at `places` decimals, grouped by thousands, in the active language; "—" for None;
    anything that is not a number comes back as its text. Negative `places` (as floatformat's):
    at most that many decimals, without trailing zeros (a weight of 0.25, not 0.250)."""
    if value is None or value == "":
        return MISSING
    number = _decimal(value)
    if number is None:
        return str(value)
    trim = int(places) < 0
    places = max(0, min(abs(int(places)), MAX_PLACES))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if trim:
        exponent = int(rounded.normalize().as_tuple().exponent)
        places = 0 if rounded == rounded.to_integral_value() else min(places, -exponent)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.00"
    return _grouped(rounded, places)


def _grouped(rounded: Decimal, places: int) -> str:
    """Django's `number_format(rounded, places, use_l10n=True, force_grouping=True)`, done by
    Python's own formatting when the language groups by three (both of ours do): the same text,
    about a tenth of the work, which counts on pages printing a thousand figures."""
    language = get_language()  # asked once, not by each get_format
    if formats.get_format("NUMBER_GROUPING", language) != 3 or abs(rounded.adjusted()) > 100:
        return str(formats.number_format(rounded, places, use_l10n=True, force_grouping=True))
    text = f"{abs(rounded) if rounded == 0 else rounded:,.{places}f}"  # never "-0" (nor does Django)
    thousands = formats.get_format("THOUSAND_SEPARATOR", language)
    point = formats.get_format("DECIMAL_SEPARATOR", language)
    if (thousands, point) != (",", "."):
        text = text.replace(",", "\0").replace(".", point).replace("\0", thousands)
    return text


def number_formatter(places: int = 0, *, percent: bool = False) -> Callable[[object], str]:
    """`format_number(value, places)` (`format_percent` with `percent`) for the many
    figures of one page: the active language's grouping and separators are read once, not for each
    figure (those reads were most of a figure's cost on a page of a hundred lines). The same text;
    anything but a finite Decimal goes through `format_number` itself."""
    places = max(0, min(int(places), MAX_PLACES))
    language = get_language()
    fast = formats.get_format("NUMBER_GROUPING", language) == 3
    separators = (
        formats.get_format("THOUSAND_SEPARATOR", language),
        formats.get_format("DECIMAL_SEPARATOR", language),
    )
    plain = separators == (",", ".")
    quantum = Decimal(1).scaleb(-places)

    suffix = "%" if percent else ""

    def slow(value: object) -> str:
        return format_percent(value, places) if percent else format_number(value, places)

    def formatted(value: object) -> str:
        if type(value) is not Decimal or not fast or not value.is_finite():
            return slow(value)
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
        if abs(rounded.adjusted()) > 100:
            return slow(value)
        text = f"{abs(rounded) if rounded == 0 else rounded:,.{places}f}"  # never "-0"
        if not plain:
            text = text.replace(",", "\0").replace(".", separators[1]).replace("\0", separators[0])
        return text + suffix

    return formatted


def number_formatter_by_places() -> Callable[[object, int], str]:
    """`format_number` with the active language's separators read once: the same text, for a page
    that formats thousands of figures (a finite Decimal at 0–4 places takes the short way; anything
    else is format_number's)."""
    language = get_language()
    if formats.get_format("NUMBER_GROUPING", language) != 3:
        return format_number
    separators = (
        formats.get_format("THOUSAND_SEPARATOR", language),
        formats.get_format("DECIMAL_SEPARATOR", language),
    )
    swap = separators != (",", ".")
    steps = [Decimal(1).scaleb(-places) for places in range(MAX_PLACES + 1)]

    def formatted(value: object, places: int = 0) -> str:
        if type(value) is not Decimal or not value.is_finite() or not 0 <= places <= MAX_PLACES:
            return format_number(value, places)
        if abs(value.adjusted()) > 90:  # noqa: PLR2004 - far from any figure shown: format_number's way
            return format_number(value, places)
        rounded = value.quantize(steps[places], rounding=ROUND_HALF_UP)
        text = f"{abs(rounded) if rounded == 0 else rounded:,.{places}f}"
        if swap:
            text = text.replace(",", "\0").replace(".", separators[1]).replace("\0", separators[0])
        return text

    return formatted


def format_money(value: object) -> str:
    return format_number(value, MONEY_PLACES)


def format_percent(value: object, places: int = PERCENT_PLACES) -> str:
    text = format_number(value, places)
    return text if text == MISSING or _decimal(value) is None else f"{text}%"


def places_of(spec: object, default: int = 0) -> int:
    """The places a filter argument asks for: a number, or anything with `number_places` (a goal,
    a supporting metric)."""
    if spec is None or spec == "":
        return default
    places = getattr(spec, "number_places", None)
    if places is not None:
        return int(places)
    try:
        return int(str(spec))
    except ValueError:
        return default


def excel_format(places: int) -> str:
    """The spreadsheet number format that shows what `format_number` shows: '#,##0' or '#,##0.00'."""
    places = max(0, min(int(places), MAX_PLACES))
    return "#,##0" + ("." + "0" * places if places else "")
