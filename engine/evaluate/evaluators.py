"""How the truth of every compiled condition is found: durable-rules fires the rules, or the oracle
evaluates the same compiled trees in pure Python (the test oracle, and `--engine oracle`)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..language.conditions import oracle_truths
from ..language.model import Ruleset
from .durable_adapter import DurableRuleset


class Evaluator(Protocol):
    def truths(self, ruleset: Ruleset, values: list[Any], conditions: Sequence[int] | None = None) -> list[Any]:
        """The truth of every condition of `ruleset` given its atoms' `values`; of `conditions` only (by
        index, in that order), when given."""


class OracleEvaluator:
    """Pure Python: evaluates the compiled conditions directly (the test oracle)."""

    def truths(self, ruleset: Ruleset, values: list[Any], conditions: Sequence[int] | None = None) -> list[Any]:
        return oracle_truths(ruleset.conditions, values, conditions)


ENGINES = 32  # the registered durable rulesets a DurableEvaluator keeps


class DurableEvaluator:
    """durable-rules fires the compiled rules; one registered durable ruleset per loaded ruleset, for the
    `ENGINES` rulesets used last: a service worker meets every version of every county's rulesets, and each
    registered one holds durable's network and a session per chunk (about 2 MB for a bundled ruleset)."""

    def __init__(self) -> None:
        self.engines: dict[tuple[str, str], DurableRuleset] = {}  # least recently used first

    def engine(self, ruleset: Ruleset) -> DurableRuleset:
        key = (ruleset.id, ruleset.hash)
        engine = self.engines.pop(key, None)
        if engine is None:
            engine = DurableRuleset(ruleset.id.replace("-", "_"), ruleset.conditions.rules())
            if len(self.engines) >= ENGINES:
                self.engines.pop(next(iter(self.engines))).close()
        self.engines[key] = engine
        return engine

    def truths(self, ruleset: Ruleset, values: list[Any], conditions: Sequence[int] | None = None) -> list[Any]:
        """durable-rules' answer; for some `conditions`, only the durable rulesets holding their rules are
        fired, each with the fields of those conditions' atoms: a rule reads its own condition's atoms, and
        a rule whose fields are absent never fires, so the others add no answers to read."""
        compiled, engine = ruleset.conditions, self.engine(ruleset)
        if conditions is None:
            return compiled.truths_from_fired(engine.fire(compiled.durable_fact(values)), values)
        rules = compiled.rule_names(conditions)
        fired = engine.fire(compiled.durable_fact(values, conditions), rules)
        return compiled.truths_from_fired(fired, values, conditions)

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()
        self.engines.clear()


def evaluator_named(name: str) -> DurableEvaluator | OracleEvaluator:
    """`--engine durable|oracle`."""
    return DurableEvaluator() if name == "durable" else OracleEvaluator()
