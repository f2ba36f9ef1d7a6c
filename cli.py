"""`unionscore`: grade grassroots trade unions against YAML rulesets.

Thin commands: options → engine → renderer → exit code. Expected failures carry their exit
code (1 invalid input, 2 usage); anything else is a bug: exit 3, traceback only with --debug.
What only some commands need (the province batch's polars, numpy and pyarrow; python-docx; the
bulk impact of `diff --facts`) is imported inside them: the others start a third of a second sooner.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tqdm import tqdm

from engine import Diagnostic, InvalidInput, UnionscoreError, UsageError, assess_union, resolve_rulesets
from engine.atomic import write_text
from engine.authoring import coverage, lint
from engine.authoring.diff import ruleset_changes
from engine.authoring.diff_report import diff_table, write_diff_json
from engine.authoring.explain import explain as explain_item
from engine.authoring.impact import load_version
from engine.authoring.ruleset_tests import load_suite, no_tests, run_suite, tests_files
from engine.batch.failure import NothingGraded
from engine.batch.run import BatchOptions, run_batch
from engine.batch.workers import default_jobs
from engine.click_chinese import ChineseGroup, install
from engine.diagnostics import InternalError
from engine.evaluate.assessment import assess as assess_facts
from engine.evaluate.evaluators import evaluator_named
from engine.facts.blank_form import FORMATS, output_format, yaml_template
from engine.facts.blank_workbook import write_workbook_template
from engine.facts.fact_file import FactFile, merged_declarations
from engine.facts.sources import Reading, read_union
from engine.language.model import Ruleset
from engine.language.yamlload import MAX_YAML_BYTES
from engine.load.loader import bundled_ids
from engine.output_file import FORCE_HELP, check_output_file
from engine.plan.planner import Planner, next_level_plans, planned
from engine.province.mode import PAGES, PAGES_LIMIT, PARTITION_ROWS, dask_address, province_mode
from engine.report.checklist import build_checklist
from engine.report.checklist import render as render_checklist
from engine.report.record import as_json
from engine.report.terminal import as_table, county_summary, plan_text
from engine.report.union_page import union_markdown
from engine.report.workplan.document import markdown as workplan_markdown

if TYPE_CHECKING:
    from engine.province.run import ProvinceOptions

install()  # before any command is declared: click.Path names itself in the catalog's words when made


class Unionscore(ChineseGroup):
    """Catches expected failures in one place and turns them into exit codes; messages in Chinese
    (engine/click_chinese.py); `--debug` accepted before or after the command name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_debug(args))

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except InvalidInput as exc:
            click.echo(exc.render(), err=True)
            ctx.exit(exc.exit_code)
        except InternalError as exc:  # a bug, named by union, ruleset and item
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exception(exc)
            click.echo(str(exc), err=True)
            ctx.exit(exc.exit_code)
        except UnionscoreError as exc:
            click.echo(f"错误：{exc}", err=True)
            ctx.exit(exc.exit_code)
        except Exception:  # noqa: BLE001 - the one place that reports bugs
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.echo("内部错误：unionscore 出现了未预料的问题。请加 --debug 重新运行，并把输出报告给维护者。", err=True)
            ctx.exit(3)


def hoist_debug(args: list[str]) -> list[str]:
    """`unionscore assess f.yaml --debug` as `unionscore --debug assess f.yaml`: the error message says
    to add --debug, and people add it at the end. Only before a `--` (after it, words are values)."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args
    return ["--debug"] + [a for a in args[:end] if a != "--debug"] + args[end:]


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD，实际为 “{value}”") from None


class Number(click.FloatRange):
    """A number in a range, and a number: click's range lets `nan` through (it compares false with both bounds)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} 不是有效的数值。", param, ctx)
        return number


MAX_TIMEOUT = 24 * 60 * 60  # seconds: a union still running after a day is stuck; 1e10 overflowed threading's wait
MAX_JOBS = 256  # worker processes: beyond any county server's cores; 999 ran out of a common limit of 1,024 open files and hung
RULESET_HEADER = re.compile(r"^ruleset:", re.MULTILINE)
TESTS_HEADER = re.compile(r"^tests:", re.MULTILINE)
RULESET_OPTION = click.option("--ruleset", "rulesets", multiple=True, metavar="ID_OR_PATH",
                              help="内置规则集 id 或 YAML 路径，可重复；缺省为全部内置规则集。")
INCLUDE_HIDDEN_OPTION = click.option("--include-hidden", is_flag=True, help="也读取工作簿中隐藏的工作表、行和列（缺省跳过并提示）。")
UNUSED_OPTION = click.option("--unused-column", "unused", multiple=True, metavar="表头",
                             help="这一列与某个事实的名称相近，但确实不是考核数据（如“女职工人数”）：不读取它，照常评估。可重复。")
UNION_OPTIONS = (
    click.option("--union", "union_id", metavar="编号", help="事实来源是 CSV、Parquet 或工作簿时，要评估的工会编号（只有一个工会时可省略）。"),
    click.option("--sheet", help="只读取工作簿中这个名称的工作表。"),
    INCLUDE_HIDDEN_OPTION,
    UNUSED_OPTION,
)


@dataclass(frozen=True)
class UnionChoice:
    """Which union a one-union command reads: a fact file, or a row of a CSV file or workbook."""

    union_id: str | None
    sheet: str | None
    include_hidden: bool
    unused: tuple[str, ...]

    def read(self, source: Path, rulesets: list[Ruleset]) -> FactFile:
        reading = Reading(merged_declarations(rulesets), self.sheet, self.include_hidden, notice, frozenset(self.unused))
        return read_union(source, reading, self.union_id)


def union_options(command: Callable[..., None]) -> Callable[..., None]:
    """--union, --sheet, --include-hidden and --unused-column, handed to the command as one `choice`."""
    @functools.wraps(command)
    def with_choice(*args: Any, union_id: str | None, sheet: str | None, include_hidden: bool, unused: tuple[str, ...],
                    **kwargs: Any) -> None:
        command(*args, choice=UnionChoice(union_id, sheet, include_hidden, unused), **kwargs)
    for option in reversed(UNION_OPTIONS):
        with_choice = option(with_choice)
    return with_choice


def notice(message: str) -> None:
    click.echo(f"提示：{message}", err=True)


FORCE_OPTION = click.option("--force", is_flag=True, help=FORCE_HELP)
ENGINE_OPTION = click.option("--engine", type=click.Choice(["durable", "oracle"]), default="durable", show_default=True,
                             help="条件求值方式：durable-rules 规则引擎，或纯 Python 对照实现（用于排查）。")


@click.group(cls=Unionscore, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="出现内部错误时打印完整的 Python 调用栈。")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """unionscore：基层工会考核评价规则引擎（八有、职工之家、活力基层工会星级）。"""
    ctx.obj = {"debug": debug}


def read_files(rulesets: list[Ruleset]) -> list[str]:
    """Every ruleset file a command reads: the rulesets chosen, those they use, and those they extend."""
    return [file for ruleset in rulesets for file in (ruleset.path, *ruleset.inherited)]


@cli.command()
@RULESET_OPTION
@click.argument("fact_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True, help="输出格式。")
@click.option("--as-of", callback=parse_date, metavar="YYYY-MM-DD", help="评估日期；缺省为事实文件年度的 12 月 31 日。")
@ENGINE_OPTION
@union_options
def assess(rulesets: tuple[str, ...], fact_file: Path, fmt: str, as_of: dt.date | None, engine: str, choice: UnionChoice) -> None:
    """评估一个工会：事实文件，或 CSV、Parquet、工作簿中的一行（--union 指定编号）；输出得分、等级、失分项与整改建议。"""
    chosen, chooser = resolve_rulesets(rulesets), evaluator_named(engine)
    assessment = assess_facts(chosen, choice.read(fact_file, chosen), chooser, as_of)
    plans = next_level_plans(chosen, assessment, chooser)
    if fmt == "table":
        click.echo(as_table(assessment, plans))
    elif fmt == "json":
        click.echo(as_json(assessment, plans))
    else:
        click.echo(union_markdown(assessment, plans), nl=False)


@cli.command()
@RULESET_OPTION
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))  # a mistyped path: nothing written
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="输出目录。")
@click.option("--jobs", type=click.IntRange(1, MAX_JOBS), default=None, help="工作进程数；缺省为 CPU 核数。")
@click.option("--as-of", callback=parse_date, metavar="YYYY-MM-DD", help="评估日期；缺省为各事实年度的 12 月 31 日。")
@click.option("--sheet", help="只读取工作簿中这个名称的工作表。")
@click.option("--rank-by", "rank_by", multiple=True, metavar="ID", help="排名依据的规则集 id，可重复；缺省按所选规则集的顺序。")
@click.option("--force", is_flag=True, help="允许写入非空的、非 unionscore 输出的目录（不会删除或覆盖其中已有的文件）。")
@click.option("--timeout", type=Number(0, MAX_TIMEOUT, min_open=True), default=60, show_default=True, metavar="秒",
              help="评估一个工会的时限；超时的工会记为失败，其余照常评估。")
@INCLUDE_HIDDEN_OPTION
@UNUSED_OPTION
@click.option("--pages", type=click.Choice(PAGES), default="auto", show_default=True,
              help=f"是否为每个工会生成报告页和整改方案：auto 在不超过 {PAGES_LIMIT} 个工会时生成（县级批量），超过时不生成，"
                   "改为批量评分并输出 Parquet 结果（省级批量，只读 CSV 或 Parquet）；all 总是生成；none 总是按省级批量。")
@click.option("--dask", metavar="ADDRESS", help="省级批量在 Dask 集群上运行：调度器地址（如 tcp://10.0.0.1:8786），或 local:N（本机 N 个工作进程）。")
@click.option("--partition-rows", type=click.IntRange(min=1), default=PARTITION_ROWS, show_default=True, metavar="N",
              help="省级批量时每个分区（一个工作进程一次评估）的工会数。")
def batch(rulesets: tuple[str, ...], sources: tuple[Path, ...], out: Path, jobs: int | None, as_of: dt.date | None,
          sheet: str | None, rank_by: tuple[str, ...], force: bool, timeout: float, include_hidden: bool, unused: tuple[str, ...],
          pages: str, dask: str | None, partition_rows: int) -> None:
    """批量评估：事实文件目录、CSV、Parquet 或 XLSX 中的全部工会，输出排名、报告与每个工会的整改清单；
    大批量（省级）读取 CSV 或 Parquet，输出汇总报告与 Parquet 结果。"""
    chosen = resolve_rulesets(rulesets)
    dask = dask and dask_address(dask)
    if province_mode(sources, pages, any(r.by_cohort for r in chosen)):
        from engine.province.run import ProvinceOptions

        province_batch(ProvinceOptions(sources, out, jobs or default_jobs(), rulesets, as_of, force, dask, partition_rows, unused), chosen)
        return
    if dask:
        raise UsageError("--dask 只用于省级批量（--pages none，或超过阈值的 CSV、Parquet 文件）")
    unknown = [r for r in rank_by if r not in {c.id for c in chosen}]
    if unknown:
        raise UsageError(f"--rank-by 中的 “{'、'.join(unknown)}” 不在所选规则集中")
    options = BatchOptions(sources, out, jobs or default_jobs(), as_of, sheet, force, rank_by, include_hidden, unused, timeout=timeout)
    with refusals_told(), tqdm(desc="评估", unit="个工会", delay=1, disable=None, file=sys.stderr, leave=False) as bar:
        stats = run_batch(options, chosen, notice, lambda: bar.update())
    click.echo(county_summary(stats, {r.id: r.short_name for r in chosen}))
    for failure in stats.failures:
        click.echo("\n".join(failure.messages), err=True)
    click.echo(f"报告已写入 {out}/（report.html、summary.xlsx、summary.csv、results.jsonl、unions/）")
    click.echo(f"已评估 {len(stats.rows)} 个工会，失败 {len(stats.failures)} 个。")
    sys.exit(1 if stats.failures else 0)


@contextmanager
def refusals_told() -> Iterator[None]:
    """A batch that graded no union prints what it refused, then its error."""
    try:
        yield
    except NothingGraded as nothing:
        if nothing.messages:
            click.echo("\n".join(nothing.messages), err=True)
        raise


def province_batch(options: ProvinceOptions, chosen: list[Ruleset]) -> None:
    """A province: grades in bulk, Parquet results and the summary report, no per-union pages."""
    from engine.province.run import run_province

    with refusals_told(), tqdm(desc="评估", unit="个工会", delay=1, disable=None, file=sys.stderr, leave=False) as bar:
        tally = run_province(options, chosen, bar.update, notice)
    for message in tally.notices:
        notice(message)
    for origin, _, messages in tally.failures:
        click.echo("\n".join(messages) or origin, err=True)
    click.echo(f"报告已写入 {options.out}/（report.html、levels.csv、results/ 中每个标准的 Parquet 结果）")
    click.echo(f"已评估 {tally.graded} 个工会，失败 {tally.failed} 个。")
    sys.exit(1 if tally.failed else 0)


@cli.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@ENGINE_OPTION
@click.option("--coverage", "show_coverage", is_flag=True, help="报告每个规则集被测试用例覆盖的比例，并列出未覆盖的部分。")
@click.option("--min-coverage", type=Number(0, 100), metavar="P", help="任一规则集的覆盖率低于 P% 时失败（退出码 1）。")
@click.option("--strict", "strict", is_flag=True, help="没有任何测试用例的规则集按错误处理（退出码 1）。")
def test_command(paths: tuple[Path, ...], engine: str, show_coverage: bool, min_coverage: float | None, strict: bool) -> None:
    """运行规则集的测试用例（tests:、同目录的 <id>.tests.yaml 或 <文件名>.tests.yaml，以及 extends 的上级规则集的用例）。"""
    passed = failed = 0
    chooser = evaluator_named(engine)
    measured, empty = [], []
    run_files: set[Path] = set()
    for path in ruleset_files(paths):
        available = resolve_rulesets([str(path)])
        target = next(r for r in available if Path(r.path).resolve() == path.resolve())
        suite = load_suite(target)
        run_files.update(p.resolve() for p in tests_files(path, target.id))
        outcomes = run_suite(suite, target, available, chooser)
        for outcome in outcomes:
            click.echo(f"{'通过' if outcome.passed else '未通过'} {outcome.ruleset}::{outcome.name}")
            for problem in outcome.problems:
                click.echo(f"    {problem}")
            passed, failed = passed + outcome.passed, failed + (not outcome.passed)
        for skipped in suite.skipped:
            click.echo(f"跳过 {target.id}::（继承 {skipped.source}）{skipped.name}：{skipped.why}")
        empty += no_tests(target, suite)
        measured.append(coverage.measure(target, [o.result for o in outcomes if o.result is not None]))
    if show_coverage:
        click.echo("\n".join(coverage.render(c) for c in measured))
    short = coverage.below(measured, min_coverage) if min_coverage is not None else []
    for item in short:
        click.echo(f"覆盖率不足：{item.ruleset.id} 为 {coverage.percent_text(item.percent)}，要求至少 {min_coverage:g}%（加 --coverage 查看未覆盖的部分）", err=True)
    for diagnostic in lint.strict(empty) if strict else empty:
        click.echo(diagnostic.render(), err=True)
    orphans = orphan_tests(paths, run_files)
    click.echo(f"通过 {passed} 个，未通过 {failed} 个")
    sys.exit(1 if failed or short or orphans or (strict and empty) else 0)


def orphan_tests(paths: tuple[Path, ...], run_files: set[Path]) -> list[Path]:
    """The tests files in the folders given (and below them) that no ruleset ran: a misspelt name, a name
    read by no rule (bayou.test.yaml, bayou.tests.yml) or a subfolder. Each is told, as an error."""
    found = [path for folder in paths if folder.is_dir() for path in sorted(folder.rglob("*.y*ml")) if looks_like_tests(path)]
    orphans = [path for path in found if path.resolve() not in run_files]
    for orphan in orphans:
        click.echo(f"{orphan}: 错误 {orphan_reason(orphan, paths)}，其中的用例未运行", err=True)
    return orphans


def looks_like_tests(path: Path) -> bool:
    """A YAML file that is not a ruleset and is named as tests or holds a top-level `tests:`."""
    if not path.is_file() or has_ruleset_header(path):
        return False
    return "test" in path.name.lower() or TESTS_HEADER.search(path.read_text(encoding="utf-8", errors="replace")) is not None


def orphan_reason(path: Path, paths: tuple[Path, ...]) -> str:
    if not any(path.parent.resolve() == folder.resolve() for folder in paths):
        return "在子文件夹中，没有规则集读取它（测试文件须与规则集放在同一文件夹，名为 <规则集 id>.tests.yaml）"
    stem = path.name.split(".")[0]
    ruleset = any((path.parent / f"{stem}{suffix}").is_file() and has_ruleset_header(path.parent / f"{stem}{suffix}") for suffix in (".yaml", ".yml"))
    named = f"；是否应为 {stem}.tests.yaml？" if ruleset and path.name != f"{stem}.tests.yaml" else ""
    return f"没有与之同名的规则集（测试文件应名为 <规则集 id>.tests.yaml 或 <规则集文件名>.tests.yaml{named}）"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", "strict", is_flag=True, help="警告也按错误处理（退出码 1）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
def check(paths: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """检查规则集文件（连同它 uses 的规则集）：错误，以及可能不合作者本意的警告，一次列出全部问题。"""
    files = ruleset_files(paths)
    found: dict[Path, list[Diagnostic]] = {path: lint.check_file(path) for path in files}
    if strict:
        found = {path: lint.strict(problems) for path, problems in found.items()}
    unique = sorted(dict.fromkeys(d for problems in found.values() for d in problems), key=Diagnostic.sort_key)
    if fmt == "json":
        click.echo(json.dumps([d.to_json() for d in unique], ensure_ascii=False, indent=2))
    else:
        for path, problems in found.items():
            if not any(d.severity == "error" for d in problems):
                click.echo(f"通过 {path}" + (f"（{len(problems)} 个警告）" if problems else ""))
        for diagnostic in unique:
            click.echo(diagnostic.render(), err=True)
        click.echo(lint.summary(len(files), unique))
    sys.exit(1 if any(d.severity == "error" for d in unique) else 0)


def ruleset_files(paths: tuple[Path, ...]) -> list[Path]:
    """Ruleset files named directly, or found in folders: files with a top-level `ruleset:` (a folder, a named pipe
    or a broken link named *.yaml is none). A folder with none is a usage error, not 「检查了 0 个规则集」."""
    found = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        inside = [p for p in sorted(path.glob("*.y*ml")) if p.is_file() and has_ruleset_header(p)]
        if not inside:
            raise UsageError(f"文件夹 {path} 中没有规则集文件（含 ruleset: 部分的 .yaml 文件）")
        found += inside
    return found


def has_ruleset_header(path: Path) -> bool:
    """Whether a line starts with `ruleset:`; a file too large or unreadable is kept, for the loader to say why."""
    try:
        with open(path, "rb") as source:
            head = source.read(MAX_YAML_BYTES + 1)
    except OSError:
        return True
    return len(head) > MAX_YAML_BYTES or RULESET_HEADER.search(head.decode("utf-8", errors="replace")) is not None


@cli.command()
@RULESET_OPTION
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="模板格式：yaml 事实文件，或 xlsx 工作簿（每行一个工会）；缺省按 --out 的扩展名，否则为 yaml。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="输出文件；缺省把 YAML 模板打印到标准输出（xlsx 必须指定）。")
@FORCE_OPTION
def template(rulesets: tuple[str, ...], fmt: str | None, out: Path | None, force: bool) -> None:
    """生成空白事实文件模板：所选规则集（连同 uses 的）读取的全部事实，注明名称、类型、单位和可填的值。"""
    chosen = resolve_rulesets(rulesets)
    check_output_file(out, read_files(chosen), force)
    if output_format(fmt, out) == "xlsx" and out is not None:  # a workbook needs --out (output_format says so)
        columns = write_workbook_template(chosen, out)
        click.echo(f"已写入 {out}：{columns} 列，在“填报”工作表中每行填写一个工会，各列的说明见“填表说明”工作表。")
    elif out is not None:
        write_text(out, yaml_template(chosen))
        click.echo(f"已写入 {out}：填好后用 unionscore assess {out} 评估。")
    else:
        click.echo(yaml_template(chosen), nl=False)


@cli.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--facts", "sources", multiple=True, metavar="SOURCE", type=click.Path(exists=True),
              help="用这些工会的事实评估两个版本，列出等级和得分的变化：文件夹、事实文件、CSV、Parquet 或 XLSX，可重复。")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式。")
@click.option("--as-of", callback=parse_date, metavar="YYYY-MM-DD", help="评估日期；缺省为各事实年度的 12 月 31 日。")
@ENGINE_OPTION
def diff(old: str, new: str, sources: tuple[str, ...], fmt: str, as_of: dt.date | None, engine: str) -> None:
    """比较同一规则集的两个版本（路径或内置 id）：指标、分值、条件、等级的变化，以及对各工会的影响。"""
    before, after = load_version(old), load_version(new)
    changes = ruleset_changes(before.ruleset, after.ruleset)
    warn = lambda message: click.echo(f"提示：{message}", err=True)  # noqa: E731
    impact = None
    if sources:
        from engine.authoring.measure import measure_impact

        impact = measure_impact(before, after, sources, evaluator_named(engine), as_of, warn)
    if fmt == "json":
        write_diff_json(sys.stdout, before, after, changes, impact, list(sources))
    else:
        click.echo(diff_table(before, after, changes, impact, list(sources)))
    for union in impact.failures if impact else []:
        click.echo("\n".join(union.errors), err=True)
    sys.exit(1 if impact and impact.failures else 0)


@cli.command()
@RULESET_OPTION
@click.argument("fact_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True, help="输出格式。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="输出文件；缺省打印到标准输出。")
@FORCE_OPTION
@click.option("--as-of", callback=parse_date, metavar="YYYY-MM-DD", help="评估日期；缺省为事实文件年度的 12 月 31 日。")
@ENGINE_OPTION
@union_options
def checklist(rulesets: tuple[str, ...], fact_file: Path | None, fmt: str, out: Path | None, force: bool, as_of: dt.date | None,
              engine: str, choice: UnionChoice) -> None:
    """自查自评清单：逐项列出分值、查验方式、需准备的资料和必备项；给出事实文件时标明是否已达标及整改建议。"""
    chosen = resolve_rulesets(rulesets)
    check_output_file(out, [fact_file, *read_files(chosen)], force)
    facts = choice.read(fact_file, chosen) if fact_file is not None else None
    results = assess_union(chosen, facts, evaluator_named(engine), as_of) if facts is not None else None
    text = render_checklist(fmt, build_checklist(chosen, results), facts.union if facts else None, facts.period if facts else None)
    if out is not None:
        write_text(out, text)
        click.echo(f"已写入 {out}")
    else:
        click.echo(text, nl=False)


@cli.command()
@RULESET_OPTION
@click.argument("fact_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("item_id", metavar="ITEM_ID")
@click.option("--as-of", callback=parse_date, metavar="YYYY-MM-DD", help="评估日期；缺省为事实文件年度的 12 月 31 日。")
@ENGINE_OPTION
@union_options
def explain(rulesets: tuple[str, ...], fact_file: Path, item_id: str, as_of: dt.date | None, engine: str, choice: UnionChoice) -> None:
    """解释一个工会某个指标的完整评估：得分、理由，以及每个子表达式的取值。"""
    chosen = resolve_rulesets(rulesets)
    text = explain_item(chosen, choice.read(fact_file, chosen), item_id, evaluator_named(engine), as_of, rulesets)
    click.echo(text, nl=False)


@cli.command()
@RULESET_OPTION
@click.argument("fact_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--target", metavar="LEVEL", help="目标等级 id（如 model、dabiao、five）；缺省为高一个等级。")
@click.option("--deadline", callback=parse_date, metavar="YYYY-MM-DD", help="整改期限；写整改工作方案（markdown、docx）时必填。")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "docx"]), default="text", show_default=True,
              help="text 为整改清单；markdown、docx 为整改工作方案。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="输出文件；docx 必填，其他缺省打印到标准输出。")
@FORCE_OPTION
@click.option("--as-of", callback=parse_date, metavar="YYYY-MM-DD", help="评估日期；缺省为事实文件年度的 12 月 31 日。")
@ENGINE_OPTION
@union_options
def plan(rulesets: tuple[str, ...], fact_file: Path, target: str | None, deadline: dt.date | None, fmt: str,
         out: Path | None, force: bool, as_of: dt.date | None, engine: str, choice: UnionChoice) -> None:
    """整改规划：以最少的整改工作量达到目标等级（缺省高一个等级），列出每项整改的量化目标、得分、需准备的资料；可写成整改工作方案。"""
    chosen = resolve_rulesets(rulesets)
    check_output_file(out, [fact_file, *read_files(chosen)], force)
    planner = Planner.assessing(chosen, choice.read(fact_file, chosen), evaluator_named(engine), as_of)
    targets = planned(chosen, list(rulesets), target)
    if fmt == "text":
        text = "\n".join(plan_text(planner.plan(r.id, target)) for r in targets)
        write_text(out, text) if out else click.echo(text, nl=False)
        return
    if len(targets) != 1 or deadline is None or (fmt == "docx" and out is None):
        raise UsageError("整改工作方案针对一个规则集：请用 --ruleset（或唯一的 --target）选定规则集，并给出 --deadline；docx 还须 --out")
    document = planner.plan(targets[0].id, target, timetable=True)
    if document.target is None and not document.reachable and not document.measures:
        raise UsageError(f"不生成整改工作方案：{document.why_not}。")
    if fmt == "docx" and out is not None:
        from engine.report.workplan.word import write as write_docx

        write_docx(document, deadline, out)
    elif out is not None:
        write_text(out, workplan_markdown(document, deadline))
    else:
        click.echo(workplan_markdown(document, deadline), nl=False)
    if out is not None:
        click.echo(f"已写入 {out}")


DB_OPTION = click.option("--db", metavar="URL", help="数据库地址：sqlite:///文件路径（缺省为当前文件夹的 unionscore.sqlite3）或 postgresql://用户:密码@主机/库名。")


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址；让本单位局域网访问请用 0.0.0.0。")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="端口。")
@click.option("--demo", is_flag=True, help="演示：在当前文件夹创建（或沿用）演示数据库，载入示例县 2025 年度，打印演示账号。")
@click.option("--proxy", metavar="地址", help="放在本单位的 Web 服务器（nginx、IIS）之后时，该服务器的 IP 地址：只信任它转来的访问者地址和 https。")
def serve(db: str | None, host: str, port: int, demo: bool, proxy: str | None) -> None:
    """启动网页服务：基层工会在线自查填报、查看得分和整改规划、下载整改工作方案；县总工会查看全县。"""
    from service import bootstrap

    if demo and db is not None:
        raise UsageError("--demo 使用当前文件夹的演示数据库，不能同时指定 --db")
    bootstrap.configure(bootstrap.demo_database(Path.cwd()) if demo else db)
    from service import demo as demo_data
    from service import server

    if demo:
        click.echo("演示账号（密码均为 unionscore-demo，仅存在于演示数据库）：")
        click.echo("\n".join(f"  {line}" for line in demo_data.ensure_demo()))
    click.echo(f"服务已启动：http://{host}:{port}/ （按 Ctrl-C 停止）")
    server.serve(host, port, proxy)


@cli.group()
def db() -> None:
    """服务的数据库：导入一个县的工会并生成账号，备份与恢复。"""


@db.command("import")
@DB_OPTION
@RULESET_OPTION
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--year", type=click.IntRange(1949, 2200), required=True, help="考核年度，如 2025。")
@click.option("--county", help="县（市、区）总工会名称；缺省取事实数据中的“县”。")
@click.option("--deadline", callback=parse_date, metavar="YYYY-MM-DD", help="填报截止日期。")
@click.option("--accounts", "accounts_out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="新账号及初始密码写入这个 Excel 文件（发给各单位；首次登录须修改密码）。")
@click.option("--force", is_flag=True, help="账号文件已存在时覆盖（账号文件不能是导入的来源或数据库）。")
def import_command(db: str | None, rulesets: tuple[str, ...], sources: tuple[Path, ...], year: int, county: str | None,
                   deadline: dt.date | None, accounts_out: Path, force: bool) -> None:
    """把一个县的工会（事实文件夹、CSV、Parquet 或工作簿，同 batch）导入为一个考核年度，并为新单位生成账号。"""
    from service import bootstrap

    bootstrap.configure(db, migrate=False)
    check_output_file(accounts_out, [*sources, bootstrap.database_file()], force)
    bootstrap.migrate_tables()
    from service import importing

    ids = [r.id for r in resolve_rulesets(rulesets)] if rulesets else bundled_ids()
    report = importing.import_round(sources, year, ids, county, deadline, notice)
    importing.write_accounts(accounts_out, report.accounts, report.round.title)
    for failure in report.failures:
        click.echo(failure, err=True)
    click.echo(f"已导入 {report.unions} 个工会到“{report.round.title}”，新建账号 {len(report.accounts)} 个，已写入 {accounts_out}；"
               f"未能导入 {len(report.failures)} 处。")
    sys.exit(1 if report.failures else 0)


@db.command("import-results")
@DB_OPTION
@click.argument("results", metavar="RESULTS.jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(1949, 2200), required=True, help="这些结果所属的考核年度，如 2024。")
@click.option("--county", help="县（市、区）总工会名称；缺省取结果中的“县”。")
def import_results_command(db: str | None, results: Path, year: int, county: str | None) -> None:
    """把往年 batch 输出的 results.jsonl（每行一个工会的一个标准）导入为该年度的历年结果（已发布，只有结果没有事实数据），
    供历年对比。每行先整行检查，有问题的行逐行报告（文件:行号、字段）且不导入，其余照常导入（有未导入的行时退出码为 1）；同一结果再次导入时跳过。"""
    from service import bootstrap

    bootstrap.configure(db)
    from service import history

    report = history.import_results(results, year, county)
    for line in (*report.failures, *report.notices):
        click.echo(line, err=True)
    title = report.round.title if report.round else f"{year} 年度"
    click.echo(f"已导入 {report.unions} 个工会的结果到“{title}”，已有相同结果跳过 {report.skipped} 个；有问题的行 {len(report.failures)} 处。")
    sys.exit(1 if report.failures else 0)


@db.command("backup")
@DB_OPTION
@click.argument("target", metavar="备份文件或文件夹")
@click.option("--keep", type=click.IntRange(1), metavar="N", help="备份到文件夹，只保留最新的 N 份（只删除按时间命名的备份文件）。")
@click.option("--force", is_flag=True, help="备份文件已存在时覆盖。")
def backup_command(db: str | None, target: str, keep: int | None, force: bool) -> None:
    """备份服务的数据库，服务运行时也可以（得到某一时刻的完整副本）。给出文件夹（已有的，或以 / 结尾，或加 --keep）时，
    文件名取当前时间，文件夹不存在则新建。"""
    from service import backup

    folder = target.endswith(("/", os.sep))
    click.echo(backup.backup(db, Path(target), force, keep, folder).message)


@db.command("restore")
@DB_OPTION
@click.argument("source", metavar="备份文件", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="目标数据库已有数据时也恢复（先把现有数据另存为备份文件旁的 before-restore-时间 文件）。")
def restore_command(db: str | None, source: Path, force: bool) -> None:
    """把备份恢复到 --db 指定的数据库（新的文件或空数据库）；已有数据的数据库须加 --force。"""
    from service import backup

    click.echo(backup.restore(source, db, force).message)


def main() -> None:
    cli(prog_name="unionscore")


if __name__ == "__main__":
    main()
