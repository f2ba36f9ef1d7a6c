"""`unionscore template`: blank fact files (YAML, XLSX) that, filled in, `assess` and `batch` accept."""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from cli import cli
from engine import load_fact_file, resolve_rulesets
from engine.diagnostics import DiagnosticList, Mark
from engine.facts.blank_form import fact_tree
from engine.facts.blank_workbook import DATA_SHEET, GUIDE_SHEET, ColumnSpec, validation
from engine.facts.fact_file import flatten, merged_declarations
from engine.facts.sources import header_index, match_header, read_units
from engine.language.model import FactDecl
from engine.language.vocabulary import UNION_TYPES
from engine.language.yamlload import parse_yaml

REPO = Path(__file__).resolve().parents[2]
COUNTY = REPO / "facts" / "qingshan"
KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[\w.]+):(?P<rest> *(?:#.*)?)$")


def dotted(facts: object) -> dict:
    """The facts of a template as a fact file reads them (dotted paths); nothing given twice."""
    problems = DiagnosticList()
    values, _ = flatten(facts, Mark("t.yaml"), problems)
    assert not problems.items
    return values


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def template_text(*rulesets: str) -> str:
    result = run("template", *[arg for r in rulesets for arg in ("--ruleset", r)])
    assert result.exit_code == 0, result.stderr
    return result.stdout


# YAML -----------------------------------------------------------------------------------------
def test_the_yaml_template_has_every_declared_fact_blank_and_explained() -> None:
    text = template_text()
    raw = parse_yaml(text, "template.yaml")
    decls = merged_declarations(resolve_rulesets())
    assert set(raw) == {"union", "period", "facts"} and raw["period"] is None
    assert set(raw["union"]) == {"id", "name", "type", "county", "township"}
    assert dotted(raw["facts"]) == dict.fromkeys(decls)
    lines = text.splitlines()
    for name, decl in decls.items():
        leaf = name.rsplit(".", 1)[-1]
        assert any(re.match(rf" +{leaf}: +# {re.escape(decl.label)}：", line) for line in lines), name
    assert "  employees:               # 职工人数：整数，单位 人，不小于 0" in lines
    assert "    by_quarter:            # 各季度工会委员会会议次数：整数列表，如 [1, 0, 2, 1]，单位 次，不小于 0。按第一至第四季度的顺序填 4 个整数" in lines
    assert any("duties:" in line and "填 none 未建立、adopted 已建立未上墙、posted 已建立并上墙 之一" in line for line in lines)
    assert any("satisfaction:" in line and "比例，填小数（0.92 即 92%），0～1" in line for line in lines)
    assert any(line.startswith("  type:") and "enterprise 企业" in line for line in lines)


def test_a_template_for_one_ruleset_lists_only_its_facts() -> None:
    raw = parse_yaml(template_text("bayou"), "template.yaml")
    [bayou] = resolve_rulesets(["bayou"])
    assert list(dotted(raw["facts"])) != [] and set(dotted(raw["facts"])) == set(bayou.facts)


def test_a_template_for_a_ruleset_that_uses_others_lists_theirs_too() -> None:
    facts = set(dotted(parse_yaml(template_text("xingji"), "t.yaml")["facts"]))
    assert facts == set(merged_declarations(resolve_rulesets(["xingji"])))
    assert "contract.coverage" in facts  # zhijia's, which xingji uses


def fill(template: str, values: dict[str, Any]) -> str:
    """The template filled in as a person would: each value written after its key's colon."""
    lines, path = [], []
    for line in template.splitlines():
        found = KEY_LINE.match(line)
        if found:
            depth = len(found["indent"]) // 2
            path[depth:] = [found["key"]]
            key = ".".join(path)
            if key in values:
                line = f"{found['indent']}{found['key']}: {as_yaml(values.pop(key))}{found['rest']}"
        lines.append(line)
    assert values == {}, f"the template has no place for {sorted(values)}"
    return "\n".join(lines) + "\n"


def as_yaml(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def facts_of(path: Path) -> dict[str, Any]:
    """A fact file's union, period and facts, by their place in a template (`union.id`, `facts.members`)."""
    facts = load_fact_file(path)
    found = {f"union.{key}": value for key, value in facts.union.items()} | {"period": facts.period}
    return found | {f"facts.{name}": value for name, value in facts.facts.items()}


@pytest.mark.parametrize("union", ["QS-001", "QS-017", "QS-033"])
def test_a_filled_yaml_template_is_assessed_like_the_original(tmp_path: Path, union: str) -> None:
    original = COUNTY / f"{union}.yaml"
    filled = tmp_path / "filled.yaml"
    filled.write_text(fill(template_text(), facts_of(original)), encoding="utf-8")
    expected = run("assess", "--format", "json", str(original))
    actual = run("assess", "--format", "json", str(filled))
    assert actual.exit_code == expected.exit_code == 0
    assert json.loads(actual.stdout) == json.loads(expected.stdout)


def test_the_yaml_template_can_be_written_to_a_file(tmp_path: Path) -> None:
    result = run("template", "--ruleset", "bayou", "--out", str(tmp_path / "模板.yaml"))
    assert result.exit_code == 0 and "已写入" in result.stdout
    assert (tmp_path / "模板.yaml").read_text(encoding="utf-8") == template_text("bayou")


def test_a_fact_under_another_facts_path_stays_dotted() -> None:
    here = Mark("test")
    decls = [FactDecl("library", "boolean", "书屋", here), FactDecl("library.books", "integer", "藏书", here),
             FactDecl("venue.area", "number", "面积", here)]
    tree = fact_tree(decls)
    assert list(tree) == ["library", "library.books", "venue"] and list(tree["venue"]) == ["area"]


# XLSX -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "填报表.xlsx"
    result = run("template", "--format", "xlsx", "--out", str(path))
    assert result.exit_code == 0 and f"已写入 {path}" in result.stdout
    return path


def test_the_workbook_is_the_same_whenever_it_is_written(workbook: Path, tmp_path: Path) -> None:
    """Its file does not depend on the clock (a test comparing two runs failed when they straddled a second)."""
    time.sleep(1.1)  # a later second than the module's workbook was written in
    again = tmp_path / "再写一次.xlsx"
    assert run("template", "--format", "xlsx", "--out", str(again)).exit_code == 0
    assert again.read_bytes() == workbook.read_bytes()


def test_the_workbook_has_a_column_per_fact_headed_as_batch_reads_it(workbook: Path) -> None:
    decls = merged_declarations(resolve_rulesets())
    sheet = openpyxl.load_workbook(workbook)[DATA_SHEET]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:6] == ["编号", "名称", "类型", "县", "乡镇（街道）", "年度"]
    assert headers[6] == "职工人数（人）" and "职工对工会工作满意率（测评）（%）" in headers
    index = header_index(decls)
    assert sorted(match_header(header, index, decls) for header in headers[6:]) == sorted(decls)
    assert sheet.freeze_panes == "C2"


def test_the_workbook_offers_drop_down_lists(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)[DATA_SHEET]
    headers = [cell.value for cell in sheet[1]]
    lists = {str(rule.sqref): rule.formula1 for rule in sheet.data_validations.dataValidation if rule.type == "list"}

    def choices(header: str) -> str:
        letter = openpyxl.utils.get_column_letter(headers.index(header) + 1)
        return lists[f"{letter}2:{letter}5001"]

    assert choices("类型") == '"' + ",".join(UNION_TYPES.values()) + '"'
    assert choices("工会委员会经会员（代表）大会选举产生") == '"是,否"'
    assert choices("工会委员会工作职责") == '"未建立,已建立未上墙,已建立并上墙"'  # labels; batch reads them back
    prompts = [rule for rule in sheet.data_validations.dataValidation if rule.type is None]
    assert any(rule.promptTitle == "职工人数（人）" and "不小于 0" in rule.prompt for rule in prompts)


def test_the_guide_explains_every_column(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    headers = [cell.value for cell in book[DATA_SHEET][1]]
    rows = list(book[GUIDE_SHEET].iter_rows(values_only=True))
    table = rows[[row[0] for row in rows].index("位置") + 1:]
    assert [row[1] for row in table] == [f"“{header}”" for header in headers]
    assert table[0][:3] == ("A 列", "“编号”", "文本")
    row = next(row for row in table if row[1] == "“职工对工会工作满意率（测评）（%）”")
    assert row[2:5] == ("比例", None, "0%～100%；如 95% 或 0.95")


def test_batch_reads_no_union_from_the_blank_workbook_and_skips_the_guide(workbook: Path) -> None:
    warnings: list[str] = []
    units = list(read_units([workbook], merged_declarations(resolve_rulesets()), None, warnings.append))
    assert units == [] and warnings == [f"{workbook}：没有读到任何工会（表格是空的、只有表头，或表头下只有合计行、表尾说明）"]  # nothing about the guide sheet


def cell(value: Any) -> Any:
    """A value as a person types it into the workbook."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "，".join(str(item) for item in value) if value else None
    return value


def fill_workbook(template: Path, target: Path, files: list[Path]) -> None:
    decls = merged_declarations(resolve_rulesets())
    index = header_index(decls)
    book = openpyxl.load_workbook(template)
    sheet = book[DATA_SHEET]
    targets = [match_header(str(c.value), index, decls) for c in sheet[1]]
    for path in files:
        facts = load_fact_file(path)
        union = facts.union | {"type": UNION_TYPES[facts.union["type"]], "period": facts.period}
        sheet.append([cell(union.get(name, facts.facts.get(name))) for name in targets])
    book.save(target)


def test_a_filled_workbook_is_batched_like_the_county_folder(workbook: Path, tmp_path: Path) -> None:
    filled = tmp_path / "青山县.xlsx"
    fill_workbook(workbook, filled, sorted(COUNTY.glob("QS-*.yaml")))
    for source, out in ((filled, "from-xlsx"), (COUNTY, "from-yaml")):
        result = run("batch", str(source), "--out", str(tmp_path / out), "--jobs", "1")
        assert result.exit_code == 0 and "已评估 44 个工会，失败 0 个。" in result.stdout
    lines = [(tmp_path / out / "results.jsonl").read_text(encoding="utf-8") for out in ("from-xlsx", "from-yaml")]
    assert lines[0] == lines[1]


def test_an_xlsx_template_needs_an_output_file() -> None:
    result = run("template", "--format", "xlsx")
    assert result.exit_code == 2 and "--out" in result.stderr and result.stdout == ""


def test_the_format_follows_the_output_suffix(tmp_path: Path) -> None:
    result = run("template", "--ruleset", "bayou", "--out", str(tmp_path / "八有.xlsx"))
    assert result.exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "八有.xlsx").sheetnames == [DATA_SHEET, GUIDE_SHEET]


def test_a_choice_list_too_long_for_excel_becomes_a_prompt() -> None:
    many = tuple(f"choice{number:03}" for number in range(40))
    assert validation(ColumnSpec("制度", "选项", choices=many))["validate"] == "any"
    assert validation(ColumnSpec("制度", "选项", choices=many[:3]))["validate"] == "list"
