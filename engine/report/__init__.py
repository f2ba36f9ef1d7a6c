"""Everything people read: the terminal table, JSON and Markdown, HTML pages, the county report, the summary
workbook, the self-check list and the 整改工作方案."""
from __future__ import annotations

from .county import CountyStats
from .render import as_json, as_markdown, as_table, county_summary

__all__ = [
    "CountyStats", "as_json", "as_markdown", "as_table", "county_summary",
]
