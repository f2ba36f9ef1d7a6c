"""What an item gave, remembered by the values it depends on.

Scoring an item (points, outcome, reason, fix) reads nothing but the values of its names
(`Item.reads` and the names of its fix text) and the assessment date: the truth of each of its
conditions is a function of those. The plan's best result for an item depends on a few more
names (engine/plan/targets.py says which). Across a county most items meet the same few values
(yes/no facts, small counts), and a plan scores a union again and again with a few facts changed,
so each result is made once.

A key holds every value with its type, so 1, 1.0 and True are never taken for each other; a list
(各季度会议次数) is held as its elements with theirs. A key that cannot be hashed (a list of lists)
is found out by the lookup itself, and its result is not remembered, nor is an item whose names
are None. An item keeps at most `LIMIT` results: a name read with a different value in every union
(an id, a ratio) starts the item's memory afresh, so memory stays small.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from itertools import repeat
from typing import Any

from ..language.by_ruleset import ByRuleset
from ..language.expr_eval import Env
from ..language.model import Item, Ruleset

LIMIT = 512
ABSENT = object()
Names = Callable[[Ruleset, Item], "tuple[str, ...] | None"]


class ItemMemo:
    """One kind of result of one ruleset's items, by the values of the names each depends on."""

    def __init__(self, ruleset: Ruleset, names: Names) -> None:
        self.ruleset, self.names_of = ruleset, names
        self.names: dict[str, tuple[str, ...] | None] = {}
        self.made: dict[str, dict[tuple, Any]] = {}

    def get(self, item: Item, env: Env, make: Callable[[], Any]) -> Any:
        key = self.key(item, env)
        if key is None:
            return make()
        made = self.made.get(item.id)
        if made is None:
            made = self.made[item.id] = {}
        return made_once(made, key, make, LIMIT)

    def key(self, item: Item, env: Env) -> tuple | None:
        names = self.names_read(item)
        if names is None:
            return None
        values = list(map(env.values.get, names, repeat(ABSENT)))
        types = tuple(map(type, values))
        if list in types:
            values = [typed(v) if type(v) is list else v for v in values]
        return (env.as_of, *values, *types)

    def names_read(self, item: Item) -> tuple[str, ...] | None:
        try:
            return self.names[item.id]
        except KeyError:
            names = self.names[item.id] = self.names_of(self.ruleset, item)
            return names

    def unchanged(self, items: Iterable[Item], changed: set[str]) -> set[str]:
        """The ids of `items` that read none of the `changed` names (`changed_names` of two environments of
        one date): what this memory gives for them in the one, it gives in the other. One pass over the two
        environments instead of a key for every item, for a state that changes a few of a union's values."""
        found = set()
        for item in items:
            names = self.names_read(item)
            if names is not None and changed.isdisjoint(names):
                found.add(item.id)
        return found


def changed_names(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The names whose values differ as an item's key tells them apart (1, 1.0 and True differ)."""
    changed = before.keys() ^ after.keys()
    for name, value in after.items():
        old = before.get(name, ABSENT)
        if old is not value and (type(old) is not type(value) or (typed(old) != typed(value) if type(value) is list else old != value)):
            changed.add(name)
    return changed


def made_once(made: dict, key: Hashable, make: Callable[[], Any], limit: int) -> Any:
    """What `make()` gives, kept in `made` under `key`; `made` is emptied when it holds `limit` results.
    A result is returned as made, even if another thread empties `made` meanwhile."""
    try:
        found = made.get(key, ABSENT)
    except TypeError:  # a key holding what cannot be hashed (a list of lists): made, never kept
        return make()
    if found is ABSENT:
        if len(made) >= limit:
            made.clear()
        found = made[key] = make()
    return found


def typed(items: list) -> tuple:
    """A list as part of a key: its elements, then their types (1 and 1.0 are not the same count)."""
    return (*items, *map(type, items))


_MEMOS: ByRuleset[dict[str, ItemMemo]] = ByRuleset(lambda ruleset: {})


def memo_of(ruleset: Ruleset, topic: str, names: Names) -> ItemMemo:
    """The ruleset's memory of one kind of result, kept as long as the ruleset is."""
    memos = _MEMOS.of(ruleset)
    found = memos.get(topic)
    if found is None:
        found = memos[topic] = ItemMemo(ruleset, names)
    return found
