"""Compiled expressions and fix-text templates: parse, type-check, close over, keep the source mark."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic, Mark
from ..values import Null, fmt_value
from .expr_eval import Closure, Env, to_closure
from .expr_parse import ExprSyntaxError, Name, Node, names_in, parse
from .expr_types import infer
from .functions import type_text
from .vocabulary import OUTCOME_TEXT, UNION_TYPES, is_outcome

Labels = tuple[tuple[str, str], ...]  # an enum fact's Chinese text per value: (("posted", "已建立并上墙"), …)


def no_labels(path: str) -> Labels:
    return ()


@dataclass(frozen=True)
class Scope:
    """The names an expression may read, with their types."""

    lookup: Callable[[str], str | None]
    known: Callable[[], list[str]]
    labels: Callable[[str], Labels] = no_labels  # the value labels of an enum fact, for fix texts


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, tree, type, the names it reads, and how to evaluate it."""

    text: str
    node: Node
    kind: str
    mark: Mark
    names: frozenset[str]
    run: Closure = field(repr=False, compare=False)

    def __call__(self, env: Env) -> Any:
        return self.run(env)


class ExpressionError(Exception):
    """An expression that cannot be compiled, as a diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class TemplateErrors(Exception):
    """A fix text whose `{…}` parts cannot be compiled: every one of them, as diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("；".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def compile_expression(text: Any, mark: Mark, scope: Scope, want: str | None = None) -> Expression:
    """Parse and type-check `text`; `want` ("boolean", "number") is the type the place needs."""
    source = text if isinstance(text, str) else to_source(text)
    try:
        node = parse(source)
        kind = infer(node, scope.lookup, scope.known)
    except ExprSyntaxError as exc:
        raise ExpressionError(Diagnostic(mark.shifted(exc.offset), exc.code, f"{exc.message}：“{quoted(source)}”", "error", exc.length)) from None
    if want and kind not in (want, "null"):
        message = f"此处需要{type_text(want)}，表达式 “{quoted(source)}” 的结果为{type_text(kind)}"
        raise ExpressionError(Diagnostic(mark, "expr-type", message, "error", len(source)))
    return Expression(source, node, kind, mark, frozenset(names_in(node)), to_closure(node))


def quoted(source: str, limit: int = 80) -> str:
    """An expression as a message quotes it: a long one is cut short (the caret shows where it is)."""
    return source if len(source) <= limit else source[: limit - 1] + "…"


def to_source(value: Any) -> str:
    """YAML gives `when: true` or `value: 3` as data; read them as the literals they are."""
    if value is True or value is False:
        return "true" if value else "false"
    return "null" if value is None else str(value)


CLAUSE_ENDS = re.compile(r"(?<=[。；])")  # a fix text's clauses end at 。 and ；


@dataclass(frozen=True)
class Template:
    """A fix text whose `{…}` parts are expressions; `{{` and `}}` stand for braces."""

    text: str
    parts: tuple[str | Expression, ...]
    labels: tuple[tuple[str, Labels], ...] = ()  # the value labels of the enum facts shown as a bare `{name}`

    @property
    def names(self) -> frozenset[str]:
        return frozenset().union(*(p.names for p in self.parts if isinstance(p, Expression)))

    def render(self, env: Env) -> str:
        """The text with the union's figures. A clause (up to 。 or ；) showing a value that is null is left out:
        「职工书屋现有藏书 {library.books} 册。」 says nothing to a union without a library. When every clause
        shows one, the text is kept whole and nulls read 「（无数据）」."""
        values = [part if isinstance(part, str) else part(env) for part in self.parts]  # a literal part is its text
        texts = [self.shown(part, value, env) for part, value in zip(self.parts, values)]
        whole = "".join(texts)
        if Null not in map(type, values):  # the common case: every figure is there
            return whole
        kept = [text for text, null in clauses(list(zip(texts, [type(value) is Null for value in values]))) if not null]
        if not "".join(kept).strip("。； "):  # nothing but punctuation would be left
            return whole
        return "".join(kept)[:-1] + "。" if kept[-1].endswith("；") else "".join(kept)

    def shown(self, part: str | Expression, value: Any, env: Env) -> str:
        """A part as the text shows it: a figure as `fmt_value` writes it; a text value of a bare name
        by its Chinese name, as reasons give it (an enum value by its label, a union type, a level, an outcome)."""
        if not isinstance(value, str):
            return fmt_value(value)
        if isinstance(part, str) or not isinstance(part.node, Name):
            return value
        return value_text(part.node.path, value, dict(self.labels).get(part.node.path, ()), env)

    @property
    def expressions(self) -> list[Expression]:
        return [part for part in self.parts if isinstance(part, Expression)]


def value_text(path: str, value: str, labels: Labels, env: Env) -> str:
    """An enum value by its label (`labels`), a union type (「企业」), a used ruleset's level (「达标」) or an
    item's outcome (「达标」) by its Chinese name; any other text as it is."""
    if labels:
        return dict(labels).get(value, value)
    if path == "union.type":
        return UNION_TYPES.get(value, value)
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "results" and parts[2] == "level":
        used = env.results.get(parts[1]) or next((r for key, r in env.results.items() if key.replace("-", "_") == parts[1]), None)
        return used.ruleset.level_name(value) if used is not None else value
    return OUTCOME_TEXT.get(value, value) if is_outcome(path) else value


@dataclass(frozen=True)
class FixChoice:
    """A fix text chosen by the union's values (`fix: [{when, text}, …, {text}]`): the text of the first option
    whose `when` holds, else the last option's, which has none. A `when` that is null (its data missing) does not
    hold. The choice only words the advice: scores never read it."""

    options: tuple[tuple[Expression | None, Template], ...]

    @property
    def parts(self) -> tuple[str | Expression, ...]:
        return tuple(part for _, template in self.options for part in template.parts)

    @property
    def names(self) -> frozenset[str]:
        return frozenset().union(*(template.names | (when.names if when else frozenset()) for when, template in self.options))

    @property
    def expressions(self) -> list[Expression]:
        return [e for when, template in self.options for e in ([when] if when else []) + template.expressions]

    def render(self, env: Env) -> str:
        return next(template for when, template in self.options if when is None or when(env) is True).render(env)


Fix = Template | FixChoice


def clauses(pieces: list[tuple[str, bool]]) -> Iterator[tuple[str, bool]]:
    """The rendered pieces of a template regrouped into clauses, each with whether it shows a null."""
    text, null = "", False
    for piece, is_null in pieces:
        for part in CLAUSE_ENDS.split(piece) if not is_null else [piece]:
            text, null = text + part, null or is_null
            if text.endswith(("。", "；")):
                yield text, null
                text, null = "", False
    if text:
        yield text, null


def compile_template(text: str, mark: Mark, scope: Scope) -> Template:
    """Split a fix text into literal pieces and compiled `{…}` expressions; `TemplateErrors` names every `{…}`
    that does not compile, or the first brace that is not paired."""
    parts: list[str | Expression] = []
    literal, index = [], 0
    errors: list[Diagnostic] = []
    while index < len(text):
        pair = text[index : index + 2]
        if pair in ("{{", "}}"):
            literal.append(pair[0])
            index += 2
        elif text[index] == "{":
            end = text.find("}", index)
            if end < 0:
                raise TemplateErrors([*errors, Diagnostic(mark.shifted(index), "template-brace", "整改文本中的 “{” 没有配对的 “}”")])
            parts.extend(["".join(literal)] if literal else [])
            literal = []
            try:
                parts.append(compile_expression(text[index + 1 : end], mark.shifted(index + 1), scope))
            except ExpressionError as exc:
                errors.append(exc.diagnostic)
                if "{" in text[index + 1 : end]:  # braces inside braces: where the rest splits is anyone's guess
                    raise TemplateErrors(errors) from None
            index = end + 1
        elif text[index] == "}":
            raise TemplateErrors([*errors, Diagnostic(mark.shifted(index), "template-brace", "整改文本中多余的 “}”，字面的花括号请写作 “}}”")])
        else:
            literal.append(text[index])
            index += 1
    if errors:
        raise TemplateErrors(errors)
    parts.extend(["".join(literal)] if literal else [])
    shown = {p.node.path: scope.labels(p.node.path) for p in parts if isinstance(p, Expression) and isinstance(p.node, Name)}
    return Template(text, tuple(parts), tuple((path, labels) for path, labels in shown.items() if labels))


def is_null(value: Any) -> bool:
    return isinstance(value, Null)
