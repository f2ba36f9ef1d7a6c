"""Every bundled ruleset loads with no diagnostic and passes its own tests, under durable-rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import DurableEvaluator, OracleEvaluator, load_ruleset, resolve_rulesets
from engine.authoring.ruleset_tests import load_tests, run_test
from engine.load.loader import bundled_dir, bundled_ids


def cases() -> list:
    """(ruleset id, test name) for every test of every bundled ruleset."""
    found = []
    for ruleset_id in bundled_ids():
        ruleset = load_ruleset(bundled_dir() / f"{ruleset_id}.yaml")
        found += [pytest.param(ruleset_id, t.name, id=f"{ruleset_id}::{t.name}") for t in load_tests(ruleset)]
    return found


@pytest.fixture(scope="module")
def evaluators() -> dict:
    durable = DurableEvaluator()
    yield {"durable": durable, "oracle": OracleEvaluator()}
    durable.close()


def test_bundled_rulesets_exist() -> None:
    assert {"bayou", "zhijia", "zhijia-jiguan", "xingji"} <= set(bundled_ids())


@pytest.mark.parametrize("ruleset_id", bundled_ids())
def test_bundled_ruleset_has_enough_tests(ruleset_id: str) -> None:
    assert len(load_tests(load_ruleset(bundled_dir() / f"{ruleset_id}.yaml"))) >= 12


@pytest.mark.parametrize("engine", ["durable", "oracle"])
@pytest.mark.parametrize(("ruleset_id", "name"), cases())
def test_bundled_ruleset_case(ruleset_id: str, name: str, engine: str, evaluators: dict) -> None:
    available = resolve_rulesets([str(Path(bundled_dir()) / f"{ruleset_id}.yaml")])
    target = next(r for r in available if r.id == ruleset_id)
    test = next(t for t in load_tests(target) if t.name == name)
    assert run_test(test, target, available, evaluators[engine]).problems == []
