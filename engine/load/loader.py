"""Loading rulesets: file → strict YAML → `extends` → schema → build → semantic checks."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..diagnostics import DiagnosticList, Mark, UsageError, fail
from ..language.model import Ruleset
from ..language.yamlload import MarkedDict, load_yaml, mark_at
from .build import Builder
from .checks import semantic_problems
from .extends import resolve
from .schema import validate

SUFFIXES = (".yaml", ".yml")


def bundled_dir() -> Path:
    """Where the bundled rulesets live (override with UNIONSCORE_RULESETS)."""
    configured = os.environ.get("UNIONSCORE_RULESETS")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "rulesets"


def bundled_ids() -> list[str]:
    """Ids of the bundled rulesets, by file name (test files excluded)."""
    return sorted(p.stem for p in bundled_dir().glob("*.yaml") if not p.name.endswith(".tests.yaml"))


def find_by_id(ruleset_id: str, beside: Path | None = None) -> Path | None:
    """A ruleset file by id: first beside another ruleset, then among the bundled ones."""
    for folder in ([beside] if beside else []) + [bundled_dir()]:
        for suffix in SUFFIXES:
            candidate = folder / f"{ruleset_id}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def locate(spec: str | Path) -> Path:
    """A `--ruleset` argument (bundled id or path) as a file path."""
    spec = str(spec)
    if spec.endswith(SUFFIXES) or os.sep in spec:
        return Path(spec)
    found = find_by_id(spec)
    if found is None:
        raise UsageError(f"找不到规则集 “{spec}”：内置规则集有 {'、'.join(bundled_ids())}，也可以给出 YAML 文件路径")
    return found


def load_raw(path: Path, problems: DiagnosticList, chain: tuple[Path, ...] = ()) -> MarkedDict:
    """The raw ruleset with every `extends` resolved."""
    raw = load_yaml(path)
    if not isinstance(raw, MarkedDict):
        raise fail(Mark(str(path), 1, 1), "schema-type", "规则文件应为映射，至少包含 ruleset 部分")

    def parent(spec: str, mark: Mark) -> MarkedDict:
        target = path.parent / spec if spec.endswith(SUFFIXES) else find_by_id(spec, path.parent)
        if target is None or not target.is_file():
            raise fail(mark, "extends-unknown", f"找不到 extends 指定的规则集 “{spec}”")
        if target.resolve() in chain + (path.resolve(),):
            raise fail(mark, "extends-cycle", f"extends 形成循环：{' → '.join(p.name for p in chain + (path, target))}")
        return load_raw(target, problems, chain + (path.resolve(),))

    return resolve(raw, parent, problems)


def digest(raw: Any) -> str:
    """Content hash of the resolved ruleset (tests excluded)."""
    content = {k: v for k, v in raw.items() if k != "tests"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_ruleset(path: str | Path) -> Ruleset:
    """Load, validate and compile one ruleset; every problem at once as `InvalidInput`."""
    path = Path(path)
    problems = DiagnosticList()
    raw = load_raw(path, problems)
    problems.extend(validate(raw, "ruleset.schema.json"))
    problems.raise_if_errors()
    builder = Builder(raw, str(path))
    ruleset = builder.build(digest(raw))
    problems.extend(builder.problems.items)
    problems.extend(semantic_problems(ruleset, mark_at(raw, ("ruleset",))))
    problems.raise_if_errors()
    return ruleset
