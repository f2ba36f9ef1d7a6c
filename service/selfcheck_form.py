"""The self-check form of a round, generated from its rulesets' fact declarations.

The fields are grouped as a union keeps its 台账: the round's rulesets in order, their sections in
order, and in each section the facts its items read (declaration order within an item). A fact
appears once, in the first section that reads it; facts no item reads (the gate's, the vetoes')
come last. Each field is shown as people fill it in: 是/否 and enum labels as drop-downs, dates
as date inputs, a per-quarter list as four inputs; numbers are text, so 「42人」 and 「95%」 read
as in a spreadsheet. The values are checked by the engine (service.grading), never here: a value
the engine cannot read is shown again as typed, with the engine's message beside it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.http import QueryDict

from engine.authoring.lint import read_names
from engine.facts.cells import CellError, read_cell
from engine.facts.fact_file import merged_declarations
from engine.facts.fact_schema import labelled
from engine.language.model import FactDecl, Item, Ruleset

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
QUARTERLY = "各季度"  # the label of a per-quarter list: 各季度工会委员会会议次数
BLANK_CHOICE = ("", "未填/无资料")
YES_NO = (("true", "是"), ("false", "否"))
OTHERS = "其他事项"
NOT_FILLED = "未填"


@dataclass(frozen=True, slots=True)
class Group:
    """A part of the form: a section of a standard and the facts it is the first to read."""

    title: str
    standard: str
    facts: tuple[FactDecl, ...]


@dataclass(frozen=True, slots=True)
class Part:
    """One input of a list fact (a quarter, or one element)."""

    label: str
    value: str
    id: str


@dataclass(frozen=True, slots=True)
class Field:
    """One fact as the form shows it: its input(s), help, value and the engine's problems."""

    decl: FactDecl
    widget: str  # yesno | choice | date | quarters | list | text
    value: str = ""
    parts: tuple[Part, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()
    shown: str = NOT_FILLED

    @property
    def name(self) -> str:
        return self.decl.name

    @property
    def id(self) -> str:
        return field_id(self.decl.name)

    @property
    def suffix(self) -> str:
        """The unit after the input; a percentage carries its own 「%」."""
        return "" if self.decl.unit == "%" else self.decl.unit

    @property
    def inputmode(self) -> str:
        return {"integer": "numeric", "number": "decimal"}.get(self.decl.type if self.decl.type != "list" else self.decl.items, "text")

    @property
    def help(self) -> str:
        return help_text(self.decl, self.widget)


@dataclass(frozen=True, slots=True)
class BoundGroup:
    title: str
    standard: str
    fields: tuple[Field, ...]
    idle: bool = False  # read by no standard that applies to the union: folded away, with a note that it may stay blank

    @property
    def problem_count(self) -> int:
        return sum(1 for f in self.fields if f.problems)


# the layout --------------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def layout(rulesets: tuple[Ruleset, ...]) -> tuple[Group, ...]:
    """The form's groups for these rulesets (in the round's order), each fact once."""
    decls = merged_declarations(rulesets)
    order = {name: index for index, name in enumerate(decls)}
    seen: set[str] = set()
    groups: list[Group] = []
    for ruleset in rulesets:
        standard = ruleset.short_name or ruleset.name
        parts = [(s.name, s.all_items()) for s in ruleset.sections]
        if ruleset.bonus and ruleset.bonus.items:
            parts.append(("加分项", list(ruleset.bonus.items)))
        for title, items in parts:
            fresh = first_read(items, order, seen)
            if fresh:
                groups.append(Group(title, standard, tuple(decls[name] for name in fresh)))
    rest = tuple(decl for name, decl in decls.items() if name not in seen)
    return (*groups, Group(OTHERS, "", rest)) if rest else tuple(groups)


def first_read(items: Iterable[Item], order: dict[str, int], seen: set[str]) -> list[str]:
    """The declared facts these items read that no earlier section read (marked as seen)."""
    fresh: list[str] = []
    for item in items:
        for name in sorted((n for n in item.reads if n in order and n not in seen), key=order.__getitem__):
            seen.add(name)
            fresh.append(name)
    return fresh


def field_id(name: str) -> str:
    """The HTML id of a fact's input (problem links point at it): f-committee-elected."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def widget_of(decl: FactDecl) -> str:
    if decl.type == "list":
        return "quarters" if decl.label.startswith(QUARTERLY) else "list"
    return {"boolean": "yesno", "enum": "choice", "date": "date"}.get(decl.type, "text")


def help_text(decl: FactDecl, widget: str) -> str:
    """The description, unless the input already says it (enum codes, quarters), and how to write the value."""
    notes = [] if redundant(decl, widget) else [decl.description]
    if decl.unit == "%":
        notes.append("填百分比，如 95%（也可填 0.95）")
    elif decl.type == "integer" and decl.max is not None:
        notes.append(f"填 {decl.min if decl.min is not None else 0}～{decl.max} 的整数")
    return "；".join(note for note in notes if note)


def redundant(decl: FactDecl, widget: str) -> bool:
    """A description that only lists an enum's codes, or says to fill four quarters in order."""
    if widget == "choice":
        return all(value in decl.description for value in decl.values)
    return widget == "quarters"


# values in and out -----------------------------------------------------------------------------
def bind(groups: Sequence[Group], facts: dict[str, Any], problems: Iterable[dict[str, str]]) -> tuple[list[BoundGroup], list[str]]:
    """The groups with values and problems; the problems that belong to no field, apart. A problem across facts
    (会员人数 above 职工人数) stands at each fact it names, so a folded group holding one of them opens."""
    by_field: dict[str, list[str]] = {}
    labels = {d.name: d.label for g in groups for d in g.facts}
    for problem in problems:
        field, message = problem.get("field", ""), problem.get("message", "")
        named = [name for name, label in labels.items() if name != field and labelled(name, label) in message]
        for name in ([field] if field in labels or not named else []) + named:
            by_field.setdefault(name, []).append(plain(message, labels))
    bound = [BoundGroup(g.title, g.standard, tuple(field_of(d, facts.get(d.name), by_field.pop(d.name, []))
                                                   for d in g.facts)) for g in groups]
    return bound, [message for messages in by_field.values() for message in messages]


def problem_lines(groups: Sequence[Group], problems: Iterable[dict[str, str]]) -> int:
    """How many lines the pages' list of problems has (`bind`): a problem across facts stands at each fact it names, so it
    is counted at each, and the count said above the list is the lines below it."""
    bound, general = bind(groups, {}, problems)
    return sum(len(f.problems) for g in bound for f in g.fields) + len(general)


def unanswered(groups: Sequence[Group], facts: dict[str, Any], result: dict[str, Any] | None) -> list[tuple[Group, tuple[FactDecl, ...]]]:
    """The facts left blank that the result lacks, by the form's parts: those an item of a standard that applies to the
    union scores 无资料不得分 (outcome "missing"), and those of 其他事项, which decide whether a standard applies and
    whether a veto holds (a standard whose gate lacks its facts does not apply, a veto lacking its facts is not
    counted). A blank the result does not need (藏书 where there is no 书屋, a standard that does not apply) is none."""
    lacking = {name for r in (result or {}).get("results", []) if r.get("applies", True)
               for item in [*r.get("items", []), *r.get("bonus_items", [])] if item.get("outcome") == "missing"
               for name, value in item.get("facts", {}).items() if value is None}
    found = [(g, tuple(d for d in g.facts if d.name not in facts and (d.name in lacking or g.title == OTHERS))) for g in groups]
    return [(g, decls) for g, decls in found if decls]


def fold_idle(groups: Sequence[BoundGroup], rulesets: Iterable[Ruleset], result: dict[str, Any] | None) -> list[BoundGroup]:
    """The groups, with those marked idle whose facts no standard reads (its items, fix texts, vetoes, gate or
    levels) that applies to the union by its latest result (a 工会小组 is graded by 八有 alone): never 其他事项
    (the facts that decide what applies), nor a group with a problem. Without a result, nothing is idle."""
    if result is None:
        return list(groups)
    applying = {r["ruleset"]["id"] for r in result.get("results", []) if r.get("applies", True)}
    read = set().union(*(read_names(ruleset) for ruleset in rulesets if ruleset.id in applying))  # vetoes, gates and levels too
    return [replace(g, idle=bool(g.standard) and not g.problem_count and all(f.name not in read for f in g.fields))
            for g in groups]


def field_of(decl: FactDecl, raw: Any, problems: list[str]) -> Field:
    widget = widget_of(decl)
    shown = shown_value(decl, raw)
    messages = tuple(own_message(decl, message) for message in problems)
    if widget in ("yesno", "choice"):
        value = choice_value(decl, raw)
        return Field(decl, widget, value, choices=choices(decl, value), problems=messages, shown=shown)
    if widget in ("quarters", "list"):
        return Field(decl, widget, parts=list_parts(decl, raw, widget), problems=messages, shown=shown)
    if widget == "date" and raw not in (None, "") and date_value(decl, raw) is None:
        widget = "text"  # a value the date input cannot hold is shown as typed, to be corrected
    return Field(decl, widget, date_value(decl, raw) or input_text(decl, raw), problems=messages, shown=shown)


def plain(message: str, labels: dict[str, str]) -> str:
    """The engine's message with each fact named by its label alone: 「会员人数 12 大于职工人数 10」, not
    「会员人数（members）12 大于职工人数（employees）10」. The form shows labels; a fact file's names mean nothing there."""
    for name, label in labels.items():
        named = labelled(name, label)
        if named in message:
            message = re.sub(re.escape(named) + r"(?=[0-9A-Za-z+-])", label + " ", message).replace(named, label)
    return message


def own_message(decl: FactDecl, message: str) -> str:
    """The message (`plain`) without the fact's label, which stands beside it already."""
    return message.removeprefix(decl.label).removeprefix("：").strip() or message


def read(decl: FactDecl, raw: Any) -> Any:
    try:
        return read_cell(raw, decl)
    except CellError:
        return None


def choice_value(decl: FactDecl, raw: Any) -> str:
    """The selected option: true/false, an enum code, or the raw text when the engine cannot read it."""
    if raw in (None, ""):
        return ""
    value = read(decl, raw)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if value is not None else str(raw)


def choices(decl: FactDecl, value: str) -> tuple[tuple[str, str], ...]:
    known = YES_NO if decl.type == "boolean" else tuple((v, decl.shown(v)) for v in decl.values)
    stray = () if value in ("", *(v for v, _ in known)) else ((value, f"{value}（无法识别）"),)
    return (BLANK_CHOICE, *known, *stray)


def date_value(decl: FactDecl, raw: Any) -> str | None:
    value = read(decl, raw) if raw not in (None, "") else None
    return value.isoformat() if isinstance(value, dt.date) else None


def input_text(decl: FactDecl, raw: Any) -> str:
    """A value as the text input shows it: a percentage as 95%, numbers without a trailing .0."""
    if raw is None:
        return ""
    if decl.unit == "%":
        value = read(decl, raw)
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return percent(value)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def percent(value: int | Decimal) -> str:
    return f"{format((Decimal(value) * 100).normalize(), 'f')}%"


def list_parts(decl: FactDecl, raw: Any, widget: str) -> tuple[Part, ...]:
    """A list's inputs: the four quarters, or each element and two blank ones to add more."""
    values = [input_text(decl, item) for item in raw] if isinstance(raw, list) else ([str(raw)] if raw not in (None, "") else [])
    count = max(len(values), 4) if widget == "quarters" else len(values) + 2
    values += [""] * (count - len(values))
    labels = [QUARTERS[i] if widget == "quarters" and i < 4 else f"第 {i + 1} 项" for i in range(count)]
    base = field_id(decl.name)
    return tuple(Part(label, value, f"{base}-{i}") for i, (label, value) in enumerate(zip(labels, values)))


def shown_value(decl: FactDecl, raw: Any) -> str:
    """A value as the read-only view shows it: 是/否, the enum's label, a quarter by quarter list, with units."""
    if raw in (None, "", []):
        return NOT_FILLED
    if isinstance(raw, list):
        widget = widget_of(decl)
        each = element(decl)
        items = [f"{QUARTERS[i]} {shown_scalar(each, v)}" if widget == "quarters" and i < 4 else shown_scalar(each, v)
                 for i, v in enumerate(raw)]
        return "；".join(items)
    return shown_scalar(decl, raw)


def element(decl: FactDecl) -> FactDecl:
    """A list's element as a fact of its own (its item type, the list's unit)."""
    return replace(decl, type=decl.items or "string", items="")


def shown_scalar(decl: FactDecl, raw: Any) -> str:
    value = read(decl, raw)
    if isinstance(value, bool):
        return "是" if value else "否"
    if decl.type == "enum" and value is not None:
        return decl.shown(str(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, Decimal)) and decl.unit != "%":  # 「40人」 and 「40」 alike: 「40 人」
        return f"{input_text(decl, value)} {decl.unit}".strip()
    return input_text(decl, raw)


def document(groups: Sequence[Group], data: QueryDict) -> dict[str, Any]:
    """The fact document a posted form holds: blank inputs are left out (the fact is then missing)."""
    facts: dict[str, Any] = {}
    for group in groups:
        for decl in group.facts:
            value = posted(decl, data)
            if value is not None:
                facts[decl.name] = value
    return {"facts": facts}


def posted(decl: FactDecl, data: QueryDict) -> Any:
    widget = widget_of(decl)
    if widget in ("quarters", "list"):
        values = [value.strip() for value in data.getlist(decl.name)]
        if widget == "list":
            values = [value for value in values if value]
        return values if any(values) else None
    text = (data.get(decl.name) or "").strip()
    if widget == "yesno" and text in ("true", "false"):
        return text == "true"
    return text or None


def changed(groups: Sequence[Group], facts: dict[str, Any], data: QueryDict) -> dict[str, Any]:
    """The facts whose posted value differs from `facts`, the ones the form showed (None: left blank)."""
    found: dict[str, Any] = {}
    for group in groups:
        for decl in group.facts:
            value = posted(decl, data)
            if normal(decl, value) != normal(decl, facts.get(decl.name)):
                found[decl.name] = value
    return found


def normal(decl: FactDecl, raw: Any) -> Any:
    """A value as the engine reads it, to compare what was posted with what was stored (42 and 「42」 agree)."""
    if raw in (None, "", []):
        return None
    if isinstance(raw, list):
        values = [normal(element(decl), item) for item in raw]
        while values and values[-1] is None:
            values.pop()
        return values or None
    value = read(decl, raw)
    return value if value is not None else str(raw).strip()


def base_number(data: QueryDict) -> int | None:
    """The posted `base`: the number of the version the form showed (0: the entry had none); None when the post
    has none (then nothing is checked, as before forms carried it)."""
    text = data.get("base", "")
    return int(text) if text.isascii() and text.isdigit() else None
