"""One union's data: fact files, the fact schema generated from declarations, spreadsheet cells and sources,
and the blank forms a union fills in."""
from __future__ import annotations

from .fact_file import FactChecker, FactFile, load_fact_file
from .sources import Unit, read_units

__all__ = [
    "FactChecker", "FactFile", "Unit", "load_fact_file", "read_units",
]
