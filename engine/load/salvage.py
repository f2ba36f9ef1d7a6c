"""A ruleset that breaks its schema, with the broken parts cut out, so the rest is still built and checked.

`check` promises every problem at once: a schema error in one item must not hide a misspelt name in
another, nor the warnings of the whole file. The loader reports the schema errors, then cuts each broken
part (an item, a section, a level, a veto, a fact or derived value, the gate, the bonus, the inline
tests) and builds what is left. The sums a cut part takes with it are not checked (the balance of the
section that held it, `max_score` when a top section goes), nor names that read a cut fact or derived
value: the schema error already points there. A broken header (`ruleset:`) or a cut that still breaks
the schema leaves the schema errors alone.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from ..diagnostics import Diagnostic
from ..language.yamlload import MarkedDict, MarkedList
from .schema import validator

LISTS = ("items", "sections", "levels", "vetoes")  # a broken element of these lists is cut alone
NAMED = ("facts", "derive")  # a broken declaration is cut alone
NAMING = ("expr-unknown-name", "judged-fact")  # problems that name what they read
WHOLE = ("gate", "bonus", "tests", "uses", "short_name", "effort_weights", "owners")  # cut whole


@dataclass
class Cuts:
    """What was cut: the sections that lost a child, whether a top section went, the names cut."""

    sections: set[str] = field(default_factory=set)
    top: bool = False
    names: set[str] = field(default_factory=set)

    def hides(self, diagnostic: Diagnostic) -> bool:
        """Whether a problem follows from a cut rather than from the file."""
        if diagnostic.code == "section-balance":
            return any(f"（{section}）" in diagnostic.message for section in self.sections)
        if diagnostic.code == "max-score":
            return self.top
        return diagnostic.code in NAMING and any(f"“{name}”" in diagnostic.message for name in self.names)


def salvage(raw: MarkedDict) -> Cuts | None:
    """Cut the broken parts of `raw` in place; None when the rest cannot be built (see the module)."""
    paths = [error_path(error) for error in validator("ruleset.schema.json").iter_errors(raw)]
    found = [part_of(path) for path in paths]
    parts = {part for part in found if part is not None}
    if len(parts) < len(set(found)):
        return None
    cuts = Cuts()
    for part in sorted(parts, key=lambda p: [str(x) if isinstance(x, str) else f"{x:09d}" for x in p], reverse=True):
        cut(raw, part, cuts)  # deepest and last first, so the indexes of the others still hold
    cuts.names |= set(derived_from(raw, cuts.names))
    return cuts if not any(True for _ in validator("ruleset.schema.json").iter_errors(raw)) else None


def derived_from(raw: MarkedDict, names: set[str]) -> Iterable[str]:
    """The derived values that read a cut name (they cannot be built either), and those that read them."""
    found = set(names)
    derive = raw.get("derive") or {}
    for _ in derive:  # a chain of derived values is at most as long as the derive block
        found |= {str(key) for key, text in derive.items() if set(re.findall(r"[A-Za-z_][\w.]*", str(text))) & found}
    return found - names


def error_path(error: jsonschema.ValidationError) -> tuple[Any, ...]:
    """Where an error is; a bad key (`propertyNames`) is its own place, not the mapping that holds it."""
    leaf = jsonschema.exceptions.best_match([error]) if error.context else error
    if "propertyNames" in leaf.schema_path:
        return (*leaf.absolute_path, leaf.instance)
    return tuple(error.absolute_path)


def part_of(path: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The part a schema error is in: the innermost list element, declaration or whole top-level part."""
    if not path or path[0] == "ruleset":
        return None
    if path[0] in NAMED:
        return path[:2] if len(path) > 1 else None
    inner = [i for i in range(1, len(path)) if isinstance(path[i], int) and path[i - 1] in LISTS]
    if inner:
        return path[:inner[-1] + 1]
    return path[:1] if path[0] in WHOLE else None


def cut(raw: MarkedDict, part: tuple[Any, ...], cuts: Cuts) -> None:
    holder: Any = raw
    for key in part[:-1]:
        holder = holder[key]
    key = part[-1]
    if isinstance(holder, MarkedList):
        removed = holder.pop(key)
        del holder.item_marks[key]
        record(raw, part, removed, cuts)
    elif isinstance(holder, dict) and key in holder:
        del holder[key]
        cuts.names |= {str(key)} if part[0] in NAMED else set()


def record(raw: MarkedDict, part: tuple[Any, ...], removed: Any, cuts: Cuts) -> None:
    """Note what a cut list element takes with it: its section's sum, the total, the ids in it."""
    if part[-2] not in ("items", "sections") or part[0] != "sections":
        return
    if len(part) == 2:
        cuts.top = True
    else:
        owner: Any = raw
        for key in part[:-2]:
            owner = owner[key]
        cuts.sections.add(str(owner.get("id")))
    cuts.names |= set(ids_in([removed]))


def ids_in(nodes: Iterable[Any]) -> Iterable[str]:
    for node in nodes:
        if isinstance(node, dict):
            yield str(node.get("id"))
            for key in ("items", "sections"):  # `items: 5` is why the part was cut
                yield from ids_in(node[key] if isinstance(node.get(key), list) else [])
