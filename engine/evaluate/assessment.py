"""Assessing one union: facts → environment → condition truths (durable-rules or oracle) → scores."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ..diagnostics import Diagnostic, InvalidInput, Mark, blamed
from ..facts.fact_file import FactFile, fact_checker
from ..language.expr_eval import Env
from ..language.model import Ruleset
from ..values import Null
from .cohort import Decision, settle
from .evaluators import Evaluator
from .item_memo import LIMIT, changed_names, made_once, typed
from .result import RulesetResult
from .scoring import assess_ruleset, unchanged_scores

Decisions = dict[str, dict[str, Decision]]  # ruleset id → union id → the union's level once its cohort is ranked


def assessment_date(fact_file: FactFile, as_of: dt.date | None) -> dt.date:
    """31 December of the fact file's period, unless `--as-of` gives a date."""
    if as_of is not None:
        return as_of
    if fact_file.period is None:
        raise InvalidInput([Diagnostic(fact_file.header_mark, "fact-period", "缺少评估年度（表格的“年度”列，事实文件的 period），无法确定评估日期；可用 --as-of 指定")])
    return dt.date(fact_file.period, 12, 31)


def result_values(results: dict[str, RulesetResult]) -> dict[str, Any]:
    """`results.<id>.score|level|eligible|items.<item>.outcome` for rulesets that `uses` others."""
    values: dict[str, Any] = {}
    for ruleset_id, result in results.items():
        for prefix in {f"results.{ruleset_id}", f"results.{ruleset_id.replace('-', '_')}"}:
            values[f"{prefix}.score"] = result.score
            values[f"{prefix}.eligible"] = result.eligible
            values[f"{prefix}.level"] = result.level.id if result.level else unrated(result)
            for item in result.items + result.bonus_items:
                values[f"{prefix}.items.{item.id}.outcome"] = item.outcome
    return values


def unrated(result: RulesetResult) -> Null:
    """A used ruleset's level when it graded no level: null, but a known null, not missing data."""
    return Null(why=(f"“{result.ruleset.name}”未评定等级",))


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
        with blamed(f"派生值 “{name}”", expression.mark):
            values[name] = expression(env)
    return env


@dataclass(frozen=True)
class Decided:
    """How one ruleset's conditions were decided for one union: its atoms' values and the conditions'
    truths, by index (engine/language/conditions.py)."""

    values: list[Any]
    truths: list[Any]


@dataclass(frozen=True)
class Assessment:
    """One union assessed: the facts as checked, what each ruleset's expressions read, and the results.

    Everything after scoring starts from here (the planner, the reports, explain): nothing is
    checked or built twice."""

    fact_file: FactFile
    as_of: dt.date
    facts: dict[str, Any]  # the declared facts as exact runtime values
    envs: dict[str, Env]  # by ruleset id
    results: dict[str, RulesetResult]  # by ruleset id, dependencies first (stubbed rulesets left out)
    decided: dict[str, Decided]  # by ruleset id, as `envs`


def assess(rulesets: Iterable[Ruleset], fact_file: FactFile, evaluator: Evaluator, as_of: dt.date | None = None,
           stubs: dict[str, RulesetResult] | None = None, cohort: Decisions | None = None) -> Assessment:
    """Every ruleset (dependencies first) for one union; bad facts raise `InvalidInput` for this union.
    `stubs`: results of used rulesets given instead of assessed (ruleset tests). `cohort`: the levels the
    cohort pass decided (engine/evaluate/cohort.py), applied as each ruleset is scored, so that the rulesets
    using it read the decided level; without it a level held by rank is pending (待排名)."""
    rulesets = list(rulesets)
    date = assessment_date(fact_file, as_of)
    checker = fact_checker(rulesets)
    facts, problems = checker.check(fact_file)
    problems += checker.after(fact_file, facts, date)
    return scored(rulesets, fact_file, facts, problems, evaluator, date, stubs, cohort)


Found = tuple[Env, Decided, RulesetResult]  # one ruleset assessed for one union: what it read, decided and gave


class Seen:
    """One union's rulesets as assessed with its facts changed in different ways (a plan's trial states,
    all changes of the same start): each ruleset's environment, decisions and result, by the changes made
    to the facts it declares and by the results of the rulesets it uses (the very objects). Those are all
    its environment is made of, the rest of its facts being the start's, and a ruleset's result is a
    function of its environment. A ruleset none of whose facts changed is the start's, unless a cohort
    decided its level there (`settle`), which a state assessed again leaves pending."""

    def __init__(self, start: Assessment, rulesets: list[Ruleset]) -> None:
        self.found: dict[tuple, Found] = {}
        for ruleset in rulesets:
            result = start.results.get(ruleset.id)
            if result is not None and result.cohort is None:
                self.found[self.key(ruleset, start.facts, (), start.results)] = (start.envs[ruleset.id], start.decided[ruleset.id], result)

    @staticmethod
    def key(ruleset: Ruleset, facts: dict[str, Any], changed: Sequence[str], known: dict[str, RulesetResult]) -> tuple:
        own = tuple((name, typed(value) if type(value) is list else value, type(value))
                    for name, value in ((name, facts.get(name)) for name in changed if name in ruleset.facts))
        return ruleset.id, own, tuple(id(known[u]) for u in ruleset.uses if u in known)

    def get(self, ruleset: Ruleset, facts: dict[str, Any], changed: Sequence[str], known: dict[str, RulesetResult],
            make: Callable[[], Found]) -> Found:
        """What `make()` gives, found once for these changes (a list of lists cannot be told apart: made each time)."""
        return made_once(self.found, self.key(ruleset, facts, changed, known), make, LIMIT)


def reassess(start: Assessment, rulesets: list[Ruleset], changes: dict[str, Any], evaluator: Evaluator, seen: Seen | None = None) -> Assessment:
    """`start`'s union with `changes` made to its facts (as a fact file holds them), assessed again in
    `rulesets`: what `assess` gives, with only the changed facts read again when `start` assessed them all.
    `seen`: the rulesets as assessed with other changes of `start` (a ruleset found there is not assessed again)."""
    fact_file = replace(start.fact_file, facts={**start.fact_file.facts, **changes})
    if any(ruleset.id not in start.results for ruleset in rulesets):
        return assess(rulesets, fact_file, evaluator, start.as_of)
    facts, problems = fact_checker(rulesets).changed(fact_file, start.facts, changes)
    return scored(rulesets, fact_file, facts, problems, evaluator, start.as_of, before=start, seen=seen, changed=sorted(changes))


def scored(rulesets: list[Ruleset], fact_file: FactFile, facts: dict[str, Any], problems: list[Diagnostic], evaluator: Evaluator,
           date: dt.date, stubs: dict[str, RulesetResult] | None = None, cohort: Decisions | None = None,
           before: Assessment | None = None, seen: Seen | None = None, changed: Sequence[str] = ()) -> Assessment:
    """The rest of `assess`, once the facts are checked. What `before` (the union before its facts changed,
    on the same date) found is kept where the values it read are the same: item scores, atoms' values and
    conditions' truths; and a ruleset that `seen` holds for the same changes (`changed`: the names of the
    facts changed from `before`) is taken whole."""
    if problems:
        raise InvalidInput(sorted(problems, key=Diagnostic.sort_key))
    assert before is None or before.as_of == date, "a union's facts changed, assessed on another date"
    known: dict[str, RulesetResult] = dict(stubs or {})
    envs: dict[str, Env] = {}
    decided: dict[str, Decided] = {}
    with blamed(union_place(fact_file)):
        for ruleset in (r for r in rulesets if r.id not in known):
            with blamed(f"规则集 “{ruleset.id}”", Mark(ruleset.path)):
                decision = (cohort or {}).get(ruleset.id, {}).get(str(fact_file.union.get("id")))
                make = partial(assessed, ruleset, facts, fact_file, date, known, evaluator, before, decision)
                found = seen.get(ruleset, facts, changed, known, make) if seen else make()
                envs[ruleset.id], decided[ruleset.id], known[ruleset.id] = found
    results = {r.id: known[r.id] for r in rulesets if r.id in envs}
    return Assessment(fact_file, date, facts, envs, results, decided)


def assessed(ruleset: Ruleset, facts: dict[str, Any], fact_file: FactFile, date: dt.date, known: dict[str, RulesetResult],
             evaluator: Evaluator, before: Assessment | None, decision: Decision | None) -> Found:
    """The ruleset's environment, decisions and result, its level settled by the cohort's `decision`; what
    `before` found kept where the values it read are the same."""
    env = build_env(ruleset, facts, fact_file, date, known)
    if before is None:
        decided, kept = decide(ruleset, env, evaluator), None
    else:
        changed = changed_names(before.envs[ruleset.id].values, env.values)
        decided = decide_again(ruleset, env, evaluator, before.decided[ruleset.id], changed)
        kept = unchanged_scores(ruleset, before.results[ruleset.id], changed)
    return env, decided, settle(assess_ruleset(ruleset, env, decided.truths, kept), decision)


def decide(ruleset: Ruleset, env: Env, evaluator: Evaluator) -> Decided:
    """Every atom computed, every condition decided by the evaluator."""
    values = ruleset.conditions.atom_values(env)
    return Decided(values, evaluator.truths(ruleset, values))


def decide_again(ruleset: Ruleset, env: Env, evaluator: Evaluator, before: Decided, changed: set[str]) -> Decided:
    """`before` with the `changed` names changed: the atoms reading them computed again, and the conditions
    holding those atoms decided again by the evaluator. A condition's truth is a function of its atoms'
    values, and an atom's value of the names it reads and the date."""
    values, again = ruleset.conditions.atom_values_after(env, before.values, changed)
    truths = list(before.truths)
    for index, truth in zip(again, evaluator.truths(ruleset, values, again) if again else ()):
        truths[index] = truth
    return Decided(values, truths)


def union_place(fact_file: FactFile) -> str:
    """The union an internal error names: 「工会 “QS-016”（facts/qingshan/QS-016.yaml）」."""
    where = f"（{fact_file.path}）" if fact_file.path else ""
    return f"工会 “{fact_file.union.get('id', '（无编号）')}”{where}"


def assess_union(rulesets: Iterable[Ruleset], fact_file: FactFile, evaluator: Evaluator, as_of: dt.date | None = None,
                 stubs: dict[str, RulesetResult] | None = None) -> list[RulesetResult]:
    """The results of `assess`, in ruleset order."""
    return list(assess(rulesets, fact_file, evaluator, as_of, stubs).results.values())
