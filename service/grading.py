"""A union's fact document graded by the engine, as `unionscore assess --format json` grades a fact file.

A fact document has the shape of a YAML fact file, as JSON: {"union": {...}, "period": 2025,
"facts": {...}} (facts nested or by dotted path). The union header and the period come from the
service (the union's own record and the round's year), never from the document. Values are read
as a person writes them, by the same rules as fact files and spreadsheet cells. Every problem is
returned as {"field", "message"} (in Chinese; `field` is a fact's dotted path, or "facts"), and then
there is no result. The engine runs in worker processes (`grader.py`), never in the server's threads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.language.model import Ruleset

from . import grader
from .models import Entry, Round


@dataclass(frozen=True)
class Graded:
    """The stored form of the facts, and either the result or the problems."""

    facts: dict[str, Any]
    result: dict[str, Any] | None = None
    problems: list[dict[str, str]] = field(default_factory=list)


def round_rulesets(round_: Round) -> list[Ruleset]:
    """The rulesets of a round (with those they use), loaded once per process."""
    return grader.rulesets_named(tuple(round_.ruleset_ids()))


def grade(entry: Entry, document: Any) -> Graded:
    """The document's facts checked and assessed with the round's rulesets, with the plans to the next level."""
    facts, problems = flat_facts(document)
    header, year = entry.union.header(), entry.round.year
    stored = {"union": header, "period": year, "facts": facts}
    if problems:
        return Graded(stored, problems=problems)
    result, problems = grader.run(tuple(entry.round.ruleset_ids()), header, year, facts)
    return Graded(stored, result=result, problems=problems)


def flat_facts(document: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The facts of a document by dotted path (nested mappings flattened, nulls and blanks left out)."""
    raw = document.get("facts") if isinstance(document, dict) else None
    if not isinstance(raw, dict):
        return {}, [{"field": "facts", "message": "应为事实文件的内容：{\"facts\": {事实名: 值, …}}"}]
    found: dict[str, Any] = {}
    problems: list[dict[str, str]] = []
    stack: list[tuple[str, dict]] = [("", raw)]
    while stack:
        prefix, mapping = stack.pop()
        for key, value in mapping.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):
                stack.append((path + ".", value))
            elif path in found:
                problems.append({"field": path, "message": f"事实 “{path}” 重复"})
            elif value is not None and value != "":
                found[path] = value
    return dict(sorted(found.items())), problems
