"""What real scoring tables need (issue 16), scored by hand on docs/examples/mofan.yaml and small rulesets:
uncapped bonuses, items around a target, section deductions, the assessors' judgment and cohort levels."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cli import cli
from engine.evaluate.assessment import assess
from engine.evaluate.cohort import CohortEntry, decide
from engine.facts.fact_file import load_fact_file
from engine.load.loader import load_ruleset

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "mofan.yaml"
UNIONS = REPO / "docs" / "examples" / "mofan"
BASE = {"members": 96, "employees": 100, "dues": {"due": 10000, "collected": 9000}, "congress": {"system": True, "held": 2},
        "open_affairs": {"posted": True}, "brand": {"points": 4, "note": "职工书屋品牌在全县推广"}, "awards": {"city": 0}}


def scored(write: Any, evaluator: Any, union: dict | None = None, **changes: Any) -> Any:
    """The example ruleset's result for the base union with some facts changed."""
    header = {"id": "T-1", "name": "测试工会", "type": "enterprise", "township": "青山镇", **(union or {})}
    path = write("facts.yaml", yaml.safe_dump({"union": header, "period": 2025, "facts": {**BASE, **changes}}, allow_unicode=True))
    return assess([load_ruleset(EXAMPLE)], load_fact_file(path), evaluator).results["mofan"]


def item(result: Any, item_id: str) -> Any:
    return next(i for i in result.items + result.bonus_items if i.id == item_id)


def test_an_uncapped_bonus_adds_every_award_and_says_so(write: Any, evaluator: Any) -> None:
    result = scored(write, evaluator, awards={"city": 7})  # 7 × 2 = 14, no cap: 29 + 14
    assert (result.score, result.bonus) == (43, 14)
    assert item(result, "bonus.awards").reason == "获市级以上表彰项数 7 项，每项 2 分、上不封顶，得 14 分"


def test_uncapped_is_declared_never_by_omission(write: Any) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("  max: uncapped\n", "")
    result = CliRunner().invoke(cli, ["check", str(write("mofan.yaml", text))])
    assert "[schema-required] bonus：缺少必填字段 “max”" in result.stderr


@pytest.mark.parametrize(("collected", "points", "outcome"), [
    (10000, 6, "pass"),  # +10%: 2 steps above, 4 + 2 = 6, the ceiling
    (9400, 4, "pass"),  # +4%: less than a step
    (7800, 2, "partial"),  # −12%: 2 whole steps below (2.4), 4 − 2
    (6000, 0, "fail"),  # −30%: 6 steps below, floored at 0
])
def test_an_item_around_a_target_goes_up_and_down(write: Any, evaluator: Any, collected: int, points: int, outcome: str) -> None:
    found = item(scored(write, evaluator, dues={"due": 10000, "collected": collected}), "zuzhi.dues")
    assert (found.points, found.outcome) == (points, outcome)


def test_points_above_the_target_count_in_the_items_own_section(write: Any, evaluator: Any) -> None:
    result = scored(write, evaluator, dues={"due": 10000, "collected": 10000})
    section = next(s for s in result.sections if s.id == "zuzhi")
    assert (section.points, section.max_points, result.score, result.bonus) == (12, 10, 31, 0)
    assert item(result, "zuzhi.dues").reason == ("工会经费收缴率 100.0%（实收工会经费 10000 元，应收工会经费 10000 元），以 90% 为基准得 4 分，"
                                                 "每 ±5% 加减 1 分（0 至 6 分，不足一档不计），高于基准 2 档，得 6 分，比基准分多 2 分")


def test_a_section_deduction_shows_in_the_sections_line_and_its_floor_is_0(write: Any, evaluator: Any) -> None:
    result = scored(write, evaluator, congress={"system": False, "held": 2})
    section = next(s for s in result.sections if s.id == "minzhu")
    assert (section.points, section.deducted, section.reason, result.score) == (5, 6, "扣分：没有建立职代会制度 −6 分", 23)
    assert result.gaps[0].name == "民主管理（分项扣分）" and result.gaps[0].points_lost == 6
    floored = scored(write, evaluator, congress={"system": False, "held": 0}, open_affairs={"posted": False},
                     brand={"points": 2, "note": "有特色做法"})
    assert [(s.points, s.deducted) for s in floored.sections if s.id == "minzhu"] == [(0, 2)]


def test_a_judged_item_waits_for_the_assessors(write: Any, evaluator: Any) -> None:
    result = scored(write, evaluator, brand={"points": None, "note": None})
    waiting = item(result, "minzhu.brand")
    assert (waiting.outcome, waiting.points, waiting.reason) == ("pending", 0, "待考核组评定（0–5 分酌情给分）")
    assert result.score == 25 and "待考核组评定 1 项" in result.notes[0]


def test_judged_points_come_with_a_note_and_within_the_range(write: Any, evaluator: Any) -> None:
    judged = item(scored(write, evaluator, brand={"points": 3, "note": "有特色做法"}), "minzhu.brand")
    assert judged.reason == "考核组评定 3 分（0–5 分，评分参考“有特色做法，成效一般”）：有特色做法，失 2 分"
    for brand, code in (({"points": 7, "note": "很好"}, "judged-range"), ({"points": 4}, "judged-note")):
        with pytest.raises(Exception) as caught:
            scored(write, evaluator, brand=brand)
        assert code in str(caught.value)


def test_the_plan_leaves_a_judged_item_to_the_assessors() -> None:
    printed = CliRunner().invoke(cli, ["plan", "--ruleset", str(EXAMPLE), str(UNIONS / "MF-04.yaml")]).stdout
    assert "“特色工作（考核组酌情给分）”待考核组评定（满分 5 分），本规划未计入" in printed


def test_assess_of_one_union_says_the_level_depends_on_the_cohort() -> None:
    printed = CliRunner().invoke(cli, ["assess", "--ruleset", str(EXAMPLE), str(UNIONS / "MF-01.yaml")]).stdout
    assert "等级：先进职工之家（可参评模范职工之家，待排名）" in printed
    assert "须待全部工会评分后确定：本单位符合参评条件，单独评估时暂按“先进职工之家”计" in printed


def test_batch_decides_the_cohort_once_every_union_is_scored(tmp_path: Path) -> None:
    # 青山镇: MF-02 33 分, MF-01 29 分 (both qualify), MF-04 25 分; 城关街道: MF-03 28 分 — top 1 per township
    result = CliRunner().invoke(cli, ["batch", "--ruleset", str(EXAMPLE), str(UNIONS), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    levels = {line["union"]["id"]: line["result"]["level"]["id"] for line in lines}
    assert levels == {"MF-01": "advanced", "MF-02": "model", "MF-03": "model", "MF-04": "advanced"}
    mf01 = next(line["result"] for line in lines if line["union"]["id"] == "MF-01")
    assert mf01["notes"] == ["“模范职工之家”按乡镇（街道）内得分排名前 1 名评定（27 分以上方可参评，并列者全部入选）："
                             "青山镇符合条件的 2 个单位中本单位排第 2 名，未入选"]
    # MF-04 lost nothing it can rectify; its judged item is not yet entered, and its page says so
    page = (tmp_path / "out" / "unions" / "MF-04.md").read_text(encoding="utf-8")
    assert "除待考核组评定的“特色工作（考核组酌情给分）”外，各项均已达标，无整改事项。" in page
    assert "除待考核组评定" not in (tmp_path / "out" / "unions" / "MF-02.md").read_text(encoding="utf-8")


def test_a_union_entered_twice_ranks_by_the_record_the_outputs_keep(tmp_path: Path) -> None:
    """青山镇's first, MF-02, entered first with members above employees: that record keeps the id and is reported,
    the correct one after it is a repeat, and the ranking leaves MF-02 out, as the outputs do."""
    unions = tmp_path / "unions"
    unions.mkdir()
    for path in UNIONS.glob("*.yaml"):
        (unions / path.name).write_bytes(path.read_bytes())
    wrong = (UNIONS / "MF-02.yaml").read_text(encoding="utf-8").replace("members: 98", "members: 120")
    (unions / "MF-00.yaml").write_text(wrong, encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", "--ruleset", str(EXAMPLE), str(unions), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 1 and "[fact-members]" in result.stderr
    assert f"{unions / 'MF-02.yaml'}: 工会编号 “MF-02” 重复：{unions / 'MF-00.yaml'} 已用了这个编号" in result.stderr
    lines = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    mf01 = next(line["result"] for line in lines if line["union"]["id"] == "MF-01")
    assert mf01["level"]["id"] == "model" and "青山镇符合条件的 1 个单位中本单位排第 1 名，入选" in mf01["notes"][0]


def entry(union: str, score: int) -> CohortEntry:
    """A union ranked in the whole run; from 80 分 it qualifies for model (as if min were 80), always for advanced."""
    ladder = ("model", "advanced", "none") if score >= 80 else ("advanced", "none")
    return CohortEntry(union, (("county", "青山县"), ("township", "青山镇")), True, score, ladder)


@pytest.mark.parametrize(("cohort", "chosen"), [
    ("{top: 2, ties: all}", {"A", "B", "C"}),  # 95, 90, 90: the tie at the cut-off goes in, the quota is exceeded
    ("{top: 2, ties: none}", {"A"}),  # … or stays out: the quota is never exceeded
    ("{top: '40%', ties: all}", {"A", "B", "C"}),  # 40% of 5 graded unions is 2; B and C tie for 2nd
    ("{top: '20%'}", {"A"}),  # 20% of 5 is 1
    ("{top: '10%'}", set()),  # 10% of 5 is 0.5, rounded down: nobody
])
def test_the_quota_the_tie_rule_and_the_minimum_score(write: Any, cohort: str, chosen: set[str]) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("cohort: {top: 1, per: township, ties: all}", f"cohort: {cohort}")
    ruleset = load_ruleset(write("mofan.yaml", text))
    entries = [entry("A", 95), entry("B", 90), entry("C", 90), entry("D", 70), entry("E", 60)]  # D, E under the floor: never candidates
    decided = decide(ruleset, entries)
    assert {union for union, d in decided.items() if d.level == "model"} == chosen
    assert {union for union, d in decided.items() if d.level == "advanced"} == {"A", "B", "C", "D", "E"} - chosen
