"""docs/ruleset-reference.md, generated from the engine's own registries.

Top-level keys and the fields of each part come from the ruleset JSON Schema (`description`,
`examples`; the item kinds' branches included), item kinds from `engine.kinds.KINDS`, expression
functions from `engine.language.functions.REGISTRY` (their docstrings: Chinese text, then `例：`
and an example) and diagnostic codes from `engine.codes.CODES` and the kinds' own `codes`. So the reference changes with the code, and a
test keeps the checked-in file equal to `reference()`. Regenerate with

    .venv/bin/python -m engine.authoring.reference > docs/ruleset-reference.md
"""
from __future__ import annotations

import inspect
import io
import sys
from typing import Any

import yaml

from ..codes import CODES, Code
from ..kinds import KINDS, kind_codes
from ..language import limits
from ..language.functions import REGISTRY
from ..load.schema import schema

REGENERATE = ".venv/bin/python -m engine.authoring.reference > docs/ruleset-reference.md"
EXPRESSION = ["string", "boolean", "number"]
TYPE_WORDS = {"string": "文本", "number": "数值", "integer": "整数", "boolean": "true / false", "object": "映射", "array": "列表", "null": "null"}
PARTS = (  # (anchor, title, path in the schema)
    ("part-ruleset", "规则集信息（ruleset）", ("properties", "ruleset")),
    ("part-fact", "事实声明（facts 的值）", ("$defs", "fact")),
    ("part-derive", "派生值的完整写法（derive 的值）", ("$defs", "derive")),
    ("part-section", "分项（section）", ("$defs", "section")),
    ("part-item", "指标（item）", ("$defs", "item")),
    ("part-deduction", "扣分项（deduct 的一项）", ("$defs", "deduction")),
    ("part-fix-option", "分情形的整改文本（fix 列表的一项）", ("$defs", "fix_option")),
    *((f"part-{name}", spec["title"], ("$defs", name)) for kind in KINDS.values() for name, spec in kind.schema.get("$defs", {}).items()),
    ("part-bonus", "加分（bonus）", ("$defs", "bonus")),
    ("part-veto", "否决项（vetoes 的一项）", ("$defs", "veto")),
    ("part-gate", "申报条件（gate）", ("$defs", "gate")),
    ("part-owner", "责任人改写（owners 的一项）", ("$defs", "owner")),
    ("part-level", "等级（levels 的一项）", ("$defs", "level")),
    ("part-cohort", "按排名评定（cohort）", ("$defs", "cohort")),
    ("part-test", "测试用例（tests 的一项）", ("$defs", "test")),
    ("part-expect", "期望结果（expect）", ("$defs", "expect")),
)
ANCHORS = {path[-1]: anchor for anchor, _, path in PARTS}


def reference() -> str:
    """The whole reference as Markdown."""
    spec = schema("ruleset.schema.json")
    parts = [header(), top_level(spec), part_fields(spec), item_kinds(), functions(), codes()]
    return "\n\n".join(parts) + "\n"


def header() -> str:
    return f"""# 规则文件参考手册

> 本文件由 `engine/authoring/reference.py` 生成，请勿手工修改：各字段的说明来自
> `engine/schemas/ruleset.schema.json` 和 `engine/kinds/` 中各计分方式的 `schema`，计分方式与函数的说明
> 来自 `engine/kinds/`、`engine/language/functions.py` 的文档字符串，诊断代码来自 `engine/codes.py` 和
> 各计分方式的 `codes`。修改这些文件后运行 `{REGENERATE}` 重新生成
> （`tests/authoring/test_reference.py` 检查本文件是否最新）。

规则文件是一个 YAML 文件，描述一套考核标准：读取哪些事实、分几个一级指标、每项指标怎样计分、
怎样定级。入门请看 [教程](tutorial.md)；空值、计分顺序等约定见 [semantics.md](semantics.md)。

- [顶层字段](#top-level)
- [各部分的字段](#parts)
- [计分方式](#kinds)
- [表达式函数](#functions)
- [诊断代码](#codes)"""


def top_level(spec: dict) -> str:
    """One subsection per top-level key: what it is for, its type, and an example."""
    lines = ['<a id="top-level"></a>', "## 顶层字段", "", "必填的只有 `ruleset`；其余按需要写。"]
    for key, prop in spec["properties"].items():
        required = "（必填）" if key in spec.get("required", ()) else ""
        lines += ["", f"### `{key}`{required}", "", prop["description"], "", f"类型：{type_text(prop)}"]
        lines += [f"\n```yaml\n{as_yaml({key: example})}```" for example in prop.get("examples", ())]
    return "\n".join(lines)


def part_fields(spec: dict) -> str:
    """A table of fields for each part of a ruleset (item, level, veto …)."""
    lines = ['<a id="parts"></a>', "## 各部分的字段"]
    for anchor, title, path in PARTS:
        part = spec[path[0]][path[1]]
        lines += ["", f'<a id="{anchor}"></a>', f"### {title}", "", "| 字段 | 类型 | 必填 | 说明 |", "| --- | --- | --- | --- |"]
        for key, prop in part["properties"].items():
            required = "是" if key in part.get("required", ()) else ""
            lines.append(f"| `{key}` | {cell(type_text(prop))} | {required} | {cell(prop.get('description', ''))} |")
    return "\n".join(lines)


def item_kinds() -> str:
    """Each kind's docstring: what the kind does, and an example item."""
    lines = ['<a id="kinds"></a>', "## 计分方式", "",
             "每个指标用下面一种计分方式求出基础得分（只写 `deduct` 时从满分起扣）。指标内的顺序固定：",
             "`applies_if` → `zero_if` → 计分方式 → `deduct`（合计不超过 `max_deduct`）→ 限定在 0 与 `points` 之间。"]
    for name, kind in KINDS.items():
        text, example = split_doc(kind.__doc__ or "")
        lines += ["", f"### `{name}`", "", text, "", f"```yaml\n{example}\n```"]
    return "\n".join(lines)


def limits_text() -> str:
    """The bounds `unionscore check` enforces on expressions (engine/language/limits.py)."""
    return "\n".join([
        "**上限**（载入时检查，超出即为错误，保证通过 `unionscore check` 的规则集评估时不会卡住或出错）：",
        f"一个表达式最多 {limits.MAX_EXPRESSION_CHARS} 个字符、{limits.MAX_NODES} 个部分、嵌套 {limits.MAX_DEPTH} 层"
        "（`expr-too-large`，过大的条件请拆分到 `derive` 中）；",
        f"表达式连同它层层读取的派生值展开后，嵌套不超过 {limits.MAX_WRITTEN_OUT} 层（`derive-too-deep`）；",
        f"数字写十进制，绝对值不大于 10 的 {len(str(limits.MAX_LITERAL)) - 1} 次方，小数不超过 {limits.MAX_DECIMAL_PLACES} 位"
        "（`expr-number`；规则文件与事实文件中的数值同样不能超过这个绝对值，`yaml-number`）；",
        f"`round`、`pct` 的小数位数写成 {limits.DIGITS.start} 到 {limits.DIGITS.stop - 1} 的整数常量（`expr-digits`）；",
        f"`count` 指标满分所需次数（points ÷ each）不超过 {limits.MAX_COUNT_STEPS}（`count-each`）；",
        f"`extends` 层层继承、`uses` 层层引用各不超过 {limits.MAX_CHAIN} 层（`extends-too-deep`、`uses-too-deep`）；",
        f"一个规则集的指标（含加分项）不超过 {limits.MAX_ITEMS} 个（`items-too-many`）。",
        "整改文本 `fix` 中 `{…}` 里的表达式按同样的规则检查。计算结果大到没有实际意义（超过约 120 位数字）时为空值，原因写明“超出计算范围”。",
    ])


def functions() -> str:
    """Each expression function's docstring, with its example."""
    lines = ['<a id="functions"></a>', "## 表达式函数", "",
             "表达式是 Python 表达式语法的一个安全子集：数字、文本、`true` `false` `null`、列表、事实路径，",
             "`+ - * /`、比较（可连写）、`and or not`、`in`，以及下面这些函数。数值精确计算：94.96% 达不到 95%。",
             "除 `exists` 外，参数为空值（缺资料）时结果也是空值。", "", limits_text()]
    for name, entry in REGISTRY.items():
        text, example = split_doc(entry.doc)
        lines += ["", f"### `{name}`", "", text, "", f"例：{example}"]
    return "\n".join(lines)


def codes() -> str:
    """The table of diagnostic codes."""
    lines = ['<a id="codes"></a>', "## 诊断代码", "",
             "`unionscore check`、`assess`、`batch`、`test` 发现的每个问题都带一个代码，格式为",
             "`文件:行:列: 错误 [代码] 说明`（警告为“警告”）。按代码搜索本表即可找到含义和示例。",
             "", "| 代码 | 出现在 | 含义 | 示例 |", "| --- | --- | --- | --- |"]
    for code, entry in sorted(all_codes().items()):
        example = "<br>".join(f"`{cell(line)}`" for line in entry.example.splitlines())
        lines.append(f'| <a id="{code}"></a>`{code}` | {entry.where} | {cell(entry.meaning)} | {example} |')
    return "\n".join(lines)


def all_codes() -> dict[str, Code]:
    """Every diagnostic code: the engine's and the item kinds' own."""
    return {**CODES, **kind_codes()}


def split_doc(doc: str) -> tuple[str, str]:
    """(text, example) of a registry docstring: the example follows `例：`."""
    text, _, example = inspect.cleandoc(doc).partition("例：")
    return text.strip(), inspect.cleandoc(example)


def type_text(prop: dict) -> str:
    """A schema property's type in words: 表达式, 文本, `a` | `b`, a link to a part, 列表 of …."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{ANCHORS[name]})"
    if "enum" in prop:
        return " | ".join(f"`{value}`" for value in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "oneOf" in prop:
        return " 或 ".join(type_text(option) for option in prop["oneOf"])
    kind = prop.get("type")
    if kind == EXPRESSION:
        return "表达式"
    if kind == "array":
        return f"{type_text(prop.get('items', {}))}的列表"
    if isinstance(kind, list):
        return " 或 ".join(TYPE_WORDS[k] for k in kind)
    return TYPE_WORDS[kind] if kind else "任意"


def cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, lines joined."""
    return text.replace("|", "\\|").replace("\n", " ")


def as_yaml(value: Any) -> str:
    """An example as a rule author writes it: block style, flow style for the innermost mappings."""
    node = yaml.SafeDumper(io.StringIO(), sort_keys=False).represent_data(value)
    set_styles(node, 0)
    return yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True, width=120)


def set_styles(node: yaml.Node, depth: int) -> None:
    """Flow style for collections that hold no mapping, from the third level down (`{when: …, points: 8}`)
    and for every list of plain values (`uses: [bayou, zhijia]`)."""
    if not isinstance(node, yaml.CollectionNode):
        return
    sequence = isinstance(node, yaml.SequenceNode)
    children = node.value if sequence else [value for _, value in node.value]
    node.flow_style = (depth >= 2 or sequence and depth >= 1) and not any(holds_mapping(child) for child in children)
    for child in children:
        set_styles(child, depth + 1)


def holds_mapping(node: yaml.Node) -> bool:
    if isinstance(node, yaml.MappingNode):
        return True
    return isinstance(node, yaml.SequenceNode) and any(holds_mapping(child) for child in node.value)


def main() -> None:
    """Print the reference (UTF-8, whatever the terminal's locale)."""
    sys.stdout.buffer.write(reference().encode("utf-8"))


if __name__ == "__main__":
    main()
