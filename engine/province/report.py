"""A province's report.html and levels.csv, from the tally alone: level counts by city, county and
township, mean scores, the items most unions lose points on, and the unions that could not be
graded. Per-union detail is in the Parquet results (one row per union and standard)."""
from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..atomic import atomic_path
from ..evaluate.result import NO_LEVEL, NOT_APPLICABLE, NOT_GRADED
from ..language.model import Ruleset
from ..report.chart import stacked_bars
from ..report.templating import ENV
from .aggregate import Place, Tally

MISSED_SHOWN = 15
LEVELS = ("city", "county", "township")
LEVEL_WORDS = {"city": "市（州）", "county": "县（市、区）", "township": "乡镇（街道）"}


def level_labels(ruleset: Ruleset, tally: Tally) -> list[str]:
    seen = {label for (rid, _, label) in tally.levels if rid == ruleset.id}
    return [level.name for level in ruleset.levels] + [label for label in (NO_LEVEL, NOT_GRADED, NOT_APPLICABLE) if label in seen]


def place_key(place: Place, depth: str) -> str:
    city, county, township = place
    parts = {"city": (city,), "county": (city, county), "township": (city, county, township)}[depth]
    return " ".join(p for p in parts if p) or "（未填）"


def counts_by(ruleset: Ruleset, tally: Tally, depth: str, labels: list[str]) -> list[tuple[str, list[int], int, float | None]]:
    """(place, count per level, total, mean score of the graded) for every place at this depth, in name order."""
    counts: dict[str, Counter[str]] = {}
    scored: Counter[str] = Counter()
    sums: dict[str, float] = {}
    for (rid, place, label), number in tally.levels.items():
        if rid == ruleset.id:
            counts.setdefault(place_key(place, depth), Counter())[label] += number
    for (rid, place), number in tally.scored.items():
        if rid == ruleset.id:
            scored[place_key(place, depth)] += number
            key = place_key(place, depth)
            sums[key] = sums.get(key, 0.0) + tally.score_sums.get((rid, place), 0.0)
    return [(key, [counts[key][label] for label in labels], sum(counts[key].values()), sums.get(key, 0.0) / scored[key] if scored[key] else None)
            for key in sorted(counts)]


def ruleset_view(ruleset: Ruleset, tally: Tally) -> dict[str, Any]:
    labels = level_labels(ruleset, tally)
    tables = {depth: counts_by(ruleset, tally, depth, labels) for depth in LEVELS}
    overall = [sum(row[1][index] for row in tables["city"]) for index in range(len(labels))]
    graded = sum(n for (rid, _), n in tally.scored.items() if rid == ruleset.id)
    total_score = sum(score for (rid, _), score in tally.score_sums.items() if rid == ruleset.id)
    named = len(ruleset.levels)
    bars = [(name, counts[:named]) for name, counts, _, _ in tables["city"] if sum(counts[:named])]
    return {"id": ruleset.id, "name": ruleset.name, "labels": labels, "tables": tables, "overall": overall, "total": sum(overall),
            "graded": graded, "mean": total_score / graded if graded else None, "bars": stacked_bars(bars, labels[:named], named, "（单位：家）") if bars else None,
            "missed": missed(ruleset, tally, graded)}


def missed(ruleset: Ruleset, tally: Tally, graded: int) -> list[dict[str, Any]]:
    found = [item for item in ruleset.item_index.values() if tally.lost_by[(ruleset.id, item.id)]]
    found.sort(key=lambda item: (-tally.lost_by[(ruleset.id, item.id)], -tally.points_lost.get((ruleset.id, item.id), 0.0), item.id))
    return [{"name": item.name, "lost_by": tally.lost_by[(ruleset.id, item.id)],
             "share": 100 * tally.lost_by[(ruleset.id, item.id)] / graded if graded else 0.0,
             "points_lost": tally.points_lost.get((ruleset.id, item.id), 0.0), "missing": tally.missing[(ruleset.id, item.id)]}
            for item in found[:MISSED_SHOWN]]


def report_parts(rulesets: list[Ruleset], tally: Tally, heard: list[str]) -> Iterator[str]:
    """The page; `heard`: what reading the sources left out (columns no ruleset reads), as the command said it."""
    places = {place for (_, place, _) in tally.levels}
    return ENV.get_template("province.html").generate(
        title="基层工会考核评价汇总", as_of="、".join(sorted(tally.as_of)), tally=tally, heard=heard, words=LEVEL_WORDS,
        cities=len({p[0] for p in places}), counties=len({p[:2] for p in places}), townships=len(places),
        rulesets=[ruleset_view(r, tally) for r in rulesets],
    )


def write_report(path: Path, rulesets: list[Ruleset], tally: Tally, heard: list[str]) -> None:
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8") as handle:
        handle.writelines(report_parts(rulesets, tally, heard))


def write_levels_csv(path: Path, rulesets: list[Ruleset], tally: Tally) -> None:
    """levels.csv: one line per ruleset, township and level, with the count (for a spreadsheet pivot); the
    standard by its name, and by its id last (the folder of its results)."""
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["标准", "市（州）", "县（市、区）", "乡镇（街道）", "等级", "单位数", "标准代码"])
        order = {r.id: index for index, r in enumerate(rulesets)}
        names = {r.id: r.name for r in rulesets}
        for (rid, (city, county, township), label), number in sorted(tally.levels.items(), key=lambda e: (order[e[0][0]], e[0][1], e[0][2])):
            out.writerow([names[rid], city, county, township, label, number, rid])
