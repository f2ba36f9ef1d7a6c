"""County aggregates: level counts, score lists, most missed items, flagged unions, failures, ranking."""
from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from engine import assess, load_fact_file, resolve_rulesets
from engine.evaluate.result import (
    NO_LEVEL,
    NOT_APPLICABLE,
    NOT_GRADED,
    Gap,
    ItemScore,
    LevelRef,
    RulesetRef,
    RulesetResult,
    VetoHit,
)
from engine.report.county import NO_TOWNSHIP, CountyStats, county_entry, fmt_score, not_applicable_line
from engine.report.terminal import county_summary

NAMES = {"a": "甲标准", "b": "乙标准"}
LEVELS = {"good": "达标", "basic": "基本达标", "bad": "不达标"}
ORDER = tuple(LevelRef(level_id, name) for level_id, name in LEVELS.items())  # highest first
FACTS = Path(__file__).resolve().parents[2] / "facts" / "qingshan"


def item(item_id: str, outcome: str = "pass", points: float = 5, max_points: float = 5) -> ItemScore:
    return ItemScore(item_id, f"指标{item_id}", "s", outcome, points, max_points, "原因", {})


def result(rid: str, score: float, level: str | None = "good", *, eligible: bool = True, vetoes: tuple[str, ...] = (),
           required_failed: tuple[str, ...] = (), items: tuple[ItemScore, ...] = (), applies: bool = True) -> RulesetResult:
    gaps = [Gap(i.id, i.name, i.max_points - i.points, "整改") for i in items if i.outcome in ("partial", "fail", "missing")]
    gate_reason = "" if applies else "未满足申报条件：机关、事业单位工会（工会类型：企业）"
    return RulesetResult(
        ruleset=RulesetRef(rid, NAMES.get(rid, rid), "1", "0" * 16, levels=ORDER), score=score, max_score=100, bonus=0,
        level=LevelRef(level, LEVELS[level]) if level and eligible and applies else None, eligible=eligible and applies,
        vetoes=tuple(VetoHit(v, f"否决{v}") for v in vetoes), required_failed=list(required_failed), items=list(items),
        bonus_items=[], sections=[], gaps=sorted(gaps, key=lambda g: -g.points_lost), applies=applies, gate_reason=gate_reason,
    )


def record(union_id: str, township: str | None, *results: RulesetResult, name: str | None = "某工会") -> tuple:
    union = {"id": union_id, "name": name, "type": "enterprise", "county": "青山县", "township": township}
    return union, "2025-12-31", list(results)


def records() -> list[tuple]:
    return [
        record("U-3", "青山镇", result("a", 90, "good", items=(item("x", "fail", 0), item("y", "partial", 3))), result("b", 50, "bad")),
        record("U-1", "河口镇", result("a", 70, "basic", vetoes=("veto.accident",), items=(item("x", "fail", 0),)),
               result("b", 80, "good", required_failed=("y",), items=(item("y", "fail", 0),))),
        record("U-2", "青山镇", result("a", 90, "good", items=(item("x", "missing", 0),)),
               result("b", 10, eligible=False, items=(item("z", "fail", 0),))),
        record("U-0", None, result("a", 90, None), result("b", 80, "good"), name=None),
    ]


@pytest.fixture
def stats() -> CountyStats:
    county = CountyStats(["a", "b"], NAMES, ["a", "b"])
    for union, as_of, results in records():
        county.add(union, as_of, results)
    county.add_failure("facts/U-9.yaml", "U-9", ["facts/U-9.yaml:3:5: 错误 [fact-type] employees 应为整数"])
    return county


def test_level_counts_overall_and_per_township(stats):
    assert stats.level_counts["a"] == {"达标": 2, "基本达标": 1, NO_LEVEL: 1}
    assert stats.level_counts["b"] == {"不达标": 1, "达标": 2, NOT_GRADED: 1}
    assert stats.townships() == ["青山镇", "河口镇", NO_TOWNSHIP]
    assert stats.township_levels["青山镇"]["a"] == {"达标": 2}
    assert stats.township_levels["青山镇"]["b"] == {"不达标": 1, NOT_GRADED: 1}


def test_levels_highest_first_then_unrated_and_not_eligible(stats):
    assert stats.levels("a") == ["达标", "基本达标", NO_LEVEL]
    assert stats.levels("b") == ["达标", "不达标", NOT_GRADED]


def test_levels_follow_the_rulesets_order_when_given():
    county = CountyStats(["a"], NAMES, ["a"], level_names={"a": ["达标", "基本达标", "不达标"]})
    county.add(*record("U-1", "青山镇", result("a", 95, "bad")))  # e.g. a veto capped a high score
    county.add(*record("U-2", "青山镇", result("a", 90, "good")))
    assert county.levels("a") == ["达标", "基本达标", "不达标"]


def test_scores_and_item_losses_count_only_graded_unions(stats):
    assert sorted(stats.scores["a"]) == [70, 90, 90, 90]
    assert sorted(stats.scores["b"]) == [50, 80, 80]
    assert stats.eligible_count("b") == 3
    assert "z" not in stats.items["b"]  # U-2 is not graded under b


def test_most_missed_items_with_points_lost_county_wide(stats):
    [x, y] = stats.most_missed("a")
    assert (x.id, x.name, x.lost_by, x.points_lost, x.missing) == ("x", "指标x", 3, 15.0, 1)
    assert (y.id, y.lost_by, y.points_lost, y.missing) == ("y", 1, 2.0, 0)
    assert [s.id for s in stats.most_missed("a", limit=1)] == ["x"]


def test_summary_rows_are_compact_and_qualified(stats):
    rows = {row.id: row for row in stats.rows}
    assert rows["U-1"].vetoes == ("甲标准：否决veto.accident",)
    assert rows["U-1"].required_failed == ("乙标准：指标y",)
    assert (rows["U-1"].gaps, rows["U-1"].missing) == (2, 0)
    assert (rows["U-2"].gaps, rows["U-2"].missing) == (1, 1)  # b's gap does not count: not graded
    assert rows["U-2"].cells["b"].level == NOT_GRADED and not rows["U-2"].cells["b"].eligible
    assert (rows["U-0"].name, rows["U-0"].township, rows["U-0"].type) == ("U-0", NO_TOWNSHIP, "企业")
    assert [row.id for row in stats.flagged_rows()] == ["U-1", "U-2"]


def test_failures_are_kept_with_their_messages(stats):
    [failure] = stats.failures
    assert (failure.origin, failure.union_id) == ("facts/U-9.yaml", "U-9")
    assert failure.messages == ("facts/U-9.yaml:3:5: 错误 [fact-type] employees 应为整数",)
    assert "U-9" not in {row.id for row in stats.rows}


def test_ranking_by_rulesets_in_order_level_first(stats):
    # a: U-3 and U-2 达标 (90), U-1 基本达标 (70), U-0 未达到任何等级 (90); between U-3 and U-2, b decides:
    # U-3 is graded 不达标, U-2 is not graded (不参与定级) and comes after it
    assert [row.id for row in stats.ranked_rows()] == ["U-3", "U-2", "U-1", "U-0"]


def test_a_higher_level_ranks_first_whatever_the_score():
    county = CountyStats(["a"], NAMES, ["a"])
    county.add(*record("U-1", "青山镇", result("a", 95, "bad", vetoes=("veto.accident",))))  # a veto capped a high score
    county.add(*record("U-2", "青山镇", result("a", 61, "basic")))
    county.add(*record("U-3", "青山镇", result("a", 99, eligible=False)))
    county.add(*record("U-4", "青山镇", result("a", 98, None)))
    county.add(*record("U-5", "青山镇", result("a", 80, "good")))
    assert [(place, row.id) for place, row in county.ranking()] == [(1, "U-5"), (2, "U-2"), (3, "U-1"), (4, "U-4"), (5, "U-3")]


def test_a_standard_that_does_not_apply_ranks_last_and_is_counted_apart():
    county = CountyStats(["a", "b"], NAMES, ["b", "a"])
    county.add(*record("U-1", "青山镇", result("a", 99), result("b", 91, applies=False)))  # score 91, but b does not apply
    county.add(*record("U-2", "青山镇", result("a", 10, "bad"), result("b", 20, eligible=False)))
    county.add(*record("U-3", "河口镇", result("a", 50, "bad"), result("b", 30, "bad")))
    assert [row.id for row in county.ranked_rows()] == ["U-3", "U-2", "U-1"]
    assert county.level_counts["b"] == {NOT_APPLICABLE: 1, NOT_GRADED: 1, "不达标": 1}
    assert county.levels("b") == ["不达标", NOT_GRADED, NOT_APPLICABLE]
    assert county.applies_count("b") == 2 and county.eligible_count("b") == 1
    assert county.scores["b"] == [30.0] and NOT_APPLICABLE not in county.level_floor["b"]
    row = next(r for r in county.rows if r.id == "U-1")
    assert row.cells["b"].level == NOT_APPLICABLE and not row.cells["b"].applies
    lines = county_summary(county, {"a": "甲", "b": "乙"}).splitlines()
    [u1] = [line for line in lines if " U-1 " in line]
    assert u1.split()[-1] == NOT_APPLICABLE and "91" not in u1  # the terminal shows 不适用, not the score
    assert any(line.startswith("乙") and f"{NOT_APPLICABLE} 1" in line for line in lines)


def test_a_vetoed_union_ranks_below_lower_scores_of_its_level_in_the_example_county(durable):
    """QS-017 (a major accident: 职工之家 capped at 不合格, 95 points) ranked 9th of the county by its score."""
    rulesets = resolve_rulesets(["zhijia"])
    county = CountyStats([r.id for r in rulesets], {r.id: r.name for r in rulesets}, ["zhijia"],
                         {r.id: [level.name for level in r.levels] for r in rulesets})
    for union_id in ("QS-017", "QS-043", "QS-008", "QS-015", "QS-016"):
        assessment = assess(rulesets, load_fact_file(FACTS / f"{union_id}.yaml"), durable)
        county.add(assessment.fact_file.union, assessment.as_of.isoformat(), list(assessment.results.values()))
    ranked = [(row.id, row.cells["zhijia"].level, row.cells["zhijia"].score) for row in county.ranked_rows()]
    assert ranked == [("QS-043", "先进职工之家", 93), ("QS-008", "先进职工之家", 92), ("QS-015", "合格职工之家", 79),
                      ("QS-017", "不合格", 95), ("QS-016", "不合格", 31)]


def test_ties_are_ordered_by_union_id_and_share_a_place():
    county = CountyStats(["a", "b"], NAMES, ["a", "b"])
    for union_id, a, b in [("U-5", 80, 60), ("U-2", 80, 60), ("U-9", 90, 10), ("U-1", 80, 60.5), ("U-3", 70, 99)]:
        county.add(*record(union_id, "青山镇", result("a", a), result("b", b)))
    assert [(place, row.id) for place, row in county.ranking()] == [
        (1, "U-9"), (2, "U-1"), (3, "U-2"), (3, "U-5"), (5, "U-3")]


def test_a_union_without_a_ranking_ruleset_comes_last():
    county = CountyStats(["a", "b"], NAMES, ["b"])
    county.add(*record("U-1", "青山镇", result("a", 99)))
    county.add(*record("U-2", "青山镇", result("a", 10), result("b", 1, "bad")))
    assert [row.id for row in county.ranked_rows()] == ["U-2", "U-1"]


def test_unknown_rulesets_in_a_record_are_ignored():
    county = CountyStats(["a"], NAMES, ["a"])
    county.add(*record("U-1", "青山镇", result("a", 80), result("other", 10, "bad", vetoes=("veto.x",))))
    [row] = county.rows
    assert set(row.cells) == {"a"} and row.vetoes == ()
    assert set(county.level_counts) == {"a"}


def test_entries_a_worker_sends_through_a_pipe_count_as_the_results_do(stats):
    """A batch's workers send `county_entry`s, pickled, instead of each union's results."""
    county = CountyStats(["a", "b"], NAMES, ["a", "b"])
    for union, as_of, results in records():
        county.take(pickle.loads(pickle.dumps(county_entry(union, as_of, results, NAMES))))
    county.add_failure("facts/U-9.yaml", "U-9", ["facts/U-9.yaml:3:5: 错误 [fact-type] employees 应为整数"])
    aggregates = ("rows", "failures", "as_of", "level_counts", "township_levels", "level_floor", "scores", "max_scores", "items", "counties")
    assert [getattr(county, name) for name in aggregates] == [getattr(stats, name) for name in aggregates]


def test_an_entry_keeps_where_a_union_lost_points_only_where_it_is_graded():
    union, as_of, results = records()[2]  # U-2: graded by a, not eligible for b
    entry = county_entry(union, as_of, results, NAMES)
    graded, ungraded = entry.counted
    assert graded.missing == (("x", "指标x"),) and graded.gaps == (("x", "指标x", 5.0),)
    assert (ungraded.level, ungraded.gaps, ungraded.missing) == (NOT_GRADED, (), ())


def test_rows_hold_no_full_records(stats):
    row = stats.rows[0]
    assert not hasattr(row, "__dict__")  # slots: a compact row per union
    assert all(isinstance(value, (str, int, tuple, dict)) for value in (row.id, row.gaps, row.vetoes, row.cells))


@pytest.mark.parametrize(("value", "text"), [(85, "85"), (85.5, "85.5"), (85.333, "85.33"), (0.004, "0"), (None, "—")])
def test_scores_print_with_at_most_two_decimals(value, text):
    assert fmt_score(value) == text


def test_missing_data_of_a_bonus_item_counts_as_missing():
    county = CountyStats(["a"], NAMES, ["a"])
    graded = replace(result("a", 90), bonus_items=[item("bonus.award", "missing", 0, 2)])
    county.add(*record("U-1", "青山镇", graded))
    assert county.rows[0].missing == 1 and county.items["a"]["bonus.award"].missing == 1


def test_the_line_for_a_standard_that_does_not_apply_says_why():
    enterprise = result("b", 91, applies=False)
    assert not_applicable_line(enterprise) == "未满足申报条件：机关、事业单位工会（工会类型：企业），本标准不适用于本单位"
    unknown = replace(enterprise, gate_reason="未满足申报条件（缺少资料：工会成立日期（无资料不得分））")
    assert not_applicable_line(unknown) == "未满足申报条件（缺少资料：工会成立日期（无资料不得分）），补齐资料后才能确定本标准是否适用于本单位"
