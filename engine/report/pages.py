"""Reports for people: the county's page (report.html) and each union's own report (HTML, Markdown).

Pages are self-contained: inline CSS and SVG, no scripts, fonts or other network resources,
so they open from a folder, a USB stick or an e-mail attachment, and print cleanly.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..atomic import atomic_path
from ..language.vocabulary import union_type_text
from .county import CountyStats, ItemStat, failed_required, fmt_score, level_label


# HTML templates escape every value; the Markdown template escapes table cells itself.
class ViewEnvironment(Environment):
    """Templates read plain dicts (`r.score`): look the key up first. Jinja's default tries the
    attribute first and pays for an AttributeError on every lookup (a quarter of page time)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


ENV = ViewEnvironment(loader=PackageLoader("engine.report", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
ENV.filters["score"] = fmt_score

SAFE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
RESERVED_STEMS = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10))})


def union_file_stem(union_id: str) -> str:
    """A file name stem for a union's page, safe in file names and URLs on every system.

    ASCII letters, digits, - and _ stay; every other UTF-8 byte becomes ~XX (so distinct ids
    give distinct stems); Windows device names get a trailing ~.
    """
    stem = "".join(c if c in SAFE_CHARACTERS else "".join(f"~{b:02X}" for b in c.encode()) for c in union_id)
    return stem + "~" if stem.upper() in RESERVED_STEMS or not stem else stem


# --- score distribution chart ---------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 22, 48


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    """Geometry of a histogram drawn by the template as inline SVG."""

    width: int
    height: int
    left: int
    top: int
    plot_width: float
    plot_height: float
    bars: list[Bar]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]


def tick_step(largest: int) -> int:
    """1, 2, 5, 10, 20, 50, … : the smallest step giving at most 5 ticks above 0."""
    step = 1
    while math.ceil(largest / step) > 5:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step


def band_of(score: float, band: float, bins: int, max_score: float) -> int:
    """Bands are [0, 10), [10, 20), … [90, 100] for max 100; a bonus above it falls in (100, 110], …"""
    if score <= max_score:
        return min(int(score // band), bins - 1)
    return bins + math.ceil((score - max_score) / band) - 1


def histogram(scores: list[float], max_score: float, bins: int = 10) -> Chart:
    """Counts per score band (width max_score / bins)."""
    band = max_score / bins
    count = max(bins, 1 + max((band_of(score, band, bins, max_score) for score in scores), default=0))
    counts = [0] * count
    for score in scores:
        counts[band_of(score, band, bins, max_score)] += 1
    step = tick_step(max(max(counts), 1))
    top = step * math.ceil(max(max(counts), 1) / step)
    plot_width, plot_height = CHART_WIDTH - LEFT - RIGHT, CHART_HEIGHT - TOP - BOTTOM
    width = plot_width / count
    bars = [Bar(LEFT + i * width, TOP + plot_height * (1 - n / top), width, plot_height * n / top, n,
                f"{fmt_score(i * band)}–{fmt_score((i + 1) * band)}") for i, n in enumerate(counts)]
    x_ticks = [(LEFT + i * width, fmt_score(i * band)) for i in range(count + 1)]
    y_ticks = [(TOP + plot_height * (1 - v / top), v) for v in range(0, top + 1, step)]
    return Chart(CHART_WIDTH, CHART_HEIGHT, LEFT, TOP, plot_width, plot_height, bars, x_ticks, y_ticks)


# --- county report --------------------------------------------------------------------------------

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


# --- one union's report ---------------------------------------------------------------------------

def union_view(record: dict[str, Any]) -> dict[str, Any]:
    union = record["union"]
    return {
        "name": union.get("name") or union["id"], "id": union["id"], "type": union_type_text(union.get("type")),
        "township": union.get("township") or "—", "period": union.get("period"), "as_of": record.get("as_of") or "—",
        "results": [result_view(result) for result in record["results"]],
    }


def result_view(result: dict[str, Any]) -> dict[str, Any]:
    reasons = {item["id"]: item["reason"] for item in result["items"]}
    gaps = sorted(result["gaps"], key=lambda gap: -gap["points_lost"])
    return {
        "name": result["ruleset"]["name"], "version": result["ruleset"]["version"],
        "score": result["score"], "max_score": result["max_score"], "bonus": result["bonus"],
        "level": level_label(result), "eligible": result["eligible"], "notes": result["notes"],
        "vetoes": [veto["name"] for veto in result["veto_details"]], "required_failed": failed_required(result),
        "sections": [{**s, "share": 100 * s["points"] / s["max_points"] if s["max_points"] else 100} for s in result["sections"]],
        "gaps": [{**gap, "reason": reasons.get(gap["item"], "")} for gap in gaps],
        "lost": sum(gap["points_lost"] for gap in gaps), "plan": result.get("plan"),
    }


def union_report_html(record: dict[str, Any], view: dict[str, Any] | None = None) -> str:
    """A union's own report as a self-contained, printable page linking back to ../report.html."""
    return ENV.get_template("union.html").render(u=view or union_view(record))


def union_report_markdown(record: dict[str, Any], view: dict[str, Any] | None = None) -> str:
    """A union's own report as Markdown, ready to send to the union."""
    return ENV.get_template("union.md").render(u=view or union_view(record), cell=markdown_cell)


def union_pages(record: dict[str, Any]) -> dict[str, str]:
    """Both forms of a union's report, by file suffix."""
    view = union_view(record)
    return {"html": union_report_html(record, view), "md": union_report_markdown(record, view)}


def markdown_cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
