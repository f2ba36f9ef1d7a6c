"""Item results remembered by the values they depend on: the same records as made afresh, less work."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from engine import OracleEvaluator, assess_union, load_fact_file, load_ruleset
from engine.evaluate import item_memo
from engine.evaluate.assessment import assess, build_env
from engine.evaluate.item_memo import LIMIT, ItemMemo, changed_names, memo_of
from engine.evaluate.scoring import scored_names
from engine.facts.fact_file import fact_checker
from engine.language.expr_eval import Env
from engine.plan.planner import next_level_plans
from engine.plan.targets import item_solver, neighbourhood
from engine.report.record import document

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "facts" / "qingshan").glob("QS-*.yaml"))
DAY = dt.date(2025, 12, 31)


def records(rulesets: list, evaluator) -> list[dict]:
    """Every example union's JSON record, plans included, assessed in turn (later unions meet remembered results)."""
    found = []
    for path in EXAMPLES:
        assessment = assess(rulesets, load_fact_file(path), evaluator)
        found.append(document(assessment, next_level_plans(rulesets, assessment, evaluator)))
    return found


def test_the_example_county_reads_the_same_with_and_without_memory(bundled, monkeypatch):
    evaluator = OracleEvaluator()
    remembered = records(bundled, evaluator)
    assert sum(len(made) for memos in item_memo._MEMOS.kept.values() for memo in memos.values() for made in memo.made.values()) > 0
    monkeypatch.setattr(ItemMemo, "key", lambda self, item, env: None)
    assert records(bundled, evaluator) == remembered


def test_a_score_is_made_once_for_the_values_its_item_reads(bundled):
    bayou = next(r for r in bundled if r.id == "bayou")
    first, second = (assess([bayou], load_fact_file(path), OracleEvaluator()).results["bayou"] for path in EXAMPLES[:2])
    same = [a for a, b in zip(first.items, second.items) if a.facts == b.facts]
    assert same and all(a is b for a, b in zip(first.items, second.items) if a.facts == b.facts)


def test_values_are_told_apart_by_type_lists_by_their_elements(bundled):
    bayou = next(r for r in bundled if r.id == "bayou")
    memo = ItemMemo(bayou, lambda ruleset, item: ("x", "y"))
    item = bayou.items()[0]
    key = lambda x, y=0, day=DAY: memo.key(item, Env({"x": x, "y": y}, day))  # noqa: E731
    assert key(1) != key(True)
    assert key(1) != key(1, day=DAY + dt.timedelta(1))
    assert key([1, 2]) == key([1, 2]) and hash(key([1, 2])) == hash(key([1, 2]))
    assert len({key([1, 2]), key([1, 2.0]), key([True, 2]), key([2, 1]), key([1]), key([1, 2], 1), key(1, [2])}) == 7
    nested = [memo.get(item, Env({"x": [[1], [2]], "y": 0}, DAY), object) for _ in range(2)]
    assert nested[0] is not nested[1] and not memo.made[item.id]  # a list of lists is made each time, never kept


def test_an_item_s_values_unchanged_are_told_as_its_key_tells_them(bundled):
    bayou = next(r for r in bundled if r.id == "bayou")
    memo = ItemMemo(bayou, lambda ruleset, item: ("x", "y") if item.id == first.id else None)
    first, second = bayou.items()[:2]
    before = Env({"x": 1, "y": [1, 2], "z": 5}, DAY)
    unchanged = lambda values: memo.unchanged([first, second], changed_names(before.values, values))  # noqa: E731
    assert unchanged({"x": 1, "y": [1, 2], "z": 6}) == {first.id}  # z is not read; an item not remembered is never taken
    assert unchanged({"x": 1, "y": [1, 2]}) == {first.id}
    for x, y in [(True, [1, 2]), (1.0, [1, 2]), (2, [1, 2]), (1, [1, 2.0]), (1, [2, 1]), (1, (1, 2))]:
        assert unchanged({"x": x, "y": y, "z": 5}) == set()
        assert (memo.key(first, Env({"x": x, "y": y}, DAY)) == memo.key(first, before)) is False
    assert unchanged({"y": [1, 2], "z": 5}) == set()


def test_an_item_remembers_at_most_its_limit(bundled):
    bayou = next(r for r in bundled if r.id == "bayou")
    memo = ItemMemo(bayou, lambda ruleset, item: ("x",))
    item = bayou.items()[0]
    made = [memo.get(item, Env({"x": n}, DAY), lambda n=n: n * 2) for n in range(LIMIT + 5)]
    assert made == [n * 2 for n in range(LIMIT + 5)]
    assert len(memo.made[item.id]) == 5


def test_items_whose_texts_name_a_used_ruleset_are_not_remembered(bundled):
    xingji = next(r for r in bundled if r.id == "xingji")
    reading_results = [item for item in xingji.items() if any(name.startswith("results.") for name in item.reads)]
    assert reading_results and all(scored_names(xingji, item) is None for item in reading_results)
    assert memo_of(xingji, "score", scored_names) is memo_of(xingji, "score", scored_names)


RATIO = """
ruleset: {id: t, name: 测试, version: "1", max_score: 20}
facts:
  employees: {type: integer, label: 职工人数, unit: 人, change: none}
  members:   {type: integer, label: 会员人数, unit: 人}
  meetings:  {type: integer, label: 会议次数, unit: 次}
  board:     {type: boolean, label: 设立公开栏}
  office:    {type: boolean, label: 有职工活动室}
derive:
  membership_rate: ratio(members, employees)
sections:
  - id: s
    name: 测试
    max: 20
    allow_unbalanced: true
    items:
      - {id: rate, name: 入会率, points: 5, when: "membership_rate >= 0.9"}
      - {id: few, name: 会员不多, points: 5, when: "members <= 100 or meetings >= 1"}
      - {id: board, name: 公开栏, points: 5, when: board}
      - {id: big, name: 大单位活动室, points: 5, when: "employees < 100 or office"}
"""


@pytest.mark.parametrize("item_id, expected", [
    ("rate", ("employees", "meetings", "members", "membership_rate")),  # `few` reads members: the guard scores it
    ("few", ("employees", "meetings", "members", "membership_rate")),   # members may not exceed employees
    ("board", ("board",)),
    ("big", ("employees", "office")),  # shares only employees, which no fix changes: `rate` and `few` are not scored again
])
def test_a_best_result_depends_on_its_item_the_items_sharing_the_facts_it_may_change_and_their_ceilings(write, item_id, expected):
    ruleset = load_ruleset(write("t.yaml", RATIO))
    assert neighbourhood(ruleset, ruleset.item_index[item_id]) == expected


def best_rate_reach(ruleset, write, facts: dict):
    fact_file = load_fact_file(write("f.yaml", yaml.safe_dump({"union": {"id": "T", "name": "测试工会", "type": "enterprise"},
                                                                "period": 2025, "facts": facts})))
    [result] = assess_union([ruleset], fact_file, OracleEvaluator())
    values, _ = fact_checker([ruleset]).check(fact_file)
    item = ruleset.item_index["rate"]
    return item_solver(ruleset, build_env(ruleset, values, fact_file, DAY, {})).best_reach(item, result.items[0])


def test_a_best_result_is_not_taken_from_a_union_whose_other_items_differ(write):
    # the same members and employees; more members cost `few` its points unless a meeting was held
    ruleset = load_ruleset(write("t.yaml", RATIO))
    assert best_rate_reach(ruleset, write, {"employees": 200, "members": 100, "meetings": 0, "board": True}) is None
    reach = best_rate_reach(ruleset, write, {"employees": 200, "members": 100, "meetings": 1, "board": True})
    assert reach is not None and reach.patch == {"members": 180}
