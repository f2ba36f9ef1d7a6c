"""engine/load/salvage.py: a ruleset that breaks its schema is still checked as far as it can be built."""
from __future__ import annotations

import pytest

from engine.authoring.lint import check_file

RULESET = """\
ruleset: {id: cut, name: 裁剪, max_score: 2}
facts:
  members: {type: integer, label: 会员人数, change: up}
sections:
  - id: a
    name: 甲
    max: 1
    items: BROKEN
  - id: b
    name: 乙
    max: 1
    items:
      - {id: b.x, name: 乙项, points: 1, when: membres > 1, fix: 发展会员, evidence: [名册]}
levels:
  - {id: top, name: 达标, min: 0}
"""


@pytest.mark.parametrize("broken", ["5", "null", "true"])
def test_a_section_whose_items_are_no_list_is_cut_and_the_rest_checked(write, broken):
    found = check_file(write("cut.yaml", RULESET.replace("BROKEN", broken)))  # stopped check with an internal error
    assert [(d.code, d.mark.line) for d in found] == [("schema-type", 8), ("expr-unknown-name", 13)]
