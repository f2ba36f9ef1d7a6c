"""The same partitions on a dask.distributed cluster: `--dask tcp://scheduler:8786`, or `--dask local:N`
for a LocalCluster of N single-threaded worker processes on this machine. Workers read the sources
and write the part files themselves, so both must be on a file system every worker sees."""
from __future__ import annotations

from collections.abc import Iterator

from dask.distributed import Client, LocalCluster

from ..batch.failure import BatchFailed
from .aggregate import Tally
from .job import Settings, grade_partition
from .partitions import Partition

WAIT_FOR_WORKERS = 120  # seconds: workers starting on a busy cluster
IN_FLIGHT = 64  # partitions submitted ahead of the one being collected: the scheduler stays busy, the parent small


def client_for(address: str) -> Client:
    if address.startswith("local:"):
        workers = int(address.removeprefix("local:") or 1)
        return Client(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None))
    return Client(address)


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
