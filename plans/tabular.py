"""The action plan as a table file: export to CSV / XLSX, and import the same format back.
Import is all or nothing: every bad cell is reported with its row and column, and nothing is
saved until the whole file is clean. A row with an id updates that initiative; without, creates."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from goals.models import Goal
from teams.models import Membership
from teams.numbers import MONEY_PLACES, excel_format
from teams.page_forms import parse_id, parse_number
from teams.tables import CellError, Rows, escape_cell, read_table, save_workbook, unescape_cell

from . import services
from .models import Initiative, Need, Priority, Squad

COLUMNS = ["id", "goal_dimension", "initiative", "owner_email", "squad", "start", "due", "ongoing", "budget",
           "resource_needs", "needs_note", "priority", "progress"]  # fmt: skip
# Files exported before squads and notes were columns still import: their rows keep those values.
OPTIONAL_COLUMNS = {"squad", "needs_note"}
# Free-text columns: a leading = + - @ would make a spreadsheet run the cell as a formula, so the
# export prefixes an apostrophe (and doubles a leading one) and the import takes it off again.
TEXT_COLUMNS = {"goal_dimension", "initiative", "owner_email", "squad", "needs_note"}
MAX_ROWS = 2000
YES = ("yes", "y", "true", "1", "是")
NO = ("", "no", "n", "false", "0", "否")


def _row_values(item: Initiative) -> list[Any]:
    values = {
        "id": item.pk, "goal_dimension": item.dimension.name if item.dimension else "", "initiative": item.title,
        "owner_email": item.owner.user.email, "squad": item.squad.name if item.squad else "",
        "start": item.start_date.isoformat(), "due": item.due_date.isoformat() if item.due_date else "",
        "ongoing": "yes" if item.ongoing else "no", "budget": f"{item.budget:.2f}" if item.budget is not None else "",
        "resource_needs": ",".join(item.needs), "needs_note": item.needs_note, "priority": item.priority,
        "progress": item.progress,
    }  # fmt: skip
    return [escape_cell(values[c]) if c in TEXT_COLUMNS else values[c] for c in COLUMNS]


def export_csv(items: list[Initiative]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow(_row_values(item))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese text correctly


def export_xlsx(items: list[Initiative], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101
    sheet.title = "Plan"
    sheet.append(COLUMNS)
    budget_index = COLUMNS.index("budget")
    for item in items:
        values = _row_values(item)
        values[budget_index] = item.budget  # a number a spreadsheet can add up (None: an empty cell)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: never a formula
        sheet[sheet.max_row][budget_index].number_format = excel_format(MONEY_PLACES)
    workbook.properties.title = title[:200]
    buffer = io.BytesIO()
    save_workbook(workbook, buffer)  # the same plan exports to the same bytes, whatever the second
    return buffer.getvalue()


def read_rows(content: bytes, filename: str) -> Rows:
    """The plan file's rows (see `teams.tables.read_table`)."""
    return read_table(content, filename, columns=COLUMNS, optional=OPTIONAL_COLUMNS, max_rows=MAX_ROWS)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


# The service's field names → the file's columns.
SERVICE_COLUMNS = {"title": "initiative", "owner": "owner_email", "due_date": "due", "start_date": "start",
                   "needs": "resource_needs", "dimension": "goal_dimension", "status": "progress",
                   "lesson": "progress"}  # fmt: skip


@transaction.atomic
def import_rows(*, goal: Goal, actor: Membership, rows: Rows) -> tuple[int, int, list[CellError]]:
    """Check every row — each cell, what the service would refuse, and the progress change — then,
    only when all are clean, create or update the initiatives. Returns (created, updated, errors).
    Columns a file does not carry (squad, needs_note in older exports) keep their current values."""
    errors: list[CellError] = []
    members = {
        m.user.email.lower(): m
        for m in Membership.objects.filter(org=goal.org, is_active=True).select_related("user")
    }
    squads = {s.name.lower(): s for s in Squad.objects.filter(org=goal.org)}
    existing = {
        i.pk: i for i in Initiative.objects.filter(goal=goal).select_related("dimension", "squad", "org")
    }
    first_row: dict[int, int] = {}
    plans: list[tuple[Initiative | None, services.InitiativeInput, int]] = []
    for n, row in rows:
        row_errors: list[CellError] = []

        def bad(column: str, message: str, n: int = n, row_errors: list[CellError] = row_errors) -> None:
            row_errors.append(CellError(n, column, message))

        item = None
        if row["id"]:
            row_id = parse_id(row["id"])
            item = existing.get(row_id) if row_id is not None else None
            if item is None:
                bad("id", _("No initiative with this id in this plan. Leave it empty to add a new row."))
            elif item.pk in first_row:
                bad("id", _("This initiative is already on row %(row)d: list each one once.") % {
                    "row": first_row[item.pk]})  # fmt: skip
            else:
                first_row[item.pk] = n
        owner = members.get(unescape_cell(row["owner_email"]).lower())
        if owner is None:
            bad("owner_email", _("No active member with this e-mail in the organisation."))
        start = _date(row["start"])
        if start is None:
            bad("start", _("Enter a date as YYYY-MM-DD."))
        ongoing = row["ongoing"].lower() in YES
        if row["ongoing"].lower() not in (*YES, *NO):
            bad("ongoing", _("Enter yes or no."))
        due = _date(row["due"]) if row["due"] else None
        if row["due"] and due is None:
            bad("due", _("Enter a date as YYYY-MM-DD."))
        budget = parse_number(row["budget"]) if row["budget"] else None
        if row["budget"] and budget is None:
            bad("budget", _("Enter an amount such as 5000 or 5000.00."))
        needs = [x.strip() for x in row["resource_needs"].replace("，", ",").split(",") if x.strip()]
        unknown = [x for x in needs if x not in Need.values]
        if unknown:
            bad("resource_needs", _("Unknown: %(needs)s. Use %(known)s.") % {"needs": ", ".join(unknown),
                                                                              "known": ", ".join(Need.values)})  # fmt: skip
        priority = row["priority"].upper() or Priority.P2
        if priority not in Priority.values:
            bad("priority", _("Use P0, P1, P2 or P3."))
        if "squad" in row:
            squad_name = unescape_cell(row["squad"])
            squad = squads.get(squad_name.lower()) if squad_name else None
            if squad_name and squad is None:
                bad("squad", _("No squad with this name in the organisation."))
        else:
            squad = item.squad if item else None
        needs_note = (
            unescape_cell(row["needs_note"]) if "needs_note" in row else (item.needs_note if item else "")
        )
        current = item.progress if item else 0
        progress = (
            current if row["progress"] == "" else (0 if row["progress"] == "0" else parse_id(row["progress"]))
        )
        if progress is None or progress > 100:
            bad("progress", _("Enter a whole percentage from 0 to 100."))
        # Placeholders where a cell was already refused, so the row's other problems are found too.
        data = services.InitiativeInput(
            title=unescape_cell(row["initiative"]), goal=goal, owner=owner or actor, start_date=start or due or goal.start_date,
            due_date=due, ongoing=ongoing, dimension_name=unescape_cell(row["goal_dimension"]), squad=squad,
            budget=budget, needs=[x for x in needs if x in Need.values], needs_note=needs_note,
            priority=priority if priority in Priority.values else Priority.P2,
            is_milestone=item.is_milestone if item else False, is_experiment=item.is_experiment if item else False,
        )  # fmt: skip
        for field, messages in services.validate_input(goal.org, data).items():
            if field == "owner" and owner is None:
                continue
            for message in messages:
                bad(SERVICE_COLUMNS.get(field, field), message)
        if item is not None and progress is not None and progress <= 100 and progress != item.progress:
            for field, messages in services.progress_errors(
                initiative=item, actor=actor, progress=progress
            ).items():
                for message in messages:
                    bad(SERVICE_COLUMNS.get(field, field), message)
        errors.extend(row_errors)
        if not row_errors:
            plans.append((item, data, progress or 0))
    if errors:
        return 0, 0, errors
    created = updated = 0
    for item, data, progress in plans:
        if item is None:
            item = services.initiative_create(org=goal.org, actor=actor, data=data)
            created += 1
        else:
            item = services.initiative_update(initiative=item, actor=actor, data=data)
            updated += 1
        if progress != item.progress:
            services.initiative_progress(initiative=item, actor=actor, progress=progress)
    return created, updated, []


@dataclasses.dataclass(frozen=True)
class ImportOutcome:
    """What an uploaded file did: how many rows it added and updated, or why nothing was imported
    (every bad cell by row and column, or what is wrong with the file itself)."""

    created: int = 0
    updated: int = 0
    cell_errors: list[CellError] = dataclasses.field(default_factory=list)
    file_error: str | None = None

    @property
    def imported(self) -> bool:
        return not self.cell_errors and self.file_error is None


def import_upload(*, goal: Goal, actor: Membership, upload: UploadedFile | None) -> ImportOutcome:
    """Read an uploaded table and import it (import_rows): nothing is imported unless every row is
    clean."""
    if upload is None:
        return ImportOutcome(file_error=_("Choose a file to upload."))
    try:
        rows = read_rows(upload.read(), upload.name or "")
    except ValidationError as error:
        return ImportOutcome(file_error=" ".join(error.messages))
    try:
        created, updated, errors = import_rows(goal=goal, actor=actor, rows=rows)
    except ValidationError as error:  # a backstop: the checks above should have said why
        return ImportOutcome(
            file_error=_("Nothing was imported: %(problem)s") % {"problem": " ".join(error.messages)}
        )
    return ImportOutcome(created=created, updated=updated, cell_errors=errors)
