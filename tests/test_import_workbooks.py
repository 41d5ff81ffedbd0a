"""Security review, finding 13: an import workbook with an entity bomb is refused with a
message (it ended in a traceback), and rows beyond the size a sheet declares are read (300,000
extra rows once gave "1 avvik importert")."""

from __future__ import annotations

import re
import shutil
import zipfile

from openpyxl import Workbook

from tests.test_import import GOOD, HEADER, imported_count, invoke


def _workbook(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _rewrite_sheet(path, change) -> None:
    """The workbook with its first sheet's XML passed through ``change``."""
    original = path.with_suffix(".orig")
    shutil.move(path, original)
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            dst.writestr(item, data)


def test_an_entity_bomb_is_refused_with_a_message(app, runner, tmp_path):
    path = _workbook(tmp_path / "bomb.xlsx", GOOD[:1])
    laughs = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "lol"}">' for i in range(9)
    )

    def bomb(xml: str) -> str:
        xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
        head = f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{laughs}]>'
        return head + xml.replace("Utskrevet uten varsel", "&lol8;")

    _rewrite_sheet(path, bomb)
    result = invoke(runner, path)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "inneholder XML-konstruksjoner (entiteter)" in result.output
    with app.app_context():
        assert imported_count() == 0


def test_rows_beyond_the_declared_size_are_read(app, runner, tmp_path):
    rows = [GOOD[i % 2] for i in range(40)]
    path = _workbook(tmp_path / "many.xlsx", rows)
    # A sheet that claims to hold its header and one row.
    _rewrite_sheet(
        path, lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:M2"', xml)
    )
    result = invoke(runner, path)
    assert result.exit_code == 0, result.output
    assert "40 avvik importert" in result.output
    with app.app_context():
        assert imported_count() == 40
