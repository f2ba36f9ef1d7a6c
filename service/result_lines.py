"""A line of a past `batch` run's results.jsonl, read and checked whole before anything of it is stored.

In order, the first problem refusing the line: the JSON itself (valid UTF-8, nested at most MAX_DEPTH
deep, every number finite, integers of at most MAX_INT_CHARS digits, scores and points within
MAX_LITERAL, the largest number a ruleset may write); the line's schema (engine/schemas/
results-line.schema.json: a result exactly as `batch` writes it, `as_of` a real date); then what the
service knows: an id that can address the union's pages, a union type of the vocabulary, the year imported, and a level of the ruleset named,
where this installation has that ruleset in that version (`installed_levels`). A ruleset it lacks, or
another version of it, may be a county's own or an older standard: its results are history all the
same, so they are taken as written and the import says their levels were not checked.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import jsonschema

from engine.language.limits import MAX_LITERAL
from engine.language.vocabulary import UNION_TYPES
from engine.load.schema import describe, dotted, validator

from . import grader
from .models import record_problem

MAX_DEPTH = 20  # a line of results.jsonl nests 7 deep (result, items, facts, a list of values)
MAX_INT_CHARS = 130  # an assessment's exact numbers stop at 400 bits (about 121 digits; limits.MAX_RESULT_BITS)
SHOWN = 120  # characters of a refused value quoted in its message
POINTS = frozenset({"score", "max_score", "bonus", "points", "max_points", "points_lost", "deducted", "gain"})

Installed = dict[tuple[str, str], tuple[str, ...]]  # (ruleset id, version) → its level ids


class Refused(Exception):
    """Why a line is not imported: an ASCII code and a Chinese sentence naming the field."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code


def installed_levels() -> Installed:
    return {(ruleset.id, ruleset.version): tuple(level.id for level in ruleset.levels) for ruleset in grader.rulesets_named(())}


def read(raw: bytes, year: int, installed: Installed) -> dict[str, Any]:
    """The line as a dict {"union", "as_of", "result"}, or Refused."""
    line = parsed(raw)
    check_values(line)
    check_schema(line)
    check_meaning(line, year, installed)
    return line


def parsed(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_int=whole_number)
    except UnicodeDecodeError:
        raise Refused("results-encoding", "不是 UTF-8 编码的文本（可能是 GBK），请另存为 UTF-8") from None
    except json.JSONDecodeError as exc:
        raise Refused("results-json", f"不是有效的 JSON（{exc}）") from None
    except RecursionError:
        raise Refused("results-json", f"JSON 嵌套层次过深（batch 输出的一行不超过 {MAX_DEPTH} 层）") from None


def whole_number(text: str) -> int | Decimal:
    """An integer, or its text kept as a Decimal when too long to be one an assessment wrote (refused later)."""
    return int(text) if len(text.lstrip("-")) <= MAX_INT_CHARS else Decimal(text)


def check_values(line: Any) -> None:
    for path, value in values(line):
        if not path:  # the line itself: the schema says what it should be
            continue
        if len(path) > MAX_DEPTH:
            raise Refused("results-json", f"字段 {dotted(path)} 嵌套超过 {MAX_DEPTH} 层")
        if isinstance(value, Decimal):
            raise Refused("results-number", f"字段 {dotted(path)} 的数字过长（超过 {MAX_INT_CHARS} 位）")
        if isinstance(value, float) and not math.isfinite(value):
            raise Refused("results-number", f"字段 {dotted(path)} 不是有限的数（实际为 {json.dumps(value)}）")
        if path[-1] in POINTS and isinstance(value, (int, float)) and abs(value) > MAX_LITERAL:
            raise Refused("results-number", f"字段 {dotted(path)} 超出范围：绝对值不能大于 10 的 15 次方，实际为 {value}")


def values(line: Any) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value of the line with its path, in reading order (without recursion: nesting is not bounded yet)."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), line)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if len(path) <= MAX_DEPTH:
            items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
            stack.extend(reversed([((*path, key), inner) for key, inner in items]))


def check_schema(line: Any) -> None:
    error = jsonschema.exceptions.best_match(validator("results-line.schema.json").iter_errors(line))
    if error is not None:
        message, where = shortened(describe(error)[1]), tuple(error.absolute_path)
        raise Refused("results-line", f"字段 {dotted(where)}：{message}" if where else
                      f"不是 batch 输出 results.jsonl 的一行 {{\"union\": {{…}}, \"as_of\": …, \"result\": {{…}}}}：{message}")


def shortened(message: str) -> str:
    """A message quoting a value no longer than SHOWN characters (the value may be a whole list)."""
    return message if len(message) <= SHOWN else f"{message[:SHOWN]}…”"


def check_meaning(line: dict[str, Any], year: int, installed: Installed) -> None:
    union, result = line["union"], line["result"]
    problem = record_problem(union)
    if problem:
        raise Refused(f"results-union-{problem[0]}", f"字段 union.{problem[0]}：{problem[1]}")
    if union["type"] not in UNION_TYPES:
        raise Refused("results-union-type", f"字段 union.type：“{union['type']}” 不是工会类型，应为以下之一：{'、'.join(UNION_TYPES)}")
    if union["period"] is not None and union["period"] != year:
        raise Refused("results-year", f"字段 union.period：结果属于 {union['period']} 年度，与 --year {year} 不符")
    ref, level = result["ruleset"], result["level"]
    levels = installed.get((ref["id"], ref["version"]))
    if level is not None and levels is not None and level["id"] not in levels:
        raise Refused("results-level", f"字段 result.level.id：“{level['id']}” 不是“{ref['id']}”（{ref['version']} 版）的等级，"
                                       f"应为以下之一：{'、'.join(levels)}")

