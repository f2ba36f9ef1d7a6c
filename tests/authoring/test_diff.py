"""`unionscore diff`: what changed between two versions of a ruleset, and whom it moves in the example county."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

from cli import cli
from engine import OracleEvaluator, load_fact_file, load_ruleset
from engine.authoring.diff import Change, field_text, ruleset_changes
from engine.authoring.impact import load_version
from engine.authoring.measure import measure_impact
from engine.values import Fraction

REPO = Path(__file__).resolve().parents[2]
COUNTY = REPO / "facts" / "qingshan"
ZHIJIA = REPO / "rulesets" / "zhijia.yaml"
COUNTY_VARIANT = REPO / "docs" / "examples" / "zhijia-qingshan.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, ["diff", *args], catch_exceptions=False)


def variant(tmp_path: Path, source: Path, *edits: tuple[str, str]) -> Path:
    """A copy of a ruleset with text replaced, in its own folder (its `uses` found among the bundled ones)."""
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "next" / source.name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def brief(changes: list[Change]) -> set[tuple[str, str, str, str, str, str]]:
    return {(c.part, c.id, c.change, c.field, c.old, c.new) for c in changes}


def test_the_county_variant_against_the_provincial_standard() -> None:
    found = brief(ruleset_changes(load_ruleset(ZHIJIA), load_ruleset(COUNTY_VARIANT)))
    assert found == {
        ("ruleset", "zhijia-qingshan", "changed", "id", "zhijia", "zhijia-qingshan"),
        ("ruleset", "zhijia-qingshan", "changed", "name", "“职工之家”建设考核评价标准", "青山县“职工之家”建设考核评价标准"),
        ("ruleset", "zhijia-qingshan", "changed", "version", "2025.1", "2026.1"),
        ("fact", "scholarship.eligible", "removed", "", "integer", ""),
        ("fact", "scholarship.aided", "removed", "", "integer", ""),
        ("fact", "chair.trained", "added", "", "", "boolean"),
        ("section", "zuzhi", "changed", "max", "20", "22"),
        ("section", "zuoyong", "changed", "max", "25", "23"),
        ("item", "zuzhi.membership", "changed", "name", "会员入会率（95% 以上满分）", "会员入会率（97% 以上满分）"),
        ("item", "zuzhi.membership", "changed", "tiers[1].when", "membership_rate >= 0.95", "membership_rate >= 0.97"),
        ("item", "zuzhi.membership", "changed", "tiers[1].name", "95% 以上", "97% 以上"),
        ("item", "zuoyong.scholarship", "removed", "", "2 分", ""),
        ("item", "zuzhi.chair_trained", "added", "", "", "2 分"),
        ("level", "model", "changed", "min", "90", "92"),
    }


def test_a_version_has_no_changes_from_itself() -> None:
    assert ruleset_changes(load_ruleset(ZHIJIA), load_ruleset(ZHIJIA)) == []


def test_every_kind_of_change_is_listed(tmp_path: Path) -> None:
    changed = variant(tmp_path, ZHIJIA,
                      ("when: incidents.major_safety > 0", "when: incidents.major_safety > 1"),
                      ("shortfall: {value: mutual_aid_rate, target: 0.9, step: 0.1, each: 1, round: ceil}",
                       "shortfall: {value: mutual_aid_rate, target: 0.8, step: 0.1, each: 1, round: floor}"),
                      ("  - {id: qualified, name: 合格职工之家, min: 60}\n", ""),
                      ("union.type != 'group' and years_since(founded) >= 1", "years_since(founded) >= 2"))
    found = {(c.part, c.id, c.field, c.old, c.new) for c in ruleset_changes(load_ruleset(ZHIJIA), load_ruleset(changed))}
    assert ("veto", "veto.accident", "when", "incidents.major_safety > 0", "incidents.major_safety > 1") in found
    assert ("item", "xinlai.mutual_aid", "shortfall.target", "0.9", "0.8") in found
    assert ("item", "xinlai.mutual_aid", "shortfall.round", "ceil", "floor") in found
    assert ("level", "qualified", "", "60 分以上", "") in found
    assert ("gate", "gate", "when", "union.type != 'group' and years_since(founded) >= 1", "years_since(founded) >= 2") in found


def test_field_names_read_in_chinese() -> None:
    assert [field_text(f) for f in ("tiers[2].when", "deduct[1].points", "points", "scale.from")] == [
        "第 2 档条件", "第 1 项扣分分值", "分值", "线性计分起点"]


def membership_rate(path: Path) -> Fraction | None:
    facts = load_fact_file(path).facts
    return Fraction(facts["members"], facts["employees"]) if facts.get("employees") else None


def test_a_raised_tier_threshold_moves_exactly_the_unions_between_the_old_and_new_threshold(tmp_path: Path) -> None:
    raised = variant(tmp_path, ZHIJIA, ("- {when: membership_rate >= 0.95, points: 8", "- {when: membership_rate >= 0.97, points: 8"))
    result = run(str(ZHIJIA), str(raised), "--facts", str(COUNTY), "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(c["id"], c["field"], c["old"], c["new"]) for c in report["changes"]] == [
        ("zuzhi.membership", "tiers[1].when", "membership_rate >= 0.95", "membership_rate >= 0.97")]
    impact = report["impact"]
    assert impact["assessed"] == 44 and impact["failed"] == []
    between = {path.stem for path in COUNTY.glob("QS-*.yaml") if Fraction(95, 100) <= (membership_rate(path) or 0) < Fraction(97, 100)}
    changed = {union["union"]["id"]: union for union in impact["changed"]}
    assert set(changed) <= between and changed
    for union in changed.values():
        assert union["items"] == [{"id": "zuzhi.membership", "name": "会员入会率（95% 以上满分）", "old": 8, "new": 5, "delta": -3,
                                   "counted": [True, True]}]
    assert any(u["level_changed"] and u["new"]["required_failed"] == ["zuzhi.membership"] for u in changed.values())
    counts = impact["level_counts"]
    assert sum(c["old"] for c in counts) == sum(c["new"] for c in counts) == 44
    assert [c["level"] for c in counts][:4] == ["模范职工之家", "先进职工之家", "合格职工之家", "不合格"]


def test_an_item_that_no_longer_applies_is_named_as_left_out_of_the_rescaled_total(tmp_path: Path) -> None:
    """na: drop leaves the item out of the total, which is rescaled: its points alone do not say how the score moved."""
    narrowed = variant(tmp_path, ZHIJIA, ("applies_if: female_members >= 10", "applies_if: female_members >= 200"))
    report = json.loads(run(str(ZHIJIA), str(narrowed), "--facts", str(COUNTY), "--format", "json").stdout)
    changed = {union["union"]["id"]: union for union in report["impact"]["changed"]}
    women = {key: union["items"] for key, union in changed.items()}
    assert all(len(items) == 1 and items[0]["id"] == "zuzhi.women" and items[0]["counted"] == [True, False] for items in women.values())
    failed_before = [key for key, items in women.items() if items[0]["old"] == 0]
    assert failed_before and all(changed[key]["new"]["score"] > changed[key]["old"]["score"] for key in failed_before)  # no points moved
    text = run(str(ZHIJIA), str(narrowed), "--facts", str(COUNTY)).stdout
    assert "“女会员 10 人以上的建立女职工委员会”不再适用，不计入总分（按适用指标折算）" in text


def test_the_table_names_the_unions_that_change_level_and_why() -> None:
    result = run(str(ZHIJIA), str(COUNTY_VARIANT), "--facts", str(COUNTY))
    assert result.exit_code == 0 and result.stderr == ""
    text = result.stdout
    assert text.startswith("规则集对比：“职工之家”建设考核评价标准（zhijia 2025.1，")
    assert "规则变化（14 处）：" in text and "第 1 档条件" in text
    assert "对 " + str(COUNTY) + " 的影响：评估 44 个工会，失败 0 个。" in text
    row = next(line for line in text.splitlines() if line.startswith("QS-014"))
    assert "模范职工之家（98）" in row and "先进职工之家（95）" in row
    assert "必备项未达标：会员入会率（97% 以上满分）" in row and "会员入会率（97% 以上满分） 8→5" in row
    header, _, *rows = text[text.index("等级变化的工会："):].splitlines()[1:]
    column = wcswidth(header[: header.index("主要原因")])  # padded by display width: a CJK character takes two columns
    assert len(rows) == 4 and all(wcswidth(line[: line.index(re.split(r"\s{2,}", line)[4])]) == column for line in rows)
    assert re.split(r"\s{2,}", row)[4].startswith("模范职工之家最低分 90→92；必备项未达标")  # the raised line of the level it left, first


def test_the_impact_is_the_same_from_the_workbook_as_from_the_folder() -> None:
    old, new = load_version("zhijia"), load_version(COUNTY_VARIANT)
    from_book, from_folder = (measure_impact(old, new, [source], OracleEvaluator()).changed for source in (REPO / "facts" / "qingshan.xlsx", COUNTY))
    assert [(u.union, u.old, u.new) for u in from_book] == [(u.union, u.old, u.new) for u in from_folder]


def test_uses_are_resolved_for_both_versions(tmp_path: Path) -> None:
    xingji = REPO / "rulesets" / "xingji.yaml"
    stricter = variant(tmp_path, xingji, ("    name: 五星\n    min: 90", "    name: 五星\n    min: 95"))
    result = run(str(xingji), str(stricter), "--facts", str(COUNTY), "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(c["part"], c["id"], c["field"]) for c in report["changes"]] == [("level", "five", "min")]
    changed = report["impact"]["changed"]
    assert changed and all(u["old"]["score"] == u["new"]["score"] and u["level_changed"] for u in changed)


def test_a_union_that_cannot_be_assessed_is_reported_and_the_rest_compared(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    folder.mkdir()
    shutil.copy(COUNTY / "QS-014.yaml", folder)
    (folder / "QS-999.yaml").write_text("union: {id: QS-999, type: enterprise}\nperiod: 2025\nfacts:\n  members: 二百\n", encoding="utf-8")
    result = run("zhijia", str(COUNTY_VARIANT), "--facts", str(folder), "--format", "json")
    assert result.exit_code == 1
    assert "QS-999.yaml:4:12: 错误 [fact-type]" in result.stderr
    impact = json.loads(result.stdout)["impact"]
    assert impact["assessed"] == 1 and [f["union"]["id"] for f in impact["failed"]] == ["QS-999"]


def test_without_facts_only_the_changes_are_listed() -> None:
    result = run("zhijia", str(COUNTY_VARIANT), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["impact"] is None
    assert "影响" not in run("zhijia", str(COUNTY_VARIANT)).stdout


@pytest.mark.parametrize("spec, code", [("zhijai", 2), ("no/such.yaml", 1)])
def test_an_unknown_version_is_an_error(spec: str, code: int) -> None:
    result = run(spec, str(COUNTY_VARIANT))
    assert result.exit_code == code and result.stdout == ""


def test_a_union_s_reasons_are_what_moved_it(tmp_path: Path) -> None:
    """A raised level line is named; a required item no level it crossed requires is not; a gain does not explain a fall."""
    survey = "        points: {0}\n        required: true\n        tiers:\n          - {{when: survey.satisfaction >= 0.9, points: {0}"
    tighter = variant(tmp_path, ZHIJIA, ("membership_rate >= 0.95, points: 8", "membership_rate >= 0.97, points: 8"),
                      (survey.format(8), survey.format(9)), ("        points: 4\n        when: review.held", "        points: 3\n        when: review.held"),
                      ("id: advanced, name: 先进职工之家, min: 80", "id: advanced, name: 先进职工之家, min: 85"))
    text = run(str(ZHIJIA), str(tighter), "--facts", str(COUNTY)).stdout
    order = ["模范职工之家", "先进职工之家", "合格职工之家", "不合格"]
    moved = [re.split(r"\s{2,}", line) for line in text[text.index("等级变化的工会："):].splitlines() if line.startswith("QS-")]
    levels = [[next(name for name in order if cell.startswith(name)) for cell in row[2:4]] for row in moved]
    assert moved and all(order.index(after) > order.index(before) for before, after in levels)  # every one fell
    assert all("8→9" not in row[4] for row in moved)
    from_advanced = [row[4] for row, (before, _) in zip(moved, levels) if before == "先进职工之家"]
    assert from_advanced and all(why.startswith("先进职工之家最低分 80→85") and "必备项未达标" not in why for why in from_advanced)
    from_model = [row[4] for row, (before, _) in zip(moved, levels) if before == "模范职工之家"]
    assert from_model and all(why.startswith("必备项未达标：会员入会率") and "最低分" not in why for why in from_model)


def test_a_fact_the_sources_lack_is_named_as_the_reason(tmp_path: Path) -> None:
    """A fact renamed in the new version (review.held → review.hled) has no data in the county: 缺资料, not a harsher rule."""
    renamed = variant(tmp_path, ZHIJIA, *((text, text.replace("review.held", "review.hled")) for text in
                                          ZHIJIA.read_text(encoding="utf-8").splitlines() if "review.held" in text))
    text = run(str(ZHIJIA), str(renamed), "--facts", str(COUNTY)).stdout
    moved = [re.split(r"\s{2,}", line) for line in text[text.index("等级变化的工会："):].splitlines() if line.startswith("QS-")]
    assert moved and all(row[4].startswith("缺资料：开展会员评家") for row in moved)
    report = json.loads(run(str(ZHIJIA), str(renamed), "--facts", str(COUNTY), "--format", "json").stdout)
    assert all(u["new"]["missing"] == ["xinlai.review"] and u["old"]["missing"] == [] for u in report["impact"]["changed"])
