"""*Last ned datasett*: one XLSX with a sheet per table, formula-safe as reports/export.py.

The first sheet is the rows behind the period (reports.export's columns), the others what
reports.runchart.dataset_sheets gives: the counts per month × category × direction and each
chart's points.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.cells import looks_like_formula

Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]


def _cell(sheet, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = "DD.MM.YYYY"
    elif isinstance(value, str) and looks_like_formula(value):
        cell.data_type = "s"  # openpyxl would make a leading "=" a formula
        cell.quotePrefix = True
    return cell


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
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
