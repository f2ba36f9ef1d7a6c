"""The bundled rulesets' ceilings between counts: a count above the one it is part of is a typing mistake that would
grade as full marks (办结率 153.8%), so the union is refused, saying which figures disagree."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import InvalidInput, assess_union, load_fact_file, resolve_rulesets

QINGSHAN = Path(__file__).resolve().parents[2] / "facts" / "qingshan"


@pytest.mark.parametrize("union, pattern, replacement, message", [
    ("QS-003", r"proposals_done: \d+", "proposals_done: 20", "已办结提案数（congress.proposals_done）20 大于本年度职工（教职工）代表提案数（congress.proposals）13"),
    ("QS-016", r"filed: \d+", "filed: 99", "已建档困难职工人数（hardship.filed）99 大于"),
])
def test_a_count_above_the_count_it_is_part_of_is_refused(tmp_path, evaluator, union, pattern, replacement, message):
    text = (QINGSHAN / f"{union}.yaml").read_text(encoding="utf-8")
    changed, found = re.subn(pattern, replacement, text)
    assert found == 1
    path = tmp_path / f"{union}.yaml"
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        assess_union(resolve_rulesets(), load_fact_file(path), evaluator)
    assert [d.code for d in caught.value.diagnostics] == ["fact-at-most"]
    assert message in caught.value.diagnostics[0].message
