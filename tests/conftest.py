"""Shared fixtures: write rulesets and fact files into a temporary folder, assess them."""
from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import DurableEvaluator, OracleEvaluator, assess_union, load_fact_file, load_ruleset, resolve_rulesets

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """write(name, text): a dedented file in the test's folder."""

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_file


@pytest.fixture(scope="session")
def durable() -> DurableEvaluator:
    evaluator = DurableEvaluator()
    yield evaluator
    evaluator.close()


@pytest.fixture(params=["durable", "oracle"])
def evaluator(request: pytest.FixtureRequest, durable: DurableEvaluator) -> Any:
    """Both ways of evaluating conditions; every scoring test runs under each."""
    return durable if request.param == "durable" else OracleEvaluator()


@pytest.fixture
def assess(write: Callable[[str, str], Path], evaluator: Any) -> Callable[..., Any]:
    """assess(ruleset_text, facts, union=None, period=2025, as_of=None) → the ruleset's result."""

    def run(ruleset_text: str, facts: dict, union: dict | None = None, period: int = 2025, as_of: Any = None) -> Any:
        path = write("rs.yaml", ruleset_text)
        ruleset = load_ruleset(path)
        header = {"id": "T-1", "name": "测试工会", "type": "enterprise", **(union or {})}
        fact_path = write("facts.yaml", yaml.safe_dump({"union": header, "period": period, "facts": facts}, allow_unicode=True))
        [result] = assess_union([ruleset], load_fact_file(fact_path), evaluator, as_of)
        return result

    return run


@pytest.fixture
def bundled() -> list:
    return resolve_rulesets()
