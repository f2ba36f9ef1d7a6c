"""JSON Schema validation of raw YAML data, with Chinese messages at YAML lines and columns."""
from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any, cast

import jsonschema
from referencing import Registry, Resource

from ..diagnostics import Diagnostic
from ..kinds import KINDS
from ..language.yamlload import mark_at

TYPE_NAMES = {"string": "文本", "number": "数值", "integer": "整数", "boolean": "布尔值（true/false）",
              "object": "映射（键: 值）", "array": "列表", "null": "空值"}


@cache
def schema(name: str) -> dict:
    """A bundled schema by file name, e.g. `ruleset.schema.json`; the ruleset's with every item kind's branch."""
    text = resources.files("engine").joinpath("schemas", name).read_text(encoding="utf-8")
    found = json.loads(text)
    return with_kinds(found) if name == "ruleset.schema.json" else found


def with_kinds(spec: dict) -> dict:
    """The ruleset schema with each kind's fields in the item (before `deduct`) and its parts in `$defs`."""
    item = spec["$defs"]["item"]
    fields = {key: value for kind in KINDS.values() for key, value in kind.schema.get("properties", {}).items()}
    before, after = list(item["properties"]), item["properties"]
    at = before.index("deduct")
    item["properties"] = {**{k: after[k] for k in before[:at]}, **fields, **{k: after[k] for k in before[at:]}}
    for kind in KINDS.values():
        spec["$defs"].update(kind.schema.get("$defs", {}))
    return spec


SCHEMAS = ("ruleset.schema.json", "tests.schema.json", "result.schema.json", "results-line.schema.json")


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """A validator for one bundled schema that can follow references into the others and checks `format`."""
    registry = Registry().with_resources((schema(n)["$id"], Resource.from_contents(schema(n))) for n in SCHEMAS)
    spec = schema(name)
    kind = jsonschema.validators.validator_for(spec)
    return kind(spec, registry=registry, format_checker=kind.FORMAT_CHECKER)


def validate(data: Any, name: str) -> list[Diagnostic]:
    """Every schema violation of `data`, as diagnostics (the most specific error of each branch)."""
    found = []
    for error in validator(name).iter_errors(data):
        leaf = jsonschema.exceptions.best_match([error]) if error.context else error
        found.append(to_diagnostic(data, leaf))
    return found


def to_diagnostic(data: Any, error: jsonschema.ValidationError) -> Diagnostic:
    path = list(error.absolute_path)
    code, message, at_key = describe(error)
    if at_key:
        path.append(at_key)
    mark = mark_at(data, path, key=bool(at_key))
    where = dotted(error.absolute_path)
    return Diagnostic(mark, code, f"{where + '：' if where else ''}{message}", "error", max(len(str(at_key or "")), 1))


def dotted(path: Iterable[Any]) -> str:
    """A place in a document as messages name it: result.items.0.points."""
    return ".".join(str(part) for part in path)


def describe(error: jsonschema.ValidationError) -> tuple[str, str, Any]:
    """(code, Chinese message, offending key if the problem is a key)."""
    keyword, value, instance = error.validator, cast(Any, error.validator_value), cast(Any, error.instance)
    if keyword == "additionalProperties":
        properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(set(instance) - set(properties), key=str)[0]
        close = difflib.get_close_matches(str(extra), list(properties), n=1)
        hint = f"，是否应为 “{close[0]}”？" if close else ""
        return "schema-unknown-key", f"未知字段 “{extra}”{hint}", extra
    if keyword == "required":
        missing = [key for key in value if key not in instance][0]
        return "schema-required", f"缺少必填字段 “{missing}”", None
    if keyword == "type":
        kinds = value if isinstance(value, list) else [value]
        wanted = "或".join(TYPE_NAMES.get(str(k), str(k)) for k in kinds)
        return "schema-type", f"应为{wanted}，实际为 “{error.instance}”", None
    if keyword == "enum":
        return "schema-enum", f"应为以下之一：{'、'.join(map(str, value))}；实际为 “{error.instance}”", None
    if keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "不能小于", "exclusiveMinimum": "必须大于", "maximum": "不能大于", "exclusiveMaximum": "必须小于"}
        return "schema-range", f"{words[str(keyword)]} {value}，实际为 {error.instance}", None
    if keyword in ("pattern", "propertyNames"):
        bad_key = error.instance if "propertyNames" in error.schema_path else None  # point at the key, not its mapping
        return "schema-id", f"“{error.instance}” 不是合法的标识：只能用英文字母开头，含字母、数字、下划线、点或连字符", bad_key
    if keyword == "format" and value == "date":  # the only format the bundled schemas use
        return "schema-type", f"应为日期（YYYY-MM-DD，须是实有的日期），实际为 “{error.instance}”", None
    if keyword in ("minItems", "minLength"):
        return "schema-empty", "不能为空", None
    if keyword in ("oneOf", "anyOf"):
        return "schema-type", f"应为{'或'.join(option_text(option) for option in value)}，实际为 “{error.instance}”", None
    return "schema-invalid", f"不符合规则文件格式：{error.message}", None


def option_text(option: dict) -> str:
    """One branch of a `oneOf` in words: 「数值」, 「“uncapped”」, 「百分数（如 “10%”）」."""
    if "const" in option:
        return f"“{option['const']}”"
    if "%" in option.get("pattern", ""):
        return "百分数（如 “10%”）"
    return TYPE_NAMES.get(str(option.get("type")), str(option.get("type", "")))
