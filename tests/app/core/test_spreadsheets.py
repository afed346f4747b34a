"""A driver's note or a canteen's name that looks like a formula stays text in the operator's spreadsheet."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from app.core.spreadsheets import safe_cell, safe_row


def test_text_starting_like_a_formula_gets_an_apostrophe() -> None:
    cells = ["=HYPERLINK(\"http://x\",\"点我\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1"]

    assert [safe_cell(c) for c in cells] == ["'" + c for c in cells]


def test_numbers_dates_and_ordinary_text_are_written_as_they_are() -> None:
    row = [-150, Decimal("-1.50"), 3.5, True, None, "红烧肉", "王阿姨 3-2 号"]

    assert safe_row(row) == row


def test_a_formula_note_is_plain_text_in_the_saved_workbook() -> None:
    book = Workbook()
    book.active.append(safe_row(["=HYPERLINK(\"http://evil\",\"x\")", -3]))
    out = io.BytesIO()
    book.save(out)

    cell, number = load_workbook(io.BytesIO(out.getvalue())).active["A1"], load_workbook(io.BytesIO(out.getvalue())).active["B1"]

    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert number.value == -3
