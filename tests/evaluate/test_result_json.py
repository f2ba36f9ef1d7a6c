"""`unionscore assess --format json`: the stable, schema-described result for programs."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import REPO

from cli import cli
from engine import load_ruleset

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "engine" / "schemas" / "result.schema.json").read_text(encoding="utf-8"))

RULESET = """
ruleset: {id: demo, name: 演示标准, version: "2025.1", max_score: 20}
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  members: {type: integer, label: 会员人数, unit: 人}
  elected: {type: boolean, label: 依法选举}
  meetings: {type: integer, label: 会议次数, unit: 次}
  awards: {type: integer, label: 表彰次数}
  fraud: {type: boolean, label: 弄虚作假}
derive:
  rate: ratio(members, employees)
sections:
  - id: zuzhi
    name: 有组织
    max: 10
    items:
      - id: zuzhi.rate
        name: 会员入会率
        points: 6
        tiers:
          - {when: rate >= 0.95, points: 6}
          - {when: rate >= 0.8, points: 3}
        fix: 入会率 {pct(rate)}，再发展会员 {ceil(employees * 0.95) - members} 名可达 95%。
      - {id: zuzhi.elected, name: 依法选举, points: 4, when: elected, required: true, fix: 召开会员大会依法选举。}
  - id: huodong
    name: 有活动
    max: 10
    items:
      - {id: huodong.meetings, name: 召开会议, points: 10, count: meetings, each: 2, fix: "本年开会 {meetings} 次，应不少于 5 次。"}
bonus:
  max: 2
  items:
    - {id: bonus.award, name: 获表彰, points: 2, when: awards > 0}
vetoes:
  - {id: veto.fraud, name: 弄虚作假, when: fraud, effect: disqualify}
levels:
  - {id: good, name: 达标, min: 16}
  - {id: basic, name: 基本达标, min: 10}
"""

FACTS = """
union: {id: QS-0001, name: 青山镇永兴纺织有限公司工会, type: enterprise, county: 青山县, township: 青山镇}
period: 2025
facts:
  employees: 100
  members: 85
  elected: true
  meetings: 3
  awards: 1
  fraud: false
"""


def run_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["assess", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def document(write) -> dict:
    return run_json("--ruleset", str(write("demo.yaml", RULESET)), str(write("facts.yaml", FACTS)))


def test_output_validates_against_the_schema(document):
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


def test_union_header(document):
    assert document["union"] == {
        "id": "QS-0001", "name": "青山镇永兴纺织有限公司工会", "type": "enterprise",
        "county": "青山县", "township": "青山镇", "period": 2025,
    }
    assert document["as_of"] == "2025-12-31"


def test_result_names_the_ruleset_with_its_hash(document):
    [result] = document["results"]
    meta = result["ruleset"]
    assert (meta["id"], meta["name"], meta["version"]) == ("demo", "演示标准", "2025.1")
    assert len(meta["hash"]) == 16


def test_score_includes_the_bonus_shown_apart(document):
    [result] = document["results"]
    # 3 (入会率 85%) + 4 + 6 (3 meetings × 2) = 13, plus a bonus of 2
    assert (result["score"], result["max_score"], result["bonus"]) == (15, 20, 2)
    assert result["level"] == {"id": "basic", "name": "基本达标"}
    assert (result["eligible"], result["vetoes"], result["required_failed"]) == (True, [], [])


def test_items_carry_outcome_points_reason_and_facts(document):
    [result] = document["results"]
    items = {item["id"]: item for item in result["items"]}
    assert set(items) == {"zuzhi.rate", "zuzhi.elected", "huodong.meetings", "bonus.award"}
    rate = items["zuzhi.rate"]
    assert (rate["name"], rate["section"], rate["outcome"], rate["points"], rate["max_points"]) == ("会员入会率", "zuzhi", "partial", 3, 6)
    assert rate["facts"] == {"employees": 100, "members": 85, "rate": 0.85}
    assert "当前档 ≥ 80% 得 3 分，失 3 分" in rate["reason"]
    assert items["bonus.award"]["section"] == "bonus"


def test_result_has_the_keys_the_design_requires(document):
    assert set(document) >= {"union", "results"}
    [result] = document["results"]
    assert set(result) >= {"ruleset", "score", "max_score", "bonus", "level", "eligible", "vetoes", "required_failed", "items", "gaps"}
    assert set(result["ruleset"]) == {"id", "name", "version", "hash"}
    for item in result["items"]:
        assert set(item) >= {"id", "name", "section", "outcome", "points", "max_points", "reason", "facts"}
    for gap in result["gaps"]:
        assert set(gap) >= {"item", "points_lost", "fix"}


def test_gaps_are_sorted_by_points_lost_with_rendered_fixes(document):
    [result] = document["results"]
    assert [{k: gap[k] for k in ("item", "points_lost", "fix")} for gap in result["gaps"]] == [
        {"item": "huodong.meetings", "points_lost": 4, "fix": "本年开会 3 次，应不少于 5 次。"},
        {"item": "zuzhi.rate", "points_lost": 3, "fix": "入会率 85.0%，再发展会员 10 名可达 95%。"},
    ]


def test_not_eligible_union_has_null_level(write):
    facts = FACTS.replace("fraud: false", "fraud: true").replace("elected: true", "elected: false")
    document = run_json("--ruleset", str(write("demo.yaml", RULESET)), str(write("facts.yaml", facts)))
    [result] = document["results"]
    assert (result["level"], result["eligible"], result["vetoes"]) == (None, False, ["veto.fraud"])
    assert result["required_failed"] == ["zuzhi.elected"]
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


def test_rescaled_score_is_a_json_number_at_two_decimals(write):
    na_drop = RULESET.replace("max_score: 20}", "max_score: 20, na: drop}").replace(
        "        points: 6\n        tiers:", "        points: 6\n        applies_if: employees > 1000\n        tiers:")
    document = run_json("--ruleset", str(write("demo.yaml", na_drop)), str(write("facts.yaml", FACTS)))
    [result] = document["results"]
    assert result["score"] == 16.29  # 10 of the 14 applicable points × 20 + 2 = 16.2857…, shown at two decimals
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


def test_missing_facts_are_null_in_item_facts(write):
    facts = FACTS.replace("  members: 85\n", "")
    document = run_json("--ruleset", str(write("demo.yaml", RULESET)), str(write("facts.yaml", facts)))
    rate = next(i for i in document["results"][0]["items"] if i["id"] == "zuzhi.rate")
    assert rate["outcome"] == "missing"
    assert rate["facts"]["members"] is None
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


def test_bundled_rulesets_produce_valid_json():
    document = run_json(str(REPO / "facts" / "qingshan" / "QS-016.yaml"))
    assert len(document["results"]) >= 2
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


# --- content hash --------------------------------------------------------------------------------

def test_hash_is_stable_across_loads(write):
    path = write("demo.yaml", RULESET)
    assert load_ruleset(path).hash == load_ruleset(path).hash
    first = run_json("--ruleset", str(path), str(write("facts.yaml", FACTS)))
    again = run_json("--ruleset", str(path), str(write("facts.yaml", FACTS)))
    assert first["results"][0]["ruleset"]["hash"] == again["results"][0]["ruleset"]["hash"] == load_ruleset(path).hash


def test_hash_changes_when_the_ruleset_changes(write):
    before = load_ruleset(write("demo.yaml", RULESET)).hash
    after = load_ruleset(write("demo.yaml", RULESET.replace("rate >= 0.8, points: 3", "rate >= 0.8, points: 4"))).hash
    assert before != after


def test_hash_ignores_comments_and_layout(write):
    before = load_ruleset(write("demo.yaml", RULESET)).hash
    after = load_ruleset(write("demo.yaml", "# 注释\n" + RULESET.replace("max: 10\n    items:", "max:   10\n    items:", 1))).hash
    assert before == after
