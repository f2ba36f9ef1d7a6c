"""Test coverage: which parts of a ruleset its own tests reach (`unionscore test --coverage`).

Measured from the results the tests' unions really get, one ruleset at a time, counting every
test that could be assessed (passing or failing). A part is *reached* when:

| part | reached when some test … |
| --- | --- |
| item (bonus items too) | gives it full points (`pass`) and some test makes it lose points by its own rule (`partial` or `fail`); `missing` and `n/a` show neither |
| tier | lands on it: it is the first tier that holds (for an item scored around a target: lands above it, or below) |
| deduction (of an item or a section) | takes points |
| veto | fires |
| level | is the level the union gets; a level held by rank in a cohort: the union qualifies for it (its rank needs other unions) |

A ruleset's coverage is the share of all its parts that are reached (100% when it has none).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..evaluate.result import ItemScore, RulesetResult
from ..language.model import Item, Ruleset
from ..values import Fraction

KIND_TEXT = {"item": "指标", "tier": "档次", "deduction": "扣分项", "veto": "否决项", "level": "等级"}
LOSING = ("partial", "fail")


@dataclass(frozen=True, slots=True)
class Part:
    """One thing a test can reach: `key` is an id, or `item-id#n` for the n-th tier or deduction."""

    kind: str
    key: str
    label: str


def item_parts(item: Item) -> list[Part]:
    parts = [Part("item", item.id, item.name)]
    for n, branch in enumerate(item.kind.branches(), 1):
        parts.append(Part("tier", f"{item.id}#{n}", f"{item.name} {branch}"))
    for n, deduction in enumerate(item.deduct, 1):
        parts.append(Part("deduction", f"{item.id}#{n}", f"{item.name}：{deduction.name}"))
    return parts


def parts_of(ruleset: Ruleset) -> list[Part]:
    """Every part of a ruleset, in file order within each kind."""
    items = ruleset.every_item()
    found = [part for item in items for part in item_parts(item)]
    found += [Part("deduction", f"{section.id}#{n}", f"{section.name}：{deduction.name}")
              for section in ruleset.all_sections() for n, deduction in enumerate(section.deduct, 1)]
    found += [Part("veto", veto.id, veto.name) for veto in ruleset.vetoes]
    found += [Part("level", level.id, level.name) for level in ruleset.levels]
    return sorted(found, key=lambda part: list(KIND_TEXT).index(part.kind))


def reached_by(score: ItemScore) -> set[tuple[str, str]]:
    """The (kind, key) pairs one item's score reaches, the item itself aside."""
    found = {("tier", f"{score.id}#{score.branch + 1}")} if score.branch is not None else set()
    return found | {("deduction", f"{score.id}#{n + 1}") for n in score.deductions}


def reached(results: Iterable[RulesetResult]) -> set[tuple[str, str]]:
    """Every (kind, key) the results reach."""
    found: set[tuple[str, str]] = set()
    outcomes: dict[str, set[str]] = {}
    for result in results:
        found |= {("veto", veto) for veto in result.veto_ids}
        found |= {("level", result.level.id)} if result.level else set()
        found |= {("level", place.level) for place in result.cohort.places} if result.cohort else set()
        found |= {("deduction", f"{section.id}#{n + 1}") for section in result.sections for n in section.deductions}
        for score in result.items + result.bonus_items:
            found |= reached_by(score)
            outcomes.setdefault(score.id, set()).add(score.outcome)
    return found | {("item", key) for key, seen in outcomes.items() if "pass" in seen and seen & set(LOSING)}


@dataclass(frozen=True)
class Coverage:
    """The parts of one ruleset and which of them its tests reach."""

    ruleset: Ruleset
    parts: tuple[Part, ...]
    reached: frozenset[Part]

    def share(self, kind: str | None = None) -> tuple[int, int]:
        """(reached, total) for one kind of part, or for all."""
        chosen = [p for p in self.parts if kind in (None, p.kind)]
        return sum(p in self.reached for p in chosen), len(chosen)

    @property
    def percent(self) -> Fraction:
        done, total = self.share()
        return Fraction(100 * done, total) if total else Fraction(100)

    def unreached(self) -> list[Part]:
        return [p for p in self.parts if p not in self.reached]


def measure(ruleset: Ruleset, results: Iterable[RulesetResult]) -> Coverage:
    """The coverage of a ruleset by the results of its tests."""
    found = reached(results)
    parts = parts_of(ruleset)
    return Coverage(ruleset, tuple(parts), frozenset(p for p in parts if (p.kind, p.key) in found))


def why_unreached(part: Part) -> str:
    return {"item": "没有用例使它既得满分又失分", "tier": "没有用例落在这一档", "deduction": "没有用例触发这项扣分",
            "veto": "没有用例触发", "level": "没有用例评为这一等级"}[part.kind]


def percent_text(value: Fraction) -> str:
    """One decimal, rounded down, so that a share below a threshold never prints as reaching it."""
    tenths = value.numerator * 10 // value.denominator
    return f"{tenths // 10}.{tenths % 10}%"


def render(coverage: Coverage) -> str:
    """The coverage report of one ruleset, in Chinese: the share of each kind, then what no test reaches."""
    done, total = coverage.share()
    kinds = "，".join(f"{text} {'/'.join(map(str, coverage.share(kind)))}" for kind, text in KIND_TEXT.items())
    lines = [f"覆盖率 {coverage.ruleset.id}（{coverage.ruleset.name}）：{percent_text(coverage.percent)}（{done}/{total}）", f"  {kinds}"]
    missed = coverage.unreached()
    if missed:
        lines.append("  未覆盖：")
        lines += [f"    {KIND_TEXT[p.kind]} {p.key} {p.label}：{why_unreached(p)}" for p in missed]
    return "\n".join(lines)


def below(coverages: Iterable[Coverage], minimum: float) -> list[Coverage]:
    """The rulesets whose coverage is under `minimum` percent."""
    return [c for c in coverages if c.percent < Fraction(str(minimum))]
