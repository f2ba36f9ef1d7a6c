"""engine/load/loader.py: reading a ruleset file, hostile ones included."""
from __future__ import annotations

import pytest

from engine import InvalidInput, load_ruleset

RULESET = """\
ruleset: {id: keys, name: 键, max_score: 10}
facts:
  members: {type: integer, label: 会员人数}
  employees: {type: integer, label: 职工人数}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - id: s.a
        name: 指标
        points: 10
        tiers:
          - {when: max(members, 10, employees) >= 90, points: 10}
levels:
  - {id: top, name: 达标, min: 0}
"""


@pytest.mark.parametrize("text, key, line", [
    (RULESET, "10", 14),  # commas in a flow mapping split the expression into keys, one of them the number 10
    (RULESET.replace("  members: {", "  ~: {type: integer, label: 空}\n  members: {"), "null", 3),
    (RULESET.replace("    max: 10\n", "    max: 10\n    true: 1\n"), "true", 9),
])
def test_a_key_that_is_not_text_is_refused_at_its_line(write, text, key, line):
    if key != "10":
        text = text.replace("max(members, 10, employees) >= 90", "members > 1")
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(write("keys.yaml", text))
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.mark.line) == ("yaml-key", line)
    assert f"键 “{key}” 不是文本" in problem.message
