"""An item that lost points through deductions alone says what to do about each (`deduct: [{…, fix}]`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import InvalidInput, assess_union, load_fact_file, load_ruleset
from engine.evaluate.evaluators import OracleEvaluator

RULESET = """\
ruleset: {id: lib, name: 书屋, max_score: 7}
facts:
  library.exists: {type: boolean, label: 建有职工书屋}
  library.books: {type: integer, label: 藏书, unit: 册}
  library.keeper: {type: boolean, label: 有管理员}
sections:
  - id: s
    name: 书屋
    max: 7
    items:
      - id: s.library
        name: 职工书屋达标
        points: 7
        zero_if: not library.exists
        deduct:
          - {when: library.books < 3000, points: 2, name: 藏书不足, fix: "现有藏书 {library.books} 册，应补足到 3000 册。"}
          - {when: not library.keeper, points: 2, name: 无管理员, fix: 应配备管理员。}
        fix: 应建成职工书屋并配齐图书和管理员。
levels:
  - {id: ok, name: 合格, min: 0}
"""


def fix_for(tmp_path: Path, ruleset: str, facts: str) -> str | None:
    (tmp_path / "r.yaml").write_text(ruleset, encoding="utf-8")
    (tmp_path / "f.yaml").write_text(f"union: {{id: U, name: 工会, type: enterprise}}\nperiod: 2025\nfacts: {facts}\n", encoding="utf-8")
    [result] = assess_union([load_ruleset(tmp_path / "r.yaml")], load_fact_file(tmp_path / "f.yaml"), OracleEvaluator())
    return result.items[0].fix


@pytest.mark.parametrize(("facts", "fix"), [
    ("{library.exists: true, library.books: 1600, library.keeper: true}", "现有藏书 1600 册，应补足到 3000 册。"),
    ("{library.exists: true, library.books: 1600, library.keeper: false}", "现有藏书 1600 册，应补足到 3000 册。应配备管理员。"),
    ("{library.exists: false, library.books: 0, library.keeper: false}", "应建成职工书屋并配齐图书和管理员。"),  # lost through zero_if
    ("{library.exists: true, library.books: 3000, library.keeper: true}", None),
])
def test_only_the_deductions_taken_are_advised(tmp_path: Path, facts: str, fix: str | None) -> None:
    """QS-023 has 24 报刊 and a computer: it was told to bring both up to standard with everything else."""
    assert fix_for(tmp_path, RULESET, facts) == fix


def test_a_deduction_without_a_fix_keeps_the_item_s(tmp_path: Path) -> None:
    ruleset = RULESET.replace(", fix: 应配备管理员。}", "}")
    assert fix_for(tmp_path, ruleset, "{library.exists: true, library.books: 1600, library.keeper: false}") == "应建成职工书屋并配齐图书和管理员。"


def test_a_section_s_deduction_takes_no_fix(tmp_path: Path) -> None:
    ruleset = RULESET.replace("    max: 7\n    items:", "    max: 7\n    deduct:\n      - {when: not library.keeper, points: 1, name: 无管理员, fix: 配备。}\n    items:")
    (tmp_path / "r.yaml").write_text(ruleset, encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        load_ruleset(tmp_path / "r.yaml")
    assert [d.code for d in refused.value.diagnostics] == ["deduct-fix"]
