"""The monthly review as files: XLSX (openpyxl) and PDF (reportlab, with its built-in Chinese
font, so nothing has to be installed). Both are built from `selectors.review_page` and written in
the active language."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from teams.tables import escape_cell, save_workbook

from .selectors import ReviewPage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _text(value: object) -> str:
    """Spreadsheet text that never becomes a formula."""
    return escape_cell("" if value is None else str(value))


def goal_rows(page: ReviewPage) -> list[list[Any]]:
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


def monthly_xlsx(page: ReviewPage) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = _("Goals")[:31]
    sheet.append([f"{page.team.name} · {page.start:%Y-%m}"])
    sheet.append(goal_header())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in goal_rows(page):
        sheet.append(row)
    actions = book.create_sheet(_("Corrective actions")[:31])
    actions.append(action_header())
    for cell in actions[1]:
        cell.font = Font(bold=True)
    for row in action_rows(page):
        actions.append(row)
    notes = book.create_sheet(_("Lessons")[:31])
    notes.append([_text(page.record.decisions if page.record else "")])
    out = io.BytesIO()
    save_workbook(book, out)  # the same review exports to the same bytes, whatever the second
    return out.getvalue()


def monthly_pdf(page: ReviewPage, *, org_name: str) -> bytes:
    from reportlab.lib import colors
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

    def cell(value: object) -> Paragraph:
        text = "—" if value is None or value == "" else str(value)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(text, body)

    def table(header: list[str], rows: list[list[Any]]) -> Table:
        data = [[cell(h) for h in header]] + [[cell(v) for v in r] for r in rows]
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
        Paragraph(org_name, body), Spacer(1, 8), table(goal_header(), goal_rows(page)), Spacer(1, 12),
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
