"""The 自查自评 checklist: every item with method and evidence, met/unmet from facts, fixes, HTML, CLI."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine import DurableEvaluator, assess_union, load_fact_file, resolve_rulesets
from engine.language.model import Section
from engine.report.checklist import as_html, as_markdown, build_checklist

REPO = Path(__file__).resolve().parents[2]
QS016 = REPO / "facts" / "qingshan" / "QS-016.yaml"


@pytest.fixture(scope="module")
def bayou():
    return resolve_rulesets(["bayou"])


@pytest.fixture(scope="module")
def assessed(bayou):
    facts = load_fact_file(QS016)
    evaluator = DurableEvaluator()
    try:
        results = assess_union(bayou, facts, evaluator)
    finally:
        evaluator.close()
    return facts, results


def item_block(text: str, name: str) -> str:
    """The Markdown lines of one item (found by its name: the checklist shows no ids): its bullet and the sub-bullets under it."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if f"**{name}**（" in line)
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.strip() or len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    return "\n".join(block)


def section_of(text: str, name: str) -> str:
    """The nearest section heading (### or bold group bullet) above an item."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if f"**{name}**（" in line)
    for line in reversed(lines[:start]):
        found = re.match(r"^### (.+)（[\d.]+ 分）$", line) or re.match(r"^\s*- \*\*(.+)\*\*（小计 [\d.]+ 分）$", line)
        if found:
            return found.group(1)
    raise AssertionError(f"no section above {name}")


def owners(sections, found=None) -> dict[str, Section]:
    found = {} if found is None else found
    for section in sections:
        for item in section.items:
            found[item.id] = section
        owners(section.sections, found)
    return found


def test_without_facts_lists_every_item_with_method_and_evidence(bayou):
    ruleset = bayou[0]
    text = as_markdown(build_checklist(bayou))
    items = ruleset.items()
    assert len(items) > 20
    owner = owners(ruleset.sections)
    for item in items:
        block = item_block(text, item.name)
        assert f"查验方式：{item.method}" in block
        assert f"准备资料：{'；'.join(item.evidence)}" in block
        assert ("★ 必备" in block) == item.required
        assert f"**{item.name}**（{item.points:g} 分）" in block
        assert "自评结果" not in block and "[x]" not in block and "[ ]" not in block
        assert section_of(text, item.name) == owner[item.id].name
        assert item.id not in text  # the checklist is for unions: no internal ids
    assert text.count("★ 必备") == sum(i.required for i in items)
    for section in ruleset.sections:
        assert f"### {section.name}（" in text


def test_nested_sections_are_indented(write):
    path = write("nest.yaml", """
        ruleset: {id: nest, name: 嵌套, version: "1", max_score: 10}
        facts:
          a: {type: boolean, label: 甲}
        sections:
          - id: top
            name: 顶层
            max: 10
            items:
              - {id: top.a, name: 顶层指标, points: 4, when: a, method: 查阅资料, evidence: [文件甲]}
            sections:
              - id: sub
                name: 子项
                max: 6
                items:
                  - {id: sub.a, name: 子项指标, points: 6, when: a, method: 实地查看, evidence: [照片乙], required: true}
        """)
    text = as_markdown(build_checklist(resolve_rulesets([str(path)])))
    assert "### 顶层（10 分）" in text
    assert "\n- **子项**（小计 6 分）" in text
    assert "\n  - **子项指标**（6 分） ★ 必备" in text
    assert "\n    - 查验方式：实地查看" in text
    assert "\n- **顶层指标**（4 分）" in text
    assert section_of(text, "子项指标") == "子项" and section_of(text, "顶层指标") == "顶层"


def test_with_facts_marks_met_and_unmet_like_assess(bayou, assessed):
    facts, results = assessed
    result = results[0]
    text = as_markdown(build_checklist(bayou, results), facts.union, facts.period)
    assert facts.union["name"] in text
    outcomes = {s.outcome for s in result.items}
    assert {"pass", "fail", "partial"} <= outcomes
    for score in result.items:
        block = item_block(text, score.name)
        if score.outcome == "pass":
            assert "[x]" in block and "自评结果：达标" in block
            assert "整改" not in block
        elif score.outcome == "partial":
            assert "[ ]" in block
            assert re.search(r"自评结果：部分得分 [\d.]+/[\d.]+", block)
            assert f"/{score.max_points:g}" in block
        elif score.outcome == "fail":
            assert "[ ]" in block and "自评结果：未得分" in block
        elif score.outcome == "missing":
            assert "自评结果：缺资料" in block
        elif score.outcome == "na":
            assert "自评结果：不适用" in block
        if score.outcome not in ("pass", "na"):
            assert f"原因：{' '.join(score.reason.split())}" in block
            if score.fix:
                assert f"整改：{' '.join(score.fix.split())}" in block
    assert text.count("- [x] ") == sum(s.outcome in ("pass", "na") for s in result.items + result.bonus_items)
    names = {s.id: s.name for s in result.items}
    assert "工会主席身份未公示" in item_block(text, names["paizi.chair"])
    assert "部分得分 1/3" in item_block(text, names["changsuo.area"])
    assert not any(item_id in text for item_id in names)


def test_html_has_same_items_and_no_network(bayou, assessed):
    facts, results = assessed
    plain = as_html(build_checklist(bayou))
    filled = as_html(build_checklist(bayou, results), facts.union, facts.period)
    ids = [i.id for i in bayou[0].items()]
    for page in (plain, filled):
        assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
        assert re.findall(r'data-item="([^"]+)"', page) == ids
        assert not re.search(r"https?:", page)
        assert "<script" not in page and "<style>" in page
    for item in bayou[0].items():
        assert item.method in plain
    assert "工会主席身份未公示" in filled and "自评结果" in filled and "达标" in filled
    assert "★ 必备" in plain


def test_html_escapes(write):
    path = write("esc.yaml", """
        ruleset: {id: esc, name: "A<b>&", version: "1", max_score: 2}
        facts:
          a: {type: boolean, label: 甲}
        sections:
          - id: s
            name: 节
            max: 2
            items:
              - {id: s.a, name: "<script>x</script>", points: 2, when: a, method: 查阅资料, evidence: ["<i>"]}
        """)
    page = as_html(build_checklist(resolve_rulesets([str(path)])))
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "A&lt;b&gt;&amp;" in page and "&lt;i&gt;" in page


def test_cli_markdown_default_all_bundled():
    outcome = CliRunner().invoke(cli, ["checklist"])
    assert outcome.exit_code == 0, outcome.output
    for ruleset in resolve_rulesets():
        assert f"## {ruleset.name}（" in outcome.output
        assert f"**{ruleset.items()[0].name}**（" in outcome.output
        assert ruleset.items()[0].id not in outcome.output


def test_cli_with_facts_and_html_out(tmp_path: Path, assessed):
    out = tmp_path / "sub" / "checklist.html"
    outcome = CliRunner().invoke(cli, ["checklist", "--ruleset", "bayou", str(QS016), "--format", "html", "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    page = out.read_text(encoding="utf-8")
    assert "青山镇鑫源食品厂工会" in page and "工会主席身份未公示" in page
    assert not re.search(r"https?:", page)
    assert list(out.parent.iterdir()) == [out]  # no temporary file left
    md = CliRunner().invoke(cli, ["checklist", "--ruleset", "bayou", str(QS016)])
    assert md.exit_code == 0 and "自评结果：部分得分" in md.output


def test_html_for_a_union_without_a_township(tmp_path: Path):
    """A fact file need not name its township: the page stopped with an internal error."""
    facts = tmp_path / "T-1.yaml"
    facts.write_text("union:\n  id: T-1\n  type: enterprise\nperiod: 2025\nfacts:\n  employees: 10\n", encoding="utf-8")
    outcome = CliRunner().invoke(cli, ["checklist", "--ruleset", "bayou", str(facts), "--format", "html"])
    assert outcome.exit_code == 0, outcome.output
    assert "<dt>编号</dt><dd>T-1</dd>" in outcome.output and "<dt>所在乡镇（街道）</dt><dd>—</dd>" in outcome.output


def test_cli_uses_are_resolved():
    outcome = CliRunner().invoke(cli, ["checklist", "--ruleset", "xingji"])
    assert outcome.exit_code == 0, outcome.output
    names = {r.id: r.name for r in resolve_rulesets(["xingji"])}
    assert {"bayou", "zhijia", "xingji"} <= set(names)
    for name in names.values():
        assert f"## {name}（" in outcome.output


def test_cli_exit_codes(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("union: [\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["checklist", "--ruleset", "bayou", str(bad)]).exit_code == 1
    assert CliRunner().invoke(cli, ["checklist", "--ruleset", "bayou", str(tmp_path / "missing.yaml")]).exit_code == 1
    unknown = CliRunner().invoke(cli, ["checklist", "--ruleset", "no-such-ruleset"])
    assert unknown.exit_code == 2 and "no-such-ruleset" in unknown.output
    assert CliRunner().invoke(cli, ["checklist", "--format", "pdf"]).exit_code == 2


QS011 = REPO / "facts" / "qingshan" / "QS-011.yaml"  # a 工会小组: eight 八有 items do not apply to it, dropped (na: drop)


def test_checklist_section_maxima_add_up_with_items_dropped_as_not_applicable(bayou, durable):
    """A section's maximum is what it can give this union: its shown items' points (an item dropped as not
    applicable shows 「不计分」), and the sections add up to the total the score is rescaled from."""
    facts = load_fact_file(QS011)
    [result] = assess_union(bayou, facts, durable)
    assert result.scaled and result.possible == 78
    text = as_markdown(build_checklist(bayou, [result]), facts.union, facts.period)
    assert "（不适用 8 项（22 分）不计分，按 78 分折算为 100 分）" in text
    headers = re.findall(r"^### (.+)（([\d.]+) 分(，不适用 (\d+) 项不计分)?）$", text, re.MULTILINE)
    assert len(headers) == len(bayou[0].sections)
    assert sum(float(points) for _, points, _, _ in headers) == 78
    assert sum(int(count or 0) for *_, count in headers) == 8
    for block in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:  # each section: its header, then its items
        shown = re.findall(r"^- \[[x ]\] \*\*.+?\*\*（(?:([\d.]+) 分|不计分)）", block, re.MULTILINE)
        assert len(shown) == block.count("\n- [")
        header = re.match(r".+（([\d.]+) 分", block)
        assert header and sum(float(p) for p in shown if p) == float(header.group(1)), block[:40]
    scores = {s.id: s for s in result.items}
    for item in bayou[0].items():
        block = item_block(text, item.name)
        if scores[item.id].outcome == "na" and not scores[item.id].max_points:
            assert f"**{item.name}**（不计分）" in block
            assert f"自评结果：不适用（不计分，本项 {item.points:g} 分）" in block
        elif scores[item.id].outcome == "na":
            assert f"**{item.name}**（{item.points:g} 分）" in block and "自评结果：不适用（按满分计）" in block
    html = as_html(build_checklist(bayou, [result]), facts.union, facts.period)
    assert "有经费（2 分，不适用 4 项不计分）" in html and '<td class="num">不计分</td>' in html


def test_checklist_nested_section_maxima_add_up_with_a_dropped_item(write, durable):
    path = write("nest-na.yaml", """
        ruleset: {id: nestna, name: 嵌套不适用, version: "1", max_score: 10}
        facts:
          a: {type: boolean, label: 甲}
          big: {type: boolean, label: 大单位}
        sections:
          - id: top
            name: 顶层
            max: 10
            items:
              - {id: top.a, name: 顶层指标, points: 4, when: a}
            sections:
              - id: sub
                name: 子项
                max: 6
                items:
                  - {id: sub.a, name: 子项指标, points: 4, when: a}
                  - {id: sub.big, name: 大单位指标, points: 2, when: a, applies_if: big, na: drop}
        """)
    rulesets = resolve_rulesets([str(path)])
    facts = write("f.yaml", "union: {id: N-1, name: 测试, type: enterprise}\nperiod: 2025\nfacts: {a: true, big: false}\n")
    [result] = assess_union(rulesets, load_fact_file(facts), durable)
    text = as_markdown(build_checklist(rulesets, [result]), {"id": "N-1", "name": "测试"}, 2025)
    assert "### 顶层（8 分，不适用 1 项不计分）" in text
    assert "\n- **子项**（小计 4 分，不适用 1 项不计分）" in text
    assert "**大单位指标**（不计分）" in text
    blank = as_markdown(build_checklist(rulesets))
    assert "### 顶层（10 分）" in blank and "（小计 6 分）" in blank and "**大单位指标**（2 分）" in blank
