"""A province end to end through the command line: wall, CPU and peak memory, a seeded sample checked
against the per-union engine, and grading throughput beside plain Python and numpy.

    python bench/scale.py --unions 3000                  # a county: --pages auto keeps pages, plans, workbook on
    python bench/scale.py --unions 300000                # a province: bulk grades, Parquet results
    python bench/scale.py --unions 300000 --dask local:2 # the same partitions on a Dask LocalCluster

Generation is untimed (bench/generate.py `province`, seeded). The run is `unionscore batch` in a
subprocess; `cpu_s` is the CPU time of it and every process it started (workers, Dask nannies and
workers), `peak_mib` the peak of their summed resident memory, sampled every 50 ms. `compared` unions
drawn with the seed are graded again one at a time by durable-rules and compared field by field with
what the run wrote (Parquet for a province; for a county, with the bulk evaluator on the same rows).

Throughput, one core, union × ruleset evaluations per second without reasons, on the same unions:
`bulk` is engine/bulk grading a frame (reading excluded); `python` is the per-union engine's own
compiled closures (environment, atoms and condition truths for every ruleset, no scoring or reasons);
`numpy` is a floor: one float comparison and one `where` per item, no exactness or nulls.
The last line printed is a JSON object with every figure.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import province, write_csv  # noqa: E402
from peak import measured  # noqa: E402

from engine import resolve_rulesets  # noqa: E402
from engine.bulk.agreement import disagreements  # noqa: E402
from engine.bulk.frame import Row, build_frame  # noqa: E402
from engine.bulk.grade import compile_rulesets, grade_frame  # noqa: E402
from engine.diagnostics import Mark  # noqa: E402
from engine.evaluate.assessment import assessment_date, build_env  # noqa: E402
from engine.evaluate.evaluators import DurableEvaluator  # noqa: E402
from engine.facts.fact_file import FactFile, fact_checker, merged_declarations  # noqa: E402
from engine.language.conditions import oracle_truths  # noqa: E402
from engine.province.verify import sample_mismatches  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ("bayou", "zhijia", "xingji")
THROUGHPUT_UNIONS = 20_000


def generated(count: int, folder: Path, seed: int) -> Path:
    decls = merged_declarations(resolve_rulesets(list(RULESETS)))
    return write_csv(province(count, decls, random.Random(seed)), sorted(decls), folder / "province.csv")


def run_cli(source: Path, out: Path, dask: str | None) -> dict[str, Any]:
    arguments = ["batch", str(source), "--out", str(out)] + [part for r in RULESETS for part in ("--ruleset", r)]
    figures, done = measured(arguments + (["--dask", dask] if dask else []), ROOT)
    return {**figures, "exit_code": done.returncode, "last_line": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]}


def as_fact_file(data: dict) -> FactFile:
    return FactFile(f"{data['union']['id']}.yaml", data["union"], data["period"], data["facts"], {}, Mark("generated"))


def sample_units(count: int, seed: int, sample: int) -> list[dict]:
    """The generated unions again (same seed), `sample` of them drawn with the seed."""
    decls = merged_declarations(resolve_rulesets(list(RULESETS)))
    chosen = set(random.Random(seed + 1).sample(range(count), min(sample, count)))
    return [data for index, data in enumerate(province(count, decls, random.Random(seed))) if index in chosen]


def checked(out: Path, source: Path, count: int, seed: int, sample: int) -> tuple[int, list[str]]:
    if (out / "results").is_dir():
        return sample_mismatches(out, source, RULESETS, sample, seed)
    files = [as_fact_file(data) for data in sample_units(count, seed, sample)]
    compared, found, unsure = disagreements(resolve_rulesets(list(RULESETS)), files, DurableEvaluator())
    return compared, found + [f"{unsure} 行超出精确范围"] * bool(unsure)


def throughput(count: int, seed: int) -> dict[str, float]:
    """Union × ruleset evaluations per second on one core: bulk, plain Python closures, a numpy floor."""
    rulesets = resolve_rulesets(list(RULESETS))
    decls = merged_declarations(rulesets)
    files = [as_fact_file(data) for data in province(count, decls, random.Random(seed))]
    checker = fact_checker(rulesets)
    rows = [Row(f.union, f.period, checker.check(f)[0], assessment_date(f, None)) for f in files]
    frame = build_frame(rows, decls)
    plans = compile_rulesets(rulesets, decls)
    start = time.perf_counter()
    grade_frame(plans, frame)
    bulk = count * len(rulesets) / (time.perf_counter() - start)
    return {"bulk": round(bulk), "python": round(plain_python(rulesets, files[:2000], rows)), "numpy": round(numpy_floor(rulesets, count))}


def plain_python(rulesets: list, files: list[FactFile], rows: list[Row]) -> float:
    """The per-union engine's compiled closures: environment, atoms, truths (used rulesets stubbed by nothing)."""
    independent = [r for r in rulesets if not r.uses]
    start = time.perf_counter()
    for fact_file, row in zip(files, rows):
        for ruleset in independent:
            env = build_env(ruleset, dict(row.facts), fact_file, row.as_of, {})
            oracle_truths(ruleset.conditions, ruleset.conditions.atom_values(env))
    return len(files) * len(independent) / (time.perf_counter() - start)


def numpy_floor(rulesets: list, count: int) -> float:
    items = sum(len(r.items()) for r in rulesets)
    values = np.random.default_rng(0).random(count)
    start = time.perf_counter()
    total = np.zeros(count)
    for index in range(items):
        total += np.where(values >= index / items, 1.0, 0.0)
    return count * len(rulesets) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=3000)
    parser.add_argument("--dask", nargs="?", const="local:2", default=None, metavar="ADDRESS", help="default local:2")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = generated(args.unions, Path(tmp), args.seed)
        figures = run_cli(source, Path(tmp) / "out", args.dask)
        print(figures.pop("last_line"))
        compared, found = checked(Path(tmp) / "out", source, args.unions, args.seed, args.sample)
    print("\n".join(found[:20]))
    speed = throughput(min(args.unions, THROUGHPUT_UNIONS), args.seed)
    print(json.dumps({"unions": args.unions, **figures, "dask": args.dask, "compared": compared, "mismatches": len(found),
                      "evaluations_per_s_core": speed}, ensure_ascii=False))


if __name__ == "__main__":
    main()
