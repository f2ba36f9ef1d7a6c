"""The 整改工作方案: the work plan a union submits to its superior union, built from a Plan as blocks
(headings, paragraphs, tables) and written as Markdown (`document`) or as a Word document (`word`, which
loads python-docx: imported where a Word document is written)."""
from __future__ import annotations

from .document import markdown

__all__ = ["markdown"]
