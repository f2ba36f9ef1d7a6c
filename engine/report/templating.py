"""The Jinja environment of every page: HTML escaped, undefined names an error, scores as people read them.

Pages are self-contained: inline CSS and SVG, no scripts, fonts or other network resources,
so they open from a folder, a USB stick or an e-mail attachment, and print cleanly.
"""
from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..values import Fraction, Number, fmt_number
from .county import fmt_score


# HTML templates escape every value; the Markdown template escapes table cells itself.
class ViewEnvironment(Environment):
    """Templates read plain dicts (`r.score`): look the key up first. Jinja's default tries the
    attribute first and pays for an AttributeError on every lookup (a quarter of page time)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


# The templates ship with the package: no stat of the file at every page to see whether it changed.
ENV = ViewEnvironment(loader=PackageLoader("engine.report", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      auto_reload=False)


def score(value: Number | float | None) -> str:
    """An exact score from a result (at most two decimals, half up), or a county aggregate's float."""
    return fmt_number(value) if isinstance(value, int | Fraction) else fmt_score(value)


ENV.filters["score"] = score
