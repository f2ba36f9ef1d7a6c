"""The batch output folder: one run at a time, only its own files removed, every file written atomically.

A folder is ours when it holds the marker (`manifest.py`), which lists every file unionscore
wrote there. A run locks the folder and refuses to write over a file it did not write. It writes
into a folder of its own inside (`STAGE`, with its own marker naming each file before it is
written), and only once complete swaps its files in for the previous run's. A run that fails,
or is interrupted, removes what it wrote and leaves the previous run's report as it was: a report
that looks complete is always a complete report, and a failed re-run loses none.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import IO

from ..atomic import PART, atomic_path
from ..diagnostics import UsageError
from .failure import BatchFailed, cause
from .manifest import LEVELS, LOCK, MARKER, OUTPUTS, RESULT_PART, RESULTS, UNIONS, Manifest, read_entries

SHOWN = 5  # foreign files named in a refusal
PAGES = (".html", ".md")
STAGE = ".unionscore-next"  # the run in progress; a folder holding the marker, so no source reads it
PREVIOUS = ".unionscore-previous"  # the previous run's files, set aside while the swap moves this run's in


def check_apart(out: Path, sources: Iterable[Path]) -> None:
    """--out must not be a source or hold one: --force would remove the county's own files. An output
    folder inside a source folder is fine (reading sources skips folders holding the marker)."""
    target = out.resolve()
    for source in sources:
        if source.resolve() == target or source.resolve().is_relative_to(target):
            raise UsageError(f"输出目录 {out} 与来源 {source} 相同或包含该来源；请另选一个输出目录，以免覆盖或删除原始数据")


class OutputFolder:
    """`--out DIR` for one run, as a context manager: on entry locked and checked, the run written into `stage`;
    on a clean exit swapped in for the previous run's files; on an error (or Ctrl-C) the stage removed, and the
    previous run's files left as they were."""

    def __init__(self, path: Path, force: bool = False) -> None:
        self.path, self.force = path, force
        self.stage = path / STAGE
        self.manifest = Manifest(self.stage)
        self.lock = -1
        self.started = False
        self.owns_unions = False

    @property
    def unions(self) -> Path:
        """Where this run's pages go (they move to the folder's unions/ with the rest once the run is complete)."""
        return self.stage / "unions"

    def __enter__(self) -> OutputFolder:
        self.refuse_foreign()
        self.path.mkdir(parents=True, exist_ok=True)
        self.lock = lock(self.path)
        try:
            self.prepare()
        except BaseException:
            if not (self.path / MARKER).is_file():  # refused in a folder never written: leave nothing of ours there
                remove_lock(self.path)
            os.close(self.lock)
            raise
        self.started = True
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        try:
            self.finish() if error is None else self.fail(cause(error, self.path))
        finally:
            os.close(self.lock)

    def refuse_foreign(self) -> None:
        path = self.path
        if path.exists() and not path.is_dir():
            raise UsageError(f"输出位置 {path} 已存在且不是目录")
        if path.is_dir() and not (path / MARKER).is_file() and not self.force and any(p.name not in (LOCK, STAGE) for p in path.iterdir()):
            raise UsageError(f"输出目录 {path} 不为空，且不是 unionscore 的输出目录；确需写入请加 --force（不会删除或覆盖已有文件）")

    def prepare(self) -> None:
        """Check that no file in our way is someone else's, and start an empty stage (a killed run's is removed)."""
        previous = read_entries(self.path) or []
        foreign = self.foreign(set(previous))
        if foreign:
            names = "、".join(foreign[:SHOWN]) + (f" 等 {len(foreign)} 个" if len(foreign) > SHOWN else "")
            raise UsageError(f"输出目录 {self.path} 中已有不是 unionscore 写入的 {names}，不会覆盖或删除；请移走，或另选输出目录")
        self.sweep(self.path, self.path / UNIONS)  # temporary files of a run older than the stage
        self.owns_unions = UNIONS in previous or not os.path.lexists(self.path / UNIONS)
        clear_stage(self.stage)
        clear_stage(self.path / PREVIOUS)  # left by a run killed outright while swapping
        self.unions.mkdir(parents=True)
        self.manifest.start([UNIONS])

    def foreign(self, previous: set[str]) -> list[str]:
        """Files the last run did not write, where this run writes or where they would pass for its pages
        (unions/*.html, *.md): refused, whatever --force says. Other files are left alone."""
        found = [name for name in (*OUTPUTS, LEVELS) if os.path.lexists(self.path / name) and name not in previous]
        results = self.path / RESULTS
        if results.is_symlink() or (os.path.lexists(results) and not results.is_dir()):
            found.append(RESULTS)
        elif results.is_dir():  # a province's parts: one left from another run would be read with this run's
            found += [name for name in map(self.relative, sorted(results.glob("*/*"))) if RESULT_PART.fullmatch(name) and name not in previous]
        pages = self.path / UNIONS
        if pages.is_symlink() or (os.path.lexists(pages) and not pages.is_dir()):
            return [*found, "unions"]
        if pages.is_dir():
            found += [UNIONS + p.name for p in sorted(pages.iterdir()) if p.suffix in PAGES and UNIONS + p.name not in previous]
        return found

    def relative(self, path: Path) -> str:
        return path.relative_to(self.path).as_posix()

    def prune_results(self) -> None:
        """The folders of a province's parts, once their parts are removed: results/<ruleset>/, then results/."""
        results = self.path / RESULTS
        if results.is_dir() and not results.is_symlink():
            for folder in [*(p for p in results.iterdir() if p.is_dir() and not p.is_symlink()), results]:
                with suppress(OSError):  # not empty: something else is there, and stays
                    folder.rmdir()

    def sweep(self, *folders: Path) -> None:
        """Our temporary files (the stage's, unless `folders`): left by a union stopped half-way through its pages."""
        for folder in folders or (self.stage, self.unions):
            for leftover in folder.glob(f".*{PART}"):
                leftover.unlink(missing_ok=True)

    def file(self, name: str) -> Path:
        """The path of an output file in the stage, named in the stage's marker first."""
        self.manifest.add(name)
        return self.stage / name

    @contextmanager
    def stream(self, name: str) -> Iterator[IO[bytes]]:
        """A file written piece by piece, visible under its name only once complete."""
        with atomic_path(self.file(name)) as temporary, temporary.open("wb") as handle:
            yield handle

    def place_union(self, stem: str, pages: dict[str, str]) -> None:
        """Move a union's finished pages (written under temporary names) to unions/<stem>.<suffix>."""
        for suffix, temporary in pages.items():
            target = self.unions / f"{stem}.{suffix}"
            if os.path.lexists(target):  # put there during this run by someone else
                raise BatchFailed(f"{target} 已存在，且不是本次运行写入的；不会覆盖")
            os.replace(temporary, self.file(f"{UNIONS}{target.name}"))

    @staticmethod
    def discard(pages: dict[str, str]) -> None:
        for temporary in pages.values():
            Path(temporary).unlink(missing_ok=True)

    def finish(self) -> None:
        """Swap the complete run in; a run that cannot do that has failed."""
        try:
            self.sweep()
            self.manifest.finish()
            self.swap()
        except (OSError, BatchFailed) as failure:  # BatchFailed: a file of someone else's where ours goes
            self.fail(cause(failure, self.path))
            raise

    def swap(self) -> None:
        """The previous run's files set aside (`PREVIOUS`) and this run's moved in, with Ctrl-C and SIGTERM held off;
        a move that fails (a folder of someone else's where a page goes, a file that cannot be replaced) moves
        everything back, so the previous run's files stay as they were. The folder's marker lists both while they
        move, so a run killed outright half-way leaves every file of ours listed for the next run to remove."""
        new, old = read_entries(self.stage) or [], read_entries(self.path) or []
        files, ours = [name for name in new if name != UNIONS], set(old)
        clash = [name for name in files if name not in ours and os.path.lexists(self.path / name)]
        clash += [name for name in old if name != UNIONS and (self.path / name).is_dir() and not (self.path / name).is_symlink()]
        if clash:  # put there during this run by someone else (a folder where our file was is not ours either)
            raise BatchFailed(f"{self.path / clash[0]} 已存在，且不是 unionscore 写入的；不会覆盖或删除")
        marker = Manifest(self.path)
        marker.start(list(dict.fromkeys([*old, *new])))
        marker.close()
        previous, placed = Moves(self.path, self.path / PREVIOUS, self.path), Moves(self.stage, self.path, self.path)
        try:
            with interrupts_held():
                previous.move([name for name in old if name != UNIONS and os.path.lexists(self.path / name)])
                self.prune_results()
                placed.move(files)
        except OSError:
            placed.undo()
            previous.undo()
            remove_empty(self.path / PREVIOUS)
            marker.start(old)
            marker.finish()
            raise
        previous.discard()
        pages = self.path / UNIONS
        if self.owns_unions and pages.is_dir() and not any(pages.iterdir()):  # no pages (a province): no empty folder
            pages.rmdir()
        marker.start([name for name in new if name != UNIONS or os.path.lexists(pages) and self.owns_unions])
        marker.finish()
        clear_stage(self.stage)

    def fail(self, why: str) -> None:
        """Remove the stage, and say in the folder's marker why the run failed. The previous run's files stay,
        and stay listed; a run stopped while swapping (its files and the previous run's are then both listed)
        has every listed file removed. Best effort: what cannot be removed stays listed for the next run."""
        self.manifest.close()
        with suppress(OSError):
            clear_stage(self.stage)
        listed = self.written()
        swapping = Manifest.running(self.path)
        kept = []
        for name in reversed(listed if swapping else []):
            try:
                remove(self.path / name)
            except OSError:
                kept.append(name)
        with suppress(OSError):
            self.prune_results()
        with suppress(OSError):
            Manifest(self.path).failed(why, kept[::-1] if swapping else listed, previous=not swapping)

    def written(self) -> list[str]:
        """The files the folder's marker lists."""
        try:
            return read_entries(self.path) or []
        except OSError:
            return []


class Moves:
    """Files moved from one folder to another by name, in order, and moved back when asked. A move that fails names
    the file where the user sees it (`shown`: the output folder, whichever side of the move it is)."""

    def __init__(self, source: Path, target: Path, shown: Path) -> None:
        self.source, self.target, self.shown = source, target, shown
        self.done: list[str] = []

    def move(self, names: list[str]) -> None:
        for folder in dict.fromkeys((self.target / name).parent for name in names):
            folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                os.replace(self.source / name, self.target / name)
            except OSError as error:
                raise OSError(error.errno, error.strerror, str(self.shown / name)) from error
            self.done.append(name)

    def discard(self) -> None:
        """Remove what was moved, then the target folder (`remove_empty`). Best effort, once the run's files are in:
        what stays is removed by the next run (`prepare`)."""
        for name in self.done:
            with suppress(OSError):
                (self.target / name).unlink()
        remove_empty(self.target)

    def undo(self) -> None:
        """Best effort: a file that cannot go back stays where it is, listed in the folder's marker."""
        for name in reversed(self.done):
            with suppress(OSError):
                (self.source / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.target / name, self.source / name)


def remove_empty(folder: Path) -> None:
    """A folder and its subfolders, deepest first, as far as they are empty (what is not stays)."""
    for path, _, _ in sorted(os.walk(folder), key=lambda entry: -len(entry[0])):
        with suppress(OSError):
            os.rmdir(path)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM ignored for the swap's fraction of a second: a run that has begun to swap finishes it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in held.items():
            signal.signal(number, handler)


def lock(folder: Path) -> int:
    """One batch at a time per folder: an exclusive lock on a file the folder keeps. A run refused in a folder
    it never wrote removes that file (`remove_lock`), so a lock taken on a file no longer at its path is
    dropped and taken again on the one that is."""
    while True:
        handle = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if same_file(handle, folder / LOCK):
                return handle
        except BlockingIOError:
            os.close(handle)
            raise BatchFailed(f"输出目录 {folder} 正被另一个 unionscore batch 使用；请等它结束后再运行，或另选输出目录") from None
        except BaseException:
            os.close(handle)
            raise
        os.close(handle)


def same_file(handle: int, path: Path) -> bool:
    try:
        found = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (held.st_dev, held.st_ino) == (found.st_dev, found.st_ino)


def remove_lock(folder: Path) -> None:
    """Remove the lock file while the caller still holds it (a run that opened it meanwhile locks afresh, see `lock`)."""
    with suppress(OSError):
        (folder / LOCK).unlink()


def clear_stage(stage: Path) -> None:
    """Remove the stage, a folder unionscore alone writes (a link or a file in its place, only itself)."""
    if stage.is_symlink() or (os.path.lexists(stage) and not stage.is_dir()):
        stage.unlink()
    elif stage.is_dir():
        shutil.rmtree(stage)


def remove(path: Path) -> None:
    """A file, or a folder if empty: a file someone else put in unions/ keeps it."""
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    else:
        path.unlink(missing_ok=True)
