"""`unionscore`: grade grassroots trade unions against YAML rulesets.

Thin commands: options → engine → renderer → exit code. Expected failures carry their exit
code (1 invalid input, 2 usage); anything else is a bug: exit 3, traceback only with --debug.
"""
from __future__ import annotations

import datetime as dt
import sys
import traceback
from pathlib import Path

import click

from engine import (
    DurableEvaluator, InvalidInput, OracleEvaluator, UnionscoreError, assess_union, load_fact_file, load_ruleset,
    resolve_rulesets, run_tests,
)
from engine.assess import assessment_date
from engine.render import as_json, as_markdown, as_table


class Unionscore(click.Group):
    """Catches expected failures in one place and turns them into exit codes."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except InvalidInput as exc:
            click.echo(exc.render(), err=True)
            ctx.exit(exc.exit_code)
        except UnionscoreError as exc:
            click.echo(f"错误：{exc}", err=True)
            ctx.exit(exc.exit_code)
        except Exception:  # noqa: BLE001 - the one place that reports bugs
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.echo("内部错误：unionscore 出现了未预料的问题。请加 --debug 重新运行，并把输出报告给维护者。", err=True)
            ctx.exit(3)


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD，实际为 “{value}”") from None


def evaluator(name: str) -> DurableEvaluator | OracleEvaluator:
    return DurableEvaluator() if name == "durable" else OracleEvaluator()


RULESET_OPTION = click.option("--ruleset", "rulesets", multiple=True, metavar="ID_OR_PATH",
                              help="内置规则集 id 或 YAML 路径，可重复；缺省为全部内置规则集。")
ENGINE_OPTION = click.option("--engine", type=click.Choice(["durable", "oracle"]), default="durable", show_default=True,
                             help="条件求值方式：durable-rules 规则引擎，或纯 Python 对照实现（用于排查）。")


@click.group(cls=Unionscore, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="出现内部错误时打印完整的 Python 调用栈。")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """unionscore：基层工会考核评价规则引擎（八有、职工之家、活力基层工会星级）。"""
    ctx.obj = {"debug": debug}


@cli.command()
@RULESET_OPTION
@click.argument("fact_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True, help="输出格式。")
@click.option("--as-of", callback=parse_date, metavar="YYYY-MM-DD", help="评估日期；缺省为事实文件年度的 12 月 31 日。")
@ENGINE_OPTION
def assess(rulesets: tuple[str, ...], fact_file: Path, fmt: str, as_of: dt.date | None, engine: str) -> None:
    """评估一个工会的事实文件，输出得分、等级、失分项与整改建议。"""
    chosen = resolve_rulesets(rulesets)
    facts = load_fact_file(fact_file)
    results = assess_union(chosen, facts, evaluator(engine), as_of)
    if fmt == "json":
        click.echo(as_json(facts.union, facts.period, results, assessment_date(facts, as_of)))
    elif fmt == "markdown":
        click.echo(as_markdown(facts.union, facts.period, results))
    else:
        click.echo(as_table(facts.union, facts.period, results))


@cli.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@ENGINE_OPTION
def test_command(paths: tuple[Path, ...], engine: str) -> None:
    """运行规则集自带的测试用例（tests: 或同目录的 <id>.tests.yaml）。"""
    passed = failed = 0
    chooser = evaluator(engine)
    for path in ruleset_files(paths):
        available = resolve_rulesets([str(path)])
        target = next(r for r in available if Path(r.path).resolve() == path.resolve())
        for outcome in run_tests(target, available, chooser):
            status = "PASS" if outcome.passed else "FAIL"
            click.echo(f"{status} {outcome.ruleset}::{outcome.name}")
            for problem in outcome.problems:
                click.echo(f"    {problem}")
            passed, failed = passed + outcome.passed, failed + (not outcome.passed)
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """检查规则集文件：语法、结构、表达式与分值，一次列出全部问题。"""
    problems = []
    for path in ruleset_files(paths):
        try:
            load_ruleset(path)
            click.echo(f"通过 {path}")
        except InvalidInput as exc:
            problems.append(exc)
    for exc in problems:
        click.echo(exc.render(), err=True)
    sys.exit(1 if problems else 0)


def ruleset_files(paths: tuple[Path, ...]) -> list[Path]:
    """Ruleset files named directly or found in folders (test files excluded)."""
    found = []
    for path in paths:
        candidates = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        found += [p for p in candidates if not p.name.endswith(".tests.yaml")]
    return found


def main() -> None:
    cli(prog_name="unionscore")


if __name__ == "__main__":
    main()
