"""Reading an import file: CSV or XLSX into numbered rows, and the errors that refuse a file."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.common.text import strip_control_characters

REQUIRED_COLUMNS = (
    "registered",
    "event_date",
    "reporter_org",
    "reporter_unit",
    "counterpart_org",
    "counterpart_unit",
    "category",
    "harm",
    "title",
    "description",
    "status",
)
OPTIONAL_COLUMNS = ("closed", "answered_within_deadline")


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"Rad {self.row}, kolonne {self.column}: {self.message}"


class ImportRejected(ValueError):
    """The whole file refused, with every problem in it.

    Not a ServiceError: that is one message for one form field, shown in a request; this is a
    list of row errors that the command line prints, in Norwegian, with no request to show
    them in and nothing written.
    """

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} feil")
        self.errors = errors


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'RØROS', 'Roros' and 'røros' meet; so do 'Frøya'
    and 'Froya'. ø and æ have no decomposition in Unicode, so they are spelled out."""
    text = text.casefold().replace("ø", "o").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.split())


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, object]]]]:
    """The header (folded) and the rows as (spreadsheet row number, column -> value)."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    raise ImportRejected([RowError(0, "-", "Filen må være .csv eller .xlsx.")])


def _read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, object]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([RowError(0, "-", "Filen er ikke lagret som UTF-8.")]) from None
    text = strip_control_characters(text)  # as forms do: NUL and the like never reach the rows
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,")
        delimiter = dialect.delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [fold(h) for h in next(reader, [])]

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield number, dict(zip(header, values, strict=False))

    return header, rows()


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, object]]]]:
    from zipfile import BadZipFile

    # openpyxl parses through defusedxml (a dependency for this reason): a workbook with an
    # entity definition, such as the "billion laughs" bomb, is refused while it is read.
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = (BadZipFile, InvalidFileException, KeyError, OSError, ValueError)
    # Our own handle, closed on every way out: openpyxl leaves its file open when it fails.
    handle = path.open("rb")
    workbook = None
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The read-only reader trusts the size the sheet declares and stops there; a sheet can
        # declare A1:M2 and hold 300,000 rows. Read what is there instead.
        sheet.reset_dimensions()
        iterator = sheet.iter_rows(values_only=True)
        header = [fold(str(h)) if h is not None else "" for h in next(iterator, ())]
    except (DefusedXmlException, *unreadable) as error:
        if workbook is not None:
            workbook.close()
        handle.close()
        # Not a workbook at all (renamed, truncated, another format), or XML with tricks in
        # it: say so, not a traceback.
        bad_xml = _caused_by(error, DefusedXmlException)
        raise ImportRejected([RowError(0, "-", _FORBIDDEN_XML if bad_xml else _NOT_A_WORKBOOK)])

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        try:
            for number, values in enumerate(iterator, start=2):
                if all(v is None or str(v).strip() == "" for v in values):
                    continue
                cleaned = [strip_control_characters(v) for v in values]
                yield number, dict(zip(header, cleaned, strict=False))
        except DefusedXmlException:
            raise ImportRejected([RowError(0, "-", _FORBIDDEN_XML)]) from None
        except unreadable:
            raise ImportRejected([RowError(0, "-", _NOT_A_WORKBOOK)]) from None
        finally:
            workbook.close()
            handle.close()

    return header, rows()


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """openpyxl wraps what its XML parser raised in a ValueError of its own."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


_NOT_A_WORKBOOK = "Filen kan ikke leses som et Excel-regneark (.xlsx)."
_FORBIDDEN_XML = (
    "Filen inneholder XML-konstruksjoner (entiteter) som et vanlig regneark ikke har, og "
    "leses ikke. Lagre arket på nytt i Excel eller som CSV og prøv igjen."
)
