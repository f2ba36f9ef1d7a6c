"""`unionscore batch` for a province: partitions of CSV or Parquet sources graded in bulk by worker
processes (or a Dask cluster), Parquet results, report.html and levels.csv from the tallies.

The parent holds partitions (a few numbers each) and the running tally, never unions: its memory
does not grow with the number of unions. Tallies are added in partition order, so a run gives the
same files however many workers take part, local or on a cluster.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from ..batch.failure import BatchFailed, NothingGraded, stopped
from ..batch.output_folder import OutputFolder, check_apart
from ..batch.run import recorded, sigterm_as_interrupt
from ..facts.fact_file import merged_declarations
from ..facts.sources import Reading, check_read_once, no_unions
from ..language.model import Ruleset
from .aggregate import Tally
from .checks import check_sources
from .job import Settings, grade_partition
from .mode import PARTITION_ROWS
from .output import part_name
from .partitions import Partition, plan_partitions
from .repeats import with_repeats
from .report import write_levels_csv, write_report


@dataclass(frozen=True)
class ProvinceOptions:
    sources: tuple[Path, ...]
    out: Path
    jobs: int
    specs: tuple[str, ...]  # the rulesets as named on the command line: each worker loads them itself
    as_of: dt.date | None = None
    force: bool = False
    dask: str | None = None  # a scheduler address, or local:N for a LocalCluster of N workers
    partition_rows: int = PARTITION_ROWS
    unused: tuple[str, ...] = ()  # columns that resemble a fact's name but are not facts


def run_province(options: ProvinceOptions, rulesets: list[Ruleset], tick: Callable[[int], object],
                 warn: Callable[[str], None] = lambda message: None) -> Tally:
    """Grade every union of the sources into the output folder; return the tally. The sources are checked
    first (engine/province/checks.py); `warn` hears about the columns they ignore, and report.html lists them."""
    heard: list[str] = []
    reading = Reading(merged_declarations(rulesets), warn=recorded(warn, heard), unused=frozenset(options.unused))
    check_read_once(options.sources)
    check_sources(options.sources, reading)
    check_apart(options.out, options.sources)
    folder = OutputFolder(options.out, options.force)
    try:
        with sigterm_as_interrupt(), folder:
            return fill(folder, options, rulesets, reading, tick, heard)
    except (OSError, KeyboardInterrupt) as error:
        raise stopped(error, options.out, folder.started) from error


def fill(folder: OutputFolder, options: ProvinceOptions, rulesets: list[Ruleset], reading: Reading, tick: Callable[[int], object],
         heard: list[str]) -> Tally:
    partitions = with_repeats(plan_partitions(list(options.sources), options.partition_rows), reading)
    for source in options.sources:
        if not any(each.source == str(source) for each in partitions):
            reading.warn(no_unions(source))
    parts = [part_name(ruleset.id, each.index) for each in partitions for ruleset in rulesets]
    for name in parts:
        folder.file(name)
    settings = Settings(tuple(map(absolute_spec, options.specs)), str(folder.stage.resolve()), options.as_of)
    total = Tally()
    for each, tally in zip(partitions, graded(partitions, settings, options)):
        total.add(tally)
        tick(each.rows)
    if not total.graded:
        raise NothingGraded(["\n".join(messages) or origin for origin, _, messages in total.failures], total.failed)
    check_parts(folder, parts)
    write_report(folder.file("report.html"), rulesets, total, heard)
    write_levels_csv(folder.file("levels.csv"), rulesets, total)
    return total


def absolute_spec(spec: str) -> str:
    """A ruleset named by its file, as an absolute path (a Dask worker elsewhere has another working folder);
    a bundled ruleset's name as it is."""
    return str(Path(spec).resolve()) if Path(spec).is_file() else spec


def check_parts(folder: OutputFolder, names: list[str]) -> None:
    """Every part file the workers wrote (into the run's stage), seen from here: a worker without the shared file
    system writes its own disk, and the results would be missing without a word."""
    missing = [name for name in names if not (folder.stage / name).is_file()]
    if missing:
        raise BatchFailed(f"{len(missing)} 个结果文件在本机的 {folder.path} 中找不到（如 {missing[0]}）：工作节点把它们写到了别处。"
                          "请确认 --out 和来源都在所有节点共享的文件系统上，且路径相同")


def graded(partitions: list[Partition], settings: Settings, options: ProvinceOptions) -> Iterator[Tally]:
    """Each partition's tally, in partition order."""
    if options.dask:
        from .cluster import on_cluster  # dask is an optional dependency: imported only when asked for

        yield from on_cluster(options.dask, partitions, settings)
        return
    if options.jobs == 1:
        yield from (grade_partition(each, settings) for each in partitions)
        return
    with ProcessPoolExecutor(options.jobs, mp_context=get_context("spawn")) as pool:  # polars threads do not survive a fork
        yield from pool.map(partial(grade_partition, settings=settings), partitions)
