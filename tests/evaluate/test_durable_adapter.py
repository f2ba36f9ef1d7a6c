"""Tests for engine.evaluate.durable_adapter against the real durable-rules C engine."""

from __future__ import annotations

import concurrent.futures
import math
import multiprocessing
import operator
import random
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine.evaluate.durable_adapter as adapter
import engine.evaluate.evaluators as evaluators
from engine import DurableEvaluator, assess_union, load_fact_file, resolve_rulesets
from engine.evaluate.durable_adapter import MAX_ALPHA_STACK, MAX_FIELDS_PER_CHUNK, DurableRuleset

REPO = Path(__file__).resolve().parents[2]

Fact = Mapping[str, Any]

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$lt": operator.lt,
    "$lte": operator.le,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$eq": operator.eq,
    "$neq": operator.ne,
}


def leaf(op: str, field: str, value: Any) -> dict:
    """A comparison in durable's JSON language; ``$eq`` in the implicit form."""
    return {field: value} if op == "$eq" else {op: {field: value}}


def holds(cond: Mapping, fact: Fact) -> bool:
    """Reference evaluator: absent fields and string/number mismatches never hold."""
    ((key, arg),) = cond.items()
    if key == "$and":
        return all(holds(c, fact) for c in arg)
    if key == "$or":
        return any(holds(c, fact) for c in arg)
    op, (field, value) = (key, *arg.items()) if key in COMPARE else ("$eq", (key, arg))
    present = fact.get(field)
    if present is None or isinstance(present, str) != isinstance(value, str):
        return False
    return COMPARE[op](present, value)


def expected(rules: Mapping[str, Mapping], fact: Fact) -> set[str]:
    """Rule names the reference evaluator says match."""
    return {name for name, cond in rules.items() if holds(cond, fact)}


def fires(cond: dict[str, Any], fact: Fact) -> bool:
    """Whether a one-rule ruleset fires for ``fact``."""
    with DurableRuleset("t", {"r": cond}) as ruleset:
        result = ruleset.fire(fact)
    assert result <= {"r"}
    return result == {"r"}


# --- plain comparisons ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cond", "fact", "result"),
    [
        ({"a1": 1}, {"a1": 1}, True),
        ({"a1": 1}, {"a1": 2}, False),
        ({"a1": 0}, {"a1": 0}, True),
        ({"a1": -3}, {"a1": -3}, True),
        ({"a1": 1}, {"a1": 1.0}, True),
        ({"$eq": {"a1": 7}}, {"a1": 7}, True),
        ({"a7": "group"}, {"a7": "group"}, True),
        ({"a7": "group"}, {"a7": "groups"}, False),
        ({"a7": "group"}, {"a7": "grou"}, False),
        ({"a7": ""}, {"a7": ""}, True),
        ({"a7": "张三"}, {"a7": "张三"}, True),
        ({"a7": "张三"}, {"a7": "张"}, False),
        ({"a7": 'a"b\\'}, {"a7": 'a"b\\'}, True),
        ({"a7": 'a"b\\'}, {"a7": 'a"b'}, False),
    ],
)
def test_equality(cond: dict, fact: dict, result: bool) -> None:
    assert fires(cond, fact) is result


NUMBER_PAIRS = [
    (1, 1), (1, 2), (2, 1), (0, 0), (-3, -2), (-2, -3), (-5, 0), (0, -5),
    (0.5, 0.25), (0.25, 0.5), (0.1, 0.1), (-0.25, 0.0), (0.0, -0.25), (-1.5, -1.5),
    (3, 2.5), (2.5, 3), (2, 2.0), (-7, -7.5), (10**15, 10**15 - 1), (0.0001, 0.0),
    (123456789.5, 123456789), (123456789, 123456789.5),
]


@pytest.mark.parametrize("op", sorted(COMPARE))
@pytest.mark.parametrize(("value", "bound"), NUMBER_PAIRS)
def test_numeric_comparisons(op: str, value: float, bound: float) -> None:
    assert fires(leaf(op, "a3", bound), {"a3": value}) is COMPARE[op](value, bound)


@pytest.mark.parametrize(("value", "result"), [("joint", False), ("group", True), ("", True)])
def test_string_neq(value: str, result: bool) -> None:
    assert fires({"$neq": {"a4": "joint"}}, {"a4": value}) is result


@pytest.mark.parametrize(
    "value", [0.0001, 123456789.5, -0.25, 1e-05, -2.5e-07, 1e16, 1e22, 5e-324, 1.5e308, -1.5e308]
)
def test_floats_in_any_notation_compare_exactly(value: float) -> None:
    """Python writes most of these with exponents; durable must see the exact double."""
    rules: dict[str, dict[str, Any]] = {
        "eq": {"x": value},
        "lt": {"$lt": {"x": value}},
        "gt": {"$gt": {"x": value}},
    }
    with DurableRuleset("t", rules) as ruleset:
        assert ruleset.fire({"x": value}) == {"eq"}
        assert ruleset.fire({"x": math.nextafter(value, -math.inf)}) == {"lt"}
        assert ruleset.fire({"x": math.nextafter(value, math.inf)}) == {"gt"}


def test_nested_and_or() -> None:
    rules: dict[str, dict[str, Any]] = {
        "and": {"$and": [{"a1": 1}, {"$gte": {"a2": 0.5}}, {"$neq": {"a7": "joint"}}]},
        "or": {"$or": [{"a1": 2}, {"$lt": {"a2": 0}}, {"a7": "group"}]},
        "deep": {
            "$or": [
                {"$and": [{"a1": 1}, {"$or": [{"a2": 0.75}, {"$and": [{"a3": 3}, {"a7": "x"}]}]}]},
                {"$and": [{"$gt": {"a1": 5}}, {"$lte": {"a3": -1}}]},
            ]
        },
        "flattened": {"$and": [{"$and": [{"a1": 1}]}, {"$or": [{"$or": [{"a3": 3}]}]}]},
    }
    facts: list[dict[str, Any]] = [
        {"a1": 1, "a2": 0.75, "a7": "group", "a3": 3},
        {"a1": 1, "a2": 0.25, "a3": 3, "a7": "x"},
        {"a1": 6, "a2": -1, "a3": -1, "a7": "joint"},
        {"a1": 2, "a2": 0.5},
        {"a1": 1, "a2": 0.5, "a3": 4, "a7": "joint"},
    ]
    with DurableRuleset("t", rules) as ruleset:
        for fact in facts:
            assert ruleset.fire(fact) == expected(rules, fact), fact
        assert ruleset.fire(facts[0]) == {"and", "or", "deep", "flattened"}


def test_or_with_several_true_branches_is_reported_once() -> None:
    rules = {
        "r": {"$and": [{"$or": [{"a": 1}, {"b": 1}, {"c": 1}]}, {"$or": [{"d": 1}, {"e": 1}]}]}
    }
    with DurableRuleset("t", rules) as ruleset:
        assert ruleset.fire({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}) == {"r"}


def test_identical_conditions_under_several_names_all_fire() -> None:
    rules: dict[str, dict[str, Any]] = {
        "x": {"a": 1},
        "y": {"a": 1},
        "z": {"$or": [{"a": 1}, {"a": 1}]},
    }
    with DurableRuleset("t", rules) as ruleset:
        assert ruleset.fire({"a": 1}) == {"x", "y", "z"}


def test_field_names_special_to_durable_are_plain_fields() -> None:
    rules: dict[str, dict[str, Any]] = {
        "sid": {"sid": 1},
        "id": {"$gte": {"id": 3}},
        "k": {"k": 2},
        "m": {"m": "x"},
    }
    with DurableRuleset("t", rules) as ruleset:
        assert ruleset.fire({"sid": 1, "id": 5, "k": 3, "m": "x"}) == {"sid", "id", "m"}
        assert ruleset.fire({"k": 2}) == {"k"}


# --- absent fields and mismatched types ----------------------------------------------

ABSENT_LEAVES = [leaf(op, "a9", 1) for op in COMPARE] + [
    leaf("$eq", "a9", "joint"),
    leaf("$neq", "a9", "joint"),
    leaf("$neq", "a9", 0),
    leaf("$neq", "a9", 0.5),
]


@pytest.mark.parametrize("cond", ABSENT_LEAVES, ids=str)
def test_absent_field_never_matches(cond: dict) -> None:
    false_leaf = {"a1": 2}
    true_leaf = {"a1": 1}
    fact = {"a1": 1, "a2": 5}
    assert not fires(cond, fact)
    assert not fires(cond, {})
    assert not fires({"$or": [false_leaf, cond]}, fact)
    assert not fires({"$or": [cond, false_leaf, {"$and": [true_leaf, cond]}]}, fact)
    assert not fires({"$and": [true_leaf, cond]}, fact)
    assert not fires({"$and": [cond, true_leaf]}, fact)
    assert fires({"$or": [cond, true_leaf]}, fact)


@pytest.mark.parametrize("cond", ABSENT_LEAVES, ids=str)
def test_none_value_counts_as_absent(cond: dict) -> None:
    assert not fires(cond, {"a9": None})
    assert not fires({"$or": [cond, {"a1": 2}]}, {"a9": None, "a1": 1})


@pytest.mark.parametrize(
    ("cond", "fact"),
    [
        ({"$gte": {"a": 4}}, {"a": "5"}),
        ({"$neq": {"a": 4}}, {"a": "5"}),
        ({"$lt": {"a": 0.5}}, {"a": "张三"}),
        ({"a": 1}, {"a": "1"}),
        ({"a": "1"}, {"a": 1}),
        ({"$neq": {"a": "joint"}}, {"a": 5}),
        ({"$or": [{"$neq": {"a": "joint"}}, {"b": 9}]}, {"a": 5, "b": 1}),
    ],
)
def test_string_number_mismatch_never_matches(cond: dict, fact: dict) -> None:
    assert not fires(cond, fact)


def test_field_compared_with_numbers_and_strings() -> None:
    rules: dict[str, dict[str, Any]] = {
        "n": {"$gt": {"a": 1}},
        "s": {"a": "x"},
        "ns": {"$neq": {"a": "x"}},
        "nn": {"$neq": {"a": 1}},
    }
    with DurableRuleset("t", rules) as ruleset:
        assert ruleset.fire({"a": 2}) == {"n", "nn"}
        assert ruleset.fire({"a": "x"}) == {"s"}
        assert ruleset.fire({"a": "y"}) == {"ns"}


# --- facts: no match, repeats, unread fields ------------------------------------------


def test_fact_matching_no_rule_gives_empty_set() -> None:
    with DurableRuleset("t", {"r": {"a": 1}, "s": {"$lt": {"b": 0}}}) as ruleset:
        assert ruleset.fire({"a": 2, "b": 1}) == set()
        assert ruleset.fire({}) == set()
        assert ruleset.fire({"a": 1}) == {"r"}


def test_same_fact_fired_twice() -> None:
    with DurableRuleset("t", {"r": {"a": 1}, "s": {"b": 2}}) as ruleset:
        fact = {"a": 1, "b": 3}
        assert ruleset.fire(fact) == {"r"}
        assert ruleset.fire(fact) == {"r"}
        assert ruleset.fire(dict(fact)) == {"r"}


def test_fields_no_rule_reads_are_ignored() -> None:
    with DurableRuleset("t", {"r": {"a": 1}}) as ruleset:
        fact: dict[str, Any] = {"a": 1, "other": True, "more": [1, 2]}
        assert ruleset.fire(fact) == {"r"}


def test_no_rules() -> None:
    with DurableRuleset("t", {}) as ruleset:
        assert ruleset.fire({"a": 1}) == set()


# --- rejected values and conditions ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (True, ValueError),
        (False, ValueError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (float("-inf"), ValueError),
        (2**63, ValueError),
        (-(2**63) - 1, ValueError),
        ([1], TypeError),
        (b"x", TypeError),
    ],
)
def test_bad_fact_values_are_rejected(value: object, error: type[Exception]) -> None:
    with DurableRuleset("t", {"r": {"$gte": {"a": 0}}}) as ruleset:
        with pytest.raises(error):
            ruleset.fire({"a": value})  # type: ignore[dict-item]
        assert ruleset.fire({"a": 1}) == {"r"}


@pytest.mark.parametrize(
    "cond",
    [
        {"a": True},
        {"$gte": {"a": False}},
        {"a": float("nan")},
        {"$lt": {"a": float("inf")}},
        {"a": 2**64},
        {"a": None},
        {"a": [1]},
        {"a": 1, "b": 2},
        {"$gte": {"a": 1, "b": 2}},
        {"$lt": {"a": "x"}},
        {"$gte": {"a": "x"}},
        {"$ex": {"a": 1}},
        {"$nex": {"a": 1}},
        {"$mt": {"a": "x.*"}},
        {"$and": []},
        {"$or": {"a": 1}},
        {"$or": "a"},
        {},
        {"$gt": {"a": {"$add": {"$l": 1, "$r": 2}}}},
    ],
    ids=str,
)
def test_unsupported_conditions_are_rejected(cond: dict) -> None:
    with pytest.raises((ValueError, TypeError)):
        DurableRuleset("t", {"r": cond})


def test_condition_with_several_keys_is_rejected() -> None:
    """durable would silently read only the first key: {"a": 1, "b": 2} would ignore b."""
    with pytest.raises(ValueError, match="exactly one key"):
        DurableRuleset("t", {"r": {"$or": [{"c": 1}, {"a": 1, "b": 2}]}})


def test_rule_names_must_be_strings() -> None:
    with pytest.raises(ValueError):
        DurableRuleset("t", {1: {"a": 1}})  # type: ignore[dict-item]


def test_rule_too_big_for_durable_is_rejected() -> None:
    too_many_groups: dict = {"a0": 1}
    for i in range(16):
        too_many_groups = {"$and" if i % 2 else "$or": [too_many_groups, {f"a{i + 1}": 1}]}
    with pytest.raises(ValueError, match="groups"):
        DurableRuleset("t", {"r": too_many_groups})
    with pytest.raises(ValueError, match="stack"):
        DurableRuleset("t", {"r": {"$or": [{f"a{i}": 1} for i in range(MAX_ALPHA_STACK)]}})
    with pytest.raises(ValueError, match="fields"):
        wide = {"$and": [{f"a{i}": 1} for i in range(MAX_FIELDS_PER_CHUNK + 1)]}
        DurableRuleset("t", {"r": wide})


def test_widest_single_rule_fits() -> None:
    """63 true $or branches: the most durable's 64-slot alpha stack holds next to the catch-all."""
    rules = {"r": {"$or": [{"$gte": {f"a{i}": 0}} for i in range(MAX_ALPHA_STACK - 1)]}}
    with DurableRuleset("t", rules) as ruleset:
        assert ruleset.fire({f"a{i}": 1 for i in range(MAX_ALPHA_STACK)}) == {"r"}


# --- many rules: chunks ------------------------------------------------------------------


def random_condition(rng: random.Random, fields: int, depth: int = 0) -> dict:
    """A random condition over a0..a<fields-1>: comparisons under nested $and/$or."""
    if depth >= 2 or rng.random() < 0.5:
        field = f"a{rng.randrange(fields)}"
        if rng.random() < 0.2:
            return leaf(rng.choice(["$eq", "$neq"]), field, rng.choice(["x", "y"]))
        return leaf(rng.choice(sorted(COMPARE)), field, rng.choice([-1, 0, 1, 2, 0.5, -0.25]))
    items = [random_condition(rng, fields, depth + 1) for _ in range(rng.randint(2, 3))]
    return {rng.choice(["$and", "$or"]): items}


def random_fact(rng: random.Random, fields: int) -> dict[str, int | float | str]:
    """Values for most of a0..a<fields-1>, some absent."""
    values: list[int | float | str] = [-1, 0, 1, 2, 0.5, -0.25, "x", "y"]
    return {f"a{i}": rng.choice(values) for i in range(fields) if rng.random() < 0.85}


def test_400_rules_over_300_fields_are_split_and_agree_with_reference() -> None:
    rng = random.Random(7)
    rules = {f"c{i}:t": random_condition(rng, 300) for i in range(400)}
    with DurableRuleset("big", rules) as ruleset:
        chunks = ruleset._chunks
        assert len(chunks) > 1
        assert all(len(chunk.inputs) <= MAX_FIELDS_PER_CHUNK for chunk in chunks)
        assert sorted(name for chunk in chunks for name in chunk.names) == sorted(rules)
        for _ in range(60):
            fact = random_fact(rng, 300)
            assert ruleset.fire(fact) == expected(rules, fact)


def always_true(rng: random.Random, fields: int, depth: int = 0) -> dict:
    """A random nested condition over a0..a<fields-1> that holds when every field is 0."""
    if depth >= 3 or rng.random() < 0.4:
        return {rng.choice(["$gte", "$lte", "$eq"]): {f"a{rng.randrange(fields)}": 0}}
    items = [always_true(rng, fields, depth + 1) for _ in range(rng.randint(2, 4))]
    return {rng.choice(["$and", "$or"]): items}


@pytest.mark.parametrize("fields", [3, 40, 300])
def test_worst_case_all_comparisons_true_stays_within_durables_stack(fields: int) -> None:
    """Every comparison holds, so durable's alpha stack is as full as it gets (error 303)."""
    rng = random.Random(fields)
    rules = {f"r{i}": always_true(rng, fields) for i in range(300)}
    with DurableRuleset("t", rules) as ruleset:
        assert ruleset.fire({f"a{i}": 0 for i in range(fields)}) == set(rules)


def _overflow_durables_stack() -> tuple[int, str, set[str], bool]:
    """Lift the stack bound, make durable fail an assert with 303, then keep using the ruleset."""
    adapter.MAX_ALPHA_STACK = 10_000
    rng = random.Random(2)
    rules = {f"r{i}": always_true(rng, 40) for i in range(60)}
    with DurableRuleset("t", rules) as ruleset:
        try:
            ruleset.fire({f"a{i}": 0 for i in range(40)})
            error = ""
        except adapter._dre.error as exc:
            error = str(exc)
        agrees = ruleset.fire({"a1": 1}) == expected(rules, {"a1": 1})
        return len(ruleset._chunks), error, ruleset.fire({}), agrees


def test_durable_failing_an_assert_does_not_take_the_process_down() -> None:
    """Deleting the session of a failed assert segfaulted here, so the adapter leaves it.

    Runs in a fresh interpreter: a crash fails the test instead of killing pytest.
    """
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as pool:
        result = pool.submit(_overflow_durables_stack).result(timeout=120)
    assert result == (1, "Could not assert fact, error code: 303", set(), True)


def test_field_names_do_not_collide_in_durables_property_hash() -> None:
    """durable identifies properties by 32-bit FNV-1a only; our names must hash apart."""

    def fnv1a(text: str) -> int:
        value = 0x811C9DC5
        for byte in text.encode():
            value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
        return value

    assert fnv1a("$lt") == 542787579  # HASH_LT in durable's rete.c
    names = ["sid", "id", "$s", "$forward", "k"]
    names += [f"{kind}{i}" for i in range(MAX_FIELDS_PER_CHUNK) for kind in "ns"]
    assert len({fnv1a(name) for name in names}) == len(names)


# --- sessions, lifetime, processes -----------------------------------------------------


def test_2000_fires_do_not_leak_sessions() -> None:
    """durable allows 1,024 live sessions per ruleset: more fires than that must all work."""
    rules: dict[str, dict[str, Any]] = {
        "r": {"$gte": {"a": 0}},
        "s": {"$or": [{"b": 1}, {"$lt": {"a": 0}}]},
    }
    with DurableRuleset("t", rules) as ruleset:
        for i in range(2000):
            fact = {"a": i % 3 - 1, "b": i % 2}
            assert ruleset.fire(fact) == expected(rules, fact)


def test_one_session_takes_fact_after_fact_and_keeps_nothing_of_them() -> None:
    """A chunk keeps its session: a retracted fact leaves no match behind, whatever the next fact holds."""
    rules: dict[str, dict[str, Any]] = {"r": {"a": 1}, "s": {"$neq": {"a": 1}}, "t": {"$gt": {"b": 2}}}
    with DurableRuleset("t", rules) as ruleset:
        facts = [{"a": 1, "b": 3}, {}, {"a": 2}, {"a": 1}, {"b": 3}, {}, {"a": 1, "b": 3}]
        fired = [ruleset.fire(fact) for fact in facts]
        assert fired == [{"r", "t"}, set(), {"s"}, {"r"}, {"t"}, set(), {"r", "t"}]
        assert ruleset._chunks[0].taken == len(facts)  # one session took them all


def test_a_session_is_deleted_after_session_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adapter, "SESSION_FACTS", 3)
    with DurableRuleset("t", {"r": {"a": 1}}) as ruleset:
        chunk = ruleset._chunks[0]
        ruleset.fire({"a": 1})
        first = chunk.sid
        assert [ruleset.fire({"a": n % 2}) for n in range(2)] == [set(), {"r"}]
        assert chunk.sid is None
        with pytest.raises(adapter._dre.error, match="309"):  # ERR_SID_NOT_FOUND: already deleted
            adapter._dre.delete_state(chunk.handle, first)
        assert ruleset.fire({"a": 1}) == {"r"} and chunk.sid not in (None, first)


def test_an_evaluator_keeps_the_durable_rulesets_used_last(monkeypatch: pytest.MonkeyPatch) -> None:
    """A service worker meets many rulesets: past `ENGINES`, the one used longest ago is closed, and a
    ruleset used again is registered again, with the same answers."""
    monkeypatch.setattr(evaluators, "ENGINES", 2)
    rulesets = resolve_rulesets(["bayou", "zhijia", "xingji"])
    fact_file = load_fact_file(REPO / "facts" / "qingshan" / "QS-016.yaml")
    kept = DurableEvaluator()
    bayou = kept.engine(next(r for r in rulesets if r.id == "bayou"))
    graded = [assess_union(rulesets, fact_file, kept) for _ in range(2)]
    assert [ruleset_id for ruleset_id, _ in kept.engines] == ["zhijia", "xingji"]
    with pytest.raises(RuntimeError, match="closed"):
        bayou.fire({})
    assert graded[0] == graded[1] == assess_union(rulesets, fact_file, DurableEvaluator())


class _FailingEngine:
    """Wraps the C module: records asserted facts, fails (as if interrupted) when draining."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.facts: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def assert_fact(self, handle: int, fact: str) -> tuple[int, int]:
        self.facts.append(fact)
        return self.real.assert_fact(handle, fact)

    def start_action_for_state(self, handle: int, offset: int) -> Any:
        raise KeyboardInterrupt


def test_session_is_deleted_when_draining_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    with DurableRuleset("t", {"r": {"a": 1}}) as ruleset:
        failing = _FailingEngine(adapter._dre)
        monkeypatch.setattr(adapter, "_dre", failing)
        with pytest.raises(KeyboardInterrupt):
            ruleset.fire({"a": 1})
        monkeypatch.undo()
        sid = failing.facts[0].split('"sid":"')[1].split('"')[0]
        with pytest.raises(adapter._dre.error, match="309"):  # ERR_SID_NOT_FOUND: already deleted
            adapter._dre.delete_state(ruleset._chunks[0].handle, sid)
        assert ruleset.fire({"a": 1}) == {"r"}


def test_close_and_context_manager() -> None:
    ruleset = DurableRuleset("t", {"r": {"a": 1}})
    with ruleset as entered:
        assert entered is ruleset
        assert ruleset.fire({"a": 1}) == {"r"}
    with pytest.raises(RuntimeError):
        ruleset.fire({"a": 1})
    ruleset.close()


def test_many_rulesets_in_one_process() -> None:
    for i in range(300):
        ruleset = DurableRuleset("same-name", {"r": {"a": i}, "s": {"$neq": {"a": i}}})
        assert ruleset.fire({"a": i}) == {"r"}
        assert ruleset.fire({"a": i + 1}) == {"s"}
    kept = [DurableRuleset("kept", {"r": {"a": i}}) for i in range(200)]
    results = [ruleset.fire({"a": 5}) for ruleset in kept]
    assert results == [{"r"} if i == 5 else set() for i in range(200)]


RULES_FOR_WORKERS: dict[str, dict[str, Any]] = {
    "eq": {"a": 1},
    "or": {"$or": [{"$gt": {"b": 0.5}}, {"c": "group"}]},
    "neq": {"$neq": {"c": "joint"}},
}
PARENT_RULESET: DurableRuleset | None = None


def _fire_in_worker(fact: dict[str, Any]) -> tuple[set[str], set[str]]:
    """In a forked worker: fire the parent's ruleset and a ruleset built in the worker."""
    assert PARENT_RULESET is not None
    with DurableRuleset("child", RULES_FOR_WORKERS) as own:
        return PARENT_RULESET.fire(fact), own.fire(fact)


def test_forked_workers() -> None:
    global PARENT_RULESET
    facts: list[dict[str, Any]] = [
        {"a": 1, "b": 0.75, "c": "joint"},
        {"a": 2, "c": "group"},
        {"b": 0.25},
        {},
    ] * 5
    with DurableRuleset("parent", RULES_FOR_WORKERS) as PARENT_RULESET:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            results = pool.map(_fire_in_worker, facts)
        assert results == [(expected(RULES_FOR_WORKERS, f),) * 2 for f in facts]
        assert PARENT_RULESET.fire(facts[0]) == {"eq", "or"}
    PARENT_RULESET = None


# --- property test against the reference evaluator ---------------------------------------

FIELDS = [f"a{i}" for i in range(6)]
common_numbers = st.sampled_from([0, 1, -1, 2, 0.5, -0.25, 0.0001, 123456789.5, 1e-05, 1e16])
numbers = st.one_of(
    common_numbers,
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
)
strings = st.one_of(
    st.sampled_from(["", "group", "joint", "ab", "ab!", 'a"', "a\\", "张三"]),
    st.text(max_size=4),
)
numeric_leaves = st.builds(
    leaf,
    st.sampled_from(sorted(COMPARE)),
    st.sampled_from(FIELDS),
    st.one_of(common_numbers, numbers),
)
string_leaves = st.builds(leaf, st.sampled_from(["$eq", "$neq"]), st.sampled_from(FIELDS), strings)
conditions = st.recursive(
    st.one_of(numeric_leaves, string_leaves),
    lambda children: st.builds(
        lambda op, items: {op: items},
        st.sampled_from(["$and", "$or"]),
        st.lists(children, min_size=1, max_size=4),
    ),
    max_leaves=10,
)
fact_values = st.one_of(common_numbers, numbers, strings, st.none())
facts = st.one_of(
    st.fixed_dictionaries(dict.fromkeys(FIELDS, fact_values)),
    st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, fact_values)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(conditions, min_size=1, max_size=6),
    fact_list=st.lists(facts, min_size=1, max_size=4),
)
def test_fire_agrees_with_reference_evaluator(rules: list[dict], fact_list: list[dict]) -> None:
    named = {f"r{i}": cond for i, cond in enumerate(rules)}
    with DurableRuleset("prop", named) as ruleset:
        for fact in fact_list:
            assert ruleset.fire(fact) == expected(named, fact)
