"""Every registered item kind keeps the contract: it is built from its field, scores, explains,
diffs, documents itself and hands the planner goals, through `Item.kind` alone."""
from __future__ import annotations

import dataclasses

import pytest

from engine import load_ruleset
from engine.authoring.diff import field_text, ruleset_changes
from engine.authoring.reference import reference
from engine.kinds import CHOSEN_BY_FIELD, FALLBACK, KINDS
from engine.load.schema import schema

ITEMS = {
    "when": "when: members >= 10",
    "tiers": "tiers: [{when: members >= 20, points: 4, name: 二十人以上}, {when: members >= 10, points: 2}]",
    "count": "count: meetings\n        each: 2",
    "scale": "scale: {value: members, from: 0, to: 20}",
    "shortfall": "shortfall: {value: members, target: 20, step: 5, each: 1}",
    "around": "around: {value: members, target: 20, step: 5, each: 1, ceiling: 6}",
    "judged": "judged: {fact: judged.points, note: judged.note, bands: [{min: 3, text: 成效显著}]}",
    "deduct": "deduct: [{when: members < 5, points: 1, name: 会员过少}]",
}

RULESET = """
ruleset: {{id: demo, name: 演示, version: '1', max_score: 4}}
facts:
  members: {{type: integer, label: 会员人数, unit: 人}}
  meetings: {{type: integer, label: 会议次数, unit: 次}}
  judged.points: {{type: number, label: 考核组评分, unit: 分}}
  judged.note: {{type: string, label: 评分说明}}
sections:
  - id: s
    name: 分项
    max: 4
    items:
      - id: it
        name: 指标
        points: 4
        {field}
levels:
  - {{id: good, name: 好, min: 3}}
"""


def item_of(key: str, field: str | None = None, tmp_path=None):
    path = tmp_path / f"{key}.yaml"
    path.write_text(RULESET.format(field=field or ITEMS[key]), encoding="utf-8")
    return load_ruleset(path).item("it")


def test_every_registered_kind_has_an_example_here():
    assert set(KINDS) == set(ITEMS)
    assert FALLBACK not in CHOSEN_BY_FIELD and set(CHOSEN_BY_FIELD) | {FALLBACK} == set(KINDS.values())


@pytest.mark.parametrize("key", sorted(ITEMS))
def test_the_item_holds_the_kind_its_field_chooses(key, tmp_path):
    item = item_of(key, tmp_path=tmp_path)
    assert type(item.kind) is KINDS[key] and item.kind.key == key
    assert dataclasses.is_dataclass(item.kind) and item.kind.__dataclass_params__.frozen


@pytest.mark.parametrize("key", sorted(ITEMS))
def test_what_the_kind_reads_is_what_the_item_reads_and_explains(key, tmp_path):
    item = item_of(key, tmp_path=tmp_path)
    kind_names = set().union(*(e.names for e in item.kind.expressions()))
    assert kind_names <= set(item.reads)
    assert [e for _, e in item.kind.explain(item.points)] == item.kind.expressions()


@pytest.mark.parametrize("key", sorted(ITEMS))
def test_the_kind_s_fields_are_in_the_item_schema_and_the_reference(key):
    item_schema = schema("ruleset.schema.json")["$defs"]["item"]["properties"]
    assert set(KINDS[key].schema.get("properties", {})) <= set(item_schema)
    text = reference()
    assert f"### `{key}`" in text and KINDS[key].__doc__.split("例：")[0].strip().splitlines()[0] in text


@pytest.mark.parametrize("key", sorted(ITEMS))
def test_every_field_a_kind_records_reads_in_chinese(key, tmp_path):
    for field in item_of(key, tmp_path=tmp_path).kind.record():
        assert field_text(field) != field, field


def test_a_changed_tier_is_a_diff_of_the_kind_s_field(tmp_path):
    before = item_of("tiers", tmp_path=tmp_path)
    (tmp_path / "new").mkdir()
    changed = ITEMS["tiers"].replace("members >= 20", "members >= 25")
    path = tmp_path / "new" / "demo.yaml"
    path.write_text(RULESET.format(field=changed), encoding="utf-8")
    old_ruleset = load_ruleset(tmp_path / "tiers.yaml")
    [change] = ruleset_changes(old_ruleset, load_ruleset(path))
    assert (change.field, change.old, change.new, change.what) == ("tiers[1].when", "members >= 20", "members >= 25", "第 1 档条件")
    assert before.kind.branches() == ["第 1 档（二十人以上）", "第 2 档（members >= 10）"]
