"""One diagnostic type for every problem found in a ruleset or fact file, rendered many ways."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from wcwidth import wcswidth

from .pickled import Pickled

SEVERITY_TEXT = {"error": "错误", "warning": "警告"}
EXCERPT_CHARS = 120  # a source line longer than this is shown in part, around the problem


@dataclass(frozen=True, slots=True, order=True)
class Mark(Pickled):
    """A place in a source file: 1-based line and column, columns counted in characters."""

    file: str
    line: int = 0
    column: int = 0

    def shifted(self, columns: int) -> Mark:
        return Mark(self.file, self.line, self.column + columns)

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem with a code (ASCII, grep-able) and a Chinese message, at a place."""

    mark: Mark
    code: str
    message: str
    severity: str = "error"
    span: int = 1

    def sort_key(self) -> tuple:
        return (self.mark.file, self.mark.line, self.mark.column, self.code, self.message)

    def render(self, with_source: bool = True) -> str:
        """`file:line:col: 错误 [code] 说明`, then the offending line with a caret."""
        head = f"{self.mark}: {SEVERITY_TEXT[self.severity]} [{self.code}] {self.message}"
        excerpt = source_excerpt(self.mark, self.span) if with_source else ""
        return head + excerpt

    def to_json(self) -> dict:
        return {
            "file": self.mark.file,
            "line": self.mark.line,
            "column": self.mark.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


def source_excerpt(mark: Mark, span: int) -> str:
    """The source line of a mark with a caret under the span, or "" if unreadable."""
    if mark.line <= 0:
        return ""
    try:
        lines = Path(mark.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    if mark.line > len(lines):
        return ""
    text, column, span = window(lines[mark.line - 1], max(mark.column, 1), span)
    gutter = f"{mark.line:>6} | "
    pad = display_width(text[: column - 1])
    width = max(display_width(text[column - 1 : column - 1 + span]), 1)
    return f"\n{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * pad}{'^' * width}"


def window(text: str, column: int, span: int, limit: int = EXCERPT_CHARS) -> tuple[str, int, int]:
    """A long line cut to `limit` characters around the column ("…" marks a cut); the column and span
    moved and shortened to match."""
    if len(text) <= limit:
        return text, column, span
    start = max(0, min(column - 1 - limit // 4, len(text) - limit))
    head, tail = ("…" if start else ""), ("…" if start + limit < len(text) else "")
    column = column - start + len(head)
    return head + text[start : start + limit] + tail, column, min(span, limit + len(head) - column + 1)


def display_width(text: str) -> int:
    """Terminal columns of a text's widest line: wide (CJK) characters take two."""
    return max((line_width(line) for line in text.splitlines()), default=0)


def line_width(line: str) -> int:
    width = wcswidth(line)
    return width if width >= 0 else len(line)


@dataclass
class DiagnosticList:
    """Collects diagnostics while a stage runs; raises them all at once at the end."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, mark: Mark, code: str, message: str, span: int = 1, severity: str = "error") -> None:
        self.items.append(Diagnostic(mark, code, message, severity, span))

    def extend(self, diagnostics: list[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InvalidInput(sorted(self.items, key=Diagnostic.sort_key))


class UnionscoreError(Exception):
    """An expected failure; carries the exit code the CLI returns."""

    exit_code = 3


class InvalidInput(UnionscoreError):
    """Bad ruleset or fact file: one or more diagnostics, sorted by position."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.render(with_source=False) for d in diagnostics))
        self.diagnostics = diagnostics

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


class UsageError(UnionscoreError):
    """The command was called wrongly (unknown ruleset id, bad option value)."""

    exit_code = 2


class InternalError(UnionscoreError):
    """An unexpected exception while assessing (a bug), named by where it happened: the union, the
    ruleset, the item or condition, and its line in the ruleset file, so that it can be reported."""

    exit_code = 3

    def __init__(self, cause: BaseException, places: tuple[str, ...] = (), mark: Mark | None = None) -> None:
        self.cause, self.places, self.mark = cause, places, mark
        super().__init__(self.text())

    def within(self, place: str, mark: Mark | None = None) -> InternalError:
        """The same error, inside a wider place; the innermost mark is kept."""
        return InternalError(self.cause, (place, *self.places), self.mark or mark)

    def text(self) -> str:
        where = f"{self.mark}: " if self.mark is not None and self.mark.file else ""
        places = "，".join(self.places) or "评估"
        return (f"{where}内部错误：{places}：程序出错（{type(self.cause).__name__}: {self.cause}）。"
                "请加 --debug 重新运行，并把输出报告给维护者。")


@contextmanager
def blamed(place: str, mark: Mark | None = None) -> Iterator[None]:
    """Name `place` (「规则集 “bayou”」) in any unexpected exception raised inside; expected failures
    (`UnionscoreError`) pass through unchanged."""
    try:
        yield
    except InternalError as exc:
        raise exc.within(place, mark) from exc.cause
    except UnionscoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug, reported with where it happened
        raise InternalError(exc, (place,), mark) from exc


def fail(mark: Mark, code: str, message: str, span: int = 1) -> InvalidInput:
    """A single diagnostic as an exception, for problems that stop a file early."""
    return InvalidInput([Diagnostic(mark, code, message, "error", span)])
