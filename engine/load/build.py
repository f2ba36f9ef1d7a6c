"""From schema-valid raw data to a `Ruleset`: compile every expression, collect every diagnostic."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..diagnostics import DiagnosticList, Mark
from ..kinds import CHOSEN_BY_FIELD, FALLBACK, UNCAPPED, Count
from ..language.conditions import Cond, ConditionSet, compile_conditions
from ..language.expr_eval import to_closure
from ..language.expr_parse import ExprSyntaxError, Literal, Name, names_in, parse, written_out
from ..language.expr_types import infer
from ..language.expressions import (
    Expression,
    ExpressionError,
    Fix,
    FixChoice,
    Scope,
    Template,
    TemplateErrors,
    compile_expression,
    compile_template,
    to_source,
)
from ..language.kind import Kind
from ..language.limits import MAX_WRITTEN_OUT
from ..language.model import (
    DEFAULT_OWNER,
    EFFORT_WEIGHTS,
    Bonus,
    Caption,
    Cohort,
    Deduction,
    FactDecl,
    Gate,
    Item,
    Level,
    OwnerRule,
    Requirement,
    Ruleset,
    Section,
    Veto,
)
from ..language.vocabulary import AT_MOST
from ..language.yamlload import MarkedDict, mark_at
from ..values import Fraction, Number, exact, normal

FACT_TYPES = {"integer": "number", "number": "number", "boolean": "boolean", "string": "string", "enum": "string", "date": "date"}
UNION_FIELDS = ("id", "name", "type", "county", "township")
RESULT_FIELDS = {"score": "number", "level": "string", "eligible": "boolean"}
NUMERIC = ("integer", "number")  # the facts `at_most` relates


def fact_type(decl: FactDecl) -> str:
    if decl.type == "list":
        return f"list<{FACT_TYPES.get(decl.items, 'null')}>"
    return FACT_TYPES[decl.type]


class Builder:
    """Builds one ruleset; problems go to `self.problems` and building carries on."""

    def __init__(self, raw: MarkedDict, path: str) -> None:
        self.raw, self.path = raw, path
        self.problems = DiagnosticList()
        self.types: dict[str, str] = {}
        self.uses = tuple(raw.get("uses", ()))
        self.conditions: list[tuple[str, Expression]] = []
        self.value_labels: dict[str, tuple[tuple[str, str], ...]] = {}  # each enum fact's labels, for fix texts
        self.scope = Scope(self.lookup, lambda: sorted(self.types), lambda path: self.value_labels.get(path, ()))
        self.derived: tuple[tuple[str, Expression], ...] = ()
        self.nesting: dict[str, int] = {}  # each derived value's, with the derived values it reads written out
        self.too_deep: set[str] = set()  # derived values refused for it
        self.captions: dict[str, Caption] = {}

    def mark(self, *path: Any, key: bool = False) -> Mark:
        return mark_at(self.raw, path, key=key)

    def lookup(self, path: str) -> str | None:
        if path in self.types:
            return self.types[path]
        parts = path.split(".")
        if parts[0] == "results" and len(parts) >= 3 and self.used(parts[1]):
            if len(parts) == 3:
                return RESULT_FIELDS.get(parts[2])
            return "string" if parts[2] == "items" and parts[-1] == "outcome" and len(parts) >= 5 else None
        return None

    def used(self, name: str) -> str | None:
        return next((u for u in self.uses if u.replace("-", "_") == name or u == name), None)

    # expressions -----------------------------------------------------------------------------
    def compiled(self, value: Any, mark: Mark, want: str | None = None, name: str = "") -> Expression | None:
        """The compiled expression (of the derived value `name`, if one), or None with its diagnostic in `problems`."""
        try:
            expression = compile_expression(value, mark, self.scope, want)
        except ExpressionError as exc:
            self.problems.extend([exc.diagnostic])
            return None
        self.check_nesting(expression, name)
        return expression

    def check_nesting(self, expression: Expression, name: str) -> None:
        """`derive-too-deep`: the expression, with the derived values it reads written out in place, nests more
        than MAX_WRITTEN_OUT levels (everything that walks an expression walks through them). Reported where a
        chain first goes too deep, not again for each value that reads on."""
        depth, through = written_out(expression.node, self.nesting)
        if name:
            self.nesting[name] = depth
        if depth <= MAX_WRITTEN_OUT:
            return
        if not expression.names & self.too_deep:
            what = f"派生值 “{name}” " if name else "表达式"
            self.problems.add(expression.mark, "derive-too-deep", f"{what}经派生值 “{through}” 层层读取其他派生值，展开后嵌套 {depth} 层，"
                              f"超过 {MAX_WRITTEN_OUT} 层：请减少派生值层层引用的层数", len(expression.text))
        if name:
            self.too_deep.add(name)

    def expr(self, value: Any, mark: Mark, want: str | None = None) -> Expression:
        """The compiled expression; a placeholder when it does not compile (the ruleset then never loads)."""
        return self.compiled(value, mark, want) or placeholder(value, mark)

    def cond(self, key: str, value: Any, mark: Mark) -> Cond:
        expression = self.compiled(value, mark, "boolean")
        if expression is None:
            return Cond(-1, placeholder(value, mark))
        self.conditions.append((key, expression))
        return Cond(len(self.conditions) - 1, expression)

    def infer_kind(self, node: Any) -> str:
        return infer(node, self.scope.lookup, self.scope.known)

    # facts and derived values ----------------------------------------------------------------
    def facts(self) -> dict[str, FactDecl]:
        decls = {}
        for name, spec in self.raw.get("facts", {}).items():
            decl = FactDecl(
                name, spec["type"], spec["label"], self.mark("facts", name, key=True), spec.get("unit", ""),
                num(spec.get("min")), num(spec.get("max")), tuple(spec.get("values", ())), spec.get("items", ""),
                spec.get("description", ""), tuple(spec.get("labels", {}).items()), spec.get("change", ""), spec.get("action", ""),
                spec.get("per", ""), spec.get("part_of", ""), spec.get("at_most", ""), spec.get("length", 0), spec.get("past", False),
            )
            self.check_fact(decl)
            decls[name] = decl
            self.types[name] = fact_type(decl)
            self.value_labels[name] = decl.labels if decl.type == "enum" else ()
        for decl in decls.values():
            self.check_references(decl, decls)
        for field in UNION_FIELDS:
            self.types[f"union.{field}"] = "string"
        self.types["period"] = "number"
        return decls

    def check_fact(self, decl: FactDecl) -> None:
        if decl.name == "period" or decl.name.split(".")[0] in ("union", "results"):  # expressions read those, not the fact
            message = f"事实名 “{decl.name}” 已有所指：period 是考核年度，union.… 是工会信息，results.… 是所用规则集的结果；请改用别的事实名"
            self.problems.add(decl.mark, "fact-reserved", message, len(decl.name))
        if decl.type == "enum" and not decl.values:
            self.problems.add(decl.mark, "fact-enum", f"枚举事实 “{decl.name}” 需要用 values 列出可选值")
        for value in sorted({value for value in decl.values if decl.values.count(value) > 1}):  # often a typo for another
            self.problems.add(decl.mark, "fact-enum", f"事实 “{decl.name}” 的 values 中 “{value}” 重复")
        for value, _ in decl.labels:
            if value not in decl.values:
                self.problems.add(decl.mark, "fact-enum", f"事实 “{decl.name}” 的 labels 中 “{value}” 不是 values 中的可选值")
        if decl.type == "list" and not decl.items:
            self.problems.add(decl.mark, "fact-list", f"列表事实 “{decl.name}” 需要用 items 说明元素类型")
        if decl.per and decl.type not in ("integer", "number", "list"):
            self.problems.add(decl.mark, "fact-per", f"事实 “{decl.name}” 不是数值或列表，不能写 per: year：按年度统计、每年重新计数的只有次数、人数等数值")
        if decl.min is not None and decl.max is not None and decl.min > decl.max:
            self.problems.add(decl.mark, "fact-range", f"事实 “{decl.name}” 的 min 大于 max")
        if decl.length and decl.type != "list":
            self.problems.add(decl.mark, "fact-list", f"事实 “{decl.name}” 不是列表，不能写 length：length 是列表的项数（如每季度一项写 4）")
        if decl.past and decl.type != "date":
            self.problems.add(decl.mark, "fact-past", f"事实 “{decl.name}” 不是日期，不能写 past：past 说明一个日期是已发生的事，不能晚于评估日期")
        if decl.unit == "%" and "number" not in (decl.type, decl.items):  # 31 members would be read as 0.31, not whole
            self.problems.add(decl.mark, "fact-unit", f"事实 “{decl.name}” 的单位 % 表示比例（95% 即 0.95），只能用于 number 类型的事实")

    def check_references(self, decl: FactDecl, decls: dict[str, FactDecl]) -> None:
        """`part_of` names another yes/no fact this ruleset declares; `at_most`, of a number, another number."""
        if decl.part_of and not another(decl, decls.get(decl.part_of), ("boolean",)):
            message = f"事实 “{decl.name}” 的 part_of “{decl.part_of}” 应是本规则集声明的另一个是/否事实（如 library.exists）"
            self.problems.add(decl.mark, "fact-reference", message)
        if decl.at_most and not (decl.type in NUMERIC and another(decl, decls.get(decl.at_most), NUMERIC)):
            message = f"事实 “{decl.name}” 的 at_most “{decl.at_most}” 应是本规则集声明的另一个数值事实（如 members），且这个事实本身也是数值"
            self.problems.add(decl.mark, "fact-reference", message)
        elif decl.at_most and AT_MOST.get(decl.name, decl.at_most) != decl.at_most:
            message = f"事实 “{decl.name}” 已固定不能超过 “{AT_MOST[decl.name]}”，一个事实只能有一个 at_most：删去 at_most 或写 {AT_MOST[decl.name]}"
            self.problems.add(decl.mark, "fact-reference", message)

    def derive(self) -> tuple[tuple[str, Expression], ...]:
        """Derived values, each after those it reads (`derive_order`); the long form `{value, label, unit}` also
        gives a caption."""
        derived = []
        specs = self.raw.get("derive", {})
        for name in self.derive_order(specs):
            spec = specs[name]
            if name in self.types:
                self.problems.add(self.mark("derive", name, key=True), "derive-clash", f"派生值 “{name}” 与已声明的事实同名")
                continue
            value, at = (spec["value"], ("derive", name, "value")) if isinstance(spec, dict) else (spec, ("derive", name))
            expression = self.compiled(value, self.mark(*at), name=name)
            if isinstance(spec, dict):
                self.captions[name] = Caption(spec["label"], spec.get("unit", ""))
            if expression is not None:
                derived.append((name, expression))
            self.types[name] = expression.kind if expression is not None else "null"  # what reads a broken one says nothing more
        self.derived = tuple(derived)
        return self.derived

    def derive_order(self, specs: dict[str, Any]) -> list[str]:
        """The derived values as written, except that one read by a value written before it is computed first.
        Values that read each other in a circle cannot be computed: `derive-cycle`, and they (with the values
        reading them) are left out, typed null so that what reads them says nothing more."""
        reads = {name: derive_reads(spec) & specs.keys() for name, spec in specs.items()}
        order: list[str] = []
        waiting = list(specs)
        while waiting:
            ready = next((name for name in waiting if reads[name] <= set(order)), None)
            if ready is None:
                loop = circle(waiting[0], reads, set(order))
                text = " → ".join(f"“{name}”" for name in [*loop, loop[0]])
                self.problems.add(self.mark("derive", loop[0], key=True), "derive-cycle", f"派生值 {text} 互相读取，无法计算：请改写其中一个，不再读取另一个")
                self.types.update(dict.fromkeys(waiting, "null"))
                break
            order.append(ready)
            waiting.remove(ready)
        return order

    # items and sections ----------------------------------------------------------------------
    def item(self, raw: MarkedDict, where: tuple, section: str, owner: str = DEFAULT_OWNER) -> Item:
        key = raw["id"]
        at = lambda *p: self.mark(*where, *p)  # noqa: E731
        fields: dict[str, Any] = {
            "kind": self.kind(raw, at),
            "deduct": self.deductions(key, raw.get("deduct", ()), where),
            "zero_if": self.cond(f"{key}/zero_if", raw["zero_if"], at("zero_if")) if "zero_if" in raw else None,
            "applies_if": self.cond(f"{key}/applies_if", raw["applies_if"], at("applies_if")) if "applies_if" in raw else None,
        }
        fix = raw.get("fix")
        item = Item(
            id=key, name=raw["name"], points=self.points(raw, fields["kind"], section, at), section=section, mark=at(),
            max_deduct=num(raw.get("max_deduct")),
            na=raw.get("na", self.raw["ruleset"].get("na", "full")), required=raw.get("required", False),
            evidence=as_tuple(raw.get("evidence", ())), method=raw.get("method", ""),
            fix=self.fix(fix, at) if fix else None, effort=raw.get("effort", "medium"),
            description=raw.get("description", ""), owner=raw.get("owner", owner), unstated=tuple(raw.get("unstated", ())), **fields,
        )
        return replace(item, reads=self.reads(item))

    def points(self, raw: MarkedDict, kind: Kind, section: str, at: Callable[..., Mark]) -> Number:
        """An item's points; `uncapped` (0 points promised, no cap) only for a counting bonus item."""
        if raw["points"] != UNCAPPED:
            return exact(raw["points"])
        if section != "bonus" or not isinstance(kind, Count):
            self.problems.add(at("points"), "item-uncapped", f"指标 “{raw['id']}” 写了 points: uncapped：只有加分项（bonus）中按 count 计分的指标可以上不封顶")
        return 0

    def reads(self, item: Item) -> tuple[str, ...]:
        """Every name an item's expressions read, with the facts behind derived values."""
        derived = {name: expression.names for name, expression in self.derived}
        pending = set().union(*(e.names for e in item.expressions() if e is not None))
        names: set[str] = set()
        while pending:
            name = pending.pop()
            names.add(name)
            pending |= derived.get(name, frozenset()) - names
        return tuple(sorted(names))

    def kind(self, raw: MarkedDict, at: Callable[..., Mark]) -> Kind:
        """The item's kind, by the field that chooses it (engine/kinds/); only `deduct`: deductions alone."""
        chosen = [kind for kind in CHOSEN_BY_FIELD if kind.key in raw]
        if len(chosen) > 1:
            self.problems.add(at(), "item-kind", f"指标 “{raw['id']}” 同时使用了 {'、'.join(k.key for k in chosen)}，只能选一种计分方式")
        elif not chosen and FALLBACK.key not in raw:
            names = "、".join(kind.key for kind in CHOSEN_BY_FIELD)
            self.problems.add(at(), "item-kind", f"指标 “{raw['id']}” 缺少计分方式：{names} 或 {FALLBACK.key}")
        return (chosen[0] if chosen else FALLBACK).build(raw, at, self)

    def fix(self, raw: str | list, at: Callable[..., Mark]) -> Fix:
        """An item's fix text, or its choice of texts: every option but the last says `when`, the last does not."""
        if isinstance(raw, str):
            return self.template(raw, at("fix"))
        if len(raw) == 1:
            self.problems.add(at("fix", 0), "fix-choice", "fix 列表只有一项：只有一段整改文本时直接写这段文本，不用列表")
        options = []
        for index, option in enumerate(raw):
            last = index == len(raw) - 1
            if ("when" in option) == last:
                message = "fix 的最后一项不写 when（其余情形的整改文本）" if last else "fix 中除最后一项外，每一项都要写 when（这段整改文本适用的情形）"
                self.problems.add(at("fix", index), "fix-choice", message)
            when = self.compiled(option["when"], at("fix", index, "when"), "boolean") if "when" in option else None
            options.append((when, self.template(option["text"], at("fix", index, "text"))))
        return FixChoice(tuple(options))

    def template(self, text: str, mark: Mark) -> Template:
        """The compiled fix text; the text as it stands when it does not compile (the ruleset then never loads,
        and its item is not also reported as having no fix)."""
        try:
            return compile_template(text, mark, self.scope)
        except TemplateErrors as exc:
            self.problems.extend(exc.diagnostics)
            return Template(text, (text,), ())

    def deductions(self, key: str, raws: list, where: tuple) -> tuple[Deduction, ...]:
        return tuple(self.deduction(key, index, raw, where) for index, raw in enumerate(raws))

    def deduction(self, key: str, index: int, raw: MarkedDict, where: tuple) -> Deduction:
        at = (*where, "deduct", index)
        if ("when" in raw) == ("count" in raw) or ("when" in raw and "points" not in raw):
            self.problems.add(self.mark(*at), "deduct-kind", "扣分项应写 {when, points} 或 {count, each} 之一")
        when = self.cond(f"{key}/deduct/{index}", raw["when"], self.mark(*at, "when")) if "when" in raw else None
        count = self.expr(raw["count"], self.mark(*at, "count"), "number") if "count" in raw else None
        fix = self.fix(raw["fix"], lambda *path: self.mark(*at, *path)) if "fix" in raw else None
        if fix is not None and "items" not in where:  # a section's own deduction: its step is no item's
            self.problems.add(self.mark(*at, "fix"), "deduct-fix", "一级指标的扣分项不写 fix：整改文本写在指标或指标的扣分项上")
        return Deduction(raw["name"], exact(raw.get("points", 0)), when, count, exact(raw.get("each", 1)), fix)

    def section(self, raw: MarkedDict, where: tuple, owner: str = DEFAULT_OWNER) -> Section:
        owner = raw.get("owner", owner)
        items = tuple(self.item(item, (*where, "items", i), raw["id"], owner) for i, item in enumerate(raw.get("items", ())))
        subs = tuple(self.section(sub, (*where, "sections", i), owner) for i, sub in enumerate(raw.get("sections", ())))
        deduct = self.deductions(raw["id"], raw.get("deduct", ()), where)
        return Section(raw["id"], raw["name"], exact(raw["max"]), self.mark(*where), items, subs, raw.get("allow_unbalanced", False),
                       deduct, num(raw.get("max_deduct")), owner)

    # bonus, vetoes, gate, levels -------------------------------------------------------------
    def bonus(self) -> Bonus | None:
        raw = self.raw.get("bonus")
        if raw is None:
            return None
        items = tuple(self.item(item, ("bonus", "items", i), "bonus") for i, item in enumerate(raw["items"]))
        return Bonus(None if raw["max"] == UNCAPPED else exact(raw["max"]), items, raw.get("counts_for_level", False))

    def vetoes(self) -> tuple[Veto, ...]:
        vetoes = []
        for index, raw in enumerate(self.raw.get("vetoes", ())):
            when = self.cond(f"veto/{raw['id']}", raw["when"], self.mark("vetoes", index, "when"))
            vetoes.append(Veto(raw["id"], raw["name"], when, raw["effect"], self.mark("vetoes", index), raw.get("cap_level"), raw.get("fix", "")))
        return tuple(vetoes)

    def gate(self) -> Gate | None:
        raw = self.raw.get("gate")
        if raw is None:
            return None
        return Gate(self.cond("gate", raw["when"], self.mark("gate", "when")), raw.get("name", "申报条件"))

    def owners(self) -> tuple[OwnerRule, ...]:
        """Who acts instead of an owner, by the union's facts (checked like any condition; the planner evaluates them)."""
        rules = []
        for index, raw in enumerate(self.raw.get("owners", ())):
            when = self.compiled(raw["when"], self.mark("owners", index, "when"), "boolean")
            rules.append(OwnerRule(raw["owner"], when or placeholder(raw["when"], self.mark("owners", index, "when")),
                                   raw["instead"], self.mark("owners", index, "owner")))
        return tuple(rules)

    def levels(self, item_ids: set[str]) -> tuple[Level, ...]:
        levels = []
        for index, raw in enumerate(self.raw.get("levels", ())):
            requires = tuple(self.requirement(raw["id"], i, text, index, item_ids) for i, text in enumerate(raw.get("requires", ())))
            levels.append(Level(
                raw["id"], raw["name"], exact(raw["min"]), self.mark("levels", index), section_min(raw.get("section_min")),
                requires, raw.get("requires_all_required", False), self.cohort(raw.get("cohort"), index),
            ))
        return tuple(levels)

    def cohort(self, raw: Any, index: int) -> Cohort | None:
        """`cohort: {top: 2 | "10%", per, ties}`; a share is more than 0% and at most 100%."""
        if raw is None:
            return None
        top, per, ties = raw["top"], raw.get("per", "run"), raw.get("ties", "all")
        if isinstance(top, int):
            return Cohort(top, None, per, ties)
        share = normal(Fraction(Decimal(top[:-1])) / 100)
        if not 0 < share <= 1:
            self.problems.add(self.mark("levels", index, "cohort", "top"), "level-cohort", f"cohort 的 top 应在 0% 与 100% 之间（不含 0%），实际为 {top}")
        return Cohort(None, share, per, ties)

    def requirement(self, level: str, index: int, text: Any, at: int, item_ids: set[str]) -> Requirement:
        mark = self.mark("levels", at, "requires", index)
        if isinstance(text, str) and text.strip() in item_ids:
            return Requirement(text, item=text.strip())
        if isinstance(text, str) and looks_like_id(text) and self.lookup(text.strip()) is None:
            self.problems.add(mark, "level-requires-unknown", f"requires 中的 “{text}” 既不是本规则集的指标 id，也不是已声明的名称", len(text))
            return Requirement(str(text))
        return Requirement(str(text), cond=self.cond(f"level/{level}/requires/{index}", text, mark))

    # the whole ruleset -----------------------------------------------------------------------
    def build(self, digest: str = "", lineage: tuple[str, ...] = (), inherited: tuple[str, ...] = ()) -> Ruleset:
        meta = self.raw["ruleset"]
        facts = self.facts()
        derive = self.derive()
        sections = tuple(self.section(s, ("sections", i)) for i, s in enumerate(self.raw.get("sections", ())))
        bonus = self.bonus()
        item_ids = {item.id for s in sections for item in s.all_items()}
        vetoes, gate, levels = self.vetoes(), self.gate(), self.levels(item_ids)
        # with problems the ruleset is never returned: its conditions are not compiled
        conditions = compile_conditions(self.conditions, self.infer_kind) if not self.problems.errors else ConditionSet((), (), ())
        return Ruleset(
            id=meta["id"], name=meta["name"], version=str(meta.get("version", "")), max_score=exact(meta["max_score"]),
            na=meta.get("na", "full"), path=self.path, facts=facts, derive=derive, sections=sections, bonus=bonus,
            vetoes=vetoes, gate=gate, levels=levels, uses=self.uses, conditions=conditions, hash=digest,
            uses_mark=self.mark("uses"), short_name=meta.get("short_name", meta["name"]),
            effort_weights={**EFFORT_WEIGHTS, **meta.get("effort_weights", {})}, captions=self.captions, lineage=lineage, inherited=inherited,
            owners=self.owners(),
        )


def placeholder(value: Any, mark: Mark) -> Expression:
    """Stands in for an expression that did not compile, so building can go on and report the rest."""
    node = Literal(0, 0, None)
    return Expression(str(value), node, "null", mark, frozenset(), to_closure(node))


def looks_like_id(text: str) -> bool:
    try:
        return isinstance(parse(text), Name)
    except Exception:
        return False


def section_min(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: exact(share) for key, share in value.items()}
    return num(value)


def num(value: Any) -> Any:
    return None if value is None else exact(value)


def as_tuple(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def derive_reads(spec: Any) -> set[str]:
    """The names a derived value's expression reads; none when it does not parse (compiling it says why)."""
    value = spec["value"] if isinstance(spec, dict) else spec
    try:
        return names_in(parse(value if isinstance(value, str) else to_source(value)))
    except ExprSyntaxError:
        return set()


def circle(start: str, reads: dict[str, set[str]], done: set[str]) -> list[str]:
    """The values read in a circle reached from `start`, none of them computable: follow what each reads."""
    path = [start]
    while True:
        after = min(reads[path[-1]] - done)
        if after in path:
            return path[path.index(after):]
        path.append(after)


def another(decl: FactDecl, target: FactDecl | None, types: tuple[str, ...]) -> bool:
    """Whether `target` is a declared fact other than `decl`, of one of `types`."""
    return target is not None and target is not decl and target.type in types
