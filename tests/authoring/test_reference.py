"""docs/ruleset-reference.md: generated from the registries, current, and complete (every code the engine reports)."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from engine.authoring.reference import PARTS, REGENERATE, all_codes, reference, split_doc
from engine.kinds import KINDS
from engine.language.expr_parse import Call, Node, children, parse
from engine.language.functions import REGISTRY
from engine.load.schema import schema, validator

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "ruleset-reference.md"
CODE_LIKE = re.compile(r"^[a-z]+(?:-[a-z]+)+$")


def test_the_checked_in_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == reference(), f"docs/ruleset-reference.md is stale: run {REGENERATE}"


def test_the_regeneration_command_prints_the_reference() -> None:
    done = subprocess.run([sys.executable, "-m", "engine.authoring.reference"], cwd=REPO, capture_output=True, check=True)
    assert done.stdout.decode("utf-8") == reference()
    assert REGENERATE in reference()


def codes_in(path: Path) -> Iterator[str]:
    """Texts that look like diagnostic codes where a module reports one: as an argument of a call
    (`Diagnostic(mark, "fact-type", …)`, `problems.add(…)`, `fail(…)`), in a returned tuple
    (`return "schema-type", message, None`) or as a parameter's default (`code="expr-type"`), either side of a
    conditional (`"fact-members" if … else "fact-at-most"`)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            found = node.args + [keyword.value for keyword in node.keywords]
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            found = node.value.elts
        elif isinstance(node, ast.arguments):
            found = node.defaults + [value for value in node.kw_defaults if value is not None]
        else:
            continue
        found = [side for c in found for side in ((c.body, c.orelse) if isinstance(c, ast.IfExp) else (c,))]
        yield from (c.value for c in found if isinstance(c, ast.Constant) and isinstance(c.value, str) and CODE_LIKE.match(c.value))


def engine_codes() -> set[str]:
    return {code for path in (REPO / "engine").rglob("*.py") if path.name != "codes.py" for code in codes_in(path)}


def test_every_code_the_engine_reports_is_documented() -> None:
    missing = sorted(engine_codes() - set(all_codes()))
    assert not missing, f"add these codes to engine/codes.py or the kind's `codes` (then run {REGENERATE}): {missing}"


def test_every_documented_code_is_still_reported() -> None:
    assert sorted(set(all_codes()) - engine_codes()) == []


def test_every_code_has_a_chinese_meaning_and_an_example_in_the_doc() -> None:
    text = reference()
    for code, entry in all_codes().items():
        assert re.search(r"[\u4e00-\u9fff]", entry.meaning) and entry.example.strip() and entry.where, code
        assert f'<a id="{code}"></a>`{code}`' in text


def calls(node: Node) -> Iterator[str]:
    if isinstance(node, Call):
        yield node.func
    for child in children(node):
        yield from calls(child)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_function_has_a_description_and_an_example_that_calls_it(name: str) -> None:
    text, example = split_doc(REGISTRY[name].doc)
    assert text and f"### `{name}`" in reference()
    expression = re.match(r"`([^`]+)`", example)
    assert expression, f"{name}: the docstring needs 例：`…`"
    assert name in calls(parse(expression[1]))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_item_kind_has_a_description_and_a_valid_example_item(kind: str) -> None:
    text, example = split_doc(KINDS[kind].__doc__ or "")
    [item] = yaml.safe_load(example)
    section = {"id": "s", "name": "分项", "max": item["points"], "items": [item]}
    assert text and schema_errors(sections=[section]) == []
    assert kind in item and not ({"when", "tiers", "count", "scale", "shortfall"} - {kind}) & set(item)


def schema_errors(**parts: object) -> list[str]:
    """Schema errors of a ruleset made of the example header and these parts."""
    header = schema("ruleset.schema.json")["properties"]["ruleset"]["examples"][0]
    return [error.message for error in validator("ruleset.schema.json").iter_errors({"ruleset": header, **parts})]


def top_level_keys() -> list[str]:
    return list(schema("ruleset.schema.json")["properties"])


@pytest.mark.parametrize("key", top_level_keys())
def test_every_top_level_key_is_described_with_an_example_that_validates(key: str) -> None:
    prop = schema("ruleset.schema.json")["properties"][key]
    assert prop["examples"] and prop["description"] and f"### `{key}`" in reference()
    for example in prop["examples"]:
        assert schema_errors(**{key: example}) == []


def test_every_field_of_every_part_is_described() -> None:
    spec = schema("ruleset.schema.json")
    for _, title, path in PARTS:
        for field, prop in spec[path[0]][path[1]]["properties"].items():
            assert prop.get("description"), f"{title}: {field}"
