"""Why-not reasons: each item kind names the union's figures and every threshold, in Chinese.

The reasons are checked word for word on a small inline ruleset (under durable-rules and the
oracle alike), then the phrasing of every kind of condition, then the bundled rulesets.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from engine import InvalidInput, OracleEvaluator, load_ruleset
from engine.authoring.explain import explain
from engine.language.expr_parse import Call, Name, Node
from engine.language.functions import REGISTRY
from engine.language.phrasing import phrasing_of
from engine.report.record import as_json
from engine.report.terminal import summary_lines

REPO = Path(__file__).resolve().parents[2]
QS016 = REPO / "facts/qingshan/QS-016.yaml"

FACTS = """
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  members: {type: integer, label: 会员人数, unit: 人}
  committee.elected: {type: boolean, label: 工会委员会经选举产生}
  mediation.committee: {type: boolean, label: 建立劳动争议调解委员会}
  congress.sessions: {type: integer, label: 本年度召开职代会次数, unit: 次}
  congress.minutes: {type: boolean, label: 职代会有会议记录和决议}
  contract.coverage: {type: number, label: 集体合同职工覆盖率, unit: "%"}
  contract.fulfilment: {type: number, label: 集体合同履约率, unit: "%"}
  contract.wage: {type: boolean, label: 签订工资专项集体合同}
  rules.audit: {type: enum, values: [none, adopted, posted], labels: {none: 未建立, adopted: 已建立未上墙, posted: 已建立并上墙}, label: 经费审查制度}
  disclosure.times: {type: integer, label: 本年度厂务公开次数, unit: 次}
  cards: {type: integer, label: 已办理会员证人数, unit: 人}
  library.books: {type: integer, label: 职工书屋藏书, unit: 册}
  ledger.missing: {type: integer, label: 缺失的台账种数, unit: 种}
  incidents: {type: integer, label: 本年度发生重大劳动安全责任事故, unit: 起}
  meetings.by_quarter: {type: list, items: integer, label: 各季度会议次数, unit: 次}
  flags: {type: list, items: boolean, label: 各项检查结果}
  founded: {type: date, label: 工会成立日期}
  dues.paid: {type: number, label: 实际拨缴经费, unit: 元}
  dues.due: {type: number, label: 应拨缴经费, unit: 元}
  satisfaction: {type: number, label: 职工满意率, unit: "%"}
derive:
  membership_rate: {value: "ratio(members, employees)", label: 会员入会率, unit: "%"}
  card_rate: {value: "ratio(cards, members)", label: 会员证发放率, unit: "%"}
  paid_rate: ratio(dues.paid, dues.due)
"""

ITEMS = """
- {id: w1, name: 调解委员会, points: 3, when: mediation.committee}
- {id: w2, name: 职代会, points: 4, when: congress.sessions >= 1}
- {id: w3, name: 职代会记录, points: 4, when: congress.sessions >= 1 and congress.minutes}
- id: t1
  name: 入会率
  points: 8
  tiers:
    - {when: membership_rate >= 0.95, points: 8}
    - {when: membership_rate >= 0.85, points: 5}
    - {when: membership_rate >= 0.70, points: 2}
- id: t2
  name: 覆盖率和履约率
  points: 4
  tiers:
    - {when: contract.coverage >= 0.95 and contract.fulfilment >= 0.95, points: 4}
    - {when: contract.coverage >= 0.80 and contract.fulfilment >= 0.80, points: 2}
- {id: t3, name: 经审制度, points: 2, tiers: [{when: "rules.audit == 'posted'", points: 2}, {when: "rules.audit == 'adopted'", points: 1}]}
- {id: c1, name: 厂务公开, points: 4, count: disclosure.times, each: 1}
- {id: s1, name: 会员证, points: 2, scale: {value: card_rate, from: 0.4, to: 0.9}}
- {id: f1, name: 入会率差额, points: 8, shortfall: {value: membership_rate, target: 0.95, step: 0.05, each: 2, round: ceil}}
- {id: f2, name: 入会率整档, points: 8, shortfall: {value: membership_rate, target: 0.95, step: 0.05, each: 2, round: floor}}
- id: d1
  name: 合同与台账
  points: 5
  deduct:
    - {when: not contract.wage, points: 2, name: 未签订工资专项集体合同}
    - {count: ledger.missing, each: 0.5, name: 缺失台账}
    - {when: library.books < 3000, points: 2, name: 藏书不足 3000 册}
  max_deduct: 3
- {id: k1, name: 有会员, points: 3, zero_if: members == 0, when: committee.elected}
- {id: k2, name: 台账不缺, points: 3, zero_if: ledger.missing >= 5, when: committee.elected}
"""

RULES = (
    "ruleset: {id: t, name: 测试规则, version: '1', max_score: 58}\n"
    + textwrap.dedent(FACTS).strip() + "\n"
    + "sections:\n  - id: s\n    name: 分项\n    max: 58\n    items:\n"
    + textwrap.indent(textwrap.dedent(ITEMS).strip("\n"), " " * 6) + "\n"
    + "vetoes:\n  - {id: veto.accident, name: 发生重大劳动安全责任事故, when: incidents > 0, effect: cap, cap_level: low}\n"
    + "levels:\n  - {id: high, name: 优秀, min: 90}\n  - {id: low, name: 一般, min: 0}\n"
)

UNION = {
    "employees": 100, "members": 82, "committee": {"elected": True}, "mediation": {"committee": False},
    "congress": {"sessions": 0, "minutes": True}, "contract": {"coverage": 0.9, "fulfilment": 0.97, "wage": False},
    "rules": {"audit": "adopted"}, "disclosure": {"times": 1}, "cards": 41, "library": {"books": 1200},
    "ledger": {"missing": 3}, "incidents": 0,
}


def reasons(assess, **changes) -> dict[str, str]:
    result = assess(RULES, {**UNION, **changes})
    return {i.id: i.reason for i in result.items}


# --- each item kind ------------------------------------------------------------------------------

def test_when_with_a_yes_no_fact_states_the_answer_and_the_requirement(assess):
    assert reasons(assess)["w1"] == "建立劳动争议调解委员会：否"


def test_when_with_a_comparison_names_the_figure_and_the_threshold(assess):
    assert reasons(assess)["w2"] == "本年度召开职代会次数 0 次，要求 ≥ 1 次"


def test_when_with_a_compound_condition_cites_the_parts_that_fail(assess):
    assert reasons(assess)["w3"] == "本年度召开职代会次数 0 次，要求 本年度召开职代会次数 ≥ 1 次 且 职代会有会议记录和决议"


def test_tiers_name_the_figure_every_higher_tier_the_tier_reached_and_the_points_lost(assess):
    assert reasons(assess)["t1"] == (
        "会员入会率 82.0%（会员人数 82 人，职工人数 100 人），要求 ≥ 95% 得满分、≥ 85% 得 5 分，当前档 ≥ 70% 得 2 分，失 6 分")


def test_tiers_when_no_tier_is_reached(assess):
    assert reasons(assess, members=60)["t1"] == (
        "会员入会率 60.0%（会员人数 60 人，职工人数 100 人），要求 ≥ 95% 得满分、≥ 85% 得 5 分、≥ 70% 得 2 分，未达到任何一档，失 8 分")


def test_compound_tiers_read_naturally_with_percentages(assess):
    assert reasons(assess)["t2"] == (
        "集体合同职工覆盖率 90.0%，集体合同履约率 97.0%，要求 集体合同职工覆盖率 ≥ 95% 且 集体合同履约率 ≥ 95% 得满分，"
        "当前档 集体合同职工覆盖率 ≥ 80% 且 集体合同履约率 ≥ 80% 得 2 分，失 2 分")


def test_tiers_over_an_enum_show_its_labels(assess):
    assert reasons(assess)["t3"] == "经费审查制度：已建立未上墙，要求 已建立并上墙 得满分，当前档 已建立未上墙 得 1 分，失 1 分"


def test_count_names_the_value_the_points_per_unit_and_the_points_lost(assess):
    assert reasons(assess)["c1"] == "本年度厂务公开次数 1 次，每次 1 分、满分 4 分，得 1 分，失 3 分"


def test_scale_names_the_value_and_the_range(assess):
    assert reasons(assess)["s1"] == (
        "会员证发放率 50.0%（已办理会员证人数 41 人，会员人数 82 人），按 40%（0 分）至 90%（满分）线性计分，得 0.4 分，失 1.6 分")


def test_shortfall_names_the_target_the_step_and_the_steps_short(assess):
    found = reasons(assess)
    figure = "会员入会率 82.0%（会员人数 82 人，职工人数 100 人）"
    assert found["f1"] == f"{figure}，目标 95%，每差 5% 扣 2 分（不足一档按一档计），差 3 档，得 2 分，失 6 分"
    assert found["f2"] == f"{figure}，目标 95%，每差 5% 扣 2 分（不足一档不扣），差 2 档，得 4 分，失 4 分"


def test_deductions_name_each_one_with_its_figure_and_the_cap(assess):
    assert reasons(assess)["d1"] == (
        "扣分：未签订工资专项集体合同 −2 分；缺失台账 3 种 −1.5 分；藏书不足 3000 册（职工书屋藏书 1200 册） −2 分（合计 5.5 分，最多扣 3 分）")


def test_deductions_under_the_cap_name_no_cap(assess):
    assert reasons(assess, contract={"coverage": 0.9, "fulfilment": 0.97, "wage": True}, library={"books": 3000})["d1"] == (
        "扣分：缺失台账 3 种 −1.5 分")


def test_missing_facts_are_named_by_their_labels(assess):
    found = reasons(assess, members=None)
    assert found["t1"] == "缺少资料：会员人数（无资料不得分）"


def test_a_knockout_names_the_figure_that_fired_it(assess):
    assert reasons(assess, members=0)["k1"] == "会员人数 0 人，本项不得分"
    assert reasons(assess, ledger={"missing": 6})["k2"] == "缺失的台账种数 6 种（≥ 5 种），本项不得分"


def test_passing_items_say_so(assess):
    found = reasons(assess, mediation={"committee": True}, members=96)
    assert (found["w1"], found["t1"], found["f1"]) == ("符合要求", "符合要求", "符合要求")


def test_a_veto_that_hits_is_explained_in_the_result_json_and_the_table(assess):
    result = assess(RULES, {**UNION, "incidents": 1})
    assert {veto.id: veto.reason for veto in result.vetoes} == {"veto.accident": "本年度发生重大劳动安全责任事故 1 起（> 0 起）"}
    [details] = result.to_json()["veto_details"]
    assert details == {"id": "veto.accident", "name": "发生重大劳动安全责任事故", "reason": "本年度发生重大劳动安全责任事故 1 起（> 0 起）"}
    assert "否决项：发生重大劳动安全责任事故：本年度发生重大劳动安全责任事故 1 起（> 0 起）" in summary_lines(result)


# --- phrasing of conditions ----------------------------------------------------------------------

PHRASES = {
    "members >= 25": "会员人数 ≥ 25 人",
    "members > 0": "会员人数 > 0 人",
    "members <= 25": "会员人数 ≤ 25 人",
    "members < 25": "会员人数 < 25 人",
    "members == 0": "会员人数 = 0 人",
    "members != 0": "会员人数 ≠ 0 人",
    "25 <= members": "会员人数 ≥ 25 人",
    "members in [1, 2]": "会员人数为1 人、2 人之一",
    "union.type in ['enterprise', 'joint']": "工会类型为企业、联合工会之一",
    "union.type not in ['group']": "工会类型不为工会小组",
    "union.type == 'enterprise'": "工会类型为企业",
    "union.type != 'group'": "工会类型不为工会小组",
    "rules.audit == 'posted'": "经费审查制度为已建立并上墙",
    "committee.elected == true": "工会委员会经选举产生为是",
    "membership_rate >= 0.95": "会员入会率 ≥ 95%",
    "satisfaction > 0.875": "职工满意率 > 87.5%",
    "paid_rate >= 0.8": "实际拨缴经费 ÷ 应拨缴经费 ≥ 80%",
    "ratio(members, employees) >= 0.5": "会员人数 ÷ 职工人数 ≥ 50%",
    "committee.elected and members >= 3": "工会委员会经选举产生 且 会员人数 ≥ 3 人",
    "committee.elected or members < 25": "工会委员会经选举产生 或 会员人数 < 25 人",
    "(committee.elected or members < 25) and mediation.committee": "（工会委员会经选举产生 或 会员人数 < 25 人） 且 建立劳动争议调解委员会",
    "not committee.elected": "工会委员会经选举产生为否",
    "not (members >= 25 and committee.elected)": "并非（会员人数 ≥ 25 人 且 工会委员会经选举产生）",
    "members - 1 >= employees * 0.5": "会员人数 − 1 ≥ 职工人数 × 0.5",
    "(members + 1) * 2 > employees": "（会员人数 + 1） × 2 > 职工人数",
    "-members < 0": "−会员人数 < 0 人",
    "years_since(founded) >= 1": "工会成立日期至今年数 ≥ 1 年",
    "days_since(founded) <= 365": "工会成立日期至今天数 ≤ 365 天",
    "count(meetings.by_quarter) >= 4": "有会议的季度数 ≥ 4 个",
    "count(flags) >= 1": "各项检查结果中为“是”的项数 ≥ 1",
    "count([committee.elected, members > 0]) >= 2": "工会委员会经选举产生、会员人数 > 0 人中成立的项数 ≥ 2",
    "sum(meetings.by_quarter) >= 4": "各季度会议次数之和 ≥ 4 次",
    "min(meetings.by_quarter) >= 1": "各季度会议次数中的最小值 ≥ 1 次",
    "max(members, employees) > 0": "会员人数、职工人数中的最大值 > 0 人",
    "len(meetings.by_quarter) == 4": "各季度会议次数的项数 = 4",
    "all([committee.elected, mediation.committee])": "工会委员会经选举产生、建立劳动争议调解委员会全部成立",
    "any([committee.elected, mediation.committee])": "工会委员会经选举产生、建立劳动争议调解委员会至少一项成立",
    "abs(dues.paid - dues.due) <= 100": "（实际拨缴经费 − 应拨缴经费）的绝对值 ≤ 100 元",
    "ceil(employees * 0.95) <= members": "（职工人数 × 0.95）向上取整 ≤ 会员人数",
    "floor(members / 10) >= 1": "（会员人数 ÷ 10）向下取整 ≥ 1 人",
    "round(membership_rate, 2) >= 0.95": "会员入会率四舍五入 ≥ 95%",
    "pct(membership_rate) == '95.0%'": "会员入会率的百分数为95.0%",
    "exists(founded)": "工会成立日期已填报",
    "period >= 2025": "考核年度 ≥ 2025",
}


@pytest.fixture
def phrased(write):
    """Each condition of PHRASES as the `when` of an item, loaded: (ruleset, {text: expression})."""
    items = "".join(f"      - {{id: p{i}, name: 条件{i}, points: 1, when: {json.dumps(text)}}}\n" for i, text in enumerate(PHRASES))
    text = (f"ruleset: {{id: p, name: 措辞, max_score: {len(PHRASES)}}}\n{textwrap.dedent(FACTS).strip()}\n"
            f"sections:\n  - id: s\n    name: 分项\n    max: {len(PHRASES)}\n    items:\n{items}")
    ruleset = load_ruleset(write("phrases.yaml", text))
    return ruleset, {source: ruleset.item(f"p{i}").kind.when.expr for i, source in enumerate(PHRASES)}


@pytest.mark.parametrize("source", list(PHRASES))
def test_conditions_read_as_chinese(phrased, source):
    ruleset, expressions = phrased
    assert phrasing_of(ruleset).requirement(expressions[source], {}) == PHRASES[source]


def test_every_expression_function_but_passed_is_phrased():
    used = {name for text in PHRASES for name in REGISTRY if f"{name}(" in text}
    assert set(REGISTRY) - used == {"passed"}


def test_a_part_without_a_phrasing_reads_as_its_source_text(phrased):
    ruleset, _ = phrased

    class Strange(Node):
        pass

    assert phrasing_of(ruleset).phrase(Call(0, 15, "nosuch", (Name(7, 7, "members"),)), "nosuch(members)", {}) == "nosuch(members)"
    assert phrasing_of(ruleset).phrase(Strange(4, 7), "1 + strange(1)", {}) == "strange"


# --- derived values: the long form --------------------------------------------------------------

def test_a_derived_value_with_a_label_is_named_like_a_fact(phrased):
    ruleset, _ = phrased
    assert (ruleset.label("membership_rate"), ruleset.unit("membership_rate")) == ("会员入会率", "%")
    assert (ruleset.label("paid_rate"), ruleset.unit("paid_rate")) == ("", "")


@pytest.mark.parametrize("entry, code", [
    ("{value: 'ratio(members, employees)', unit: '%'}", "schema-required"),
    ("{value: 'ratio(members, employees)', label: 入会率, units: '%'}", "schema-unknown-key"),
])
def test_a_long_derived_entry_is_checked_by_the_schema(write, entry, code):
    text = RULES.replace('  membership_rate: {value: "ratio(members, employees)", label: 会员入会率, unit: "%"}', f"  membership_rate: {entry}")
    with pytest.raises(InvalidInput) as raised:
        load_ruleset(write("bad.yaml", text))
    assert code in {d.code for d in raised.value.diagnostics}


def test_an_expression_error_in_a_long_derived_entry_points_at_its_value(write):
    text = RULES.replace('value: "ratio(members, employees)"', 'value: "ratio(members, employes)"')
    with pytest.raises(InvalidInput) as raised:
        load_ruleset(write("bad.yaml", text))
    problem = raised.value.diagnostics[0]
    row, line = next((row, n) for n, row in enumerate(text.splitlines(), 1) if row.startswith("  membership_rate:"))
    assert (problem.code, problem.mark.line, problem.mark.column) == ("expr-unknown-name", line, row.index("employes") + 1)


# --- the bundled rulesets ------------------------------------------------------------------------

def test_bundled_reasons_for_qingshan_016(bundled):
    from engine import OracleEvaluator, assess_union, load_fact_file

    results = {r.ruleset.id: {i.id: i.reason for i in r.items} for r in assess_union(bundled, load_fact_file(QS016), OracleEvaluator())}
    assert results["zhijia"]["zuzhi.membership"] == (
        "会员入会率 73.8%（会员人数 31 人，职工人数 42 人），要求 ≥ 95% 得满分、≥ 85% 得 5 分，当前档 ≥ 70% 得 2 分，失 6 分")
    assert results["zhijia"]["weiquan.mediation"] == "建立劳动争议调解委员会：否"
    assert results["zhijia"]["guifan.ledger"] == "扣分：台账未按年度立卷归档 −1 分；缺失台账 3 种 −1.5 分（合计 2.5 分，最多扣 2 分）"
    assert results["xingji"]["zuzhi.bayou"] == "“八有”等级：不达标，要求 达标 得满分、基本达标 得 3 分，未达到任何一档，失 6 分"
    assert results["xingji"]["jingfei.audit"] == (
        "“八有”“经审委员会每年审查经费收支并向会员公布” 未达标，要求 “八有”“经审委员会每年审查经费收支并向会员公布”达标")
    assert results["xingji"]["jixiao.zhijia"] == "“职工之家”得分 31 分，按 60 分（0 分）至 90 分（满分）线性计分，得 0 分，失 6 分"


def test_every_derived_value_of_the_bundled_rulesets_has_a_label(bundled):
    unlabelled = [(r.id, name) for r in bundled for name, _ in r.derive if not r.label(name)]
    assert unlabelled == []


def test_explain_shows_the_label_of_a_derived_value(bundled):
    text = explain(bundled, QS016, "zuzhi.membership", OracleEvaluator(), specs=["zhijia"])
    assert "membership_rate（会员入会率）→ 0.74（73.8%）" in text


def test_the_json_result_keeps_its_shape_and_adds_veto_reasons(bundled):
    from engine import OracleEvaluator, assess, load_fact_file

    document = json.loads(as_json(assess(bundled, load_fact_file(REPO / "facts/qingshan/QS-017.yaml"), OracleEvaluator()), {}))
    zhijia = next(r for r in document["results"] if r["ruleset"]["id"] == "zhijia")
    assert zhijia["veto_details"] == [{"id": "veto.accident", "name": "发生重大劳动安全责任事故", "reason": "本年度发生重大劳动安全责任事故 1 起（> 0 起）"}]


def test_a_computed_threshold_is_named_with_its_value(assess):  # the 八有 term: 「每届任期 + 1 为 4 年（每届任期 3 年）」
    rules = ("ruleset: {id: t, name: 测试规则, version: '1', max_score: 4}\n"
             "facts:\n  years: {type: number, label: 任职年数, unit: 年}\n  term: {type: integer, label: 每届任期, unit: 年}\n"
             "sections:\n  - id: s\n    name: 分项\n    max: 4\n    items:\n"
             "      - {id: a, name: 任期, points: 4, tiers: [{when: years <= term, points: 4}, {when: years <= term + 1, points: 2}]}\n")
    [item] = assess(rules, {"years": 5, "term": 3}).items
    assert item.reason == "任职年数 5 年，每届任期 3 年，每届任期 + 1 为 4 年（每届任期 3 年），要求 任职年数 ≤ 每届任期 得满分、任职年数 ≤ 每届任期 + 1 得 2 分，未达到任何一档，失 4 分"
