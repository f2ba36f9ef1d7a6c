"""How the truth of every compiled condition is found: durable-rules fires the rules, or the oracle
evaluates the same compiled trees in pure Python (the test oracle, and `--engine oracle`)."""
from __future__ import annotations

from typing import Any, Protocol

from ..language.conditions import oracle_truths
from ..language.model import Ruleset
from .durable_adapter import DurableRuleset


class Evaluator(Protocol):
    def truths(self, ruleset: Ruleset, values: list[Any]) -> list[Any]: ...


class OracleEvaluator:
    """Pure Python: evaluates the compiled conditions directly (the test oracle)."""

    def truths(self, ruleset: Ruleset, values: list[Any]) -> list[Any]:
        return oracle_truths(ruleset.conditions, values)


class DurableEvaluator:
    """durable-rules fires the compiled rules; one registered durable ruleset per loaded ruleset."""

    def __init__(self) -> None:
        self.engines: dict[tuple[str, str], DurableRuleset] = {}

    def engine(self, ruleset: Ruleset) -> DurableRuleset:
        key = (ruleset.id, ruleset.hash)
        if key not in self.engines:
            self.engines[key] = DurableRuleset(ruleset.id.replace("-", "_"), ruleset.conditions.rules())
        return self.engines[key]

    def truths(self, ruleset: Ruleset, values: list[Any]) -> list[Any]:
        fired = self.engine(ruleset).fire(ruleset.conditions.durable_fact(values))
        return ruleset.conditions.truths_from_fired(fired, values)

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()
        self.engines.clear()


def evaluator_named(name: str) -> DurableEvaluator | OracleEvaluator:
    """`--engine durable|oracle`."""
    return DurableEvaluator() if name == "durable" else OracleEvaluator()
