"""One diagnostic type for every problem found in a ruleset or fact file, rendered many ways."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wcwidth import wcswidth

SEVERITY_TEXT = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True, slots=True, order=True)
class Mark:
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
    text = lines[mark.line - 1]
    gutter = f"{mark.line:>6} | "
    pad = display_width(text[: max(mark.column - 1, 0)])
    width = max(display_width(text[mark.column - 1 : mark.column - 1 + span]), 1)
    return f"\n{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * pad}{'^' * width}"


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


def fail(mark: Mark, code: str, message: str, span: int = 1) -> InvalidInput:
    """A single diagnostic as an exception, for problems that stop a file early."""
    return InvalidInput([Diagnostic(mark, code, message, "error", span)])
