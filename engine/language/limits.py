"""How big a ruleset's expressions and numbers may be: checked at load, so that a ruleset that passes
`unionscore check` cannot hang or crash an assessment. The reasons for each number are in
docs/decisions.md ("Bounded rulesets and Chinese messages").
"""
from __future__ import annotations

from decimal import Decimal

MAX_EXPRESSION_CHARS = 4000  # the longest bundled expression has about 200 characters
MAX_NODES = 500  # the largest bundled expression has 23 parts; 500 fits `x in [...]` over ~400 townships
MAX_DEPTH = 100  # nesting; evaluating and phrasing an expression recurse over it
MAX_WRITTEN_OUT = 200  # nesting with the derived values read written out in place (the bundled rulesets reach 5):
# phrasing, explaining and planning recurse through derived values as through one expression (350 overflowed the stack)
MAX_LITERAL = 10**15  # 千万亿: above any count of people, books or yuan a union reports
MAX_DECIMAL_PLACES = 10  # 0.0000000001: finer than any share or rate a standard states
MAX_LITERAL_CHARS = 40  # a number literal's text, read before its value is computed
DIGITS = range(0, 7)  # the decimals of round(x, n) and pct(x, n): a literal from 0 to 6
MAX_COUNT_STEPS = 1000  # a count item's points ÷ each: the planner weighs every count up to full points
MAX_ITEMS = 500  # items of a ruleset, bonus items too (the bundled have at most 36): the planner weighs them together,
# in time that grows with their square (2,000 items took 15 s a union, 5,000 over the batch's minute)
MAX_CHAIN = 20  # rulesets one above another through extends, or through uses (the bundled reach 1; a county's
# variant of a province's variant of a national standard, 2): loading and ordering them recurse
MAX_RESULT_BITS = 400  # ~120 decimal digits: an arithmetic result beyond this is null, not a slow giant


def literal_problem(text: str) -> str | None:
    """Why a number literal's text is out of bounds (Chinese), or None when it is fine.

    Works on the text and `Decimal` (exact, no context) before any exact value is built:
    `1e999999999` would otherwise be a billion-digit integer."""
    if len(text) > MAX_LITERAL_CHARS:
        return f"过长（超过 {MAX_LITERAL_CHARS} 个字符）"
    if not all(c.isascii() and (c.isdigit() or c in "._eE+-") for c in text):
        return "不是十进制数：只能写十进制（不接受十六进制、八进制、二进制或复数）"
    value = Decimal(text.replace("_", ""))
    if value.copy_abs() > MAX_LITERAL:  # copy_abs, unlike abs(), never rounds or overflows
        return f"超出范围：绝对值不能大于 10 的 {len(str(MAX_LITERAL)) - 1} 次方"
    if value and decimal_places(value) > MAX_DECIMAL_PLACES:
        return f"的小数位过多：最多 {MAX_DECIMAL_PLACES} 位"
    return None


def decimal_places(value: Decimal) -> int:
    """Significant digits after the point: 0.50 has 1, 1e-12 has 12."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # a finite value: the caller bounded it
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def too_big(value: object) -> bool:
    """Whether an exact number has grown past what an assessment computes with."""
    if isinstance(value, int):
        return value.bit_length() > MAX_RESULT_BITS
    numerator, denominator = getattr(value, "numerator", 0), getattr(value, "denominator", 1)
    return max(abs(numerator).bit_length(), denominator.bit_length()) > MAX_RESULT_BITS
