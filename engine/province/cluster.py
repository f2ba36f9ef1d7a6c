"""The same partitions on a dask.distributed cluster: `--dask tcp://scheduler:8786`, or `--dask local:N`
for a LocalCluster of N single-threaded worker processes on this machine. Workers read the sources
and write the part files themselves, so both must be on a file system every worker sees."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator

from dask.distributed import Client, LocalCluster
from distributed.comm import connect
from distributed.security import Security

from ..batch.failure import BatchFailed
from .aggregate import Tally
from .job import Settings, grade_partition
from .partitions import Partition

WAIT_FOR_WORKERS = 120  # seconds: workers starting on a busy cluster
ANSWER = 30  # seconds for a scheduler to answer (Dask's own connect timeout)
IN_FLIGHT = 64  # partitions submitted ahead of the one being collected: the scheduler stays busy, the parent small


def client_for(address: str) -> Client:
    if address.startswith("local:"):
        workers = int(address.removeprefix("local:") or 1)
        return Client(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None))
    answering(address)
    return Client(address)


def answering(address: str) -> None:
    """A scheduler answers at `address`; else a message. Dask's Client waits for ever on a port where
    something else accepts the connection and never answers, such as the dashboard's (dask/distributed#8071)."""
    async def greet() -> None:
        settings = Security().get_connection_args("client")  # TLS from Dask's configuration, as the Client takes it
        comm = await asyncio.wait_for(connect(address, timeout=ANSWER, **settings), ANSWER)
        await comm.close()

    try:
        asyncio.run(greet())
    except OSError:  # refused, unknown host, or no answer (TimeoutError)
        raise BatchFailed(f"Dask 调度器 {address} 在 {ANSWER} 秒内没有应答：请检查地址和端口，用 dask scheduler 启动时"
                          "显示的 Scheduler at 地址（默认端口 8786；8787 是仪表盘）") from None


def on_cluster(address: str, partitions: list[Partition], settings: Settings) -> Iterator[Tally]:
    """Each partition's tally, in partition order (durable-rules is not thread-safe: one thread per worker)."""
    with client_for(address) as client:
        ready(client, address)
        pending = []
        for index, each in enumerate(partitions):
            pending.append(client.submit(grade_partition, each, settings, pure=False, key=f"unionscore-{index}"))
            if len(pending) >= IN_FLIGHT:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()


def ready(client: Client, address: str) -> None:
    """A worker to grade on, each with one thread; else a message, not a run that waits for ever or shares
    durable-rules between threads."""
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
    except TimeoutError:
        raise BatchFailed(f"Dask 调度器 {address} 在 {WAIT_FOR_WORKERS} 秒内没有可用的工作进程：请先在各节点上启动 "
                          f"dask worker {address} --nthreads 1") from None
    threads = sorted({worker["nthreads"] for worker in client.scheduler_info()["workers"].values()})
    if threads != [1]:
        raise BatchFailed(f"Dask 工作进程的线程数为 {'、'.join(map(str, threads))}：每个工作进程只能有 1 个线程（规则引擎 durable-rules "
                          "不是线程安全的）。请用 dask worker --nthreads 1 启动，需要更多并行时加 --nworkers")
