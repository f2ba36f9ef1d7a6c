"""The marker file of an output folder: it says the folder is unionscore's and lists every file a run
wrote there, so the next run removes exactly those and never a file someone else put beside them.

    # unionscore batch 输出目录：下列文件由 unionscore 写入，下次运行时只删除这些文件。
    # 状态：运行中
    unions/
    unions/QS-001.html
    …
    # 状态：完成

A run appends each name before the file appears, so a run killed half-way still leaves a list of
all it wrote. A run that fails removes its files, and its marker says why (`failed`). Only names
unionscore can write are read back (a marker naming ../x removes nothing). A marker written
before these lists existed (the one line LEGACY) stands for what that version wrote: the four
summary files and unions/*.html, *.md.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import IO

from ..atomic import write_text

MARKER = ".unionscore-output"  # engine/facts/sources.py never reads a folder holding it as a source (OUTPUT_MARKER)
LOCK = ".unionscore-output.lock"
OUTPUTS = ("summary.csv", "summary.xlsx", "results.jsonl", "report.html")
UNIONS = "unions/"
HEADER = "# unionscore batch 输出目录：下列文件由 unionscore 写入，下次运行时只删除这些文件。"
RUNNING, DONE = "# 状态：运行中", "# 状态：完成"
LEGACY = "unionscore batch output"
LEVELS, RESULTS = "levels.csv", "results"  # a province's, beside report.html: levels.csv, results/<ruleset>/part-*.parquet
RESULT_PART = re.compile(r"results/[a-z][a-z0-9_-]{0,63}/part-[0-9]{5}\.parquet")  # engine.province.output.part_name
ENTRY = re.compile(r"summary\.csv|summary\.xlsx|results\.jsonl|report\.html|levels\.csv|unions/|unions/[A-Za-z0-9_~-]{1,80}\.(?:html|md)|"
                   + RESULT_PART.pattern)


def read_entries(folder: Path) -> list[str] | None:
    """The files the folder's marker says unionscore wrote, in order; None when there is no marker."""
    marker = folder / MARKER
    if not marker.is_file():
        return None
    text = marker.read_text(encoding="utf-8", errors="replace")
    if text.strip() == LEGACY:
        return legacy_entries(folder)
    return [line for line in text.splitlines() if ENTRY.fullmatch(line)]


def legacy_entries(folder: Path) -> list[str]:
    unions = folder / UNIONS
    pages = sorted(p.name for p in unions.iterdir() if p.suffix in (".html", ".md")) if unions.is_dir() and not unions.is_symlink() else []
    return [UNIONS, *OUTPUTS, *(UNIONS + name for name in pages)]


class Manifest:
    """The marker of the run in progress, its names appended as files are about to be written."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MARKER
        self.handle: IO[str] | None = None

    def start(self, entries: list[str]) -> None:
        write_text(self.path, "\n".join([HEADER, RUNNING, *entries]) + "\n")
        self.handle = self.path.open("a", encoding="utf-8")

    def add(self, name: str) -> None:
        assert self.handle is not None, "start the manifest first"
        self.handle.write(name + "\n")
        self.handle.flush()  # on disk before the file is: a run killed now still lists it

    def finish(self) -> None:
        self.add(DONE)
        self.close()

    def failed(self, why: str, kept: list[str], previous: bool = False) -> None:
        """After a failed run: why it failed, and the files of ours still there: the `previous` run's, or those
        that could not be removed."""
        self.close()
        status = f"# 状态：未完成（{' '.join(why.split())}），本次写入的文件已删除" + ("；以下是此前一次运行的文件" if previous and kept else "")
        write_text(self.path, "\n".join([HEADER, status, *kept]) + "\n")

    @staticmethod
    def running(folder: Path) -> bool:
        """Whether the folder's marker says a run is moving its files in (or a run of an older version stopped)."""
        try:
            lines = (folder / MARKER).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return False
        return RUNNING in lines and DONE not in lines

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
