"""The rows behind the figures as CSV (semicolon, UTF-8 with BOM: what Norwegian Excel opens
cleanly) and XLSX (openpyxl, real date cells shown dd.mm.åååå).

A text that begins like a formula is never written as one (OWASP's rule for CSV injection):
in the CSV it gets a leading apostrophe, which spreadsheets read as "this is text"; in the XLSX
it is a string cell marked as typed with that apostrophe, never a formula cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports import formatting as fmt
from reports.cells import looks_like_formula


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return fmt.date_no(value)
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value  # a number (a negative count) stays a number
    return str(value)


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        count += 1
    return count


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, columns, rows)
    return buffer.getvalue().encode("utf-8")


Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]


def _cell(sheet, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = "DD.MM.YYYY"
    elif isinstance(value, str) and looks_like_formula(value):
        cell.data_type = "s"  # openpyxl made it a formula ("f") for the leading "="
        cell.quotePrefix = True
    return cell


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """One XLSX with a sheet per (title, columns, rows): a bold, frozen header, dates as dates,
    and text that looks like a formula kept as text (the tertial's rows, *Last ned datasett*)."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.freeze_panes = "A2"
        for index, name in enumerate(columns):
            sheet.column_dimensions[get_column_letter(index + 1)].width = max(
                12, min(40, len(name) + 4)
            )
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(
    columns: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str = "Avvik"
) -> bytes:
    return workbook_bytes([(sheet_title, columns, rows)])
