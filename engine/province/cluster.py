"""The same partitions on a dask.distributed cluster: `--dask tcp://scheduler:8786`, or `--dask local:N`
for a LocalCluster of N single-threaded worker processes on this machine. Workers read the sources
and write the part files themselves, so both must be on a file system every worker sees."""
from __future__ import annotations

from collections.abc import Iterator

from dask.distributed import Client, LocalCluster

from .aggregate import Tally
from .job import Settings, grade_partition
from .partitions import Partition

IN_FLIGHT = 64  # partitions submitted ahead of the one being collected: the scheduler stays busy, the parent small


def client_for(address: str) -> Client:
    if address.startswith("local:"):
        workers = int(address.removeprefix("local:") or 1)
        return Client(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None))
    return Client(address)


def on_cluster(address: str, partitions: list[Partition], settings: Settings) -> Iterator[Tally]:
    """Each partition's tally, in partition order (durable-rules is not thread-safe: one thread per worker)."""
    with client_for(address) as client:
        pending = []
        for index, each in enumerate(partitions):
            pending.append(client.submit(grade_partition, each, settings, pure=False, key=f"unionscore-{index}"))
            if len(pending) >= IN_FLIGHT:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()
