"""Expression syntax: Python's parser, then a whitelist of node types mapped to our own nodes.

Nothing here (or anywhere) calls `eval`: the text is parsed with `ast.parse(mode="eval")`
and every node outside the language is a diagnostic that names it.
"""
from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..values import Fraction, exact, normal
from .expr_errors import explain
from .limits import MAX_DEPTH, MAX_EXPRESSION_CHARS, MAX_NODES, literal_problem

BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.In: "in", ast.NotIn: "not in"}
KEYWORDS = {"true": True, "false": False, "null": None}
TOO_DEEP = f"表达式嵌套过深（超过 {MAX_DEPTH} 层），请拆分到 derive 中"
TOO_BIG = f"表达式过大（超过 {MAX_NODES} 个部分），请拆分到 derive 中"
TOO_LONG = f"表达式过长（超过 {MAX_EXPRESSION_CHARS} 个字符），请拆分到 derive 中"
FORBIDDEN = {
    ast.Subscript: "下标访问", ast.Lambda: "lambda", ast.ListComp: "推导式", ast.SetComp: "推导式",
    ast.DictComp: "推导式", ast.GeneratorExp: "生成器表达式", ast.Dict: "字典", ast.Set: "集合",
    ast.IfExp: "条件表达式", ast.JoinedStr: "f-string", ast.Starred: "星号展开", ast.NamedExpr: "赋值表达式",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}


@dataclass(frozen=True, slots=True)
class Node:
    """Base of expression nodes; `offset`/`length` locate it in the text, in characters."""

    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    path: str


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    op: str
    values: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


class ExprSyntaxError(Exception):
    """A problem in an expression at a character offset, with a diagnostic code."""

    def __init__(self, code: str, message: str, offset: int = 0, length: int = 1) -> None:
        super().__init__(message)
        self.code, self.message, self.offset, self.length = code, message, offset, max(length, 1)


def parse(text: str) -> Node:
    """Parse one expression into our nodes, or raise `ExprSyntaxError`."""
    source = text.strip()
    lead = len(text) - len(text.lstrip())
    if "\n" in source:
        source = " ".join(source.split("\n"))
    if len(source) > MAX_EXPRESSION_CHARS:
        raise ExprSyntaxError("expr-too-large", TOO_LONG, lead, len(source))
    percents = percent_signs(source)
    plain = "".join(" " if index in percents else char for index, char in enumerate(source))
    try:
        tree = ast.parse(plain, mode="eval")
    except SyntaxError as exc:
        message, offset = explain(source, exc.msg, (exc.offset or 1) - 1)  # SyntaxError counts characters; ast nodes count bytes
        raise ExprSyntaxError("expr-syntax", f"表达式语法错误：{message}", offset + lead) from None
    except (RecursionError, MemoryError):
        raise ExprSyntaxError("expr-too-large", TOO_DEEP, lead, len(source)) from None
    deepest, size = measure(tree.body)
    if deepest > MAX_DEPTH:
        raise ExprSyntaxError("expr-too-large", TOO_DEEP, lead, len(source))
    if size > MAX_NODES:
        raise ExprSyntaxError("expr-too-large", TOO_BIG, lead, len(source))
    return Builder(plain, lead, percents).build(tree.body)


def percent_signs(source: str) -> frozenset[int]:
    """Where `%` follows a number directly (`60%`): a percent literal, 0.6. Any other `%` is left to the
    parser, which refuses it (the language has no remainder operator)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return frozenset()
    return frozenset(sign.start[1] for number, sign in zip(tokens, tokens[1:])
                     if number.type == tokenize.NUMBER and sign.string == "%" and sign.start == number.end)


def measure(tree: ast.AST) -> tuple[int, int]:
    """Nesting depth and number of parts (sub-expressions), counted without recursion: checking,
    evaluating and phrasing a tree recurse over it."""
    deepest, size, stack = 0, 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest, size = max(deepest, level), size + isinstance(node, ast.expr)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest, size


def written_out(node: Node, nesting: Mapping[str, int]) -> tuple[int, str]:
    """How deep `node` nests with the derived values it reads written out in place (`nesting`: theirs), and
    the derived value on its deepest path ("" for none); counted without recursion."""
    deepest, through, stack = 0, "", [(node, 1, "")]
    while stack:
        part, level, via = stack.pop()
        if isinstance(part, Name) and part.path in nesting:
            level, via = level - 1 + nesting[part.path], via or part.path
        if level > deepest:
            deepest, through = level, via
        stack.extend((child, level + 1, via) for child in children(part))
    return deepest, through


def char_offset(text: str, byte_offset: int) -> int:
    """`ast` counts UTF-8 bytes; we count characters."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


class Builder:
    """Maps whitelisted `ast` nodes to our nodes, keeping character offsets."""

    def __init__(self, source: str, lead: int, percents: frozenset[int] = frozenset()) -> None:
        self.source, self.lead, self.percents = source, lead, percents

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Where a node stands (every node the builder meets is an expression part and has a position)."""
        column = getattr(node, "col_offset", 0)
        start = char_offset(self.source, column)
        end = char_offset(self.source, getattr(node, "end_col_offset", None) or column + 1)
        return start + self.lead, end - start

    def reject(self, node: ast.AST, code: str, message: str) -> ExprSyntaxError:
        return ExprSyntaxError(code, message, *self.span(node))

    def build(self, node: ast.AST) -> Node:
        method = getattr(self, "build_" + type(node).__name__, None)
        if method is None:
            what = FORBIDDEN.get(type(node), type(node).__name__)
            return self.raise_(node, "expr-forbidden", f"表达式中不允许使用{what}")
        return method(node)

    def raise_(self, node: ast.AST, code: str, message: str) -> Node:
        raise self.reject(node, code, message)

    def build_Constant(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool) or value is None or not isinstance(value, (int, float, str)):
            return self.raise_(node, "expr-forbidden", f"不允许的常量 {value!r}，请用 true / false / null")
        offset, length = self.span(node)
        if isinstance(value, str):
            return Literal(offset, length, value)
        value = self.number(node, ast.get_source_segment(self.source, node) or repr(value))
        if offset - self.lead + length in self.percents:  # `60%`: the sign is part of the literal
            return Literal(offset, length + 1, normal(Fraction(value) / 100))
        return Literal(offset, length, value)

    def number(self, node: ast.Constant, text: str) -> Any:
        """A number literal as an exact value, once its text is known to be within bounds."""
        problem = literal_problem(text)
        if problem:
            raise self.reject(node, "expr-number", f"数字 “{text}” {problem}")
        return exact_literal(text)

    def build_Name(self, node: ast.Name) -> Node:
        if node.id in KEYWORDS:
            return Literal(*self.span(node), KEYWORDS[node.id])
        self.check_segment(node, node.id)
        return Name(*self.span(node), node.id)

    def build_Attribute(self, node: ast.Attribute) -> Node:
        base = self.build(node.value)
        if not isinstance(base, Name):
            return self.raise_(node, "expr-forbidden", "只能读取事实路径（如 committee.elected），不能访问对象属性")
        self.check_segment(node, node.attr)
        return Name(*self.span(node), f"{base.path}.{node.attr}")

    def check_segment(self, node: ast.AST, segment: str) -> None:
        if segment.startswith("_"):
            raise self.reject(node, "expr-dunder", f"名称 “{segment}” 不允许以下划线开头")

    def build_List(self, node: ast.List) -> Node:
        return ListLit(*self.span(node), tuple(self.build(item) for item in node.elts))

    build_Tuple = build_List

    def build_UnaryOp(self, node: ast.UnaryOp) -> Node:
        ops = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+"}
        if type(node.op) not in ops:
            return self.raise_(node, "expr-forbidden", "不允许的运算符")
        return Unary(*self.span(node), ops[type(node.op)], self.build(node.operand))

    def build_BinOp(self, node: ast.BinOp) -> Node:
        if isinstance(node.op, ast.Mod):
            return self.raise_(node, "expr-forbidden", "% 只能紧接在数字后面表示百分数（如 60% 即 0.6），不能用作运算符")
        if type(node.op) not in BINARY:
            return self.raise_(node, "expr-forbidden", "只允许 + - * / 四则运算")
        return Binary(*self.span(node), BINARY[type(node.op)], self.build(node.left), self.build(node.right))

    def build_BoolOp(self, node: ast.BoolOp) -> Node:
        op = "and" if isinstance(node.op, ast.And) else "or"
        return BoolOp(*self.span(node), op, tuple(self.build(v) for v in node.values))

    def build_Compare(self, node: ast.Compare) -> Node:
        """`a < b <= c` becomes `a < b and b <= c`."""
        operands = [self.build(node.left)] + [self.build(c) for c in node.comparators]
        pairs = []
        for index, op in enumerate(node.ops):
            if type(op) not in COMPARE:
                return self.raise_(node, "expr-forbidden", "不允许 is / is not，请用 == 或 !=")
            left, right = operands[index], operands[index + 1]
            start, end = left.offset, right.offset + right.length
            pairs.append(Compare(start, end - start, COMPARE[type(op)], left, right))
        return pairs[0] if len(pairs) == 1 else BoolOp(*self.span(node), "and", tuple(pairs))

    def build_Call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name):
            return self.raise_(node, "expr-forbidden", "只能调用规则语言提供的函数，不能调用方法")
        if node.keywords:
            return self.raise_(node, "expr-forbidden", "函数不接受关键字参数")
        self.check_segment(node.func, node.func.id)
        offset, _ = self.span(node.func)
        args = tuple(self.build(arg) for arg in node.args)
        return Call(offset, self.span(node)[1], node.func.id, args)


def exact_literal(text: str) -> Any:
    """A decimal literal as an exact number (0.95 is 19/20, never 0.9499999…)."""
    from decimal import Decimal, InvalidOperation

    try:
        return exact(Decimal(text.replace("_", "")))
    except InvalidOperation:  # pragma: no cover - `literal_problem` has read the text as a Decimal
        return exact(float(text))


def names_in(node: Node) -> set[str]:
    """Every name path an expression reads."""
    if isinstance(node, Name):
        return {node.path}
    return set().union(*(names_in(child) for child in children(node))) if children(node) else set()


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node."""
    if isinstance(node, (Binary, Compare)):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, BoolOp):
        return node.values
    if isinstance(node, ListLit):
        return node.items
    if isinstance(node, Call):
        return node.args
    return ()
