"""The action plan as a table file: export to CSV / XLSX, and import the same format back.
Import is all or nothing: every bad cell is reported with its row and column, and nothing is
saved until the whole file is clean. A row with an id updates that initiative; without, creates."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from goals.models import Goal
from teams.models import Membership
from teams.page_forms import parse_id, parse_number

from . import services
from .models import Initiative, Need, Priority

COLUMNS = ["id", "goal_dimension", "initiative", "owner_email", "start", "due", "ongoing", "budget",
           "resource_needs", "priority", "progress"]  # fmt: skip
MAX_ROWS = 2000


def _row_values(item: Initiative) -> list[Any]:
    return [
        item.pk, item.dimension.name if item.dimension else "", item.title, item.owner.user.email,
        item.start_date.isoformat(), item.due_date.isoformat() if item.due_date else "", "yes" if item.ongoing else "no",
        f"{item.budget:.2f}" if item.budget is not None else "", ",".join(item.needs), item.priority, item.progress,
    ]  # fmt: skip


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
    for item in items:
        sheet.append(_row_values(item))
    workbook.properties.title = title[:200]
    workbook.properties.creator = "Stretch"
    fixed = datetime(2000, 1, 1)  # noqa: DTZ001 - fixed metadata so the same plan exports to the same bytes
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class CellError:
    row: int  # 1-based, the header is row 1
    column: str
    message: str


def read_rows(content: bytes, filename: str) -> list[dict[str, str]]:
    """The file's rows as {column: text}. Raises ValidationError for a file that is not a table of
    the expected columns."""
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            values = [["" if v is None else (v.date().isoformat() if isinstance(v, datetime) else str(v)) for v in row]
                      for row in sheet.iter_rows(values_only=True)]  # fmt: skip
        elif name.endswith(".csv"):
            values = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        else:
            raise ValidationError({"file": [_("Upload a .csv or .xlsx file exported from this page.")]})
    except (
        UnicodeDecodeError,
        csv.Error,
        OSError,
        ValueError,
        KeyError,
        zipfile.BadZipFile,
        IndexError,
    ) as error:
        if isinstance(error, ValidationError):
            raise
        raise ValidationError({"file": [_("The file could not be read as a table.")]}) from error
    if not values:
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [h.strip().lower() for h in values[0]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
        raise ValidationError({"file": [_("Wrong columns (%(problems)s). Use the exported file as the template.") % {
            "problems": "; ".join(parts)}]})  # fmt: skip
    rows = []
    for raw in values[1:]:
        if not any(str(v).strip() for v in raw):
            continue
        rows.append(
            {header[i]: str(raw[i]).strip() if i < len(raw) else "" for i in range(len(header)) if header[i]}
        )
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": [_("At most %(n)d rows per file.") % {"n": MAX_ROWS}]})
    return rows


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@transaction.atomic
def import_rows(
    *, goal: Goal, actor: Membership, rows: list[dict[str, str]]
) -> tuple[int, int, list[CellError]]:
    """Check every row, then (only when all are clean) create or update the initiatives.
    Returns (created, updated, errors)."""
    errors: list[CellError] = []
    members = {
        m.user.email.lower(): m
        for m in Membership.objects.filter(org=goal.org, is_active=True).select_related("user")
    }
    existing = {i.pk: i for i in Initiative.objects.filter(goal=goal).select_related("dimension")}
    plans: list[tuple[Initiative | None, services.InitiativeInput, int]] = []
    for n, row in enumerate(rows, start=2):

        def bad(column: str, message: str, n: int = n) -> None:
            errors.append(CellError(n, column, message))

        item = None
        if row["id"]:
            row_id = parse_id(row["id"])
            item = existing.get(row_id) if row_id is not None else None
            if item is None:
                bad("id", _("No initiative with this id in this plan. Leave it empty to add a new row."))
        owner = members.get(row["owner_email"].lower())
        if owner is None:
            bad("owner_email", _("No active member with this e-mail in the organisation."))
        start = _date(row["start"])
        if start is None:
            bad("start", _("Enter a date as YYYY-MM-DD."))
        ongoing = row["ongoing"].lower() in ("yes", "y", "true", "1", "是")
        if row["ongoing"].lower() not in ("", "yes", "y", "true", "1", "是", "no", "n", "false", "0", "否"):
            bad("ongoing", _("Enter yes or no."))
        due = _date(row["due"]) if row["due"] else None
        if row["due"] and due is None:
            bad("due", _("Enter a date as YYYY-MM-DD."))
        budget = parse_number(row["budget"]) if row["budget"] else None
        if row["budget"] and budget is None:
            bad("budget", _("Enter an amount such as 5000 or 5000.00."))
        needs = [n.strip() for n in row["resource_needs"].replace("，", ",").split(",") if n.strip()]
        unknown = [x for x in needs if x not in Need.values]
        if unknown:
            bad("resource_needs", _("Unknown: %(needs)s. Use %(known)s.") % {"needs": ", ".join(unknown),
                                                                              "known": ", ".join(Need.values)})  # fmt: skip
        priority = row["priority"].upper() or Priority.P2
        if priority not in Priority.values:
            bad("priority", _("Use P0, P1, P2 or P3."))
        progress_value = 0 if row["progress"] in ("", "0") else parse_id(row["progress"])
        if progress_value is None or progress_value > 100:
            bad("progress", _("Enter a whole percentage from 0 to 100."))
        if owner is None or start is None:
            continue
        data = services.InitiativeInput(
            title=row["initiative"], goal=goal, owner=owner, start_date=start, due_date=due, ongoing=ongoing,
            dimension_name=row["goal_dimension"], budget=budget, needs=[x for x in needs if x in Need.values],
            priority=priority if priority in Priority.values else Priority.P2,
            is_milestone=item.is_milestone if item else False, is_experiment=item.is_experiment if item else False,
        )  # fmt: skip
        for field, messages in services.validate_input(goal.org, data).items():
            column = {"title": "initiative", "owner": "owner_email", "due_date": "due", "start_date": "start",
                      "needs": "resource_needs"}.get(field, field)  # fmt: skip
            for message in messages:
                bad(column, message)
        plans.append((item, data, progress_value or 0))
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
