"""What is made once per loaded ruleset (its phrasing, its item memories, its solvers' node results), kept as
long as the ruleset is."""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from .model import Ruleset

T = TypeVar("T")


class ByRuleset(Generic[T]):
    """One value per ruleset, found by the ruleset's identity and dropped when the ruleset is. Scoring asks
    for a ruleset's memory with every item it scores; a WeakKeyDictionary made a weak reference for each
    such lookup, this is one dictionary lookup."""

    def __init__(self, make: Callable[[Ruleset], T]) -> None:
        self.make = make
        self.kept: dict[int, T] = {}

    def of(self, ruleset: Ruleset) -> T:
        try:
            return self.kept[id(ruleset)]
        except KeyError:
            found = self.kept[id(ruleset)] = self.make(ruleset)
            weakref.finalize(ruleset, self.kept.pop, id(ruleset), None)  # before another object can take its id
            return found
