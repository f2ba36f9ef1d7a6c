"""Lint: warnings about rulesets that load, but probably do not grade as their author meant.

`unionscore check` reports every load error and, after them, these warnings (severity
"warning"; `--strict` counts them as errors). Each lint is one function below, named in
`LINTS`; its docstring says what it finds, under its code:

| code | finds |
| --- | --- |
| `tier-dead`, `tier-order` … | what an item's kind warns about itself (engine/kinds/: a tier never reached, tiers out of order) |
| `level-unreachable` | a level no union can get |
| `gate-never` | a gate no union can pass |
| `fact-direction` | a fact a ratio, veto or level requirement reads, declared without `change` |
| `fact-unused`, `derive-unused` | a fact or derived value nothing reads |
| `item-no-fix`, `item-no-evidence` | an item without `fix` or without `evidence` |
| `fix-unread-fact` | a fix text quoting a fact the item's scoring does not read |
| `section-unbalanced` | a section whose children do not add up to its `max` (allowed by `allow_unbalanced`) |
| `id-case` | ids or names that differ only in upper and lower case |
| `label-clash` | a fact label a spreadsheet column cannot be matched by: another fact's, or a union field's (名称, 类型 …) |
| `owner-unknown` | an `owners` rule for an owner nothing in the ruleset has |
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..diagnostics import Diagnostic, InvalidInput, Mark
from ..facts.names import closest
from ..facts.sources import HEADER_WORDS, header_key
from ..language.expr_parse import Call, Name, Node, children, names_in
from ..language.expressions import quoted
from ..language.implication import Constraint, never_holds, shape
from ..language.model import CHAIR, FactDecl, Item, Level, Ruleset
from ..language.vocabulary import OUTCOMES
from ..load.checks import all_sections
from ..load.loader import load_checked
from ..load.rulesets import resolve_rulesets
from ..values import Number, fmt_number
from .ruleset_tests import load_tests

Loaded = dict[str, Ruleset]
UNSURE_AFTER_ERRORS = ("fact-unused",)  # an expression that failed to build reads nothing: its facts would look unused


def warning(mark: Mark, code: str, message: str, span: int = 1) -> Diagnostic:
    return Diagnostic(mark, code, message, "warning", span)


# item kinds ----------------------------------------------------------------------------------
def kind_warnings(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """What only an item's kind can warn about: for tiers, `tier-dead` (a tier first-match never
    reaches) and `tier-order` (a tier that does not give fewer points than the one above it)."""
    for item in ruleset.every_item():
        yield from item.kind.warnings(item.id)


# levels --------------------------------------------------------------------------------------
def unreachable_levels(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`level-unreachable`: a level no union can get, because its `min` is above the highest
    possible score (`max_score`, plus the bonus when `counts_for_level`), because its `requires`
    conditions contradict each other or the facts' declared values (`results.bayou.level == 'dabiao'`
    when bayou has no such level), or because a level above it asks no more and comes first."""
    for index, level in enumerate(ruleset.levels):
        why = above_maximum(ruleset, level) or contradiction(ruleset, level, loaded) or shadowed(ruleset, index)
        if why:
            yield warning(level.mark, "level-unreachable", f"等级 “{level.name}”（{level.id}）无法达到：{why}")


def impossible_gate(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`gate-never`: a gate whose conditions contradict each other or the facts' declared values
    (`members > 1 and members < 1`, `false`): every union would be 不具备申报资格."""
    expression = ruleset.gate.when.expr if ruleset.gate else None
    if expression is not None and never_holds([expression.node], domain(ruleset, [expression.node], loaded)):
        message = f"申报条件 “{quoted(expression.text)}” 不可能成立：每个单位都将“不具备申报资格”，不评定等级"
        yield warning(expression.mark, "gate-never", message)


def highest_score(ruleset: Ruleset) -> Number | None:
    """The most a level can see: max_score, plus what items scored around a target earn above their points,
    plus what the bonus can add when it counts for levels; None (no end) when that bonus is uncapped."""
    top = ruleset.max_score + sum((section.headroom for section in ruleset.sections), 0)
    bonus = ruleset.bonus
    if bonus is None or not bonus.counts_for_level:
        return top
    if any(i.uncapped for i in bonus.items):
        return None if bonus.max is None else top + bonus.max
    return top + bonus.capped(sum((i.points for i in bonus.items), 0))


def above_maximum(ruleset: Ruleset, level: Level) -> str:
    top = highest_score(ruleset)
    return f"min 为 {fmt_number(level.min)}，高于可能的最高分 {fmt_number(top)}" if top is not None and level.min > top else ""


def contradiction(ruleset: Ruleset, level: Level, loaded: Loaded) -> str:
    conditions = [r.cond.expr.node for r in level.requires if r.cond is not None]
    if conditions and never_holds(conditions, domain(ruleset, conditions, loaded)):
        return "requires 中的条件不可能同时成立（" + "；".join(r.text for r in level.requires if r.cond is not None) + "）"
    return ""


def domain(ruleset: Ruleset, nodes: list[Node], loaded: Loaded) -> list[Constraint]:
    """What is known of the values the conditions read: facts' bounds and choices, used results' levels."""
    known: list[Constraint] = []
    for path in sorted({n.path for node in nodes for n in names(node)}):
        subject = shape(Name(0, 0, path))
        decl = ruleset.facts.get(path)
        if decl is not None:
            known += [Constraint(subject, ">=", decl.min)] if decl.min is not None else []
            known += [Constraint(subject, "<=", decl.max)] if decl.max is not None else []
            known += [Constraint(subject, "in", decl.values)] if decl.values else []
        choices = result_choices(ruleset, path, loaded)
        known += [Constraint(subject, "in", choices)] if choices else []
    return known


def result_choices(ruleset: Ruleset, path: str, loaded: Loaded) -> tuple[str, ...]:
    """The values `results.<id>.level` and `results.<id>.items.<item>.outcome` can take."""
    parts = path.split(".")
    used = next((loaded[u] for u in ruleset.uses if u in loaded and parts[1:2] in ([u], [u.replace("-", "_")])), None)
    if parts[0] != "results" or used is None:
        return ()
    if parts[2:] == ["level"]:
        return tuple(level.id for level in used.levels)
    return OUTCOMES if len(parts) > 4 and parts[2] == "items" and parts[-1] == "outcome" else ()


def names(node: Node) -> Iterator[Name]:
    if isinstance(node, Name):
        yield node
    for child in children(node):
        yield from names(child)


def shadowed(ruleset: Ruleset, index: int) -> str:
    """A level above that asks no more, with no `cap` veto that could skip it, is always chosen first."""
    level = ruleset.levels[index]
    ids = [lv.id for lv in ruleset.levels]
    caps = {ids.index(v.cap_level) for v in ruleset.vetoes if v.effect == "cap" and v.cap_level in ids}
    for above, upper in enumerate(ruleset.levels[:index]):
        if asks_no_more(upper, level) and not any(above < cap <= index for cap in caps):
            return f"上面的等级 “{upper.name}” 的条件不比它严格，满足它的单位总是先评为 “{upper.name}”"
    return ""


def asks_no_more(upper: Level, level: Level) -> bool:
    """Whether every union `level` takes would take `upper` first; a cohort level also asks for a rank, and the
    unions it does not choose go on to the levels below (「其余 27 分以上为先进」)."""
    return (upper.cohort is None and upper.min <= level.min and {r.text for r in upper.requires} <= {r.text for r in level.requires}
            and upper.section_min in (None, level.section_min)
            and (level.requires_all_required or not upper.requires_all_required))


# what is read --------------------------------------------------------------------------------
def behind(found: Iterable[str], ruleset: Ruleset) -> set[str]:
    """The names, with every name behind the derived values among them."""
    derived = {name: expression.names for name, expression in ruleset.derive}
    pending, seen = set(found), set()
    while pending:
        name = pending.pop()
        seen.add(name)
        pending |= derived.get(name, frozenset()) - seen
    return seen


def read_names(ruleset: Ruleset) -> set[str]:
    """Every name the ruleset's items, fix texts, vetoes, gate and levels read, derived ones traced."""
    derive = {id(expression) for _, expression in ruleset.derive}
    roots = [name for e in ruleset.expressions() if id(e) not in derive for name in e.names]
    return behind(roots, ruleset)


def undirected_facts(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`fact-direction`: a fact that a ratio, a veto or a level requirement reads (directly or through
    derived values) but whose `change` is not declared. Plans move facts only in their direction,
    and the default (up) is wrong for what already happened (an accident) or what a union does not
    decide (its headcount): a ratio's sides and a veto's facts must say it."""
    sensitive: dict[str, str] = {}
    read = read_names(ruleset)
    for expression in [e for n, e in ruleset.derive if n in read] + [e for item in ruleset.every_item() for e in item.expressions()]:
        for call in ratio_calls(expression.node):
            sensitive.update(dict.fromkeys(behind(set().union(*(names_in(a) for a in call.args)), ruleset) - set(sensitive), "比率"))
    for veto in ruleset.vetoes:
        sensitive.update(dict.fromkeys(behind(veto.when.expr.names, ruleset) - set(sensitive), f"否决项“{veto.name}”"))
    for level in ruleset.levels:
        for cond in (r.cond for r in level.requires if r.cond is not None):
            sensitive.update(dict.fromkeys(behind(cond.expr.names, ruleset) - set(sensitive), f"等级“{level.name}”的条件"))
    for name, reader in sensitive.items():
        decl = ruleset.facts.get(name)
        if decl is not None and not decl.change:
            message = (f"事实 “{name}”（{decl.label}）被{reader}读取，但没有写 change：整改规划会按缺省的 up 只增不减；"
                       "请写明 up（只能增加）、down（只能减少）或 none（不能改变，如职工人数、本年度已发生的事故）")
            yield warning(decl.mark, "fact-direction", message, len(name))


def ratio_calls(node: Node) -> Iterator[Call]:
    if isinstance(node, Call) and node.func == "ratio":
        yield node
    for child in children(node):
        yield from ratio_calls(child)


def unused_facts(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`fact-unused` / `derive-unused`: a declared fact or derived value that no item, fix text,
    veto, gate or level reads (directly or through derived values). Unused facts still appear
    in templates and are still checked in every fact file."""
    read = read_names(ruleset)
    for name, decl in ruleset.facts.items():
        if name not in read:
            yield warning(decl.mark, "fact-unused", f"事实 “{name}”（{decl.label}）已声明，但没有任何指标、否决项、申报条件或等级读取它", len(name))
    for name, expression in ruleset.derive:
        if name not in read:
            yield warning(expression.mark, "derive-unused", f"派生值 “{name}” 没有被读取", len(expression.text))


# items ---------------------------------------------------------------------------------------
def item_guidance(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`item-no-fix` / `item-no-evidence`: every item should say how to fix a gap (`fix`) and which
    台账 prove it (`evidence`); without them a union's report says only 「对照要求进行整改」. Not asked:
    what the item marks as absent from its source table (`unstated: [fix, evidence]`), and a fix for a bonus
    item (missing a bonus is no gap to put right)."""
    hint = "；考核表原文没有的，写 unstated: [fix] 或 [evidence] 说明"
    for item in ruleset.every_item():
        if item.fix is None and "fix" not in item.unstated and item.section != "bonus":
            yield warning(item.mark, "item-no-fix", f"指标 “{item.id}” 没有 fix（整改措施）{hint}")
        if not item.evidence and "evidence" not in item.unstated:
            yield warning(item.mark, "item-no-evidence", f"指标 “{item.id}” 没有 evidence（需准备的台账资料）{hint}")


def fix_reads(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`fix-unread-fact`: a fix text (the item's or a deduction's) quotes a fact that the item's own scoring does not read
    (derived values count through their facts). The item is not `missing` when that fact is
    absent, so the union would not see the clause quoting it (or, if every clause quotes an absent
    value, would read 「（无数据）」)."""
    for item in ruleset.every_item():
        reported: set[str] = set()
        texts = [*(item.fix.parts if item.fix else ()), *(p for d in item.deduct if d.fix for p in d.fix.parts)]
        for part in (p for p in texts if not isinstance(p, str)):  # what the texts show; a choice's `when` may read anything
            for node in names(part.node):
                unread = sorted(behind([node.path], ruleset) & set(ruleset.facts) - set(item.reads) - reported)
                reported |= set(unread)
                if unread:
                    yield warning(part.mark.shifted(node.offset), "fix-unread-fact", unread_message(item, node.path, unread, ruleset), node.length)


def unread_message(item: Item, quoted: str, unread: list[str], ruleset: Ruleset) -> str:
    labels = "、".join(f"“{ruleset.facts[n].label}”（{n}）" for n in unread)
    via = "" if unread == [quoted] else f"的 “{quoted}” 依赖"
    return f"指标 “{item.id}” 的整改文本引用{via}{labels}，而该指标计分时不读取：缺少这项资料的单位看不到整改措施中引用它的那一句"


# sections and ids ----------------------------------------------------------------------------
def unbalanced_sections(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`section-unbalanced`: a section whose children's points do not add up to its `max`; it
    loads only because of `allow_unbalanced: true`, so the warning keeps it visible."""
    for section in all_sections(ruleset.sections):
        total = sum((i.points for i in section.items), 0) + sum((s.max for s in section.sections), 0)
        if section.allow_unbalanced and total != section.max:
            message = f"分项 “{section.name}”（{section.id}）满分 {fmt_number(section.max)}，下级合计 {fmt_number(total)}（allow_unbalanced）"
            yield warning(section.mark, "section-unbalanced", message)


def case_clashes(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`id-case`: ids (sections, items, vetoes; levels; facts and derived values) that differ
    only in upper and lower case, an easy slip when one is referenced."""
    groups = [
        [(s.id, s.mark) for s in all_sections(ruleset.sections)] + [(i.id, i.mark) for i in ruleset.every_item()]
        + [(v.id, v.mark) for v in ruleset.vetoes],
        [(level.id, level.mark) for level in ruleset.levels],
        [(d.name, d.mark) for d in ruleset.facts.values()] + [(n, e.mark) for n, e in ruleset.derive],
    ]
    for group in groups:
        first: dict[str, tuple[str, Mark]] = {}
        for key, mark in group:
            seen = first.setdefault(key.lower(), (key, mark))
            if seen[0] != key:
                yield warning(mark, "id-case", f"“{key}” 与第 {seen[1].line} 行的 “{seen[0]}” 只有大小写不同", len(key))


def label_clashes(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`label-clash`: a fact label read as the same spreadsheet header as an earlier fact's label, or as a union
    field's (名称, 类型, 乡镇 …): a column headed by it is ignored, or read as the union's field, never as the fact."""
    union_words = {header_key(word) for words in HEADER_WORDS.values() for word in words}
    first: dict[str, FactDecl] = {}
    for decl in ruleset.facts.values():
        key = header_key(decl.label)
        seen = first.setdefault(key, decl)
        if key in union_words:
            why = "是表格中工会信息的表头，以它为表头的列读作工会信息"
        elif seen is not decl:
            why = f"与第 {seen.mark.line} 行的事实 “{seen.name}” 相同，以它为表头的列无法对应，会被忽略"
        else:
            continue
        yield warning(decl.mark, "label-clash", f"事实 “{decl.name}” 的名称 “{decl.label}” {why}；请改用别的名称", len(decl.name))


def unknown_owners(ruleset: Ruleset, loaded: Loaded) -> Iterator[Diagnostic]:
    """`owner-unknown`: an `owners` rule for an owner no item, section, veto or the gate has (an owner written
    「甲、乙」 has both): the rule is never used, most likely a misspelt owner."""
    owners = [item.owner for item in ruleset.every_item()] + [section.owner for section in ruleset.all_sections()]
    known = {part for owner in owners + [CHAIR] for part in owner.split("、")}
    for rule in ruleset.owners:
        if rule.owner not in known:
            near = next((owner for owner in sorted(known) if rule.owner in owner), None) or closest(rule.owner, known)  # 工会办公室（专职…）
            hint = f"（是否指 “{near}”？）" if near else ""
            yield warning(rule.mark, "owner-unknown", f"owners 中的 “{rule.owner}” 不是任何指标、分项的责任人，这一条不会用上{hint}", len(rule.owner))


LINTS: tuple[Callable[[Ruleset, Loaded], Iterator[Diagnostic]], ...] = (
    kind_warnings, unreachable_levels, impossible_gate, undirected_facts, unused_facts, item_guidance, fix_reads, unbalanced_sections, case_clashes,
    label_clashes, unknown_owners,
)


def lint(ruleset: Ruleset, loaded: Loaded) -> list[Diagnostic]:
    """Every lint warning of a ruleset that loaded; `loaded` holds the rulesets it `uses`, by id."""
    found = [located(d, ruleset) for check in LINTS for d in check(ruleset, loaded)]
    return sorted(found, key=Diagnostic.sort_key)


def located(diagnostic: Diagnostic, ruleset: Ruleset) -> Diagnostic:
    """A warning found in an inherited part (`extends`) names the ruleset that inherits it."""
    if Path(diagnostic.mark.file).resolve() == Path(ruleset.path).resolve():
        return diagnostic
    return replace(diagnostic, message=f"{diagnostic.message}（规则集 {ruleset.id}）")


# the check command ---------------------------------------------------------------------------
def check_file(path: Path) -> list[Diagnostic]:
    """Every problem of a ruleset file in one pass: its load errors (schema, build, semantic, checked
    with what it `uses`), the errors of its tests and its lint warnings. A file with errors is still
    linted as far as it could be built (engine/load/salvage.py)."""
    try:
        rulesets = resolve_rulesets([str(path)])
    except InvalidInput as exc:
        return exc.diagnostics + salvaged_lint(path)
    target = next(r for r in rulesets if Path(r.path).resolve() == path.resolve())
    loaded = {r.id: r for r in rulesets}
    try:
        load_tests(target)
    except InvalidInput as exc:
        return exc.diagnostics + lint(target, loaded)
    return lint(target, loaded)


def salvaged_lint(path: Path) -> list[Diagnostic]:
    """The warnings of what could be built of a file that did not load; none when it does not even parse
    (its syntax error, or that of a file it uses, is already the load error)."""
    try:
        target, _ = load_checked(path)
    except InvalidInput:
        return []
    found = lint(target, {target.id: target}) if target else []
    return [d for d in found if d.code not in UNSURE_AFTER_ERRORS]


def strict(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """`--strict`: warnings count as errors."""
    return [replace(d, severity="error") for d in diagnostics]


def summary(files: int, diagnostics: Iterable[Diagnostic]) -> str:
    """「检查了 4 个规则集：0 个错误，2 个警告」."""
    found = list(diagnostics)
    errors = sum(d.severity == "error" for d in found)
    return f"检查了 {files} 个规则集：{errors} 个错误，{len(found) - errors} 个警告"
