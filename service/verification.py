"""Reconciliation: a union's self-report against the inspection's verified record, item by item.

The self-report is the union's latest submitted (or imported) version; the verified record is the
latest verified version made after it (a union that submits again after an inspection starts a new
self-report, which is then checked again). Both results are `assess --format json` documents, so
the comparison reads them only: per standard the score and level each gives, the sections' points
side by side, and the items whose points or outcome changed, each with the facts it read that
differ. A round has several standards and an item id can be in more than one of them
(zuzhi.membership), so everything is per standard, in the round's order.

The county's figures count, per standard, the unions whose self-report scored above (over-reported)
or below the verified record, by how many points, and how often each item was over-reported.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q

from engine.language.model import Caption
from engine.values import Fraction, fmt_value

from .models import Entry, Round, Version
from .result_page import level_text, number
from .selfcheck_form import shown_value

SELF_KINDS = (Version.Kind.SUBMITTED, Version.Kind.IMPORTED)


@dataclass(frozen=True, slots=True)
class FactChange:
    fact: str
    self: Any
    verified: Any


@dataclass(frozen=True, slots=True)
class ItemChange:
    """An item whose points or outcome the inspection changed."""

    id: str
    name: str
    section: str
    self_points: float
    verified_points: float
    self_outcome: str
    verified_outcome: str
    facts: tuple[FactChange, ...]

    @property
    def difference(self) -> float:
        return round(self.verified_points - self.self_points, 2)


@dataclass(frozen=True, slots=True)
class Standing:
    score: float | None
    level: str | None  # the level's id; None when the standard does not apply or no level is reached
    level_name: str  # as the pages say it: the level's name, 未达到任何等级, 不参与定级, 不适用


@dataclass(frozen=True, slots=True)
class SectionPair:
    name: str
    self_points: float
    verified_points: float
    max_points: float


@dataclass(frozen=True, slots=True)
class StandardReconciliation:
    ruleset: str
    name: str
    self: Standing
    verified: Standing
    sections: tuple[SectionPair, ...]
    items: tuple[ItemChange, ...]

    @property
    def difference(self) -> float:
        return round((self.verified.score or 0) - (self.self.score or 0), 2)

    @property
    def difference_text(self) -> str:
        """「+2」「-12」「0」: the verified score against the self-reported one."""
        return ("+" if self.difference > 0 else "") + number(self.difference)


@dataclass(frozen=True)
class Reconciliation:
    """The self-report's version, the verified one (None before any inspection: then both are the same)."""

    self_version: Version
    verified_version: Version | None
    standards: tuple[StandardReconciliation, ...]
    notes: dict[str, dict[str, str]] = field(default_factory=dict)


# the two versions --------------------------------------------------------------------------------
def self_version(entry: Entry) -> Version | None:
    """The union's own record: its latest submitted or imported version."""
    return entry.versions.filter(kind__in=SELF_KINDS, result__isnull=False).order_by("-number").first()


def verified_version(entry: Entry, own: Version | None) -> Version | None:
    """The latest verified version made after the self-report (or without one, the latest), up to the version published:
    a task closed (销号) after publication records its facts as a verified version, but it is no inspection."""
    found = entry.versions.filter(kind=Version.Kind.VERIFIED, result__isnull=False)
    if own is not None:
        found = found.filter(number__gt=own.number)
    published = entry.published.order_by("-publication__created_at", "-pk").values_list("version__number", flat=True).first()
    if published is not None:
        found = found.filter(number__lte=published)
    return found.order_by("-number").first()


def reconciliation(entry: Entry) -> Reconciliation | None:
    """The entry's reconciliation; None when the union has not submitted."""
    own = self_version(entry)
    if own is None:
        return None
    checked = verified_version(entry, own)
    standards = reconcile(own.result, (checked or own).result)
    return Reconciliation(own, checked, tuple(standards), notes_since(entry, own, checked))


def notes_since(entry: Entry, own: Version, checked: Version | None) -> dict[str, dict[str, str]]:
    """The inspection's notes on each changed fact, over every verification since the self-report (the latest wins)."""
    if checked is None:
        return {}
    notes: dict[str, dict[str, str]] = {}
    for version in entry.versions.filter(kind=Version.Kind.VERIFIED, number__gt=own.number, number__lte=checked.number).order_by("number"):
        notes.update(version.notes)
    return notes


# comparing two results ---------------------------------------------------------------------------
def reconcile(own: dict[str, Any], checked: dict[str, Any]) -> list[StandardReconciliation]:
    """Per standard (in the results' order), the self-report's result against the verified one."""
    theirs = {r["ruleset"]["id"]: r for r in checked.get("results", [])}
    return [standard(mine, theirs[mine["ruleset"]["id"]]) for mine in own.get("results", []) if mine["ruleset"]["id"] in theirs]


def standard(mine: dict[str, Any], theirs: dict[str, Any]) -> StandardReconciliation:
    ruleset = mine["ruleset"]
    sections = {s["id"]: s for s in theirs.get("sections", [])}
    pairs = tuple(SectionPair(s["name"], s["points"], sections[s["id"]]["points"], s["max_points"])
                  for s in mine.get("sections", []) if s["id"] in sections)
    applies = mine.get("applies", True) or theirs.get("applies", True)  # a standard that applies to neither: nothing to compare
    return StandardReconciliation(ruleset["id"], ruleset.get("name", ruleset["id"]), standing(mine), standing(theirs),
                                  pairs if applies else (), tuple(changed_items(mine, theirs)) if applies else ())


def standing(result: dict[str, Any]) -> Standing:
    applies = result.get("applies", True)
    return Standing(result.get("score") if applies else None, (result.get("level") or {}).get("id") if applies else None,
                    level_text(result))


def all_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [*result.get("items", []), *result.get("bonus_items", [])]


def changed_items(mine: dict[str, Any], theirs: dict[str, Any]) -> Iterable[ItemChange]:
    """The items whose points or outcome differ, in the standard's order."""
    verified = {item["id"]: item for item in all_items(theirs)}
    for item in all_items(mine):
        other = verified.get(item["id"])
        if other is None or (item["points"] == other["points"] and item["outcome"] == other["outcome"]):
            continue
        yield ItemChange(item["id"], item["name"], item.get("section", ""), item["points"], other["points"], item["outcome"],
                         other["outcome"], tuple(fact_changes(item.get("facts", {}), other.get("facts", {}))))


def fact_changes(mine: dict[str, Any], theirs: dict[str, Any]) -> list[FactChange]:
    """The facts an item read (and the values it derived from them) that differ."""
    return [FactChange(name, mine.get(name), theirs.get(name)) for name in dict.fromkeys([*mine, *theirs])
            if mine.get(name) != theirs.get(name)]


# as the pages show them ---------------------------------------------------------------------------
def fact_row(change: FactChange, decls: dict[str, Any], captions: dict[str, Caption]) -> tuple[str, str, str]:
    decl = decls.get(change.fact)
    if decl is None:  # a value the item derived (membership_rate): named and written as the standard's reasons write it
        caption = captions.get(change.fact, Caption(change.fact))
        return caption.label, shown(change.self, caption.unit), shown(change.verified, caption.unit)
    return decl.label, shown_value(decl, change.self), shown_value(decl, change.verified)


def shown(value: Any, unit: str = "") -> str:
    if value is None:
        return "未填"
    if isinstance(value, float):
        return fmt_value(Fraction(value), unit)
    return {True: "是", False: "否"}.get(value, str(value)) if isinstance(value, bool) else fmt_value(value, unit)


def changes_shown(found: Reconciliation, decls: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """Each fact the inspection changed, in the order the rulesets declare them (PostgreSQL keeps no key order):
    label, self-reported, verified, method, note."""
    if found.verified_version is None:
        return []
    mine, theirs = found.self_version.facts.get("facts", {}), found.verified_version.facts.get("facts", {})
    rows = []
    order = {name: index for index, name in enumerate(decls)}
    for name, note in sorted(found.notes.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0])):
        change = FactChange(name, mine.get(name), theirs.get(name))
        rows.append((*fact_row(change, decls, {}), note.get("method", ""), note.get("note", "")))  # notes are on declared facts
    return rows


def as_json(found: Reconciliation) -> dict[str, Any]:
    """The API's form: per standard, {"ruleset", "name", "self", "verified", "items"} (see docs/decisions.md)."""
    return {"self_version": found.self_version.number,
            "verified_version": found.verified_version.number if found.verified_version else None,
            "notes": found.notes, "rulesets": [standard_json(s) for s in found.standards]}


def standard_json(s: StandardReconciliation) -> dict[str, Any]:
    return {"ruleset": s.ruleset, "name": s.name,
            "self": {"score": s.self.score, "level": s.self.level, "level_name": s.self.level_name},
            "verified": {"score": s.verified.score, "level": s.verified.level, "level_name": s.verified.level_name},
            "items": [{"id": i.id, "name": i.name, "self_points": i.self_points, "verified_points": i.verified_points,
                       "self_outcome": i.self_outcome, "verified_outcome": i.verified_outcome,
                       "facts": [{"fact": f.fact, "self": f.self, "verified": f.verified} for f in i.facts]} for i in s.items]}


# the county's figures ----------------------------------------------------------------------------
@dataclass
class StandardFigures:
    """One standard across the county's verified unions."""

    ruleset: str
    name: str
    verified: int = 0
    over: int = 0  # self-reported score above the verified one
    under: int = 0
    points_over: float = 0.0  # the over-reporting unions' points, summed
    largest: float = 0.0
    items: Counter[tuple[str, str]] = field(default_factory=Counter)  # (item id, name) → unions that over-reported it

    @property
    def points_over_text(self) -> str:
        return number(self.points_over)

    @property
    def largest_text(self) -> str:
        return number(self.largest)

    @property
    def average_over(self) -> str:
        return number(round(self.points_over / self.over, 2)) if self.over else "—"

    def most_often(self, limit: int = 10) -> list[tuple[str, str, int]]:
        return [(item, name, count) for (item, name), count in self.items.most_common(limit)]

    def add(self, found: StandardReconciliation) -> None:
        self.verified += 1
        gap = -found.difference
        if gap > 0:
            self.over += 1
            self.points_over = round(self.points_over + gap, 2)
            self.largest = max(self.largest, gap)
        elif gap < 0:
            self.under += 1
        for item in found.items:
            if item.self_points > item.verified_points:
                self.items[item.id, item.name] += 1


def county_figures(round_: Round, names: dict[str, str]) -> list[StandardFigures]:
    """Per standard of the round, over the entries that have a verification (read one at a time: results are large)."""
    figures = {rid: StandardFigures(rid, names.get(rid, rid)) for rid in round_.ruleset_ids()}
    inspected = round_.entries.annotate(
        checked=Max("versions__number", filter=Q(versions__kind=Version.Kind.VERIFIED))).filter(checked__isnull=False)
    for entry in inspected.iterator():
        found = reconciliation(entry)
        if found is None or found.verified_version is None:
            continue
        for one in found.standards:
            if one.ruleset in figures and one.self.score is not None and one.verified.score is not None:
                figures[one.ruleset].add(one)
    return list(figures.values())



# the chart: the items most often over-reported, as horizontal bars in inline SVG --------------------
CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, GAP, TOP, BOTTOM = 640, 300, 18, 6, 8, 34


@dataclass(frozen=True, slots=True)
class Bar:
    y: float
    width: float
    label: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class ItemChart:
    """The geometry the template draws (the county report's chart style: engine/report/chart.py)."""

    width: int
    height: int
    left: int
    plot_width: float
    plot_height: float
    bar_height: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, int], ...]


def item_chart(rows: list[tuple[str, str, int]]) -> ItemChart | None:
    """Bars of the number of unions that over-reported each item (the most frequent first)."""
    if not rows:
        return None
    largest = max(count for _, _, count in rows)
    step = max(1, -(-largest // 5))
    top = step * -(-largest // step)
    plot_width = CHART_WIDTH - LABEL_WIDTH - 24
    bars = tuple(Bar(TOP + index * (BAR_HEIGHT + GAP), plot_width * count / top, short(name), name, count)
                 for index, (_, name, count) in enumerate(rows))
    plot_height = len(rows) * (BAR_HEIGHT + GAP)
    ticks = tuple((LABEL_WIDTH + plot_width * value / top, value) for value in range(0, top + 1, step))
    return ItemChart(CHART_WIDTH, int(TOP + plot_height + BOTTOM), LABEL_WIDTH, plot_width, plot_height, BAR_HEIGHT, bars, ticks)


def short(name: str, limit: int = 22) -> str:
    """An item's name cut to fit beside its bar (the whole name is in the table and the bar's tooltip)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"
