"""Type checking of expressions at load time, so that a wrong rule fails before any union is read."""
from __future__ import annotations

import difflib
from collections.abc import Callable

from ..values import Fraction
from .expr_parse import Binary, BoolOp, Call, Compare, ExprSyntaxError, ListLit, Literal, Name, Node, Unary
from .functions import BOOL, DATE, NUM, REGISTRY, STR, TypeMismatch, type_text
from .limits import DIGITS
from .vocabulary import OUTCOMES, is_outcome

Lookup = Callable[[str], "str | None"]
ORDERED = {NUM, DATE}
DIGIT_ARGUMENT = {"round": 1, "pct": 1}  # function → index of its decimals argument
EQUATABLE = {NUM, STR, BOOL, DATE}


def literal_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return BOOL
    return STR if isinstance(value, str) else NUM


def constant(node: Node) -> Fraction | None:
    """The value of a number written with literals alone (`2 - 2`, `-(0)`), else None."""
    if isinstance(node, Literal):
        value = node.value
        return Fraction(value) if isinstance(value, (int, float, Fraction)) and not isinstance(value, bool) else None
    if isinstance(node, Unary) and node.op in ("-", "+"):
        value = constant(node.operand)
        return None if value is None else (-value if node.op == "-" else value)
    if isinstance(node, Binary):
        left, right = constant(node.left), constant(node.right)
        if left is None or right is None:
            return None
        if node.op == "/":
            return left / right if right else None
        return {"+": left + right, "-": left - right, "*": left * right}[node.op]
    return None


def outcome_message(text: object) -> str:
    """「“n/a” 不是指标结果，是否应为 “na”？」."""
    allowed = "、".join(OUTCOMES)
    if not isinstance(text, str):
        return f"指标结果只能与结果值比较（{allowed}）"
    close = difflib.get_close_matches(text, OUTCOMES, n=1, cutoff=0.5)
    hint = f"，是否应为 “{close[0]}”？" if close else ""
    return f"“{text}” 不是指标结果（结果写作 {allowed}）{hint}"


def infer(node: Node, lookup: Lookup, known: Callable[[], list[str]]) -> str:
    """The type of an expression; raises `ExprSyntaxError` on unknown names or mismatched types."""
    return Checker(lookup, known).infer(node)


class Checker:
    def __init__(self, lookup: Lookup, known: Callable[[], list[str]]) -> None:
        self.lookup, self.known = lookup, known

    def infer(self, node: Node) -> str:
        return getattr(self, "infer_" + type(node).__name__)(node)

    def fail(self, node: Node, message: str, code: str = "expr-type") -> ExprSyntaxError:
        return ExprSyntaxError(code, message, node.offset, node.length)

    def infer_Literal(self, node: Literal) -> str:
        return literal_type(node.value)

    def infer_Name(self, node: Name) -> str:
        kind = self.lookup(node.path)
        if kind is None:
            close = difflib.get_close_matches(node.path, self.known(), n=1, cutoff=0.6)
            hint = f"，是否应为 “{close[0]}”？" if close else "：请在 facts 或 derive 中声明"
            raise self.fail(node, f"未声明的名称 “{node.path}”{hint}", "expr-unknown-name")
        return kind

    def infer_ListLit(self, node: ListLit) -> str:
        kinds = {self.infer(item) for item in node.items} - {"null"}
        if any(kind.startswith("list") for kind in kinds):
            raise self.fail(node, "列表的元素不能是列表")
        if len(kinds) > 1:
            raise self.fail(node, "列表中的元素类型不一致：" + "、".join(sorted(type_text(k) for k in kinds)))
        return f"list<{kinds.pop() if kinds else 'null'}>"

    def infer_Unary(self, node: Unary) -> str:
        want = BOOL if node.op == "not" else NUM
        self.expect(node.operand, want, f"“{node.op}” 的运算对象")
        return want

    def infer_Binary(self, node: Binary) -> str:
        self.expect(node.left, NUM, f"“{node.op}” 左边")
        self.expect(node.right, NUM, f"“{node.op}” 右边")
        if node.op == "/":
            self.check_divisor(node.right)
        return NUM

    def check_divisor(self, divisor: Node) -> None:
        """A divisor written as a constant zero (`members / 0`, `ratio(a, 2 - 2)`) makes the value null for every
        union, so every item reading it is 「缺资料」: a slip of the rule author's, told at load."""
        if constant(divisor) == 0:
            raise self.fail(divisor, "除数恒为 0：这个值对每个工会都无法计算，读取它的指标都会判为缺资料", "expr-zero-divisor")

    def infer_BoolOp(self, node: BoolOp) -> str:
        for value in node.values:
            self.expect(value, BOOL, f"“{node.op}” 的运算对象")
        return BOOL

    def expect(self, node: Node, want: str, what: str) -> None:
        got = self.infer(node)
        if got not in (want, "null"):
            raise self.fail(node, f"{what}应为{type_text(want)}，实际为{type_text(got)}")

    def infer_Compare(self, node: Compare) -> str:
        left, right = self.infer(node.left), self.infer(node.right)
        self.check_outcome(node)
        self.check_null(node)
        if node.op in ("in", "not in"):
            return self.check_membership(node, left, right)
        allowed = ORDERED if node.op in ("<", "<=", ">", ">=") else EQUATABLE
        if "null" in (left, right):
            return BOOL
        if left != right or left not in allowed:
            raise self.fail(node, f"不能用 “{node.op}” 比较{type_text(left)}与{type_text(right)}")
        return BOOL

    def check_null(self, node: Compare) -> None:
        """A comparison with `null` is null whatever the other side holds (null propagates), so it never holds:
        `members != null` failed every union that had members. `exists(x)` asks whether x was given."""
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(side, Literal) and side.value is None:
                asked = f"exists({other.path})" if isinstance(other, Name) else "exists(…)"
                raise self.fail(side, f"与 null 比较的结果总是空值，条件永远不成立：判断是否有数据请用 {asked}")

    def check_outcome(self, node: Compare) -> None:
        """An item's outcome is compared with outcome values only: `'n/a'` would never be equal."""
        sides = (node.left, node.right)
        if not any(isinstance(side, Name) and is_outcome(side.path) for side in sides):
            return
        for side in sides:
            values = side.items if isinstance(side, ListLit) else (side,)
            for value in values:
                if isinstance(value, Name) and is_outcome(value.path):
                    continue
                text = value.value if isinstance(value, Literal) else None
                if not isinstance(text, str) or text not in OUTCOMES:
                    raise self.fail(value, outcome_message(text), "expr-outcome")

    def check_membership(self, node: Compare, left: str, right: str) -> str:
        if not right.startswith("list<"):
            raise self.fail(node.right, f"“{node.op}” 右边应为列表，实际为{type_text(right)}")
        element = right[5:-1]
        if "null" not in (left, element) and left != element:
            raise self.fail(node, f"不能在{type_text(right)}中查找{type_text(left)}")
        return BOOL

    def infer_Call(self, node: Call) -> str:
        entry = REGISTRY.get(node.func)
        head = Node(node.offset, len(node.func))
        if entry is None:
            close = difflib.get_close_matches(node.func, list(REGISTRY), n=1, cutoff=0.6)
            hint = f"，是否应为 “{close[0]}”？" if close else f"；可用函数：{'、'.join(sorted(REGISTRY))}"
            raise ExprSyntaxError("expr-unknown-function", f"未知函数 “{node.func}”{hint}", head.offset, head.length)
        self.check_special(node)
        args = [self.infer(arg) for arg in node.args]
        if node.func == "ratio" and len(node.args) == 2:
            self.check_divisor(node.args[1])
        try:
            return entry.check(args)
        except TypeMismatch as exc:
            raise self.fail(node, f"函数 {node.func}：{exc}") from None

    def check_special(self, node: Call) -> None:
        if node.func == "exists" and node.args and not isinstance(node.args[0], Name):
            raise self.fail(node, "exists() 的参数应为一个事实名称")
        if node.func == "passed" and not all(isinstance(a, Literal) and isinstance(a.value, str) for a in node.args):
            raise self.fail(node, "passed() 的参数应为两个带引号的文本：规则集 id 与指标 id")
        index = DIGIT_ARGUMENT.get(node.func)
        if index is not None and len(node.args) > index:
            self.check_digits(node.func, node.args[index])

    def check_digits(self, func: str, digits: Node) -> None:
        """The decimals of round and pct: a literal whole number in a small range, known at load."""
        value = digits.value if isinstance(digits, Literal) else None
        if not isinstance(value, int) or isinstance(value, bool) or value not in DIGITS:
            message = f"{func}() 的小数位数应为 {DIGITS.start} 到 {DIGITS.stop - 1} 之间的整数常量，如 {func}(x, 2)"
            raise self.fail(digits, message, "expr-digits")
