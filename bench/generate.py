"""Generated unions for benchmarks: plausible figures for every fact the rulesets declare.

Not a model of any real county: each union draws a size and a "diligence" (how well kept its
union work is), and every declared fact follows from those two, so scores spread over all
levels. About 3% of facts are left out, as in real data.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from engine.language.model import FactDecl
from engine.language.vocabulary import UNION_TYPES

TOWNSHIPS = ["青山镇", "河口镇", "柳林乡", "城关街道", "石桥镇", "东岭乡"]
KIND_WEIGHTS = {"enterprise": 50, "government": 10, "institution": 12, "village": 15, "joint": 8, "group": 5}


def fact_value(decl: FactDecl, rng: random.Random, size: int, good: float, period: int) -> Any:
    """One plausible value; `good` in [0, 1] tilts booleans, rates and counts upwards."""
    if decl.type == "boolean":
        return rng.random() < 0.35 + 0.6 * good
    if decl.type == "enum":
        return decl.values[min(int(good * len(decl.values) + rng.random() * 0.8), len(decl.values) - 1)]
    if decl.type == "date":
        return dt.date(period, 12, 31) - dt.timedelta(days=rng.randint(30, int(400 + 2200 * (1 - good))))
    if decl.type == "list":
        return [rng.randint(0, 1 + round(2 * good)) for _ in range(4)]
    if decl.unit == "%":
        return round(min(1.0, 0.5 + 0.5 * good + rng.uniform(-0.1, 0.1)), 4)
    return numeric(decl, rng, size, good)


def numeric(decl: FactDecl, rng: random.Random, size: int, good: float) -> Any:
    if decl.max is not None:
        low = int(decl.min or 0)
        return rng.randint(low, int(decl.max))
    if decl.unit == "元":
        return round(size * rng.uniform(300, 900), 2)
    if decl.unit in ("人", "人次"):
        return int(size * good * rng.uniform(0.0, 0.3))
    if decl.unit == "册":
        return int(rng.uniform(0, 5000) * good)
    if decl.type == "number":
        return round(rng.uniform(0, 300) * good, 1)
    return int(rng.uniform(0, 12) * good)


def union(index: int, decls: dict[str, FactDecl], rng: random.Random, period: int = 2025) -> dict:
    """One fact file (as a dict) for union number `index`."""
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    size = max(3, int(rng.lognormvariate(4.0, 1.1))) if kind != "group" else rng.randint(3, 25)
    good = rng.betavariate(2.5, 1.5)
    facts = {name: fact_value(decl, rng, size, good, period) for name, decl in decls.items() if rng.random() > 0.03}
    facts = consistent(facts, size, good, rng)
    header = {"id": f"BM-{index:06d}", "name": f"测试{UNION_TYPES[kind]}工会{index}", "type": kind,
              "county": "青山县", "township": rng.choice(TOWNSHIPS)}
    return {"union": header, "period": period, "facts": facts}


def consistent(facts: dict, size: int, good: float, rng: random.Random) -> dict:
    """Head counts that agree with each other: members ≤ employees, women ≤ members, paid ≤ due."""
    facts["employees"] = size
    members = min(size, int(size * (0.55 + 0.45 * good) + rng.randint(0, 2)))
    facts["members"] = members
    if "female_members" in facts:
        facts["female_members"] = int(members * rng.uniform(0.1, 0.6))
    if "dues.due" in facts and "dues.paid" in facts:
        facts["dues.paid"] = round(facts["dues.due"] * min(1.0, 0.6 + 0.5 * good), 2)
    return facts
