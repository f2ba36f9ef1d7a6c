"""A rule author's question over a province: whom does a new version of a standard move?

    python bench/diff.py --unions 300000

Generates a province (untimed, seeded, bench/generate.py) as one CSV and a new version of the
bundled zhijia standard whose full-points threshold for 会员入会率 is 90% instead of 95%; then
times `unionscore diff zhijia NEW --facts province.csv --format json` through the command line
(wall, CPU of every process, peak of their summed memory). `compared` unions drawn with the seed are
compared again one by one with durable-rules (`compare_unit`); a mismatch is a union whose change
the run reported differently or not at all. The last line printed is a JSON object with every figure.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import province, write_csv  # noqa: E402
from peak import measured  # noqa: E402
from scale import as_fact_file  # noqa: E402

from engine import DurableEvaluator, resolve_rulesets  # noqa: E402
from engine.authoring.diff_report import standing_json  # noqa: E402
from engine.authoring.impact import Version, compare_unit, load_version  # noqa: E402
from engine.facts.fact_file import merged_declarations  # noqa: E402
from engine.facts.sources import Unit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OLD_TIER, NEW_TIER = "- {when: membership_rate >= 0.95, points: 8", "- {when: membership_rate >= 0.90, points: 8"


def new_version(folder: Path) -> Path:
    text = (ROOT / "rulesets" / "zhijia.yaml").read_text(encoding="utf-8")
    path = folder / "next" / "zhijia.yaml"
    path.parent.mkdir()
    path.write_text(text.replace(OLD_TIER, NEW_TIER), encoding="utf-8")
    return path


def run_cli(source: Path, new: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    figures, done = measured(["diff", "zhijia", str(new), "--facts", str(source), "--format", "json"], ROOT)
    if done.returncode != 0:
        raise SystemExit(f"diff exited {done.returncode}: {done.stderr[-500:]}")
    return figures, json.loads(done.stdout)["impact"]


def mismatches(impact: dict[str, Any], count: int, seed: int, sample: int, old: Version, new: Version) -> tuple[int, list[str]]:
    """The sampled unions compared one by one against what the run reported for them."""
    reported = {union["union"]["id"]: union for union in impact["changed"]}
    decls = merged_declarations(resolve_rulesets(["zhijia"]))
    chosen = set(random.Random(seed + 1).sample(range(count), min(sample, count)))
    evaluator, found, compared = DurableEvaluator(), [], 0
    for index, data in enumerate(province(count, decls, random.Random(seed))):
        if index not in chosen:
            continue
        facts = as_fact_file(data)
        union = compare_unit(Unit(facts.path, facts=facts), old, new, evaluator, None)
        expected = (standing_json(union.old), standing_json(union.new)) if union.level_changed or union.score_changed else None
        got = reported.get(facts.union["id"])
        if expected != ((got["old"], got["new"]) if got else None):
            found.append(f"{facts.union['id']}: 逐个比较 {expected}，批量 {got and (got['old'], got['new'])}")
        compared += 1
    return compared, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        decls = merged_declarations(resolve_rulesets(["zhijia"]))
        source = write_csv(province(args.unions, decls, random.Random(args.seed)), sorted(decls), Path(tmp) / "province.csv")
        new = new_version(Path(tmp))
        figures, impact = run_cli(source, new)
        compared, found = mismatches(impact, args.unions, args.seed, args.sample, load_version("zhijia"), load_version(new))
    print("\n".join(found[:20]))
    moved = sum(1 for union in impact["changed"] if union["level_changed"])
    print(json.dumps({"unions": args.unions, **figures, "assessed": impact["assessed"], "failed": len(impact["failed"]),
                      "level_changed": moved, "score_changed": len(impact["changed"]), "compared": compared, "mismatches": len(found)},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
