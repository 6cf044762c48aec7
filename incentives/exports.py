"""HR exports of a locked payout run: XLSX (summary per team, one row per person, the explanation
of every line) and CSV for payroll systems.

Both are deterministic — the same run exports to the same bytes every time — and stream: the
workbook is written row by row (openpyxl's write-only mode) into a temporary file, and the CSV is
produced a chunk of lines at a time, so a run of any size never sits in memory whole."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from teams.numbers import format_money
from teams.tables import escape_cell, save_workbook

from . import selectors
from .models import PayoutLine, PayoutRun, RunStatus

MONEY_FORMAT = "#,##0.00"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 1000


def filename(run: PayoutRun, extension: str) -> str:
    return f"payout-{run.org.slug}-{run.start:%Y%m%d}-{run.end:%Y%m%d}-v{run.version}.{extension}"


def _detail_headers() -> list[str]:
    return [_("Employee number"), pgettext("person", "Name"), _("Team"), _("Scheme"), _("Base salary"), _("Attainment %"),
            _("Performance bonus"), _("Over-achievement commission"), _("Adjustment"), _("Total"),
            _("Reason for the adjustment")]  # fmt: skip


def _detail_values(line: PayoutLine, escape: Any = escape_cell) -> list[Any]:
    return [escape(line.employee_number), escape(line.name), escape(line.team), escape(line.scheme), line.base,
            line.attainment, line.bonus, line.commission, line.adjustment, line.total,
            escape(line.adjustment_reason)]  # fmt: skip


def _raw(value: str) -> str:
    return value


# Column widths (in characters) that fit the headers and a typical value in either language.
SUMMARY_WIDTHS = [28, 10, 16, 18, 22, 14, 16]
DETAIL_WIDTHS = [14, 20, 24, 18, 14, 12, 18, 22, 14, 16, 40]
EXPLANATION_WIDTHS = [14, 20, 8, 100]


def _layout(sheet: Any, widths: list[int], *, freeze: str) -> None:
    """Column widths and frozen panes: set before the first row (a write-only sheet writes its
    columns and views ahead of the rows)."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze


def _lines(run: PayoutRun) -> Iterator[PayoutLine]:
    return selectors.run_lines(run=run).select_related(None).iterator(chunk_size=CHUNK)


def write_xlsx(run: PayoutRun, out: IO[bytes]) -> None:
    """The workbook of a run into `out`: Summary, Detail and Explanation sheets."""
    with translation.override(run.language or run.org.default_language):
        book = Workbook(write_only=True)
        bold = Font(bold=True)

        def header(sheet: Any, titles: list[str]) -> None:
            cells = []
            for title in titles:
                cell = WriteOnlyCell(sheet, value=title)
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)

        def money_row(sheet: Any, values: list[Any], money_from: int) -> list[Any]:
            cells = []
            for index, value in enumerate(values):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text, never a formula, and keeps its exact value
                elif index >= money_from:
                    cell.number_format = MONEY_FORMAT
                cells.append(cell)
            return cells

        def text_row(sheet: Any, values: list[Any]) -> list[Any]:
            return money_row(sheet, values, len(values))

        summary = book.create_sheet(_("Summary"))
        _layout(summary, SUMMARY_WIDTHS, freeze="A5")  # the header row is row 4
        summary.append([_("Payout run"), f"{run.start:%Y-%m-%d} – {run.end:%Y-%m-%d}", f"v{run.version}"])
        summary.append([_("Currency"), run.org.currency])
        summary.append([])
        header(summary, [_("Team"), _("People"), _("Base salary"), _("Performance bonus"),
                         _("Over-achievement commission"), _("Adjustment"), _("Total")])  # fmt: skip
        people = 0
        for row in selectors.run_team_totals(run=run):
            people += row.people
            summary.append(money_row(summary, [row.team or "—", row.people, row.base, row.bonus,
                                               row.commission, row.adjustment, row.total], 2))  # fmt: skip
        summary.append(money_row(summary, [_("All teams"), people, run.base_total, run.bonus_total,
                                           run.commission_total, run.adjustment_total, run.total], 2))  # fmt: skip

        detail = book.create_sheet(_("Detail"))
        _layout(detail, DETAIL_WIDTHS, freeze="C2")  # the header, and whose line it is, stay in view
        header(detail, _detail_headers())
        explanation = book.create_sheet(_("Explanation"))
        _layout(explanation, EXPLANATION_WIDTHS, freeze="A2")
        header(explanation, [_("Employee number"), pgettext("person", "Name"), pgettext("payout line", "Line"),
                             _("Explanation")])  # fmt: skip
        detail_rows = explanation_rows = 1
        for line in _lines(run):
            values = _detail_values(line, _raw)
            cells = money_row(detail, values, 4)
            cells[5].number_format = "0.0"
            detail.append(cells)
            detail_rows += 1
            for number, text in enumerate(line.explanation, start=1):
                explanation.append(text_row(explanation, [values[0], values[1], number, str(text)]))
                explanation_rows += 1
            if line.adjustment_reason:
                explanation.append(text_row(explanation, [values[0], values[1], len(line.explanation) + 1,
                                                          _("Adjusted by %(amount)s: %(reason)s")
                                                          % {"amount": format_money(line.adjustment),
                                                             "reason": line.adjustment_reason}]))  # fmt: skip
                explanation_rows += 1
        # A filter over every row (written after the rows, so the range is known).
        detail.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_WIDTHS))}{detail_rows}"
        explanation.auto_filter.ref = f"A1:{get_column_letter(len(EXPLANATION_WIDTHS))}{explanation_rows}"

        book.properties.lastModifiedBy = "Stretch"
        book.properties.title = f"{run.org.name} {run.start}–{run.end} v{run.version}"[:200]
        # The same run exports to the same bytes, stamped with its approval.
        save_workbook(book, out, stamp=run.approved_at or run.updated_at)


def xlsx_file(run: PayoutRun) -> IO[bytes]:
    """The workbook in a temporary file (deleted when closed), rewound, for a streamed response."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes (and so deletes) it
    write_xlsx(run, handle)
    handle.seek(0)
    return handle


def download(run: PayoutRun, kind: str) -> HttpResponseBase:
    """The run as a streamed download (`kind` xlsx or csv), for the page and the API alike; a
    run that is not approved, or another kind of file, is refused with a clear message."""
    if kind not in ("xlsx", "csv"):
        raise ValidationError({"file": [_("Choose xlsx or csv.")]})
    if run.status != RunStatus.LOCKED:
        raise ValidationError({"status": [_("Only an approved (locked) run can be exported.")]})
    if kind == "csv":
        response = StreamingHttpResponse(csv_chunks(run), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename(run, "csv")}"'
        return response
    return FileResponse(
        xlsx_file(run), as_attachment=True, filename=filename(run, "xlsx"), content_type=XLSX_TYPE
    )


def csv_chunks(run: PayoutRun) -> Iterator[bytes]:
    """The CSV for payroll systems (UTF-8 with a BOM, so Excel shows Chinese names), in chunks."""
    with translation.override(run.language or run.org.default_language):
        headers = _detail_headers()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, line in enumerate(_lines(run), start=1):
        writer.writerow(["" if v is None else v for v in _detail_values(line)])
        if count % CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue().encode("utf-8")


def team_pay_headers() -> list[str]:
    return [_("Employee number"), _("Name"), _("Teams"), _("Base salary"), pgettext("payout period", "From"),
            pgettext("payout period", "To"), _("Target bonus"), _("Performance bonus"),
            _("Over-achievement commission"), _("Adjustment"), _("Total")]  # fmt: skip


def team_pay_values(row: selectors.TeamPayRow) -> list[Any]:
    """One person of the team pay, cells escaped (a name never runs as a formula); no approved payout
    yet leaves the payout cells empty."""
    line = row.line
    payout = [line.run.start.isoformat(), line.run.end.isoformat(), line.target_bonus, line.bonus,
              line.commission, line.adjustment, line.total] if line else [""] * 7  # fmt: skip
    member = row.member
    return [escape_cell(member.employee_number), escape_cell(member.user.get_full_name()), escape_cell(row.teams),
            "" if row.base is None else row.base, *payout]  # fmt: skip


def team_pay_csv(*, org: Any, viewer: Any) -> HttpResponseBase:
    """The pay `viewer` may see (a granted manager: their teams' people; HR and admins: everyone) as
    CSV (UTF-8 with a BOM), a chunk of people at a time."""

    def chunks() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(team_pay_headers())
        yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
        people = list(selectors.team_pay_people(org=org, viewer=viewer))
        for start in range(0, len(people), CHUNK):
            buffer.seek(0)
            buffer.truncate()
            for row in selectors.team_pay_rows(org=org, people=people[start : start + CHUNK]):
                writer.writerow(team_pay_values(row))
            yield buffer.getvalue().encode("utf-8")

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="team-pay-{org.slug}.csv"'
    return response
