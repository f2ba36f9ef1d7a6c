"""Unions per second for `assess`-equivalent evaluation of the bundled rulesets.

Generates N unions (bench/generate.py), then assesses each with every bundled ruleset
(`uses` respected), once with durable-rules firing the compiled conditions and once with the
pure-Python oracle. Also splits the durable path into its stages. One process, one core.

    .venv/bin/python bench/evaluate.py [--unions 2000]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import union  # noqa: E402

from engine import DurableEvaluator, OracleEvaluator, assess_union, resolve_rulesets  # noqa: E402
from engine.evaluate.evaluators import Evaluator  # noqa: E402
from engine.facts.fact_file import (
    FactFile,  # noqa: E402
    merged_declarations,  # noqa: E402
)


def fact_files(count: int) -> list[FactFile]:
    rulesets = resolve_rulesets()
    decls = merged_declarations(rulesets)
    rng = random.Random(20251231)
    files = []
    for index in range(count):
        data = union(index, decls, rng)
        files.append(FactFile(f"bench-{index}", data["union"], data["period"], data["facts"]))
    return files


def rate(evaluator: Evaluator, files: list[FactFile]) -> tuple[float, dict[str, int]]:
    rulesets = resolve_rulesets()
    levels: dict[str, int] = {}
    start = time.perf_counter()
    for facts in files:
        for result in assess_union(rulesets, facts, evaluator):
            key = f"{result.ruleset.id}:{result.level.id if result.level else None}"
            levels[key] = levels.get(key, 0) + 1
    return len(files) / (time.perf_counter() - start), levels


def stages(files: list[FactFile]) -> dict[str, float]:
    """Microseconds per union and ruleset in each stage of the durable path."""
    from engine.evaluate.assessment import assessment_date, build_env
    from engine.evaluate.scoring import assess_ruleset
    from engine.facts.fact_file import fact_checker

    rulesets = [r for r in resolve_rulesets() if not r.uses]
    durable = DurableEvaluator()
    totals = {"facts+env": 0.0, "atoms": 0.0, "durable fire": 0.0, "scoring": 0.0}
    for facts in files:
        for ruleset in rulesets:
            t0 = time.perf_counter()
            typed, _ = fact_checker([ruleset]).check(facts)
            env = build_env(ruleset, typed, facts, assessment_date(facts, None), {})
            t1 = time.perf_counter()
            values = ruleset.conditions.atom_values(env)
            t2 = time.perf_counter()
            truths = durable.truths(ruleset, values)
            t3 = time.perf_counter()
            assess_ruleset(ruleset, env, truths)
            t4 = time.perf_counter()
            for key, spent in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                totals[key] += spent
    durable.close()
    calls = len(files) * len(rulesets)
    return {key: spent / calls * 1e6 for key, spent in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=2000)
    args = parser.parse_args()
    files = fact_files(args.unions)
    rulesets = resolve_rulesets()
    conditions = sum(len(r.conditions.keys) for r in rulesets)
    print(f"rulesets: {', '.join(r.id for r in rulesets)}; {conditions} conditions, "
          f"{sum(len(r.conditions.rules()) for r in rulesets)} durable rules; {args.unions} generated unions")
    durable = DurableEvaluator()
    for name, evaluator in (("durable-rules", durable), ("oracle", OracleEvaluator())):
        per_second, levels = rate(evaluator, files)
        print(f"{name:>14}: {per_second:8.0f} unions/s (every bundled ruleset per union)")
    durable.close()
    print("levels:", ", ".join(f"{k} {v}" for k, v in sorted(levels.items())))
    print("durable path, µs per union and ruleset:", ", ".join(f"{k} {v:.0f}" for k, v in stages(files[:500]).items()))


if __name__ == "__main__":
    main()
