"""The monthly review as files: XLSX (openpyxl) and PDF (reportlab, with its built-in Chinese
font, so nothing has to be installed). Both are built from `selectors.review_page` and written in
the active language. Figures are numbers in the XLSX (with a number format at the goal's
precision), text formatted as on the pages in the PDF (teams/numbers.py), full precision in the
CSV for other tools."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from teams.numbers import excel_format, format_number, format_percent
from teams.tables import escape_cell, save_workbook

from .selectors import ReviewPage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _text(value: object) -> str:
    """Spreadsheet text that never becomes a formula."""
    return escape_cell("" if value is None else str(value))


FIGURES = (1, 2, 3)  # actual, expected, challenge target: at the goal's precision
ATTAINMENT = 4
ATTAINMENT_FORMAT = "0.0"


def goal_rows(page: ReviewPage) -> list[list[Any]]:
    """One row per goal, figures as numbers (None where there is no figure yet)."""
    rows = []
    for row in page.goals:
        s = row.lagging
        rows.append([
            _text(row.goal.title), _num(s.actual) if s else None, _num(s.expected) if s else None,
            _num(s.target) if s else None, _num(s.attainment) if s else None,
            str(s.get_tier_reached_display()) if s else "", str(s.get_tier_projected_display()) if s else "",
            str(s.get_status_display()) if s else "",
        ])  # fmt: skip
    return rows


def goal_places(page: ReviewPage) -> list[int]:
    """The decimals each goal row's figures show (see Goal.number_places)."""
    return [row.goal.number_places for row in page.goals]


def goal_text_rows(page: ReviewPage) -> list[list[Any]]:
    """The rows as a reader sees them (the PDF): grouped, rounded, percentages with %."""
    rows = []
    for values, places in zip(goal_rows(page), goal_places(page), strict=True):
        text = list(values)
        for index in FIGURES:
            text[index] = format_number(values[index], places) if values[index] is not None else None
        text[ATTAINMENT] = format_percent(values[ATTAINMENT]) if values[ATTAINMENT] is not None else None
        rows.append(text)
    return rows


def action_rows(page: ReviewPage) -> list[list[Any]]:
    worked = {True: _("Yes"), False: _("No"), None: "—"}
    return [
        [_text(a.goal.title if a.goal else ""), _text(a.description), a.owner.user.get_full_name(),
         a.due_date.isoformat(), str(a.get_state_display()), str(worked[a.worked])]
        for a in page.actions
    ]  # fmt: skip


def goal_header() -> list[str]:
    return [_("Goal"), _("Actual"), _("Expected by now"), _("Challenge target"), _("Attainment %"),
            _("Tier reached"), _("Projected tier"), _("Status")]  # fmt: skip


def action_header() -> list[str]:
    return [_("Goal"), _("Corrective action"), _("Owner"), _("Due"), _("State"), _("Did it work?")]


def _widths(sheet: Any, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def monthly_xlsx(page: ReviewPage) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = _("Goals")[:31]
    sheet.append([f"{page.team.name} · {page.start:%Y-%m}"])
    sheet.append(goal_header())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row, places in zip(goal_rows(page), goal_places(page), strict=True):
        sheet.append(row)
        cells = sheet[sheet.max_row]
        for index in FIGURES:
            cells[index].number_format = excel_format(places)
        cells[ATTAINMENT].number_format = ATTAINMENT_FORMAT
    sheet.freeze_panes = "B3"
    _widths(sheet, [40, 14, 16, 16, 13, 16, 16, 14])
    actions = book.create_sheet(_("Corrective actions")[:31])
    actions.append(action_header())
    for cell in actions[1]:
        cell.font = Font(bold=True)
    for row in action_rows(page):
        actions.append(row)
    actions.freeze_panes = "A2"
    _widths(actions, [30, 50, 16, 12, 12, 12])
    notes = book.create_sheet(_("Lessons")[:31])
    notes.append([_text(page.record.decisions if page.record else "")])
    out = io.BytesIO()
    save_workbook(book, out)  # the same review exports to the same bytes, whatever the second
    return out.getvalue()


def monthly_pdf(page: ReviewPage, *, org_name: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"  # Adobe's Chinese CID font: the viewer supplies the glyphs
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=8)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    figure = ParagraphStyle("figure", parent=body, alignment=TA_RIGHT)

    def cell(value: object, style: ParagraphStyle = body) -> Paragraph:
        text = "—" if value is None or value == "" else str(value)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(text, style)

    def table(header: list[str], rows: list[list[Any]], figures: tuple[int, ...] = ()) -> Table:
        data = [[cell(h, figure if i in figures else body) for i, h in enumerate(header)]] + [
            [cell(v, figure if i in figures else body) for i, v in enumerate(r)] for r in rows
        ]
        grid = Table(data, repeatRows=1)
        grid.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))  # fmt: skip
        return grid

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=_("Monthly review"), author="Stretch",
                            leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36)  # fmt: skip
    story: list[Any] = [
        Paragraph(f"{_('Monthly review')} · {page.team.name} · {page.start:%Y-%m}", title),
        Paragraph(org_name, body), Spacer(1, 8), table(goal_header(), goal_text_rows(page), (*FIGURES, ATTAINMENT)),
        Spacer(1, 12),
        Paragraph(_("Corrective actions"), title), table(action_header(), action_rows(page)),
    ]  # fmt: skip
    if page.record and page.record.decisions:
        story += [Spacer(1, 12), Paragraph(_("Lessons"), title), cell(page.record.decisions)]
    doc.build(story)
    return out.getvalue()


def monthly_csv(page: ReviewPage) -> bytes:
    """The goals table for other tools (UTF-8 with a BOM, so Excel reads the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(goal_header())
    writer.writerows(goal_rows(page))
    return ("\ufeff" + out.getvalue()).encode()
