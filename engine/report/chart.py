"""The score distribution of a county as a histogram, drawn by the county report as inline SVG."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..evaluate.result import NO_LEVEL
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


# --- level distributions by township: a stacked horizontal bar chart --------------------------------

LEVEL_COLOURS = ("#2f7d4f", "#6aa84f", "#b5c94c", "#e3b341", "#e07b39", "#c8553d", "#9e2a2b")  # best → worst
NO_LEVEL_COLOUR, NOT_GRADED_COLOUR = "#7a3b3b", "#aab4be"
BAR_HEIGHT, BAR_GAP, FONT = 18, 7, 12
LEGEND_ROW, SWATCH = 20, 12


def text_px(text: str, size: float = FONT) -> float:
    """How wide a label draws: a CJK character is about one em, anything else about half."""
    return sum(size if ord(c) > 0x2E7F else size * 0.58 for c in text)


def level_colours(labels: list[str], named: int) -> list[str]:
    """Colours of the level labels: the `named` levels (highest first) from green to red, spread over the
    palette; then 未达到任何等级 dark red and 不参与定级 grey."""
    colours = []
    for index in range(named):
        step = (len(LEVEL_COLOURS) - 1) * index / (named - 1) if named > 1 else 0
        colours.append(LEVEL_COLOURS[round(step)])
    return colours + [NO_LEVEL_COLOUR if label == NO_LEVEL else NOT_GRADED_COLOUR for label in labels[named:]]


def is_dark(colour: str) -> bool:
    """Whether white text reads on a `#rrggbb` fill (its luma below the middle)."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 150


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    width: float
    count: int
    label: str
    colour: str
    dark: bool  # white text on it


@dataclass(frozen=True, slots=True)
class StackedRow:
    name: str
    y: float
    total: int
    segments: list[Segment]


@dataclass(frozen=True, slots=True)
class LegendEntry:
    x: float
    y: float
    label: str
    colour: str | None  # None: a note, without a swatch


@dataclass(frozen=True, slots=True)
class StackedChart:
    """Geometry of a stacked horizontal bar chart (one bar per township), drawn by the template as inline SVG."""

    width: int
    height: int
    left: float
    top: float
    plot_width: float
    plot_height: float
    rows: list[StackedRow]
    x_ticks: list[tuple[float, int]]
    legend: list[LegendEntry]


def stacked_bars(rows: list[tuple[str, list[int]]], labels: list[str], named: int, note: str = "",
                 width: int = CHART_WIDTH) -> StackedChart:
    """One bar per row (township) of `counts` per label, lengths in unions on a shared scale; `labels` are
    the levels highest first, the first `named` of them the ruleset's own; a legend below, ending with `note`."""
    colours = level_colours(labels, named)
    left = 12 + max((text_px(name) for name, _ in rows), default=0)
    right = 36  # room for the total after the longest bar
    top = 8
    plot_width = width - left - right
    plot_height = len(rows) * (BAR_HEIGHT + BAR_GAP)
    largest = max((sum(counts) for _, counts in rows), default=0)
    step = tick_step(max(largest, 1))
    scale_top = step * math.ceil(max(largest, 1) / step)
    bars = []
    for number, (name, counts) in enumerate(rows):
        x, segments = left, []
        for label, count, fill in zip(labels, counts, colours):
            if count:
                length = plot_width * count / scale_top
                segments.append(Segment(x, length, count, label, fill, is_dark(fill)))
                x += length
        bars.append(StackedRow(name, top + number * (BAR_HEIGHT + BAR_GAP) + BAR_GAP / 2, sum(counts), segments))
    x_ticks = [(left + plot_width * v / scale_top, v) for v in range(0, scale_top + 1, step)]
    legend: list[LegendEntry] = []
    x, y = left, top + plot_height + 32
    entries: list[tuple[str, str | None]] = [*zip(labels, colours), *([(note, None)] if note else [])]
    for label, colour in entries:
        needed = (SWATCH + 6 if colour else 0) + text_px(label) + 18
        if x + needed > width and x > left:
            x, y = left, y + LEGEND_ROW
        legend.append(LegendEntry(x, y, label, colour))
        x += needed
    height = math.ceil(y + LEGEND_ROW - 4)
    return StackedChart(width, height, left, top, plot_width, plot_height, bars, x_ticks, legend)
