"""The 整改工作方案: the work plan a union submits to its superior union, built from a Plan as blocks
(headings, paragraphs, tables) and written as Markdown or as a Word document."""
from __future__ import annotations

from .document import markdown
from .word import write

__all__ = ["markdown", "write"]
