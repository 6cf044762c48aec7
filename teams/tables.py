"""Reading a CSV or XLSX file as a table of named columns, shared by every import (plans,
metric values): the row numbers are the spreadsheet's, blank rows are skipped but counted, and
a file that is not a table of the expected columns is refused with one clear message."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.xml.functions import tostring

# A cell starting with one of these is run as a formula by a spreadsheet (CSV/formula injection):
# exports prefix an apostrophe (doubling a leading one) and imports take it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "'", "\t", "\r")


def escape_cell(text: str) -> str:
    """Text for a CSV or spreadsheet cell that never becomes a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """The text escape_cell was given (for a file exported by Stretch and read back)."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1:2] in FORMULA_STARTS else text


FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_STAMP = datetime(2000, 1, 1)  # noqa: DTZ001 - file metadata, not a moment


def save_workbook(book: Workbook, out: IO[bytes], *, stamp: datetime | None = None) -> None:
    """Save a workbook so that the same content gives the same bytes, whenever it is written:
    openpyxl stamps the time of writing into every zip entry and into docProps/core.xml, so the
    file is copied member by member (streamed) with a fixed time and the document's own stamp
    (`stamp`, naive; a fixed date when the content has none)."""
    fixed = (stamp or FIXED_STAMP).replace(tzinfo=None, microsecond=0)
    book.properties.creator = book.properties.creator or "Stretch"
    book.properties.created = fixed
    with tempfile.TemporaryFile() as raw:
        book.save(raw)
        raw.seek(0)
        book.properties.modified = fixed  # saving stamped the time of writing: put the fixed one back
        core = tostring(book.properties.to_tree())
        with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                stable = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
                stable.compress_type = zipfile.ZIP_DEFLATED
                stable.external_attr = 0o600 << 16
                if info.filename == "docProps/core.xml":
                    zout.writestr(stable, core)
                    continue
                with zin.open(info) as reader, zout.open(stable, "w") as writer:
                    shutil.copyfileobj(reader, writer, 1 << 16)


@dataclass(frozen=True)
class CellError:
    row: int  # 1-based, the header is row 1
    column: str
    message: str


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet keeps 30 as 30.0
    return str(value)


def _decode(content: bytes) -> str:
    """UTF-8 (with or without a BOM), else GB18030: what Excel on Chinese Windows saves."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")


Rows = list[tuple[int, dict[str, str]]]


def read_table(
    content: bytes, filename: str, *, columns: list[str], optional: Collection[str] = (), max_rows: int
) -> Rows:
    """The file's rows as (row number as the spreadsheet shows it, {column: text}). Raises
    ValidationError (on "file") for a file that is not a table of the expected columns."""
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            values = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        elif name.endswith(".csv"):
            values = list(csv.reader(io.StringIO(_decode(content))))
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
    if not values or not any(str(v).strip() for v in values[0]):
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [h.strip().lower() for h in values[0]]
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [h for h in header if h and h not in columns]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if missing or unknown or duplicated:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
        if duplicated:
            parts.append(_("repeated columns: %(cols)s") % {"cols": ", ".join(duplicated)})
        raise ValidationError({"file": [_("Wrong columns (%(problems)s). Use the exported file as the template.") % {
            "problems": "; ".join(parts)}]})  # fmt: skip
    rows: Rows = []
    for number, raw in enumerate(values[1:], start=2):  # the header is row 1, as in the spreadsheet
        if not any(str(v).strip() for v in raw):
            continue
        rows.append(
            (number, {header[i]: str(raw[i]).strip() if i < len(raw) else "" for i in range(len(header)) if header[i]})
        )  # fmt: skip
        if len(rows) > max_rows:
            raise ValidationError({"file": [_("At most %(n)d rows per file.") % {"n": max_rows}]})
    return rows
