"""Rules and facts are data: nothing in a ruleset or fact file can run code, in any expression place."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine import InvalidInput, load_fact_file, load_ruleset
from engine.diagnostics import Mark
from engine.language.expr_eval import Env
from engine.language.expressions import Scope, TemplateErrors, compile_template

REPO = Path(__file__).resolve().parents[2]

# A ruleset with one slot, PLACE, where a hostile expression goes (as a YAML double-quoted scalar).
RULESET = """\
ruleset: {id: hostile, name: 恶意规则, max_score: 10}
facts:
  employees: {type: integer, label: 职工人数}
  members: {type: integer, label: 会员人数}
  union_ok: {type: boolean, label: 合格}
DERIVE
sections:
  - id: s
    name: 分项
    max: 10
    items:
ITEM
GATE
VETOES
levels:
  - {id: top, name: 达标, min: 5REQUIRES}
  - {id: none, name: 未达标, min: 0}
"""
PLAIN_ITEM = "      - {id: s.a, name: 指标, points: 10, when: union_ok}"
PLACES = {
    "when": {"ITEM": "      - {id: s.a, name: 指标, points: 10, when: PAYLOAD}"},
    "tier": {"ITEM": "      - id: s.a\n        name: 指标\n        points: 10\n        tiers:\n          - {when: members > 1, points: 5}\n"
                     "          - {when: PAYLOAD, points: 3}"},
    "count": {"ITEM": "      - {id: s.a, name: 指标, points: 10, count: PAYLOAD, each: 1}"},
    "scale": {"ITEM": "      - {id: s.a, name: 指标, points: 10, scale: {value: PAYLOAD, from: 0, to: 1}}"},
    "deduct": {"ITEM": "      - id: s.a\n        name: 指标\n        points: 10\n        deduct:\n          - {name: 扣, points: 1, when: PAYLOAD}"},
    "zero_if": {"ITEM": "      - {id: s.a, name: 指标, points: 10, when: union_ok, zero_if: PAYLOAD}"},
    "applies_if": {"ITEM": "      - {id: s.a, name: 指标, points: 10, when: union_ok, applies_if: PAYLOAD}"},
    "derive": {"DERIVE": "derive:\n  evil: PAYLOAD"},
    "fix": {"ITEM": "      - id: s.a\n        name: 指标\n        points: 10\n        when: union_ok\n        fix: 请整改：{PAYLOAD}。"},
    "requires": {"REQUIRES": ", requires: [PAYLOAD]"},
    "gate": {"GATE": "gate: {when: PAYLOAD}"},
    "veto": {"VETOES": "vetoes:\n  - {id: v, name: 否决, effect: zero, when: PAYLOAD}"},
}
BRACES = {"expr-syntax", "template-brace"}  # a payload with braces may first break the fix text's {…} split


def payloads(target: Path) -> dict[str, tuple[str, set[str]]]:
    """name → (expression text, the codes that may reject it)."""
    return {
        "import-system": (f"__import__('os').system('touch {target}')", {"expr-forbidden"}),
        "bare-import": ("__import__('os')", {"expr-dunder"}),
        "dunder-attribute": ("employees.__class__", {"expr-dunder"}),
        "dunder-chain": ("employees.__class__.__mro__", {"expr-dunder"}),
        "subclasses": ("employees.__class__.__subclasses__()", {"expr-forbidden", "expr-dunder"}),
        "open": (f"open('{target}', 'w')", {"expr-unknown-function"}),
        "eval": (f"eval(\"__import__('os').system('touch {target}')\")", {"expr-unknown-function"}),
        "exec": ("exec('1')", {"expr-unknown-function"}),
        "getattr": ("getattr(employees, 'real')", {"expr-unknown-function"}),
        "method": ("union.name.upper()", {"expr-forbidden"}),
        "subscript": ("employees[0]", {"expr-forbidden"}),
        "lambda": ("lambda: true", {"expr-forbidden"}),
        "lambda-call": ("(lambda: true)()", {"expr-forbidden"}),
        "list-comprehension": ("[x for x in [1]]", {"expr-forbidden"}),
        "dict-comprehension": ("{x: 1 for x in [1]}", {"expr-forbidden"}),
        "set-comprehension": ("{x for x in [1]}", {"expr-forbidden"}),
        "generator": ("any(x for x in [true])", {"expr-forbidden"}),
        "f-string": ("f'{employees}'", {"expr-forbidden"}),
        "walrus": ("(x := true)", {"expr-forbidden"}),
        "conditional": ("true if employees else false", {"expr-forbidden"}),
        "dict": ("{'a': 1}", {"expr-forbidden"}),
        "keyword-argument": ("round(employees, digits=1)", {"expr-forbidden"}),
        "power": ("employees ** 99999", {"expr-forbidden"}),
        "starred": ("max(*[1, 2])", {"expr-forbidden"}),
    }


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_ruleset(place: str, payload: str) -> str:
    text = RULESET
    for slot, body in PLACES[place].items():
        text = text.replace(slot, body)
    text = text.replace("ITEM", PLAIN_ITEM)
    for slot in ("DERIVE", "GATE", "VETOES", "REQUIRES"):
        text = text.replace(slot, "")
    if place == "fix":  # the payload is the {…} part (spaced, so that "{{" does not make it literal text)
        return text.replace("请整改：{PAYLOAD}。", quoted(f"请整改：{{ {payload} }}。"))
    return text.replace("PAYLOAD", quoted(payload))


def payload_line(text: str, place: str, payload: str) -> int:
    needle = "请整改：" if place == "fix" else quoted(payload)
    [line] = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return line


CASES = [(place, name) for place in PLACES for name in payloads(Path("x"))]


@pytest.mark.parametrize("place, name", CASES, ids=[f"{p}-{n}" for p, n in CASES])
def test_hostile_expression_rejected_at_load_and_nothing_runs(tmp_path, place, name):
    target = tmp_path / "pwned"
    payload, codes = payloads(target)[name]
    text = hostile_ruleset(place, payload)
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(path)
    [problem] = caught.value.diagnostics
    allowed = codes | BRACES if place == "fix" and "{" in payload else codes
    assert problem.code in allowed
    assert problem.mark.line == payload_line(text, place, payload)
    assert not target.exists()


def test_every_place_loads_with_a_harmless_expression(tmp_path):
    for place in PLACES:
        path = tmp_path / f"{place}.yaml"
        payload = "employees" if place in ("count", "scale", "derive", "fix") else "members > 1"
        path.write_text(hostile_ruleset(place, payload), encoding="utf-8")
        assert load_ruleset(path).id == "hostile", place


def test_python_tag_in_ruleset_rejected_and_nothing_runs(tmp_path):
    target = tmp_path / "pwned"
    path = tmp_path / "tagged.yaml"
    path.write_text(f"ruleset: !!python/object/apply:os.system ['touch {target}']\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(path)
    assert [d.code for d in caught.value.diagnostics] == ["yaml-tag"]
    assert not target.exists()


def test_python_tag_in_fact_file_rejected_and_nothing_runs(tmp_path):
    target = tmp_path / "pwned"
    path = tmp_path / "facts.yaml"
    path.write_text(
        f"union: {{id: X, type: enterprise}}\nperiod: 2025\nfacts:\n  employees: !!python/object/apply:os.system ['touch {target}']\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        load_fact_file(path)
    assert [(d.mark.line, d.code) for d in caught.value.diagnostics] == [(4, "yaml-tag")]
    assert not target.exists()


# fix texts are never str.format ---------------------------------------------------------------

SCOPE = Scope({"members": "number", "union.name": "string"}.get, lambda: ["members", "union.name"])


def test_double_braces_keep_hostile_text_literal():
    template = compile_template("{{__import__('os').system('x')}}", Mark("rs.yaml", 1, 1), SCOPE)
    assert template.render(Env({}, None)) == "{__import__('os').system('x')}"


@pytest.mark.parametrize("text", ["{0.__class__}", "{members.__class__.__init__.__globals__}", "{members!r}", "{members:>10}"])
def test_format_style_fields_are_not_format_fields(text):
    with pytest.raises(TemplateErrors) as caught:
        compile_template(text, Mark("rs.yaml", 1, 1), SCOPE)
    assert [d.code in ("expr-syntax", "expr-dunder", "expr-forbidden") for d in caught.value.diagnostics] == [True]


def test_hostile_fact_text_is_rendered_not_run(assess, tmp_path):
    target = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {target}') {{members.__class__}}"
    result = assess(
        """
        ruleset: {id: fixer, name: 整改, max_score: 10}
        facts:
          members: {type: integer, label: 会员人数}
        sections:
          - id: s
            name: 分项
            max: 10
            items:
              - {id: s.a, name: 指标, points: 10, when: members > 5, fix: "{union.name} 应发展会员"}
        levels:
          - {id: none, name: 未达标, min: 0}
        """,
        {"members": 1},
        union={"name": payload},
    )
    [gap] = result.gaps
    assert gap.fix == f"{payload} 应发展会员"
    assert not target.exists()


# pathological input is a diagnostic, not a crash ---------------------------------------------

def test_very_deep_expression_is_a_diagnostic(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(hostile_ruleset("when", " + ".join(["members"] * 3000) + " > 1"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(path)
    [problem] = caught.value.diagnostics
    assert problem.code == "expr-too-large" and "过长" in problem.message


def test_deeply_negated_expression_is_a_diagnostic(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(hostile_ruleset("when", "not " * 3000 + "union_ok"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(path)
    assert [d.code for d in caught.value.diagnostics] == ["expr-too-large"]


def test_long_but_reasonable_expression_still_loads_and_scores(assess):
    total = " + ".join(["members"] * 60)
    result = assess(
        f"""
        ruleset: {{id: long, name: 长表达式, max_score: 10}}
        facts:
          members: {{type: integer, label: 会员人数}}
        sections:
          - id: s
            name: 分项
            max: 10
            items:
              - {{id: s.a, name: 指标, points: 10, when: "{total} >= 60"}}
        levels:
          - {{id: none, name: 未达标, min: 0}}
        """,
        {"members": 1},
    )
    assert result.items[0].outcome == "pass"


# the engine's own source ---------------------------------------------------------------------

def python_sources() -> list[Path]:
    return sorted((REPO / "engine").rglob("*.py")) + [REPO / "cli.py"]


@pytest.mark.parametrize("path", python_sources(), ids=lambda p: p.name)
def test_engine_source_never_calls_eval_exec_or_unsafe_yaml(path):
    calls = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)]
    names = {node.func.id for node in calls if isinstance(node.func, ast.Name)}
    attributes = {node.func.attr for node in calls if isinstance(node.func, ast.Attribute)}
    assert not names & {"eval", "exec", "compile", "__import__"}
    assert not attributes & {"unsafe_load", "full_load", "load_all", "system", "popen"}
    yaml_load = [n for n in calls if isinstance(n.func, ast.Attribute) and n.func.attr == "load" and getattr(n.func.value, "id", "") == "yaml"]
    assert yaml_load == []
