"""The JSON Schema of a ruleset's facts, generated from its `facts:` declarations.

Fact files are validated against it (after nested facts are flattened to dotted paths), so
the declared type, bounds and choices of every fact are checked in one place; the messages
are built from the declaration, in Chinese, with the fact's label.
"""
from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import jsonschema

from ..language.model import FactDecl
from ..values import Fraction, fmt_number

TRUE_WORDS = ("是", "有", "√", "✓", "Y", "y", "yes", "Yes", "YES", "true")
FALSE_WORDS = ("否", "无", "×", "✗", "N", "n", "no", "No", "NO", "false")
TYPE_WORDS = {"integer": "整数", "number": "数值", "boolean": "布尔值（true/false 或 是/否）", "string": "文本",
              "enum": "枚举值", "date": "日期（如 2023-05-12）"}


def is_date(checker: Any, instance: Any) -> bool:
    if isinstance(instance, dt.date):
        return True
    try:
        return isinstance(instance, str) and bool(dt.date.fromisoformat(instance.strip()))
    except ValueError:
        return False


Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("date", is_date),
)


def leaf(kind: str, decl: FactDecl) -> dict:
    """The schema of one value of a declared type."""
    if kind == "boolean":
        return {"anyOf": [{"type": "boolean"}, {"enum": list(TRUE_WORDS + FALSE_WORDS)}]}
    if kind == "enum":
        return {"enum": list(decl.values)}
    if kind == "date":
        return {"type": "date"}
    schema: dict[str, Any] = {"type": kind}
    low = lowest(decl)
    if kind in ("integer", "number") and low is not None:
        schema["minimum"] = float(low)
    if kind in ("integer", "number") and decl.max is not None:
        schema["maximum"] = float(decl.max)
    return schema


def lowest(decl: FactDecl) -> Any:
    """Counts are never negative: integers without `min` start at 0."""
    return decl.min if decl.min is not None else (0 if decl.type in ("integer", "list") and decl.items in ("", "integer") else None)


def property_schema(decl: FactDecl) -> dict:
    if decl.type == "list":
        return {"type": "array", "items": leaf(decl.items, decl)} | ({"minItems": decl.length, "maxItems": decl.length} if decl.length else {})
    return leaf(decl.type, decl)


def fact_schema(decls: Iterable[FactDecl]) -> dict:
    """The generated schema of the (flattened) facts of a ruleset."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {decl.name: property_schema(decl) for decl in decls},
    }


class FactValidator:
    """The generated schema, checked fast: each property's schema (our small subset of JSON
    Schema) becomes a predicate; only when one fails does jsonschema run to say why."""

    def __init__(self, schema: dict) -> None:
        self.schema = Validator(schema)
        self.checks = {name: predicate(spec) for name, spec in schema["properties"].items()}

    def iter_errors(self, facts: dict[str, Any]) -> Iterable[Any]:
        checks = self.checks
        if all(checks[name](value) for name, value in facts.items() if name in checks):
            return ()
        return self.schema.iter_errors(facts)


def predicate(spec: dict) -> Callable[[Any], bool]:
    """A property schema as a function: true exactly when jsonschema finds no error."""
    checks = [TYPE_CHECKS[spec["type"]]] if "type" in spec else []
    if "enum" in spec:
        allowed = spec["enum"]
        checks.append(lambda value: isinstance(value, str) and value in allowed)
    if "anyOf" in spec:
        options = [predicate(option) for option in spec["anyOf"]]
        checks.append(lambda value: any(option(value) for option in options))
    if "minimum" in spec:
        low = spec["minimum"]
        checks.append(lambda value: value >= low)
    if "maximum" in spec:
        high = spec["maximum"]
        checks.append(lambda value: value <= high)
    if "items" in spec:
        each = predicate(spec["items"])
        checks.append(lambda value: all(each(item) for item in value))
    if "minItems" in spec:
        size = spec["minItems"]  # with maxItems, the same: a list of one length
        checks.append(lambda value: len(value) == size)
    return every(checks)


def every(checks: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    """One predicate true when all of `checks` (at least one: a type or the choices) are; run on every
    fact of every union, and again on the planned facts."""
    if len(checks) == 1:
        return checks[0]
    first, rest = checks[0], every(checks[1:])
    return lambda value: first(value) and rest(value)


def is_number(value: Any) -> bool:
    kind = type(value)
    if kind is int or kind is float:  # most values, without the numbers ABC's slower isinstance
        return True
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: is_number(v) and (isinstance(v, int) or (isinstance(v, float) and v.is_integer())),
    "number": is_number,
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "date": lambda v: is_date(None, v),
}


def validator(decls: tuple[FactDecl, ...]) -> FactValidator:
    """A validator of the generated schema; build it once per set of declarations."""
    return FactValidator(fact_schema(decls))


def expected(decl: FactDecl, element: bool = False) -> str:
    """What a value of this fact (or one element of a list fact) must be, in Chinese: 「不小于 0 的整数」;
    a percentage as people write it: 「不小于 0%、不大于 100% 的百分比」."""
    kind = decl.items if decl.type == "list" else decl.type
    if kind == "enum":
        return f"以下之一：{'、'.join(decl.values)}"
    low = lowest(decl)
    bounds = []
    if low is not None:
        bounds.append(f"不小于 {percent_text(decl, low) or fmt_number(low)}")
    if decl.max is not None:
        bounds.append(f"不大于 {percent_text(decl, decl.max) or fmt_number(decl.max)}")
    word = "百分比" if is_percent(decl) else TYPE_WORDS[kind]
    text = ("、".join(bounds) + " 的" if bounds and kind in ("integer", "number") else "") + word
    if decl.type != "list" or element:
        return text
    return f"{text}列表（共 {decl.length} 项）" if decl.length else text + "列表"


def is_percent(decl: FactDecl) -> bool:
    return decl.unit == "%" and (decl.items if decl.type == "list" else decl.type) == "number"


def percent_text(decl: FactDecl, value: Any) -> str:
    """A percentage fact's number as people write it (1.2 is 「120%」); "" for any other fact or value."""
    return f"{fmt_number(Fraction(str(value)) * 100)}%" if is_percent(decl) and is_number(value) else ""


def labelled(name: str, label: str) -> str:
    """A fact as a message names it: its label first, then the name a fact file uses: 「会员人数（members）」."""
    return f"{label}（{name}）"


def fact_errors(facts: dict[str, Any], decls: tuple[FactDecl, ...], checker: Any) -> list[tuple[str, str]]:
    """(fact name, Chinese message) for every declared fact whose value does not fit."""
    by_name = {decl.name: decl for decl in decls}
    found: dict[str, str] = {}
    for error in checker.iter_errors(facts):
        name = error.absolute_path[0]
        decl = by_name[name]
        where = f"第 {error.absolute_path[1] + 1} 项" if len(error.absolute_path) > 1 else ""
        found.setdefault(name, f"{labelled(name, decl.label)}{where}应为{expected(decl, bool(where))}，"
                               f"实际为 “{percent_text(decl, error.instance) or error.instance}”")
    return sorted(found.items())
