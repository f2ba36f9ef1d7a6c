"""Work in a second process at the end of a batch. The workers are gone then and one core is idle, so
report.html is written in a forked process while the batch process saves summary.xlsx.

The process is forked as the workers are (it shares the county's aggregates without copying them),
ends with the batch process, and sends back what its work raised: a full disk or a Ctrl-C there
stops the batch as one in the batch process does, and the batch then removes what it wrote."""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

from .watch import die_with_parent


@contextmanager
def alongside(work: Callable[[], object], what: str) -> Iterator[None]:
    """`work()` in a forked process while the block runs; on leaving the block, wait for it and raise what
    it raised. If the block fails, the process is killed. `what` names the work if its process is lost."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=run, args=(work, send, os.getpid()), daemon=True)
    child.start()
    send.close()
    try:
        yield
        raised = receive.recv()  # None when the work is done
    except EOFError:  # an OSError: the batch stops as on a full disk
        raise ChildProcessError(f"{what} 的进程意外退出") from None
    except BaseException:
        child.kill()
        raise
    finally:
        child.join()
        receive.close()
    if raised is not None:
        raise raised


def run(work: Callable[[], object], send: Connection, parent: int) -> None:
    """In the forked process: the work, then None or what it raised (its type and text, if it will not pickle)."""
    die_with_parent(parent)
    try:
        work()
    except BaseException as error:  # noqa: BLE001 - every error is the batch process's to report
        try:
            send.send(error)
        except Exception:  # noqa: BLE001
            send.send(RuntimeError(f"{type(error).__name__}: {error}"))
    else:
        send.send(None)
