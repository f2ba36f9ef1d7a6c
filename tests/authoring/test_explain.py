"""`unionscore explain`: one item's whole evaluation, every sub-expression with its value."""
from __future__ import annotations

from click.testing import CliRunner
from conftest import REPO

from cli import cli

QS016 = str(REPO / "facts" / "qingshan" / "QS-016.yaml")

RULESET = """
ruleset: {id: demo, name: 演示标准, version: "2025.1", max_score: 10}
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  members: {type: integer, label: 会员人数, unit: 人}
  elected: {type: boolean, label: 依法选举}
  meetings: {type: integer, label: 会议次数, unit: 次}
derive:
  membership_rate: ratio(members, employees)
sections:
  - id: zuzhi
    name: 有组织
    max: 10
    items:
      - id: zuzhi.rate
        name: 会员入会率
        points: 4
        zero_if: members == 0
        tiers:
          - {when: membership_rate >= 0.95, points: 4}
          - {when: membership_rate >= 0.8 and elected, points: 3}
      - id: zuzhi.meetings
        name: 定期开会
        points: 6
        count: meetings
        each: 2
        deduct:
          - {name: 未选举, when: not elected, points: 1}
"""

FACTS = """
union: {id: T-1, name: 测试工会, type: enterprise}
period: 2025
facts: {employees: 100, members: 80, elected: true}
"""


def run(*args: str):
    return CliRunner().invoke(cli, ["explain", *args])


def test_tree_shows_every_sub_expression_with_its_value(write):
    ruleset, facts = write("demo.yaml", RULESET), write("t.yaml", FACTS)
    result = run("--ruleset", str(ruleset), str(facts), "zuzhi.rate")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "指标 zuzhi.rate：会员入会率（演示标准，demo）" in lines
    assert "分值：4 分　结果：部分得分　得分：3 分" in lines
    assert any(line.startswith("理由：") for line in lines)
    assert "不得分条件：members == 0  → 否" in lines
    assert "第 1 档（4 分）：membership_rate >= 0.95  → 否" in lines
    assert "  membership_rate → 0.8（80.0%）（= ratio(members, employees)）" in lines
    assert "    members（会员人数）→ 80" in lines
    assert "    employees（职工人数）→ 100" in lines
    assert not any(line.strip() == "0.95 → 0.95" for line in lines)  # a constant says itself
    assert "第 2 档（3 分）：membership_rate >= 0.8 and elected  → 是" in lines
    assert "  membership_rate >= 0.8 → 是" in lines
    assert "    membership_rate → 0.8（80.0%）（= ratio(members, employees)）" in lines
    assert "  elected（依法选举）→ 是" in lines


def test_missing_fact_shows_as_no_data(write):
    ruleset, facts = write("demo.yaml", RULESET), write("t.yaml", FACTS)
    result = run("--ruleset", str(ruleset), str(facts), "zuzhi.meetings")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "分值：6 分　结果：缺资料　得分：0 分" in lines
    assert "计数（每个计 2 分）：meetings（会议次数）  → （无数据：缺少 meetings（会议次数））" in lines
    assert "扣分项“未选举”（扣 1 分）：not elected  → 否" in lines
    assert "  elected（依法选举）→ 是" in lines


def test_cannot_compute_shows_why(write):
    ruleset = write("demo.yaml", RULESET)
    facts = write("t.yaml", FACTS.replace("employees: 100, members: 80", "employees: 0, members: 0"))
    result = run("--ruleset", str(ruleset), str(facts), "zuzhi.rate")
    assert result.exit_code == 0, result.output
    assert "不得分条件：members == 0  → 是" in result.output
    assert "第 1 档（4 分）：membership_rate >= 0.95  → （无数据：分母为 0）" in result.output
    assert "  membership_rate → （无数据：分母为 0）（= ratio(members, employees)）" in result.output


def test_bundled_ruleset_on_qingshan_union():
    result = run("--ruleset", "xingji", QS016, "zuzhi.membership")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("工会：青山镇鑫源食品厂工会（QS-016）")
    assert sum(line.startswith("指标 zuzhi.membership：") for line in lines) == 1  # zhijia is used, not explained
    assert "结果：未得分　得分：0 分" in result.output
    assert "：membership_rate（会员入会率）  → 0.74（73.8%）（= ratio(members, employees)）" in result.output
    assert "  members（会员人数）→ 31" in lines
    assert "  employees（职工人数）→ 42" in lines


def test_bundled_missing_fact_on_qingshan_union():
    result = run("--ruleset", "xingji", QS016, "jixiao.satisfaction")
    assert result.exit_code == 0, result.output
    assert "结果：缺资料" in result.output
    assert "survey.satisfaction（职工对工会工作满意率（测评））  → （无数据：缺少 survey.satisfaction（职工对工会工作满意率（测评）））" in result.output


def test_codes_read_with_their_chinese_names():
    """Union types and used rulesets' levels show their code and what people call them."""
    group = run("--ruleset", "zhijia", str(REPO / "facts" / "qingshan" / "QS-011.yaml"), "weiquan.coverage")
    assert "  union.type（工会类型）→ “group”（工会小组）" in group.output.splitlines()
    level = run("--ruleset", "xingji", QS016, "zuzhi.bayou")
    assert "  results.bayou.level → “budabiao”（不达标）" in level.output.splitlines()


def test_default_rulesets_explain_every_ruleset_with_the_item():
    result = run(QS016, "zuzhi.membership")
    assert result.exit_code == 0, result.output
    assert "（“职工之家”建设考核评价标准，zhijia）" in result.output
    assert "，xingji）" in result.output
    assert "第 3 档（2 分，70% 以上）：membership_rate >= 0.70  → 是" in result.output


def test_unknown_item_is_usage_error_with_close_matches():
    result = run(QS016, "zuzhi.membrship")
    assert result.exit_code == 2
    assert "没有指标 “zuzhi.membrship”" in result.output
    assert "是否指：zuzhi.membership" in result.output


def test_bad_fact_file_is_invalid_input(write):
    ruleset = write("demo.yaml", RULESET)
    facts = write("bad.yaml", FACTS.replace("members: 80", "members: many"))
    result = run("--ruleset", str(ruleset), str(facts), "zuzhi.rate")
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "members" in result.output
    not_a_mapping = write("list.yaml", "- 1\n- 2\n")
    assert run("--ruleset", str(ruleset), str(not_a_mapping), "zuzhi.rate").exit_code == 1


def test_a_derived_value_read_twice_is_written_out_once(write):
    """`d2: d1 * d1` …: each derived value once, not 2^16 lines (13 MB) for sixteen of them."""
    steps = "".join(f"\n  d{i}: d{i - 1} * d{i - 1}" for i in range(1, 17))
    chain = RULESET.replace("membership_rate: ratio(members, employees)", "d0: members" + steps).replace("membership_rate >=", "d16 <")
    result = run("--ruleset", str(write("chain.yaml", chain)), str(write("t.yaml", FACTS)), "zuzhi.rate")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) < 100  # two tiers, each writing out seventeen derived values
    assert [line.strip() for line in lines if line.strip().startswith("d15 ")] == 2 * [
        "d15 → （无数据：计算结果的数值过大或位数过多，超出计算范围）（= d14 * d14）",
        "d15 → （无数据：计算结果的数值过大或位数过多，超出计算范围）（见上）",
    ]  # in each tier's tree
