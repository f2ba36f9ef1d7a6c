"""report.html: the county's page — level counts, score charts, most missed criteria, flagged, failed
and ranked unions, each linked to its own page."""
from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..atomic import atomic_path
from .chart import histogram
from .county import CountyStats, ItemStat
from .templating import ENV
from .union_page import union_file_stem


def county_report(stats: CountyStats, title: str) -> str:
    """The county's page: level counts, score charts, most missed criteria, flagged, failed and ranked unions."""
    return "".join(county_report_parts(stats, title))


def write_county_report(path: str | Path, stats: CountyStats, title: str) -> None:
    """report.html, streamed to disk piece by piece (a large county's page is ~700 bytes a union); atomic."""
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8") as handle:
        handle.writelines(county_report_parts(stats, title))


def county_report_parts(stats: CountyStats, title: str) -> Iterator[str]:
    return ENV.get_template("county.html").generate(
        title=title, as_of="、".join(sorted(stats.as_of)), assessed=len(stats.rows), failures=stats.failures,
        townships=stats.townships(), rulesets=[ruleset_summary(stats, rid) for rid in stats.ruleset_ids],
        flagged=stats.flagged_rows(), ranking=stats.ranking(), ruleset_ids=stats.ruleset_ids,
        names=stats.ruleset_names, rank_by=[stats.ruleset_names[rid] for rid in stats.rank_by], stem=union_file_stem,
    )


def ruleset_summary(stats: CountyStats, rid: str) -> dict[str, Any]:
    levels, scores = stats.levels(rid), stats.scores[rid]
    eligible = stats.eligible_count(rid)
    return {
        "id": rid, "name": stats.ruleset_names[rid], "levels": levels, "eligible": eligible,
        "overall": [stats.level_counts[rid][label] for label in levels],
        "total": sum(stats.level_counts[rid].values()),
        "by_township": township_counts(stats, rid, levels),
        "chart": histogram(scores, stats.max_scores.get(rid, 100.0)) if scores else None,
        "mean": statistics.fmean(scores) if scores else None,
        "median": statistics.median(scores) if scores else None,
        "missed": [missed_view(stat, eligible) for stat in stats.most_missed(rid)],
    }


def township_counts(stats: CountyStats, rid: str, levels: list[str]) -> list[tuple[str, list[int], int]]:
    rows = []
    for township in stats.townships():
        counts = stats.township_levels[township].get(rid)
        if counts:
            rows.append((township, [counts[label] for label in levels], sum(counts.values())))
    return rows


def missed_view(stat: ItemStat, eligible: int) -> dict[str, Any]:
    return {"name": stat.name, "lost_by": stat.lost_by, "share": 100 * stat.lost_by / eligible,
            "points_lost": stat.points_lost, "missing": stat.missing}
