"""The batch output folder: refuses to clobber foreign files, writes every file atomically.

A folder is ours when it holds the marker file; then the previous run's outputs are removed
first, so an interrupted run never leaves an old report that looks like the new one.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..atomic import atomic_path, write_text
from ..diagnostics import UsageError

MARKER = ".unionscore-output"
OUTPUTS = ("summary.csv", "summary.xlsx", "results.jsonl", "report.html")


class OutputFolder:
    """`--out DIR`: checked, cleaned of our previous outputs, then filled file by file."""

    def __init__(self, path: Path, force: bool = False) -> None:
        self.path = path
        if path.exists() and not path.is_dir():
            raise UsageError(f"输出位置 {path} 已存在且不是目录")
        if path.is_dir() and any(path.iterdir()) and not (path / MARKER).is_file() and not force:
            raise UsageError(f"输出目录 {path} 不为空，且不是 unionscore 的输出目录；确需写入请加 --force")
        path.mkdir(parents=True, exist_ok=True)
        self.clear_previous()
        write_text(path / MARKER, "unionscore batch output\n")
        (path / "unions").mkdir(exist_ok=True)

    def clear_previous(self) -> None:
        for name in OUTPUTS:
            (self.path / name).unlink(missing_ok=True)
        shutil.rmtree(self.path / "unions", ignore_errors=True)
        for leftover in self.path.glob(".*.part"):  # an interrupted run's temporary files
            leftover.unlink(missing_ok=True)

    @contextmanager
    def stream(self, name: str) -> Iterator[IO[bytes]]:
        """A file written piece by piece, visible under its name only once complete."""
        with atomic_path(self.path / name) as temporary, temporary.open("wb") as handle:
            yield handle

    @property
    def unions(self) -> Path:
        return self.path / "unions"

    def place_union(self, stem: str, pages: dict[str, str]) -> None:
        """Move a union's finished pages (written under temporary names) to unions/<stem>.<suffix>."""
        for suffix, temporary in pages.items():
            os.replace(temporary, self.unions / f"{stem}.{suffix}")

    @staticmethod
    def discard(pages: dict[str, str]) -> None:
        for temporary in pages.values():
            Path(temporary).unlink(missing_ok=True)

    def file(self, name: str) -> Path:
        return self.path / name
