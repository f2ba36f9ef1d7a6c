"""Why a batch stopped before its end, in words an assessor can act on."""
from __future__ import annotations

import errno
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..atomic import PART
from ..diagnostics import UnionscoreError
from ..os_errors import os_error_text


class BatchFailed(UnionscoreError):
    """The batch could not finish: a full disk, a read-only folder, a lost worker, a folder in use. Exit 1."""

    exit_code = 1


class NothingGraded(BatchFailed):
    """A run that graded no union (an empty source, or every union or table refused): it replaces nothing, so the
    previous run's report stays. `messages` say what the run refused, one failure each, for the caller to print."""

    def __init__(self, messages: list[str], failed: int) -> None:
        why = f"{failed} 项都未能评估，原因见上" if failed else "来源中没有工会"
        super().__init__(f"没有评估任何工会（{why}）；未写入报告，输出目录中上一次的结果原样保留")
        self.messages = messages


def cause(error: BaseException, out: Path | None = None) -> str:
    """「磁盘空间已满：/out/summary.csv」: what went wrong, and where when a file is named; a file refused
    in the output folder `out` is 没有写入权限."""
    if isinstance(error, UnionscoreError):
        return str(error)
    if isinstance(error, KeyboardInterrupt):
        return "运行被中断（Ctrl-C 或 SIGTERM）"
    if isinstance(error, BrokenProcessPool):
        return "工作进程意外退出，无法继续评估"
    if isinstance(error, OSError):
        text = os_error_text(error)
        if error.errno in (errno.EACCES, errno.EPERM) and out is not None and inside(error.filename2 or error.filename, out):
            text = "没有写入权限"
        name = error.filename2 or error.filename  # a move names where it goes second: that is what stopped it
        return f"{text}：{place(str(name))}" if name else text
    return f"程序出错（{type(error).__name__}）"


def inside(filename: object, out: Path) -> bool:
    """Whether an error's file is the output folder or in it (or no file is named)."""
    return filename is None or Path(str(filename)).resolve().is_relative_to(out.resolve())


def place(filename: str) -> str:
    """A temporary file stands for the folder it was written in."""
    return f"{Path(filename).parent}/" if filename.endswith(PART) else filename


def stopped(error: BaseException, out: Path, started: bool) -> BatchFailed:
    """The message for a batch into `out` that stopped; `started` when it had begun filling the folder."""
    after = "；本次写入的文件已删除，输出目录中的 .unionscore-output 记下了这次失败" if started else ""
    return BatchFailed(f"批量评估未完成：{cause(error, out)}{after}。")
