"""Everything people read: the terminal table, the JSON record, each union's page (HTML, Markdown), the
county report, the summary workbook, the self-check list and the 整改工作方案."""
from __future__ import annotations

from .county import CountyStats
from .record import as_json, document
from .terminal import as_table, county_summary
from .union_page import union_markdown, union_pages

__all__ = ["CountyStats", "as_json", "as_table", "county_summary", "document", "union_markdown", "union_pages"]
