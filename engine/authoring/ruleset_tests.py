"""Ruleset tests: known unions with expected results, inline under `tests:` or in a tests file beside the ruleset
(`<id>.tests.yaml`, or named after the ruleset file: `my-county.tests.yaml`); a variant also runs the tests of
the rulesets it extends (engine/authoring/inherited.py)."""
from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, DiagnosticList, InvalidInput, Mark
from ..evaluate.assessment import Evaluator, assess_union
from ..evaluate.result import ItemScore, LevelRef, RulesetRef, RulesetResult
from ..facts.fact_file import FactFile, check_period, flatten, union_fields
from ..language.expressions import to_source
from ..language.model import Ruleset
from ..language.yamlload import MarkedDict, load_yaml, mark_at
from ..load.loader import read_file
from ..load.schema import validate
from ..values import exact, fmt_number, round_half_up
from .inherited import Skipped, inherit

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
    source: str = ""  # inherited: the id of the ruleset whose test it is

    @property
    def title(self) -> str:
        """The name `test` prints: 「（继承 zhijia）入会率恰好 95%」 for an inherited test."""
        return f"（继承 {self.source}）{self.name}" if self.source else self.name

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


def case_union(holder: Any, problems: DiagnosticList) -> dict[str, Any]:
    """The union fields a test (or the defaults) gives, read as a fact file's are: `type: 机关` is government."""
    return union_fields(holder, problems) if holder.get("union") else {}


def make_test(raw: Any, defaults: Any, mark: Mark, problems: DiagnosticList) -> RulesetTest:
    """One case; its facts override the defaults' fact by fact (null: the fact is absent)."""
    default_facts, default_marks = case_facts(defaults, problems)
    own_facts, own_marks = case_facts(raw, problems)
    defaults = defaults or {}
    return RulesetTest(
        name=raw["name"], mark=mark,
        union={**DEFAULT_UNION, **case_union(defaults, problems), **case_union(raw, problems)},
        period=check_period(raw if "period" in raw else defaults, problems) or 2025,
        facts={**default_facts, **own_facts},
        expect=raw["expect"], results={**(defaults.get("results") or {}), **(raw.get("results") or {})},
        as_of=as_of_date(raw if "as_of" in raw else defaults, problems), marks={**default_marks, **own_marks},
    )


@dataclass(frozen=True)
class Suite:
    """A ruleset's tests: its own, then those it inherits; the inherited ones that do not run; where it looked."""

    tests: tuple[RulesetTest, ...]
    skipped: tuple[Skipped, ...] = ()
    files: tuple[Path, ...] = ()  # the tests files looked for beside the ruleset


def load_suite(ruleset: Ruleset) -> Suite:
    """Every test of a ruleset (see the module); every problem at once as `InvalidInput`."""
    path, problems = Path(ruleset.path), DiagnosticList()
    own = file_tests(path, ruleset.id, problems, inline_checked=True)
    problems.extend([d for test in own for d in (*unknown_ids(test, ruleset), *unused_results(test, ruleset))])
    inherited = inherit(ruleset, lambda parent, source: file_tests(parent, source, problems))
    problems.raise_if_errors()
    return Suite(tuple(own + inherited.tests), tuple(inherited.skipped), tests_files(path, ruleset.id))


def load_tests(ruleset: Ruleset) -> tuple[RulesetTest, ...]:
    """A ruleset's tests, its own and those it inherits (`load_suite`)."""
    return load_suite(ruleset).tests


def no_tests(ruleset: Ruleset, suite: Suite) -> list[Diagnostic]:
    """`tests-none`: a ruleset with no test of its own and none inherited (a warning; `--strict`: an error)."""
    if suite.tests:
        return []
    where = "、".join(path.name for path in suite.files)
    message = f"规则集 “{ruleset.id}” 没有测试用例：在 tests: 下编写，或放在同目录的 {where} 中"
    return [Diagnostic(Mark(ruleset.path, 1, 1), "tests-none", message, "warning")]


def tests_files(path: Path, ruleset_id: str) -> tuple[Path, ...]:
    """`<id>.tests.yaml` beside the ruleset, and `<file name>.tests.yaml` when the file is named otherwise."""
    return tuple(dict.fromkeys(path.parent / f"{name}.tests.yaml" for name in (ruleset_id, path.stem)))


def file_tests(path: Path, ruleset_id: str, problems: DiagnosticList, inline_checked: bool = False) -> list[RulesetTest]:
    """The tests written for one ruleset file: inline under `tests:`, then those of its tests files.
    Inline tests are checked by the ruleset's schema when it loads; a parent's are checked here."""
    raw = read_file(path)
    inline = raw.get("tests")
    if not inline_checked and inline is not None and checked(raw, problems):
        inline = None
    tests = [make_test(t, {}, mark_at(raw, ("tests", i)), problems) for i, t in enumerate(inline or ())]
    for sibling in tests_files(path, ruleset_id):
        tests += sibling_tests(sibling, problems)
    return tests


def checked(raw: MarkedDict, problems: DiagnosticList) -> bool:
    """Whether a file's inline tests break the tests schema (the problems are reported)."""
    holder = MarkedDict(tests=raw["tests"])
    holder.mark, holder.key_marks["tests"], holder.value_marks["tests"] = raw.mark, raw.key_marks["tests"], raw.value_marks["tests"]
    found = validate(holder, "tests.schema.json")
    problems.extend(found)
    return bool(found)


def unknown_ids(test: RulesetTest, ruleset: Ruleset) -> Iterable[Diagnostic]:
    """Levels, items and vetoes a test expects that the ruleset does not have, with the closest id."""
    expect = test.expect
    named = [("level", "等级", [expect["level"]] if expect.get("level") is not None else [], [lv.id for lv in ruleset.levels])]
    named += [(key, "指标", list(expect.get(key) or {}), list(ruleset.item_index)) for key in ("items", "outcomes")]
    named += [("candidates", "等级", list(expect.get("candidates") or ()), [lv.id for lv in ruleset.levels if lv.cohort])]
    named += [("vetoes", "否决项", list(expect.get("vetoes") or ()), [v.id for v in ruleset.vetoes])]
    for key, what, given, known in named:
        for value in (str(v) for v in given if str(v) not in known):
            close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
            hint = f"，是否应为 “{close[0]}”？" if close else f"（{what}：{'、'.join(known) or '无'}）"
            at = mark_at(expect, (key, value) if key in ("items", "outcomes") else (key,), key=key in ("items", "outcomes"))
            yield Diagnostic(at if at.line else test.mark, "test-unknown-id", f"用例 “{test.name}” 的 expect.{key} 中 “{value}” 不是本规则集的{what} id{hint}", "error", len(value))


def unused_results(test: RulesetTest, ruleset: Ruleset) -> Iterable[Diagnostic]:
    """`results:` given for a ruleset this one does not use: it would stand in for nothing, silently."""
    for key in (key for key in test.results if key not in ruleset.uses):
        message = f"用例 “{test.name}” 的 results 中 “{key}” 不是本规则集 uses 的规则集（uses：{'、'.join(ruleset.uses) or '无'}）"
        yield Diagnostic(test.mark, "test-unknown-id", message)


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
        found.append(f"level：期望 {as_written(expect['level'])}，实际 {as_written(actual_level)}")
    candidates = sorted(place.level for place in result.cohort.places) if result.cohort else []
    if "candidates" in expect and candidates != sorted(expect["candidates"]):
        found.append(f"candidates：期望 {as_written(sorted(expect['candidates']))}，实际 {as_written(candidates)}")
    if "eligible" in expect and result.eligible != expect["eligible"]:
        found.append(f"eligible：期望 {as_written(expect['eligible'])}，实际 {as_written(result.eligible)}")
    if "vetoes" in expect and sorted(result.veto_ids) != sorted(expect["vetoes"]):
        found.append(f"vetoes：期望 {as_written(sorted(expect['vetoes']))}，实际 {as_written(sorted(result.veto_ids))}")
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


def as_written(value: Any) -> str:
    """A value as the tests file writes it: `true`, `[veto.accident]`; no level (null) is 「无」."""
    if value is None:
        return "无"
    if isinstance(value, list):
        return f"[{', '.join(map(as_written, value))}]"
    return to_source(value)


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
    return run_suite(load_suite(ruleset), ruleset, available, evaluator)


def run_suite(suite: Suite, ruleset: Ruleset, available: list[Ruleset], evaluator: Evaluator) -> list[TestOutcome]:
    return [run_test(test, ruleset, available, evaluator) for test in suite.tests]


def run_test(test: RulesetTest, ruleset: Ruleset, available: list[Ruleset], evaluator: Evaluator) -> TestOutcome:
    """One test: assess its union (used rulesets stubbed where the test says) and compare."""
    stubs = {key: stub_result(key, spec) for key, spec in test.results.items()}
    try:
        results = assess_union(available, test.fact_file(), evaluator, test.as_of, stubs)
        result = next(r for r in results if r.ruleset.id == ruleset.id)
    except InvalidInput as exc:
        return TestOutcome(ruleset.id, test.title, [d.render(with_source=False) for d in exc.diagnostics])
    return TestOutcome(ruleset.id, test.title, mismatches(result, test.expect), result)
