"""What every reader of a spreadsheet checks against: Excel's own limits, a workbook refused as a whole,
and a formula cell without a result. Kept apart from `workbook.py` so that reading a CSV, a Parquet file
or fact files never loads openpyxl (about a tenth of a second, paid by every command that imported it)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's own limits
MAX_CELL = 32_767                # characters in one cell, Excel's limit
SHOWN_AT_MOST = 10               # rows, columns' rows or merged ranges a notice names


class WorkbookError(ValueError):
    """A workbook that is not read at all (too large once unpacked, or past Excel's limits)."""


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell whose workbook holds no computed result."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Spanned:
    """A cell of a range merged across columns, right of the range's first column (`G2` of `F2:G2`). Excel
    shows the range's one value over all its columns, so the value belongs to one of them, and which one is
    not known: a header reads it as its text, a union's fact never."""

    value: Any
    ref: str  # the merged range, as Excel names it

    def __str__(self) -> str:
        return str(self.value)
