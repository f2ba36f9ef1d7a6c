"""Assessing one union: facts → environment → condition truths (durable-rules or oracle) → scores."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Protocol

from ..diagnostics import Diagnostic, InvalidInput
from ..facts.fact_file import FactFile, fact_checker
from ..language.conditions import oracle_truths
from ..language.expr_eval import Env
from ..language.model import Ruleset
from ..values import Null
from .result import RulesetResult
from .scoring import assess_ruleset


class Evaluator(Protocol):
    def truths(self, ruleset: Ruleset, values: list[Any]) -> list[Any]: ...


class OracleEvaluator:
    """Pure Python: evaluates the compiled conditions directly (the test oracle)."""

    def truths(self, ruleset: Ruleset, values: list[Any]) -> list[Any]:
        return oracle_truths(ruleset.conditions, values)


class DurableEvaluator:
    """durable-rules fires the compiled rules; one registered durable ruleset per loaded ruleset."""

    def __init__(self) -> None:
        self.engines: dict[tuple[str, str], Any] = {}

    def engine(self, ruleset: Ruleset) -> Any:
        key = (ruleset.id, ruleset.hash)
        if key not in self.engines:
            from .durable_adapter import DurableRuleset

            self.engines[key] = DurableRuleset(ruleset.id.replace("-", "_"), ruleset.conditions.rules())
        return self.engines[key]

    def truths(self, ruleset: Ruleset, values: list[Any]) -> list[Any]:
        fired = self.engine(ruleset).fire(ruleset.conditions.durable_fact(values))
        return ruleset.conditions.truths_from_fired(fired, values)

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()
        self.engines.clear()


def assessment_date(fact_file: FactFile, as_of: dt.date | None) -> dt.date:
    """31 December of the fact file's period, unless `--as-of` gives a date."""
    if as_of is not None:
        return as_of
    if fact_file.period is None:
        raise InvalidInput([Diagnostic(fact_file.header_mark, "fact-period", "缺少 period（评估年度），无法确定评估日期；可用 --as-of 指定")])
    return dt.date(fact_file.period, 12, 31)


def result_values(results: dict[str, RulesetResult]) -> dict[str, Any]:
    """`results.<id>.score|level|eligible|items.<item>.outcome` for rulesets that `uses` others."""
    values: dict[str, Any] = {}
    for ruleset_id, result in results.items():
        for prefix in {f"results.{ruleset_id}", f"results.{ruleset_id.replace('-', '_')}"}:
            values[f"{prefix}.score"] = result.score
            values[f"{prefix}.eligible"] = result.eligible
            values[f"{prefix}.level"] = result.level["id"] if result.level else unrated(result)
            for item in result.items + result.bonus_items:
                values[f"{prefix}.items.{item.id}.outcome"] = item.outcome
    return values


def unrated(result: RulesetResult) -> Null:
    """A used ruleset's level when it graded no level: null, but a known null, not missing data."""
    return Null(why=(f"“{result.ruleset['name']}”未评定等级",))


def build_env(ruleset: Ruleset, facts: dict[str, Any], fact_file: FactFile, as_of: dt.date, results: dict[str, RulesetResult]) -> Env:
    """What the ruleset's expressions read: its own declared facts, the union header, used results."""
    values = {name: facts[name] for name in ruleset.facts if name in facts}
    values.update({f"union.{k}": v for k, v in fact_file.union.items()})
    if fact_file.period is not None:
        values["period"] = fact_file.period
    used = {k: v for k, v in results.items() if k in ruleset.uses}
    values.update(result_values(used))
    env = Env(values, as_of, used)
    for name, expression in ruleset.derive:
        values[name] = expression(env)
    return env


def assess_union(rulesets: Iterable[Ruleset], fact_file: FactFile, evaluator: Evaluator, as_of: dt.date | None = None, stubs: dict[str, RulesetResult] | None = None) -> list[RulesetResult]:
    """Every ruleset (dependencies first) for one union; bad facts raise `InvalidInput` for this union."""
    rulesets = list(rulesets)
    date = assessment_date(fact_file, as_of)
    facts, problems = fact_checker(rulesets).check(fact_file)
    if problems:
        raise InvalidInput(sorted(problems, key=Diagnostic.sort_key))
    results: dict[str, RulesetResult] = dict(stubs or {})
    for ruleset in rulesets:
        if ruleset.id in results:
            continue
        env = build_env(ruleset, facts, fact_file, date, results)
        values = ruleset.conditions.atom_values(env)
        results[ruleset.id] = assess_ruleset(ruleset, env, evaluator.truths(ruleset, values))
    return [results[r.id] for r in rulesets if r.id not in (stubs or {})]
