"""Measure DurableRuleset.fire() calls per second on one core.

Builds ~60 rules over ~60 fields (a mix of plain comparisons, string (in)equality and
nested $and/$or, like compiled unionscore items) and fires them for a pool of random facts
with some fields absent. Run: .venv/bin/python bench/durable_fire.py [seconds]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.evaluate.durable_adapter import DurableRuleset  # noqa: E402

FIELDS = 60
RULES = 60
FACTS = 500
UNION_TYPES = ("enterprise", "government", "institution", "village", "joint", "group")


def comparison(rng: random.Random) -> dict[str, Any]:
    """One comparison over a random field: numeric fields a0..a49, strings a50..a59."""
    i = rng.randrange(FIELDS)
    if i >= 50:
        op = rng.choice(("eq", "$neq"))
        value: int | float | str = rng.choice(UNION_TYPES)
    else:
        op = rng.choice(("eq", "$lt", "$lte", "$gt", "$gte", "$neq"))
        value = rng.choice((rng.randint(0, 100), round(rng.random(), 4)))
    return {f"a{i}": value} if op == "eq" else {op: {f"a{i}": value}}


def condition(rng: random.Random) -> dict[str, Any]:
    """A rule condition: a single comparison, an $and, or an $and with a nested $or."""
    shape = rng.random()
    if shape < 0.4:
        return comparison(rng)
    if shape < 0.75:
        return {"$and": [comparison(rng) for _ in range(rng.randint(2, 4))]}
    nested = {"$or": [comparison(rng) for _ in range(rng.randint(2, 3))]}
    return {"$and": [comparison(rng), nested]}


def fact(rng: random.Random) -> dict[str, int | float | str]:
    """A union's facts: every field present with probability 0.9."""
    values: dict[str, int | float | str] = {}
    for i in range(FIELDS):
        if rng.random() < 0.9:
            values[f"a{i}"] = rng.choice(UNION_TYPES) if i >= 50 else rng.choice(
                (rng.randint(0, 100), round(rng.random(), 4))
            )
    return values


def main(seconds: float) -> None:
    """Fire facts for about ``seconds`` and print calls per second."""
    rng = random.Random(20240601)
    rules = {f"c{i}:t": condition(rng) for i in range(RULES)}
    facts = [fact(rng) for _ in range(FACTS)]
    with DurableRuleset("bench", rules) as ruleset:
        matched = sum(len(ruleset.fire(f)) for f in facts)  # warm-up
        calls = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            for f in facts:
                ruleset.fire(f)
            calls += len(facts)
        elapsed = time.perf_counter() - start
    print(f"{RULES} rules over {FIELDS} fields, {len(ruleset._chunks)} durable ruleset(s), "
          f"{matched / FACTS:.1f} rules matched per fact")
    print(f"fire(): {calls / elapsed:,.0f} calls/s ({elapsed / calls * 1e6:.1f} µs per call)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
