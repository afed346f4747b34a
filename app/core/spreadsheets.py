"""Cells written to Excel or CSV files that operators open: text that starts like a formula is neutralised.

A driver's note "=HYPERLINK(...)" or a canteen named "+1" would otherwise run as a formula in the operator's
spreadsheet (OWASP "CSV injection"). Numbers, dates and booleans are written as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> object:
    """Text starting with = + - @ (or their full-width forms), a tab or a line break gets a leading apostrophe,
    which spreadsheets show as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(cell) for cell in row]
