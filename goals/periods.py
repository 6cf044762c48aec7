"""Calendar arithmetic for goal periods: fiscal years and quarters (the organisation's fiscal
year may start in any month), months, Monday-based weeks, and working days. Pure functions."""

from __future__ import annotations

from datetime import date, timedelta

Span = tuple[date, date]


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    return date(day.year + month0 // 12, month0 % 12 + 1, 1)


def fiscal_year(*, year: int, start_month: int = 1) -> Span:
    """The fiscal year that starts in ``year`` (e.g. FY2026 from April 2026 to March 2027)."""
    start = date(year, start_month, 1)
    return start, _add_months(start, 12) - timedelta(days=1)


def fiscal_quarter(*, year: int, quarter: int, start_month: int = 1) -> Span:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1–4")
    start = _add_months(date(year, start_month, 1), 3 * (quarter - 1))
    return start, _add_months(start, 3) - timedelta(days=1)


def quarter_containing(day: date, *, start_month: int = 1) -> Span:
    """The whole fiscal quarter that contains ``day``."""
    month0 = day.month - 1 - (day.month - start_month) % 3
    start = date(day.year + month0 // 12, month0 % 12 + 1, 1)
    return start, _add_months(start, 3) - timedelta(days=1)


def quarters(start: date, end: date, *, start_month: int = 1) -> list[Span]:
    """Fiscal quarters overlapping [start, end], clipped to it."""
    first = date(start.year - 1, start_month, 1)
    while _add_months(first, 3) <= start:
        first = _add_months(first, 3)
    spans = []
    cursor = first
    while cursor <= end:
        nxt = _add_months(cursor, 3)
        spans.append((max(cursor, start), min(nxt - timedelta(days=1), end)))
        cursor = nxt
    return spans


def months(start: date, end: date) -> list[Span]:
    spans = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        nxt = _add_months(cursor, 1)
        spans.append((max(cursor, start), min(nxt - timedelta(days=1), end)))
        cursor = nxt
    return spans


def weeks(start: date, end: date) -> list[Span]:
    """Monday-to-Sunday weeks overlapping [start, end], clipped to it ("week 1" is the first)."""
    spans = []
    cursor = start - timedelta(days=start.weekday())
    while cursor <= end:
        nxt = cursor + timedelta(days=7)
        spans.append((max(cursor, start), min(nxt - timedelta(days=1), end)))
        cursor = nxt
    return spans


def slices(start: date, end: date, kind: str, *, fiscal_start_month: int = 1) -> list[Span]:
    if kind == "quarter":
        return quarters(start, end, start_month=fiscal_start_month)
    if kind == "month":
        return months(start, end)
    if kind == "week":
        return weeks(start, end)
    raise ValueError(f"cannot slice a period into {kind!r}")


def working_days(start: date, end: date) -> int:
    """Monday to Friday between start and end, both included."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def week_number(period_start: date, day: date) -> int:
    """1-based week of the goal's period that contains ``day`` (weeks start on Monday)."""
    first_monday = period_start - timedelta(days=period_start.weekday())
    return (day - first_monday).days // 7 + 1


def day_label(day: date, *, with_year: bool) -> str:
    return day.isoformat() if with_year else f"{day.month:02d}-{day.day:02d}"


def span_label(start: date, end: date | None, *, today: date) -> str:
    """Dates as short as they can be without being ambiguous: "10-05 – 11-20" within the current
    year; "2030-01-05 – 2031-01-05" when either date is in another year (or the span crosses one)."""
    with_year = start.year != today.year or (end is not None and end.year != today.year)
    text = day_label(start, with_year=with_year)
    if end is not None and end != start:
        text += " – " + day_label(end, with_year=with_year)
    return text


def period_containing(day: date, kind: str, *, fiscal_start_month: int = 1) -> Span:
    """The whole period of a kind (year, quarter, month, week) that contains ``day``: fiscal years
    and quarters follow the organisation's fiscal year start, weeks run Monday to Sunday."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        start = date(day.year, day.month, 1)
        return start, _add_months(start, 1) - timedelta(days=1)
    if kind in ("year", "quarter"):
        months = 12 if kind == "year" else 3
        start = date(day.year - 1, fiscal_start_month, 1)
        while _add_months(start, months) <= day:
            start = _add_months(start, months)
        return start, _add_months(start, months) - timedelta(days=1)
    raise ValueError(f"no period of kind {kind!r}")


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_span(day: date) -> Span:
    """The first and last day of the day's month."""
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def month_end(month: date) -> date:
    return month_span(month)[1]


def previous_month(month: date) -> date:
    """The first day of the month before."""
    return month_start(month_start(month) - timedelta(days=1))
