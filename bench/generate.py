"""Generated unions for benchmarks: plausible figures for every fact the rulesets declare.

Not a model of any real county: each union draws a size and a "diligence" (how well kept its
union work is), and every declared fact follows from those two, so scores spread over all
levels. About 3% of facts are left out, as in real data. Incidents (a 重大事故, a 群体性事件, a 经费违规,
counted in 起) are rare whatever the diligence: each kind befalls one union in a hundred in a year, so the
vetoes they trigger hold few unions down, and most unions are planned in full for every standard.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from engine.language.model import FactDecl
from engine.language.vocabulary import UNION_TYPES, ceilings

TOWNSHIPS = ["青山镇", "河口镇", "柳林乡", "城关街道", "石桥镇", "东岭乡"]
INCIDENT_RATE = 0.01  # a union's chance of an incident of one kind in a year
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
    if decl.unit == "起":
        return int(rng.random() < INCIDENT_RATE)
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


def union(index: int, decls: dict[str, FactDecl], rng: random.Random, period: int = 2025,
          place: tuple[str, str, str] | None = None, weights: Mapping[str, float] | None = None) -> dict:
    """One fact file (as a dict) for union number `index`, each count within its ceiling (`at_most`); `place` (city, county, township) and the
    union type `weights` come from `province` when a province is generated."""
    mix = weights or KIND_WEIGHTS
    kind = rng.choices(list(mix), weights=list(mix.values()))[0]
    size = max(3, int(rng.lognormvariate(4.0, 1.1))) if kind != "group" else rng.randint(3, 25)
    good = rng.betavariate(2.5, 1.5)
    facts = {name: fact_value(decl, rng, size, good, period) for name, decl in decls.items() if rng.random() > 0.03}
    facts = consistent(facts, size, good, rng)
    for name, ceiling in ceilings(decls.values()).items():
        if name in facts and ceiling in facts:
            facts[name] = min(facts[name], facts[ceiling])
    header = {"id": f"BM-{index:07d}", "name": f"测试{UNION_TYPES[kind]}工会{index}", "type": kind,
              "county": "青山县", "township": rng.choice(TOWNSHIPS)}
    if place is not None:
        header["city"], header["county"], header["township"] = place
    return {"union": header, "period": period, "facts": facts}


def province(count: int, decls: dict[str, FactDecl], rng: random.Random) -> Iterator[dict]:
    """`count` unions county by county, as a province federation's file lists them: counties of
    1,000–3,000 unions, 8–20 townships each, ten counties a city; urban counties (every third) have more
    enterprise unions, rural ones more village unions and union groups."""
    index = 0
    while index < count:
        county_number = index // 1000
        city, county = f"第{county_number // 10 + 1}市", f"第{county_number + 1}县"
        urban = county_number % 3 == 0
        weights = {**KIND_WEIGHTS, "enterprise": 65 if urban else 35, "village": 5 if urban else 30, "group": 3 if urban else 9}
        townships = [f"{county}第{t + 1}镇" for t in range(rng.randint(8, 20))]
        for _ in range(min(rng.randint(1000, 3000), count - index)):
            yield union(index, decls, rng, place=(city, county, rng.choice(townships)), weights=weights)
            index += 1


HEADER = ["编号", "名称", "类型", "市", "县", "乡镇", "年度"]


def write_csv(unions: Iterator[dict], names: list[str], path: Path) -> Path:
    """One row per union: the header fields, then every declared fact by its dotted path."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER + names)
        for data in unions:
            head, facts = data["union"], data["facts"]
            writer.writerow([head["id"], head["name"], head["type"], head.get("city", ""), head["county"], head["township"], data["period"]]
                            + [cell(facts.get(name)) for name in names])
    return path


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


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
