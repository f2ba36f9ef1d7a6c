"""Fact names and column headers as people type them: folded for comparison, and the closest
declared one when a name matches none (「employes」 → employees, 「职工人数数」 → 职工人数)."""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

RESEMBLES = 0.8  # difflib ratio from which a name is taken for a misspelling of a declared one
MISSING_RESEMBLES = 0.7  # … of a fact the table has no column for: 「职工总数」 for 职工人数 (0.75)


def name_key(text: str) -> str:
    """A name without case, width, spaces or invisible characters (zero-width space, BOM, soft hyphen):
    「Members」, 「ｍｅｍｂｅｒｓ」 and 「mem\u200bbers」 all fold to 「members」; 「（代表）」 to 「(代表)」."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf").casefold()


def closest(name: str, candidates: Iterable[str], cutoff: float = RESEMBLES) -> str | None:
    """The candidate `name` most resembles once folded (the same key first), or None."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(name_key(candidate), candidate)
    key = name_key(name)
    if key in by_key:
        return by_key[key]
    found = difflib.get_close_matches(key, list(by_key), n=1, cutoff=cutoff)
    return by_key[found[0]] if found else None
