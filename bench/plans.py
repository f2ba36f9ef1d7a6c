"""Time to plan: milliseconds per union and ruleset for the plan to the next level, as a batch makes it.

    .venv/bin/python bench/plans.py --unions 300           # generated unions
    .venv/bin/python bench/plans.py --county facts/qingshan  # the example county's fact files

Generated unions (bench/generate.py) or a folder of fact files, the bundled rulesets, durable-rules as
in a batch. Each union is assessed first (not timed); then every applicable ruleset's plan is timed.
Prints the mean and the slowest per ruleset and over all, on one core.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import union  # noqa: E402

from engine import DurableEvaluator, assess, load_fact_file, resolve_rulesets  # noqa: E402
from engine.facts.fact_file import FactFile, merged_declarations  # noqa: E402
from engine.plan.planner import Planner  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=300)
    parser.add_argument("--county", type=Path, help="a folder of fact files instead of generated unions")
    options = parser.parse_args()
    rulesets = resolve_rulesets()
    files = county(options.county) if options.county else generated(options.unions, merged_declarations(rulesets))
    evaluator = DurableEvaluator()
    spent: dict[str, list[float]] = {r.id: [] for r in rulesets}
    for fact_file in files:
        assessment = assess(rulesets, fact_file, evaluator)
        planner = Planner(rulesets, assessment, evaluator)
        for rid, result in assessment.results.items():
            if result.applies:
                start = time.perf_counter()
                planner.plan(rid)
                spent[rid].append((time.perf_counter() - start) * 1000)
    every = [ms for times in spent.values() for ms in times]
    print(f"{len(files)} unions ({options.county or 'generated'}), {len(every)} plans (applicable rulesets only), durable-rules")
    for rid, times in spent.items():
        if times:
            print(f"  {rid:14s} mean {statistics.fmean(times):6.2f} ms   p95 {sorted(times)[int(len(times) * 0.95)]:7.2f} ms   max {max(times):7.2f} ms")
    print(f"  {'all':14s} mean {statistics.fmean(every):6.2f} ms per union and ruleset")


def generated(count: int, decls: dict) -> list[FactFile]:
    rng = random.Random(20251231)
    found = []
    for index in range(count):
        data = union(index, decls, rng)
        found.append(FactFile(f"bench-{index}", data["union"], data["period"], data["facts"]))
    return found


def county(folder: Path) -> list[FactFile]:
    return [load_fact_file(path) for path in sorted(folder.glob("*.yaml")) if path.name != "README.yaml"]


if __name__ == "__main__":
    main()
