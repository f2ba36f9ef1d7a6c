"""Which batch a run is: a county's (every union's pages and plans, engine/batch/) or a province's
(grades in bulk, Parquet results, no pages). `--pages auto` decides by the number of unions."""
from __future__ import annotations

import re
from pathlib import Path

from ..diagnostics import UsageError

PAGES_LIMIT = 5_000  # above this many unions, `--pages auto` writes no per-union pages (a county has 1,000–3,000)
PAGES = ("auto", "all", "none")
BLOCK = 1 << 20  # bytes of a CSV read at a time while its lines are counted (here and in checks.py)
PARTITION_ROWS = 20_000  # a partition's frame is ~40 MB per ruleset at this size; two workers stay far below 2 GB
TABULAR = (".csv", ".parquet")
SCHEDULER = re.compile(r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:\[[0-9A-Fa-f:]+\]|[^\s:/\[\]]+):\d{1,5}")
LOCAL = re.compile(r"local:([1-9]\d{0,2})")


def tabular(sources: tuple[Path, ...]) -> bool:
    return bool(sources) and all(source.suffix.lower() in TABULAR and source.is_file() for source in sources)


def province_mode(sources: tuple[Path, ...], pages: str, ranked: bool = False) -> bool:
    """Whether the run grades in bulk; a combination that cannot work is a usage error. Levels held by rank
    in a cohort (`ranked`) are decided by the county batch's pass over every union, so such a run is never bulk."""
    if ranked and pages == "none":
        raise UsageError("所选规则集有按排名评定的等级（cohort），须在全部工会评分后统一排名，省级批量暂不支持：请去掉 --pages none")
    if ranked:
        return False
    if pages == "none" and not tabular(sources):
        raise UsageError("--pages none（省级批量）只能读取 CSV 或 Parquet 文件")
    if pages != "auto":
        return pages == "none"
    return tabular(sources) and not few_lines(sources, PAGES_LIMIT) and sum(map(unions_in, sources)) > PAGES_LIMIT


def few_lines(sources: tuple[Path, ...], limit: int) -> bool:
    """Whether the sources are CSV files with at most `limit` line breaks in all: then they hold at most `limit`
    unions, since every union's record starts after a line break (the header is the first line). A county's
    file is decided so without loading polars, which takes about 0.2 s of a county batch's start."""
    breaks = 0
    for source in sources:
        if source.suffix.lower() != ".csv":
            return False
        breaks += line_breaks(source, limit - breaks)
        if breaks > limit:
            return False
    return True


def line_breaks(source: Path, limit: int) -> int:
    """A file's line breaks (LF, CRLF or CR alone), counted a block at a time until there are more than `limit`
    (a CRLF split between two blocks counts twice); 0 when it cannot be read, as `unions_in` has it."""
    breaks = 0
    try:
        with source.open("rb") as handle:
            while breaks <= limit and (block := handle.read(BLOCK)):
                breaks += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
    except OSError:
        return 0
    return breaks


def unions_in(source: Path) -> int:
    """The rows of a source, for `--pages auto`; 0 when polars cannot read it, and the county batch's reader
    then reports why. polars is imported here, not with the command line: other commands start without it."""
    import polars as pl

    from .partitions import row_count

    try:
        return row_count(str(source))
    except (OSError, pl.exceptions.PolarsError):
        return 0


def dask_address(address: str) -> str:
    """`--dask` as given, when it names a scheduler (tcp://10.0.0.1:8786, 10.0.0.1:8786) or a LocalCluster of
    1 to 999 workers (local:2); otherwise a usage error before anything is read or written."""
    if LOCAL.fullmatch(address) or (not address.startswith("local:") and SCHEDULER.fullmatch(address)):
        return address
    raise UsageError(f"--dask “{address}” 不是可用的地址：应为 Dask 调度器的地址和端口（如 tcp://10.0.0.1:8786），"
                     "或 local:N（在本机启动 N 个工作进程，N 为 1 到 999）")
