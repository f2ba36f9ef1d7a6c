"""Loading rulesets: file → strict YAML → `extends` → schema → build → semantic checks."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..diagnostics import DiagnosticList, Mark, UsageError, fail
from ..language.limits import MAX_CHAIN
from ..language.model import Ruleset
from ..language.yamlload import MarkedDict, load_yaml, mark_at
from .build import Builder
from .checks import semantic_problems
from .extends import resolve
from .salvage import Cuts, salvage
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


def load_raw(path: Path, problems: DiagnosticList) -> MarkedDict:
    """The raw ruleset with every `extends` resolved."""
    return load_chain(path, problems)[0]


def read_file(path: Path) -> MarkedDict:
    """One ruleset file as written (its `extends` not applied)."""
    raw = load_yaml(path)
    if not isinstance(raw, MarkedDict):
        raise fail(Mark(str(path), 1, 1), "schema-type", "规则文件应为映射，至少包含 ruleset 部分")
    refuse_other_keys(raw)
    return raw


def refuse_other_keys(raw: MarkedDict) -> None:
    """Every key of a ruleset is text: a field, an id or a fact path. YAML reads `1:` as a number, `~:` as null
    and `true:` as a boolean; nothing in a ruleset is named so, and the schema's messages and the content hash
    sort keys as text. The usual cause is an expression with commas in a flow mapping, `{when: ratio(a, b) > 1}`."""
    stack: list[Any] = [raw]
    while stack:
        node = stack.pop()
        if isinstance(node, MarkedDict):
            for key in (key for key in node if not isinstance(key, str)):
                message = f"键 “{json.dumps(key)}” 不是文本：规则文件的键是字段名、id 或事实名；在 {{ }} 中写含逗号的表达式要加引号"
                raise fail(node.key_marks[key], "yaml-key", message)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def parent_path(path: Path, spec: str) -> Path | None:
    """The file `extends: spec` names, written in the ruleset file at `path` (a relative path or an id)."""
    target = path.parent / spec if spec.endswith(SUFFIXES) else find_by_id(spec, path.parent)
    return target if target is not None and target.is_file() else None


def load_chain(path: Path, problems: DiagnosticList, chain: tuple[Path, ...] = ()) -> tuple[MarkedDict, tuple[tuple[str, Path], ...]]:
    """The raw ruleset with every `extends` resolved, and the (id, file) of each ruleset it extends, nearest first."""
    raw = read_file(path)
    parents: list[tuple[str, Path]] = []

    def parent(spec: str, mark: Mark) -> MarkedDict:
        if not isinstance(spec, str):
            raise fail(mark, "schema-type", f"extends：应为文本（上级规则集的 id 或 .yaml 文件路径），实际为 “{spec}”")
        target = parent_path(path, spec)
        if target is None:
            raise fail(mark, "extends-unknown", f"找不到 extends 指定的规则集 “{spec}”")
        if target.resolve() in chain + (path.resolve(),):
            raise fail(mark, "extends-cycle", f"extends 形成循环：{' → '.join(p.name for p in chain + (path, target))}")
        if len(chain) >= MAX_CHAIN:
            raise fail(mark, "extends-too-deep", f"extends 层层继承超过 {MAX_CHAIN} 层：{chain[0].name} → … → {path.name} → {target.name}")
        found, above = load_chain(target, problems, chain + (path.resolve(),))
        parents.extend([(header_id(found), target), *above])  # before the child's header is merged in
        return found

    return resolve(raw, parent, problems), tuple(parents)


def header_id(raw: MarkedDict) -> str:
    header = raw.get("ruleset")
    return str(header.get("id", "")) if isinstance(header, dict) else ""


def digest(raw: Any) -> str:
    """Content hash of the resolved ruleset (tests excluded)."""
    content = {k: v for k, v in raw.items() if k != "tests"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_ruleset(path: str | Path) -> Ruleset:
    """Load, validate and compile one ruleset; every problem at once as `InvalidInput`."""
    ruleset, problems = load_checked(Path(path))
    problems.raise_if_errors()
    assert ruleset is not None  # no ruleset comes with an error
    return ruleset


def load_checked(path: Path) -> tuple[Ruleset | None, DiagnosticList]:
    """A ruleset and every problem found on the way: schema errors, then the build's and the semantic
    checks' of what is left once the broken parts are cut (engine/load/salvage.py). The ruleset is None
    only when nothing could be built."""
    problems = DiagnosticList()
    raw, parents = load_chain(path, problems)
    found = validate(raw, "ruleset.schema.json")
    problems.extend(found)
    cuts = salvage(raw) if found else Cuts()
    if cuts is None:
        return None, problems
    builder = Builder(raw, str(path))
    ruleset = builder.build(digest(raw), tuple(ruleset_id for ruleset_id, _ in parents), tuple(str(file) for _, file in parents))
    built = builder.problems.items + semantic_problems(ruleset, mark_at(raw, ("ruleset",)))
    problems.extend([d for d in built if not cuts.hides(d)])
    return ruleset, problems
