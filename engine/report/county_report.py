"""report.html: the county's page — level counts, score charts, most missed criteria, flagged, failed
and ranked unions, each linked to its own page."""
from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..atomic import atomic_path
from ..evaluate.result import NO_LEVEL, NOT_GRADED
from .chart import histogram, stacked_bars
from .county import NOT_APPLICABLE, CountyStats, ItemStat
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
        title=title, as_of="、".join(sorted(stats.as_of)), assessed=len(stats.rows), failures=stats.failures, notices=stats.notices,
        townships=stats.townships(), rulesets=[ruleset_summary(stats, rid) for rid in stats.ruleset_ids],
        flagged=stats.flagged_rows(), ranking=stats.ranking(), ruleset_ids=stats.ruleset_ids,
        names=stats.ruleset_names, rank_by=[stats.ruleset_names[rid] for rid in stats.rank_by], stem=union_file_stem,
        ranking_rule=ranking_rule(stats), not_applicable=NOT_APPLICABLE,
    )


def ranking_rule(stats: CountyStats) -> str:
    """The one line under 综合排名 that says how it is ordered."""
    names = "、".join(stats.ruleset_names[rid] for rid in stats.rank_by) or "—"
    return (f"依次按{names}排序：每个标准先比等级（按标准所列等级从高到低，其后为{NO_LEVEL}、{NOT_GRADED}，"
            f"标准{NOT_APPLICABLE}的排在最后），等级相同再比得分（从高到低）；都相同的名次并列，按编号排列。")


def ruleset_summary(stats: CountyStats, rid: str) -> dict[str, Any]:
    levels, scores = stats.levels(rid), stats.scores[rid]
    eligible = stats.eligible_count(rid)
    graded_levels = [label for label in levels if label != NOT_APPLICABLE]
    named = len([label for label in graded_levels if label not in (NO_LEVEL, NOT_GRADED)])
    by_township = township_counts(stats, rid, levels)
    bars = [(township, counts[: len(graded_levels)]) for township, counts, _ in by_township]
    return {
        "id": rid, "name": stats.ruleset_names[rid], "levels": levels, "eligible": eligible,
        "overall": [stats.level_counts[rid][label] for label in levels],
        "total": sum(stats.level_counts[rid].values()), "applies": stats.applies_count(rid),
        "not_applicable": stats.level_counts[rid][NOT_APPLICABLE],
        "by_township": by_township,
        "bars": stacked_bars([row for row in bars if sum(row[1])], graded_levels, named, bars_note(stats, rid)) if stats.applies_count(rid) else None,
        "chart": histogram(scores, stats.max_scores.get(rid, 100.0)) if scores else None,
        "mean": statistics.fmean(scores) if scores else None,
        "median": statistics.median(scores) if scores else None,
        "missed": [missed_view(stat, eligible) for stat in stats.most_missed(rid)],
    }


def bars_note(stats: CountyStats, rid: str) -> str:
    """What the level bars leave out: the unions the standard does not apply to."""
    left_out = stats.level_counts[rid][NOT_APPLICABLE]
    return f"（单位：家；不含{NOT_APPLICABLE}本标准的 {left_out} 家）" if left_out else "（单位：家）"


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
