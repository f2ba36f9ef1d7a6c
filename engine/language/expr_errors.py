"""Why an expression does not parse, in Chinese, at the character that caused it.

Python's parser names the problem in English (「invalid syntax」, 「'(' was never closed」), and for
an expression that stops short it points at the start. The text is looked at for the usual
mistakes of a rule author typing on a Chinese keyboard: full-width symbols (「≥」, 「（」, 「，」,
curly quotes), `=` for `==`, `&&` and `||`, an operator with nothing after it.
"""
from __future__ import annotations

import re

FULL_WIDTH = {
    "≥": ">=", "≤": "<=", "≠": "!=", "＞": ">", "＜": "<", "＝": "=", "！": "!", "（": "(", "）": ")",
    "，": ",", "［": "[", "］": "]", "“": "'", "”": "'", "‘": "'", "’": "'", "＋": "+", "－": "-", "＊": "*",
    "／": "/", "×": "*", "÷": "/", "％": "%", "：": ":", "。": ".",
}
SINGLE_EQUALS = re.compile(r"(?<![=!<>])=(?!=)")
AND_OR = re.compile(r"&&|\|\|")
DANGLING = re.compile(r"(?:[-+*/<>=]|\band|\bor|\bnot|\bin)\s*$")


def explain(source: str, message: str, offset: int) -> tuple[str, int]:
    """(Chinese message, character offset) for Python's `message` at `offset` (0-based; 0 when unknown)."""
    if "was never closed" in message:
        return f"括号 “{message[1]}” 没有配对的右括号", offset
    if message.startswith("unmatched"):
        return f"多余的右括号 “{message[-2]}”", offset
    if message.startswith("unterminated string"):
        return "引号没有配对：文本的前后都要有半角引号，如 'posted'", offset
    if message.startswith("invalid character"):
        return full_width(source, offset)
    if message.startswith("invalid decimal literal"):
        return "数字后面紧跟着字母：数字与名称之间要有运算符或空格", offset
    return invalid(source, offset)


def full_width(source: str, offset: int) -> tuple[str, int]:
    char = source[offset] if offset < len(source) else ""
    ascii_form = FULL_WIDTH.get(char)
    hint = f"，请改用半角的 “{ascii_form}”" if ascii_form else "：表达式中的符号须用英文半角"
    return f"不能使用字符 “{char}”{hint}", offset


def invalid(source: str, offset: int) -> tuple[str, int]:
    """「invalid syntax」: the likely cause, from the text."""
    found = AND_OR.search(source)
    if found:
        return "“且”“或”请写作 and、or（不是 && 或 ||）", found.start()
    found = SINGLE_EQUALS.search(source)
    if found:
        return "比较是否相等请写 ==（一个 = 是赋值，表达式中不能用）", found.start()
    if DANGLING.search(source):
        return "表达式不完整：运算符后面缺少内容", len(source.rstrip())
    if "%" in source:
        return "% 只能紧接在数字后面表示百分数（如 60%），不能用作运算符", source.index("%")
    return "写法无法识别：检查运算符、括号和逗号", offset
