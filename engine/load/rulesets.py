"""Choosing the rulesets of a run: by id or path, with every `uses` resolved and ordered first."""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..diagnostics import DiagnosticList, Mark, UsageError
from ..language.expr_parse import Call, Compare, ListLit, Literal, Name, Node, children
from ..language.limits import MAX_CHAIN
from ..language.model import FactDecl, Ruleset
from .loader import bundled_dir, bundled_ids, find_by_id, load_ruleset, locate


def resolve_rulesets(specs: list[str | Path] | tuple[str | Path, ...] = ()) -> list[Ruleset]:
    """The requested rulesets (all bundled ones when none), plus what they use, dependencies first."""
    paths = [locate(spec) for spec in specs] if specs else [bundled_dir() / f"{i}.yaml" for i in bundled_ids()]
    loaded: dict[str, Ruleset] = {}
    for path in paths:
        ruleset = load_ruleset(path)
        if ruleset.id in loaded and Path(loaded[ruleset.id].path).resolve() != path.resolve():
            raise UsageError(f"规则集 id “{ruleset.id}” 重复：{loaded[ruleset.id].path} 与 {path}")
        loaded[ruleset.id] = ruleset
    problems = DiagnosticList()
    pending = list(loaded.values())
    while pending:
        ruleset = pending.pop()
        for used in ruleset.uses:
            if used not in loaded:
                found = find_by_id(used, Path(ruleset.path).parent)
                if found is None:
                    problems.add(ruleset.uses_mark or Mark(ruleset.path), "uses-unknown", f"找不到 uses 引用的规则集 “{used}”")
                    continue
                loaded[used] = load_ruleset(found)
                pending.append(loaded[used])
    problems.raise_if_errors()
    check_vocabulary(loaded.values(), problems)
    for ruleset in loaded.values():
        check_references(ruleset, loaded, problems)
    problems.raise_if_errors()
    return ordered(loaded, problems)


def check_references(ruleset: Ruleset, loaded: dict[str, Ruleset], problems: DiagnosticList) -> None:
    """`passed('id', 'item')` and `results.id.items.item.outcome` must name a used ruleset's item."""
    for expression in ruleset.expressions():
        for used, item, node in item_references(expression.node):
            target = used_ruleset(ruleset, used, loaded)
            mark = expression.mark.shifted(node.offset)
            if target is None:
                problems.add(mark, "uses-missing", f"引用的规则集 “{used}” 不在本规则集的 uses 中", node.length)
            elif target.item(item) is None:
                problems.add(mark, "uses-unknown-item", f"规则集 “{target.id}” 中没有指标 “{item}”", node.length)
        for used, level, node in level_references(expression.node):
            target = used_ruleset(ruleset, used, loaded)
            if target is not None and target.level(level) is None:
                message = f"“{level}” 不是规则集 “{target.id}” 的等级 id{level_hint(target, level)}"
                problems.add(expression.mark.shifted(node.offset), "uses-unknown-level", message, node.length)


def used_ruleset(ruleset: Ruleset, used: str, loaded: dict[str, Ruleset]) -> Ruleset | None:
    """The ruleset `uses` names as `used` (a hyphenated id is written with `_` in paths); None if it names none."""
    return next((loaded[u] for u in ruleset.uses if used in (u, u.replace("-", "_"))), None)


def level_hint(target: Ruleset, level: str) -> str:
    """「，是否应为 “dabiao”？」, or for a level's name, its id; else the ids there are."""
    ids = [known.id for known in target.levels]
    named = next((known.id for known in target.levels if known.name == level), None)
    close = difflib.get_close_matches(level, ids, n=1, cutoff=0.5)
    return f"：这是等级名称，比较时写它的 id “{named}”" if named else f"，是否应为 “{close[0]}”？" if close else f"（等级 id 为 {'、'.join(ids)}）"


def level_references(node: Node) -> Iterator[tuple[str, str, Node]]:
    """(ruleset id, level id, the literal's node) for each text compared with a used ruleset's level:
    `results.bayou.level == 'dabiao'`, `results.zhijia.level in ['model', 'advanced']`."""
    if isinstance(node, Compare):
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(side, Name) and side.path.startswith("results.") and side.path.endswith(".level") and side.path.count(".") == 2:
                for literal in other.items if isinstance(other, ListLit) else (other,):
                    if isinstance(literal, Literal) and isinstance(literal.value, str):
                        yield side.path.split(".")[1], literal.value, literal
    for child in children(node):
        yield from level_references(child)


def item_references(node: Node) -> Iterator[tuple[str, str, Node]]:
    """(ruleset id, item id, node) for every reference to another ruleset's item."""
    if isinstance(node, Call) and node.func == "passed" and len(node.args) == 2:
        used, item = node.args
        if isinstance(used, Literal) and isinstance(item, Literal):  # checked by the type checker at load
            yield str(used.value), str(item.value), node
    if isinstance(node, Name) and node.path.startswith("results.") and ".items." in node.path:
        head, _, rest = node.path.partition(".items.")
        yield head.split(".")[1], rest.removesuffix(".outcome"), node
    for child in children(node):
        yield from item_references(child)


def check_vocabulary(rulesets: Iterable[Ruleset], problems: DiagnosticList) -> None:
    """One fact file serves every ruleset of a run, so a fact must mean the same in each."""
    first: dict[str, FactDecl] = {}
    for ruleset in rulesets:
        for name, decl in ruleset.facts.items():
            seen = first.setdefault(name, decl)
            if fact_spec(seen) != fact_spec(decl):
                message = f"事实 “{name}” 的声明与 {seen.mark} 处不一致（类型、取值范围或可选值）：同时使用的规则集须共用同一套事实"
                problems.add(decl.mark, "fact-conflict", message, len(name))
    problems.raise_if_errors()


def fact_spec(decl: FactDecl) -> tuple:
    return (decl.type, decl.min, decl.max, decl.values, decl.items, decl.direction)


def ordered(loaded: dict[str, Ruleset], problems: DiagnosticList) -> list[Ruleset]:
    """Depth-first order so that every ruleset comes after the ones it uses; cycles are errors."""
    done: list[Ruleset] = []
    state: dict[str, str] = {}

    def visit(ruleset: Ruleset, chain: tuple[str, ...]) -> None:
        if state.get(ruleset.id) == "done":
            return
        if state.get(ruleset.id) == "active":
            problems.add(ruleset.uses_mark or Mark(ruleset.path), "uses-cycle", f"uses 形成循环：{' → '.join(chain + (ruleset.id,))}")
            return
        if len(chain) > MAX_CHAIN:  # told once, at the uses that goes one too deep
            user = loaded[chain[-1]]
            message = f"uses 层层引用超过 {MAX_CHAIN} 层：{chain[0]} → … → {user.id} → {ruleset.id}"
            problems.add(user.uses_mark or Mark(user.path), "uses-too-deep", message)
            problems.raise_if_errors()
        state[ruleset.id] = "active"
        for used in ruleset.uses:
            visit(loaded[used], chain + (ruleset.id,))
        state[ruleset.id] = "done"
        done.append(ruleset)

    for ruleset in loaded.values():
        visit(ruleset, ())
    problems.raise_if_errors()
    return done


def requested(rulesets: list[Ruleset], specs: list[str]) -> list[Ruleset]:
    """The rulesets named by id or path among the resolved ones (all of them when none are named)."""
    if not specs:
        return rulesets
    paths = {Path(spec).resolve() for spec in specs}
    chosen = [r for r in rulesets if r.id in specs or Path(r.path).resolve() in paths]
    return chosen or rulesets
