"""Atomic output: write to a temporary file beside the target, then rename over it.

A reader (or an interrupted run) never sees a half-written file under the final name. The
file gets the permissions of any new file (0666 less the umask), not mkstemp's 0600, and its
temporary name ends with PART, so an output folder can tell its own leftovers from other files.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PART = ".unionscore.part"


def current_umask() -> int:
    """The process's umask (reading it means setting it: put it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    return 0o666 & ~current_umask()


def temporary_beside(target: Path) -> Path:
    """A new empty file in the target's folder, named .<target name>.<random>.unionscore.part."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PART, dir=target.parent)
    try:
        with contextlib.suppress(OSError):  # some file systems (FAT on a USB stick) keep no modes
            os.fchmod(handle, new_file_mode())
    finally:
        os.close(handle)
    return Path(name)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path to write; renamed to `target` only if the block finishes."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(target)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(target: str | Path, text: str) -> None:
    """Write a whole text file atomically (UTF-8)."""
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
