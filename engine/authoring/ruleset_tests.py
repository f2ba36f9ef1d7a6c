"""Ruleset tests: known unions with expected results, inline under `tests:` or in `<id>.tests.yaml`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import DiagnosticList, InvalidInput, Mark
from ..evaluate.assessment import Evaluator, assess_union
from ..evaluate.result import ItemScore, LevelRef, RulesetRef, RulesetResult
from ..facts.fact_file import FactFile, flatten
from ..language.model import Ruleset
from ..language.yamlload import load_yaml, mark_at
from ..load.loader import load_raw
from ..load.schema import validate
from ..values import exact, fmt_number, round_half_up

DEFAULT_UNION = {"id": "TEST", "name": "测试工会", "type": "enterprise"}


@dataclass(frozen=True)
class RulesetTest:
    name: str
    mark: Mark
    union: dict[str, Any]
    period: int
    facts: dict[str, Any]
    expect: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)
    as_of: dt.date | None = None
    marks: dict[str, Mark] = field(default_factory=dict)  # where each fact was given

    def fact_file(self) -> FactFile:
        union = {k: str(v) for k, v in self.union.items()}
        return FactFile(str(self.mark.file), union, self.period, self.facts, self.marks, self.mark)


def as_of_date(holder: Any, problems: DiagnosticList) -> dt.date | None:
    """A test's `as_of`: a YAML date or its YYYY-MM-DD text; anything else is a diagnostic."""
    value = holder.get("as_of")
    if isinstance(value, dt.datetime):
        return value.date()
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.add(mark_at(holder, ("as_of",)), "test-as-of", f"as_of 应为日期（如 2025-06-30），实际为 “{value}”")
        return None


def case_facts(holder: Any, problems: DiagnosticList) -> tuple[dict[str, Any], dict[str, Mark]]:
    """A test's (or the defaults') facts as dotted paths, the same way a fact file reads them."""
    if not holder:
        return {}, {}
    return flatten(holder.get("facts"), mark_at(holder, ("facts",)), problems)


def make_test(raw: Any, defaults: Any, mark: Mark, problems: DiagnosticList) -> RulesetTest:
    """One case; its facts override the defaults' fact by fact (null: the fact is absent)."""
    default_facts, default_marks = case_facts(defaults, problems)
    own_facts, own_marks = case_facts(raw, problems)
    defaults = defaults or {}
    return RulesetTest(
        name=raw["name"], mark=mark,
        union={**DEFAULT_UNION, **(defaults.get("union") or {}), **(raw.get("union") or {})},
        period=raw.get("period", defaults.get("period", 2025)),
        facts={**default_facts, **own_facts},
        expect=dict(raw["expect"]), results={**(defaults.get("results") or {}), **(raw.get("results") or {})},
        as_of=as_of_date(raw if "as_of" in raw else defaults, problems), marks={**default_marks, **own_marks},
    )


def load_tests(ruleset: Ruleset) -> tuple[RulesetTest, ...]:
    """A ruleset's tests: inline under `tests:`, then the sibling `<id>.tests.yaml` if there is one;
    every problem at once as `InvalidInput`."""
    path, problems = Path(ruleset.path), DiagnosticList()
    raw = load_raw(path, problems)
    tests = [make_test(t, {}, mark_at(raw, ("tests", i)), problems) for i, t in enumerate(raw.get("tests", ()))]
    tests += sibling_tests(path.parent / f"{ruleset.id}.tests.yaml", problems)
    problems.raise_if_errors()
    return tuple(tests)


def sibling_tests(path: Path, problems: DiagnosticList) -> list[RulesetTest]:
    if not path.is_file():
        return []
    try:
        data = load_yaml(path)
    except InvalidInput as exc:
        problems.extend(exc.diagnostics)
        return []
    found = validate(data, "tests.schema.json")
    problems.extend(found)
    if found:
        return []
    defaults = data.get("defaults")
    return [make_test(t, defaults, mark_at(data, ("tests", i)), problems) for i, t in enumerate(data["tests"])]


def stub_result(ruleset_id: str, spec: dict) -> RulesetResult:
    """A used ruleset's result as a test states it (level, score, eligible, item outcomes)."""
    level = spec.get("level")
    items = [ItemScore(k, k, "", v, 0, 0, "", {}) for k, v in (spec.get("items") or {}).items()]
    return RulesetResult(
        ruleset=RulesetRef(ruleset_id, ruleset_id), score=exact(spec.get("score", 0)), max_score=100, bonus=0,
        level=LevelRef(level, level) if level else None, eligible=spec.get("eligible", level is not None), vetoes=(),
        required_failed=[], items=items, bonus_items=[], sections=[], gaps=[],
    )


def same_number(actual: Any, expected: Any) -> bool:
    """Equal exactly, or equal once the actual value is rounded to two decimals as shown."""
    wanted = exact(expected)
    return actual == wanted or round_half_up(actual, 2) == wanted


def mismatches(result: RulesetResult, expect: dict) -> list[str]:
    """Each expected field that the result does not meet, as `field: 期望 X，实际 Y`."""
    found = []
    if "score" in expect and not same_number(result.score, expect["score"]):
        found.append(f"score：期望 {expect['score']}，实际 {fmt_number(result.score)}")
    actual_level = result.level.id if result.level else None
    if "level" in expect and actual_level != expect["level"]:
        found.append(f"level：期望 {expect['level']}，实际 {actual_level}")
    if "eligible" in expect and result.eligible != expect["eligible"]:
        found.append(f"eligible：期望 {expect['eligible']}，实际 {result.eligible}")
    if "vetoes" in expect and sorted(result.veto_ids) != sorted(expect["vetoes"]):
        found.append(f"vetoes：期望 {sorted(expect['vetoes'])}，实际 {sorted(result.veto_ids)}")
    scored = {i.id: i for i in result.items + result.bonus_items}
    for item_id, points in (expect.get("items") or {}).items():
        actual = scored.get(item_id)
        if actual is None or not same_number(actual.points, points):
            found.append(f"items.{item_id}：期望 {points} 分，实际 {fmt_number(actual.points) if actual else '无此指标'}")
    for item_id, outcome in (expect.get("outcomes") or {}).items():
        actual = scored.get(item_id)
        if actual is None or actual.outcome != outcome:
            found.append(f"outcomes.{item_id}：期望 {outcome}，实际 {actual.outcome if actual else '无此指标'}")
    return found


@dataclass(frozen=True)
class TestOutcome:
    ruleset: str
    name: str
    problems: list[str]
    result: RulesetResult | None = field(default=None, compare=False)  # None when the union could not be assessed

    @property
    def passed(self) -> bool:
        return not self.problems


def run_tests(ruleset: Ruleset, available: list[Ruleset], evaluator: Evaluator) -> list[TestOutcome]:
    """Run every test of `ruleset`; `available` holds it and the rulesets it uses, dependencies first."""
    return [run_test(test, ruleset, available, evaluator) for test in load_tests(ruleset)]


def run_test(test: RulesetTest, ruleset: Ruleset, available: list[Ruleset], evaluator: Evaluator) -> TestOutcome:
    """One test: assess its union (used rulesets stubbed where the test says) and compare."""
    stubs = {key: stub_result(key, spec) for key, spec in test.results.items()}
    try:
        results = assess_union(available, test.fact_file(), evaluator, test.as_of, stubs)
        result = next(r for r in results if r.ruleset.id == ruleset.id)
    except InvalidInput as exc:
        return TestOutcome(ruleset.id, test.name, [d.render(with_source=False) for d in exc.diagnostics])
    return TestOutcome(ruleset.id, test.name, mismatches(result, test.expect), result)
