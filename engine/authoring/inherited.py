"""Tests a variant inherits: the tests of every ruleset it `extends`, run against it unless they touch what it
removed or overrode.

A county variant changes a few parts of the provincial standard; the province's tests still prove the
rest. An inherited test whose `expect` names (in `items` or `outcomes`) an item the variant removed, overrode
or made read a fact or derived value it redeclared does not run: it is about a part the variant changed.
The others run against the variant, comparing what the variant leaves as it was:

| expectation | compared unless the variant (or a ruleset between it and the test's) … |
| --- | --- |
| `items`, `outcomes` | (the test is not run, see above) |
| `score` | removes, overrides or adds a section or item, replaces `bonus`, redeclares a fact or derived value, or changes `max_score` or `na` |
| `level` | changes the score as above, or replaces `levels`, `vetoes`, `gate` or `uses` |
| `eligible` | replaces `gate` or `vetoes` |
| `vetoes` | replaces `vetoes` |

A test left with nothing to compare does not run either. Facts a variant removed are left out of the
inherited tests' facts. Every inherited test that runs counts for the variant's coverage.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..language.model import Ruleset
from ..language.yamlload import MarkedDict
from ..load.loader import header_id, parent_path, read_file

SCORE_PARTS = ("bonus",)
LEVEL_PARTS = ("levels", "vetoes", "gate", "uses")


@dataclass(frozen=True)
class Changes:
    """What a variant changed of the ruleset it extends (accumulated along a chain of `extends`)."""

    removed: frozenset[str] = frozenset()  # section, item, fact and derived value ids
    overridden: frozenset[str] = frozenset()
    added: frozenset[str] = frozenset()
    redeclared: frozenset[str] = frozenset()  # facts and derived values written again
    replaced: frozenset[str] = frozenset()  # levels, bonus, vetoes, gate, uses
    header: frozenset[str] = frozenset()  # max_score, na

    def __or__(self, other: Changes) -> Changes:
        return Changes(*(getattr(self, name) | getattr(other, name) for name in self.__dataclass_fields__))

    @property
    def score(self) -> bool:
        return bool(self.removed or self.overridden or self.added or self.redeclared or self.header or set(SCORE_PARTS) & self.replaced)

    def touched(self, expect: dict[str, Any], ruleset: Ruleset) -> list[str]:
        """The expectations this test makes that the changes decide."""
        found = [key for key in ("items", "outcomes") if any(self.changed_item(i, ruleset) for i in expect.get(key) or {})]
        found += ["score"] if self.score else []
        found += ["level", "candidates"] if self.score or set(LEVEL_PARTS) & self.replaced else []
        found += ["eligible"] if {"gate", "vetoes"} & self.replaced else []
        return found + (["vetoes"] if "vetoes" in self.replaced else [])

    def changed_item(self, item_id: str, ruleset: Ruleset) -> bool:
        item = ruleset.item(item_id)
        return item is None or item_id in self.overridden or bool(set(item.reads) & self.redeclared)


def changes_of(raw: MarkedDict) -> Changes:
    """What one variant file changes, read from the file as written."""
    header = raw.get("ruleset")
    header = header if isinstance(header, dict) else {}
    return Changes(
        removed=frozenset(map(str, raw.get("remove") or ())), overridden=frozenset(map(str, raw.get("override") or {})),
        added=frozenset(ids_in(raw.get("add") or [])), redeclared=frozenset(map(str, {**(raw.get("facts") or {}), **(raw.get("derive") or {})})),
        replaced=frozenset(key for key in SCORE_PARTS + LEVEL_PARTS if key in raw), header=frozenset(k for k in ("max_score", "na") if k in header),
    )


def ids_in(value: Any) -> Iterator[str]:
    """Every section and item id in what `add` adds."""
    if isinstance(value, dict):
        if "id" in value:
            yield str(value["id"])
        for key in ("items", "sections"):
            yield from ids_in(value.get(key) or [])
    elif isinstance(value, list):
        for entry in value:
            yield from ids_in(entry)


@dataclass(frozen=True)
class Skipped:
    """An inherited test that does not run, and why."""

    name: str
    source: str  # the id of the ruleset it comes from
    why: str


@dataclass
class Inheritance:
    tests: list[Any] = field(default_factory=list)  # RulesetTest, each adapted to the variant
    skipped: list[Skipped] = field(default_factory=list)


def inherit(ruleset: Ruleset, own_tests: Callable[[Path, str], list[Any]]) -> Inheritance:
    """The tests of every ruleset `ruleset` extends, nearest first, adapted or skipped (see the module).
    `own_tests(path, ruleset id)` reads the tests written for one ruleset file."""
    found, changes, path = Inheritance(), Changes(), Path(ruleset.path)
    raw = read_file(path)
    while isinstance(raw.get("extends"), str):
        changes |= changes_of(raw)
        parent = parent_path(path, raw["extends"])
        if parent is None:
            break
        path, raw = parent, read_file(parent)
        source = header_id(raw) or parent.stem
        for test in own_tests(path, source):
            adopt(test, source, changes, ruleset, found)
    return found


def adopt(test: Any, source: str, changes: Changes, ruleset: Ruleset, found: Inheritance) -> None:
    touched = changes.touched(test.expect, ruleset)
    kept = {key: value for key, value in test.expect.items() if key not in touched}
    if {"items", "outcomes"} & set(touched):
        found.skipped.append(Skipped(test.name, source, "期望的指标已被删除或修改"))
    elif not kept:
        found.skipped.append(Skipped(test.name, source, "期望的得分、等级已随修改而变"))
    else:
        facts = {name: value for name, value in test.facts.items() if name not in changes.removed}
        found.tests.append(replace(test, expect=kept, facts=facts, source=source))
