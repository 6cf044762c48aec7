"""A closed retro as files: Markdown and PDF (reportlab, with its built-in Chinese CID font, so
nothing has to be installed: the viewer supplies the glyphs), and its cards and actions as XLSX
(openpyxl, through `teams.tables.save_workbook`: the same retro gives the same bytes).

Everything is built from `selectors.retro_export` — the cards as `CardView`s, whose author of an
anonymous card is "Anonymous" — so no export can name the author of an anonymous card. Cards are
left out for someone who does not read the team's cards. Written in the active language."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from teams.numbers import format_percent
from teams.tables import escape_cell, save_workbook

from .selectors.exports import RetroExport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARKDOWN = "text/markdown; charset=utf-8"
PDF = "application/pdf"
FORMATS = ("md", "pdf", "xlsx")


def filename(data: RetroExport, fmt: str) -> str:
    return f"retro-{data.retro.pk}-{data.retro.period_end:%Y-%m-%d}.{fmt}"


def _md(text: object) -> str:
    """Markdown text that stays text: no heading, list, table or link is made by what people typed."""
    value = " ".join(str(text or "").split())
    for char in "\\`*_{}[]<>()#+-!|":
        value = value.replace(char, "\\" + char)
    return value


def _cell(value: object) -> str:
    return escape_cell("" if value is None else str(value))


def card_header() -> list[str]:
    return [_("Group"), _("Kind"), _("Category"), _("Card"), _("Author"), _("Votes"), _("Evidence")]


def card_rows(data: RetroExport) -> list[list[Any]]:
    return [
        [c.group_label, c.kind_label, c.category_label, c.text, c.author, c.votes,
         f"{c.evidence_kind} {c.evidence_id}" if c.evidence_kind else ""]
        for c in data.cards
    ]  # fmt: skip


def action_header() -> list[str]:
    return [_("Action"), _("Owner"), _("Due"), _("Status"), _("Goal it should move")]


def action_rows(data: RetroExport) -> list[list[Any]]:
    return [
        [a.description, a.owner.user.get_full_name(), a.due_date.isoformat(), str(a.get_status_display()),
         a.goal.title if a.goal else ""]
        for a in data.actions
    ]  # fmt: skip


def goal_rows(data: RetroExport) -> list[list[str]]:
    return [
        [row.goal.title, format_percent(row.result.attainment if row.result else None), row.tier_label]
        for row in data.review.results
    ]


def _heading(data: RetroExport) -> list[str]:
    retro = data.retro
    return [
        f"{_('Team')}: {retro.team.name}",
        f"{_('Period')}: {retro.period_start.isoformat()} – {retro.period_end.isoformat()}",
        f"{_('Kind')}: {retro.get_kind_display()}",
        f"{_('State')}: {retro.get_state_display()}",
    ]


def retro_markdown(data: RetroExport) -> str:
    retro = data.retro
    lines = [f"# {_md(retro.title)}", ""]
    lines += [f"- {_md(item)}" for item in _heading(data)] + [""]
    lines += [f"## {_('Summary')}", "", _md(retro.summary) or "—", ""]
    lines += [f"## {_('Goal review')}", ""]
    if data.review.results:
        lines += [f"| {_('Goal')} | {_('Attainment')} | {_('Tier reached')} |", "|---|---|---|"]
        lines += [f"| {' | '.join(_md(v) for v in row)} |" for row in goal_rows(data)]
    else:
        lines.append(_("No goals in this retrospective."))
    lines.append("")
    if data.with_cards:
        lines += [f"## {_('Result analysis')}", ""]
        votes_word = _("votes")  # outside the f-string: makemessages does not read f-strings
        for c in data.cards:
            votes = "" if c.votes is None else f" ({votes_word}: {c.votes})"
            group = f"[{_md(c.group_label)}] " if c.group_label else ""
            category = f" · {_md(c.category_label)}" if c.category_label else ""
            lines.append(
                f"- {group}**{_md(c.kind_label)}{category}**: {_md(c.text)} — {_md(c.author)}{votes}"
            )
        if not data.cards:
            lines.append(_("No cards."))
        lines.append("")
    lines += [f"## {_('Lessons')}", ""]
    for lesson in data.lessons:
        published = f" ({_('published to the knowledge base')})" if lesson.published else ""
        lines.append(f"- **{_md(lesson.get_kind_display())}**: {_md(lesson.text)}{published}")
    if not data.lessons:
        lines.append(_("No lessons."))
    lines += ["", f"## {_('Action plan')}", ""]
    for row in action_rows(data):
        lines.append(f"- {_md(row[0])} — {_md(row[1])}, {_('due')} {row[2]}, {_md(row[3])}")
    if not data.actions:
        lines.append(_("No actions."))
    return "\n".join(lines) + "\n"


def retro_xlsx(data: RetroExport) -> bytes:
    """Two sheets: the cards (for the team's people) and the actions."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Cards")[:31]
    sheet.append(card_header())
    for row in card_rows(data) if data.with_cards else []:
        sheet.append([_cell(v) if i != 5 else v for i, v in enumerate(row)])
    actions = book.create_sheet(_("Action plan")[:31])
    actions.append(action_header())
    for row in action_rows(data):
        actions.append([_cell(v) for v in row])
    for ws in (sheet, actions):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    save_workbook(book, out, stamp=data.retro.closed_at or data.retro.created_at)
    return out.getvalue()


def retro_pdf(data: RetroExport, *, org_name: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"  # Adobe's Chinese CID font: the viewer supplies the glyphs
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=8)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)

    def para(value: object, style: ParagraphStyle = body) -> Paragraph:
        text = "—" if value is None or value == "" else str(value)
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)

    def table(header: list[str], rows: list[list[Any]]) -> Table | Paragraph:
        if not rows:
            return para("—")
        grid = Table([[para(h) for h in header]] + [[para(v) for v in r] for r in rows], repeatRows=1)
        grid.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))  # fmt: skip
        return grid

    retro = data.retro
    story: list[Any] = [para(retro.title, title), para(org_name)]
    story += [para(line) for line in _heading(data)]
    story += [Spacer(1, 6), para(_("Summary"), heading), para(retro.summary)]
    story += [
        para(_("Goal review"), heading),
        table([_("Goal"), _("Attainment"), _("Tier reached")], goal_rows(data)),
    ]
    if data.with_cards:
        story += [para(_("Result analysis"), heading), table(card_header(), card_rows(data))]
    lessons = [
        [lesson.get_kind_display(), lesson.text, _("Yes") if lesson.published else ""]
        for lesson in data.lessons
    ]
    story += [para(_("Lessons"), heading), table([_("Kind"), _("Lesson"), _("Published")], lessons)]
    story += [para(_("Action plan"), heading), table(action_header(), action_rows(data))]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=retro.title, author="Stretch", leftMargin=36, rightMargin=36,
                            topMargin=36, bottomMargin=36, invariant=1)  # fmt: skip
    doc.build(story)
    return out.getvalue()


def retro_file(data: RetroExport, fmt: str, *, org_name: str) -> tuple[bytes, str]:
    """The file of a format in FORMATS, with its content type."""
    if fmt == "md":
        return retro_markdown(data).encode(), MARKDOWN
    if fmt == "pdf":
        return retro_pdf(data, org_name=org_name), PDF
    return retro_xlsx(data), XLSX
