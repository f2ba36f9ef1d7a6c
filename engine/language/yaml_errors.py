"""Why a YAML file does not parse, in Chinese, pointing at the likely cause with a hint.

The parser (libyaml) names what it could not do, in English, often a line after the real mistake:
a full-width colon 「：」 typed after a key is read as part of the key, and the error shows up on
the next line. So the text around the error is looked at for the usual mistakes (full-width
colon, tab indentation, braces or 「: 」 in plain text, an unpaired quote) and the mark moves
to the character that caused it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# libyaml's problem texts, by a distinctive part, in the order they are tried
PROBLEMS = (
    ("mapping values are not allowed", "此处不能出现“键: 值”"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("cannot start any token", "出现了不能出现在此处的字符"),
    ("tab character", "缩进中出现了 Tab 字符"),
    ("expected ',' or ']'", "方括号 [ ] 没有闭合，或元素之间缺少逗号"),
    ("expected ',' or '}'", "花括号 { } 没有闭合，或各项之间缺少逗号"),
    ("did not find expected key", "缩进或格式不对：此处应是下一个“键: 值”"),
    ("expected '-' indicator", "列表项与同层的键缩进不一致"),
    ("expected <block end>", "缩进不一致"),
    ("expected node content", "缺少值"),
    ("unexpected end of stream", "文件意外结束：有引号或括号没有闭合"),
    ("undefined alias", "引用了没有定义的锚点（*名称 之前要有 &名称）"),
    ("unknown escape character", "双引号文本中有无法识别的转义符“\\”"),
    ("directive", "无法识别的 % 指令"),
    ("another document", "一个文件只能有一个 YAML 文档（去掉多余的 ---）"),
    ("duplicate anchor", "锚点名称重复"),
    ("control characters are not allowed", "文件中有不可见的控制字符，请删除"),
    ("found unexpected ':'", "冒号“:”的位置不对"),
)
FULL_WIDTH_COLON = re.compile(r"^\s*(?:-\s+)?[^\s#'\"{}\[\]][^:：#]*?：")
TEXT_WITH_BRACES = re.compile(r":\s+[^'\"\s\[{][^'\",{}]*[{}](?!\s*(?:$|[,}\]#]))|:\s+\{[^{}]*\}\s*[^\s,}\]#]")  # 完成{x}项, {x}项
RESERVED_START = re.compile(r"(?:^|:\s+|-\s+)[@`]")
COLON_IN_TEXT = re.compile(r":\s+[^'\"\s{\[|>][^#,]*?:(\s|$)")  # 时间: 上午
HINTS = {
    "colon": "键后面的冒号写成了全角“：”：改为半角冒号“:”，并在冒号后加一个空格",
    "tab": "YAML 不能用 Tab 缩进：请改用空格（同一层对齐）",
    "braces": "文本中含有花括号 { } 或“: ”时，整段文本要加引号，如 fix: \"完成{x}项\"",
    "colon_text": "文本中含有“: ”时，整段文本要加引号，如 name: \"时间: 上午\"",
    "quote": "检查引号是否成对；单引号文本中的单引号写成两个（''）",
    "reserved": "以 @ 或 ` 开头的文本要加引号，如 name: \"@某某\"",
}
BRACKETS = {"expected ',' or '}'": "{}", "expected ',' or ']'": "[]"}  # libyaml's problem → the pair left open
UNCLOSED = "这一行的“{0}”没有对应的“{1}”：写在一行时在末尾补上“{1}”；接着写到下一行时，这一行末尾要有逗号"
HINTS |= {"unclosed" + pair[0]: UNCLOSED.format(*pair) for pair in BRACKETS.values()}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """A YAML syntax error as a 1-based line and column and a Chinese message."""

    line: int
    column: int
    message: str


def explain(text: str, problem: str, line: int, column: int, context_line: int | None = None) -> YamlProblem:
    """The Chinese account of a libyaml error at (line, column), 1-based; `context_line` is where the
    construct being read started, so that a cause a line or two earlier is found."""
    lines = text.splitlines()
    cause = find_cause(lines, problem, line, context_line)
    what = next((chinese for english, chinese in PROBLEMS if english in problem), "格式不正确")
    if cause is None:
        return YamlProblem(line, column, f"YAML 语法错误：{what}")
    hint, at_line, at_column = cause
    return YamlProblem(at_line, at_column, f"YAML 语法错误：{what}。{HINTS[hint]}")


def find_cause(lines: list[str], problem: str, line: int, context_line: int | None) -> tuple[str, int, int] | None:
    """(hint, line, column) of the likeliest mistake near the error, or None."""
    first = max(1, min(context_line or line, line) - 2)
    window = range(line, first - 1, -1)  # nearest line first
    for finder in (tab, full_width_colon, colon_in_text, braces, quote, reserved, unclosed):
        found = finder(lines, window, problem)
        if found is not None:
            return found
    return None


def first_of(text: str, characters: str, start: int = 0) -> int:
    """1-based column of the first of `characters` in `text` from `start` (0-based)."""
    return next(index for index in range(start, len(text)) if text[index] in characters) + 1


def source_line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def full_width_colon(lines: list[str], window: range, problem: str) -> tuple[str, int, int] | None:
    if not any(part in problem for part in ("mapping values", "expected ':'", "expected key", "<block end>")):
        return None
    for number in window:
        match = FULL_WIDTH_COLON.match(source_line(lines, number))
        if match:
            return "colon", number, match.end()
    return None


def tab(lines: list[str], window: range, problem: str) -> tuple[str, int, int] | None:
    for number in window:
        text = source_line(lines, number)
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in indent:
            return "tab", number, indent.index("\t") + 1
    return None


def braces(lines: list[str], window: range, problem: str) -> tuple[str, int, int] | None:
    for number in window:
        match = TEXT_WITH_BRACES.search(source_line(lines, number))
        if match:
            return "braces", number, first_of(source_line(lines, number), "{}", match.start())
    return None


def colon_in_text(lines: list[str], window: range, problem: str) -> tuple[str, int, int] | None:
    if "mapping values" not in problem and "or '}'" not in problem:
        return None
    for number in window:
        match = COLON_IN_TEXT.search(source_line(lines, number))
        if match:
            return "colon_text", number, match.end() - len(match.group(1))
    return None


def quote(lines: list[str], window: range, problem: str) -> tuple[str, int, int] | None:
    if "end of stream" not in problem and "expected key" not in problem:
        return None
    for number in window:
        text = source_line(lines, number)
        if text.count('"') % 2 or text.count("'") % 2:
            return "quote", number, first_of(text, "'\"")
    return None


def reserved(lines: list[str], window: range, problem: str) -> tuple[str, int, int] | None:
    if "cannot start any token" not in problem:
        return None
    for number in window:
        match = RESERVED_START.search(source_line(lines, number))
        if match:
            return "reserved", number, match.end()
    return None


def unclosed(lines: list[str], window: range, problem: str) -> tuple[str, int, int] | None:
    """The bracket left open on an earlier line: libyaml notices it only on the next line."""
    pair = next((pair for english, pair in BRACKETS.items() if english in problem), None)
    if pair is None:
        return None
    for number in window:
        column = open_bracket(source_line(lines, number), pair)
        if column is not None:
            return "unclosed" + pair[0], number, column
    return None


def open_bracket(text: str, pair: str) -> int | None:
    """1-based column of the first bracket of `pair` the line leaves open (quoted text and comments skipped)."""
    opened: list[int] = []
    quote_char = ""
    for index, char in enumerate(text):
        if quote_char:
            quote_char = "" if char == quote_char else quote_char
        elif char in "'\"":
            quote_char = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            break
        elif char == pair[0]:
            opened.append(index + 1)
        elif char == pair[1] and opened:
            opened.pop()
    return opened[0] if opened else None
