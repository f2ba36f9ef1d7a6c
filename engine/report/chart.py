"""The score distribution of a county as a histogram, drawn by the county report as inline SVG."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .county import fmt_score

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
