"""A file an option names for a command to write (`--out`, `--accounts`): checked before any work.

It is never one of the command's inputs (the same file, also through a symbolic or hard link, or a
file inside an input folder, which the next run would read as data), whatever `--force` says; and
an existing file is replaced only with `--force`, as `db backup` does. The file itself is then
written atomically (engine/atomic.py).
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .diagnostics import UsageError

FORCE_HELP = "输出文件已存在时覆盖（输出文件不能是本命令读取的文件）。"


def check_output_file(out: Path | None, inputs: Iterable[str | Path | None], force: bool) -> None:
    """Refuse `out` (a usage error) when it is, or lies in, one of `inputs`, or exists and `force` is not given.
    No `out` (the command prints instead) and no input (an optional one not given) are fine."""
    if out is None:
        return
    for source in (Path(i) for i in inputs if i is not None):
        if same_file(out, source):
            raise UsageError(f"输出文件 {out} 就是输入 {source}；请另选输出文件，以免覆盖原始数据")
        if source.is_dir() and real(out).is_relative_to(real(source)):
            raise UsageError(f"输出文件 {out} 在输入文件夹 {source} 中，以后读取该文件夹时会被当作数据读入；请另选位置")
    if os.path.lexists(out) and not force:
        raise UsageError(f"{out} 已存在，未覆盖；请换一个文件名，或加 --force 覆盖")


def same_file(one: Path, other: Path) -> bool:
    """The same path once links are followed, or the same file under two names (a hard link)."""
    if real(one) == real(other):
        return True
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them does not exist (yet): not the same file
        return False


def real(path: Path) -> Path:
    """The path with links followed as far as they go (a loop of links stays a path, not an error)."""
    return Path(os.path.realpath(path))
