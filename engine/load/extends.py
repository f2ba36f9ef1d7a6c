"""`extends`: a child ruleset inherits its parent, then overrides, removes and adds by id.

Works on raw YAML data before schema validation, copying marks along with values, so a
problem in the merged ruleset still points at the file and line that caused it.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema

from ..diagnostics import DiagnosticList, Mark
from ..language.yamlload import MarkedDict, MarkedList, mark_at
from .schema import to_diagnostic

REPLACED = ("levels", "bonus", "vetoes", "gate", "uses", "tests")
MERGED = ("ruleset", "facts", "derive")
OWN = ("extends", "override", "remove", "add")
# What `merge` reads of a child, in the shape it reads it (what it merges is checked by the schema once merged).
CHILD = jsonschema.Draft202012Validator({"properties": {
    **{key: {"type": "object"} for key in MERGED + ("override",)},
    "remove": {"type": "array", "items": {"type": "string"}},
    "add": {"type": "array", "items": {"type": "object", "properties": {
        "to": {"type": "string"}, "items": {"type": "array"}, "sections": {"type": "array"}}}},
}})


def put(target: MarkedDict, key: Any, source: MarkedDict) -> None:
    """target[key] = source[key], marks included."""
    target[key] = source[key]
    target.key_marks[key] = source.key_marks[key]
    target.value_marks[key] = source.value_marks[key]


def merge(parent: MarkedDict, child: MarkedDict, problems: DiagnosticList) -> MarkedDict:
    """The child applied on top of the parent (the parent is modified and returned)."""
    for key in misshapen(child, problems):
        del child[key]
    for key in MERGED:
        if key in child:
            if key not in parent:
                put(parent, key, child)
            elif isinstance(parent[key], MarkedDict):  # else the parent's own schema error is told
                for name in child[key]:
                    put(parent[key], name, child[key])
                parent.value_marks[key] = child.value_marks[key]  # the merged header is the child's to fix
    parent.pop("tests", None)
    for key in REPLACED:
        if key in child:
            put(parent, key, child)
    remove(parent, child, problems)
    override(parent, child, problems)
    add(parent, child, problems)
    for key in set(child) - set(MERGED) - set(REPLACED) - set(OWN):
        put(parent, key, child)
    return parent


def misshapen(child: MarkedDict, problems: DiagnosticList) -> set[str]:
    """The child's parts `merge` cannot read, each reported and then left out: `facts: [a]`, `remove: 5` …"""
    errors = list(CHILD.iter_errors(child))
    problems.extend([to_diagnostic(child, error) for error in errors])
    return {error.absolute_path[0] for error in errors}


NODES, SECTIONS = ("sections", "items"), ("sections",)


def nodes(raw: MarkedDict, inner: tuple[str, ...] = NODES) -> Iterator[tuple[MarkedList, int, MarkedDict]]:
    """Every section and item (bonus items too), or every section alone (`SECTIONS`), with the list that holds it.
    The parent is not checked yet: what is not a list where one belongs (`sections: 5`) is left to the schema."""
    bonus = raw.get("bonus")
    lists = lists_in(raw, SECTIONS) + (lists_in(bonus, ("items",)) if "items" in inner and isinstance(bonus, dict) else [])
    while lists:
        current = lists.pop()
        for index, node in enumerate(current):
            if isinstance(node, MarkedDict):
                yield current, index, node
                lists.extend(lists_in(node, inner))


def lists_in(node: dict, keys: tuple[str, ...]) -> list[MarkedList]:
    return [node[key] for key in keys if isinstance(node.get(key), MarkedList)]


def find(raw: MarkedDict, key: str, inner: tuple[str, ...] = NODES) -> tuple[MarkedList, int, MarkedDict] | None:
    return next((found for found in nodes(raw, inner) if found[2].get("id") == key), None)


def known_ids(raw: MarkedDict, declarations: bool = False) -> list[str]:
    """The section and item ids of a parent (with its facts and derived values: what `remove` may name)."""
    found = [str(node.get("id")) for _, _, node in nodes(raw)]
    for key in ("facts", "derive") if declarations else ():
        declared = raw.get(key)
        found += [str(name) for name in declared] if isinstance(declared, dict) else []
    return found


def closest(key: Any, known: list[str]) -> str:
    """「，是否应为 “zuzhi.membership”？」 when a known id is close to `key`."""
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    return f"，是否应为 “{close[0]}”？" if close else ""


def remove(parent: MarkedDict, child: MarkedDict, problems: DiagnosticList) -> None:
    """Drop sections and items by id; a name that is no id drops an inherited fact or derived value."""
    for index, key in enumerate(child.get("remove", ())):
        found = find(parent, key)
        if found is not None:
            holder, position, _ = found
            del holder[position]
            del holder.item_marks[position]
        elif not remove_declaration(parent, key):
            problems.add(mark_at(child, ("remove", index)), "extends-unknown-id",
                         f"要删除的 “{key}” 在上级规则集中不存在{closest(key, known_ids(parent, declarations=True))}")


def remove_declaration(parent: MarkedDict, name: str) -> bool:
    for key in ("facts", "derive"):
        declared = parent.get(key)
        if isinstance(declared, MarkedDict) and name in declared:
            del declared[name]
            return True
    return False


def override(parent: MarkedDict, child: MarkedDict, problems: DiagnosticList) -> None:
    changes = child.get("override", {})
    for key in changes:
        found = find(parent, key)
        mark = mark_at(child, ("override", key), key=True)
        if found is None:
            problems.add(mark, "extends-unknown-id", f"要覆盖的 “{key}” 在上级规则集中不存在{closest(key, known_ids(parent))}")
            continue
        if not isinstance(changes[key], dict) or "id" in changes[key]:
            problems.add(mark, "extends-override", f"覆盖 “{key}” 应为字段映射，且不能修改 id")
            continue
        holder, position, node = found
        for name in changes[key]:
            put(node, name, changes[key])
        holder.item_marks[position] = mark  # problems with the changed item or section point at the override


def add(parent: MarkedDict, child: MarkedDict, problems: DiagnosticList) -> None:
    for index, entry in enumerate(child.get("add", ())):
        if "to" not in entry:
            if entry.get("items"):
                problems.add(mark_at(child, ("add", index)), "extends-add", "添加指标时需要用 to 指明所属分项 id")
            append(parent.setdefault("sections", MarkedList()), entry.get("sections", MarkedList()))
            continue
        found = find(parent, entry["to"], SECTIONS)
        if found is None:  # an item's id too: items added to an item were its unknown field, told at the parent's line
            why = "是指标，不是分项" if find(parent, entry["to"]) else "在上级规则集中不存在"
            sections = [str(node.get("id")) for _, _, node in nodes(parent, SECTIONS)]
            problems.add(mark_at(child, ("add", index, "to")), "extends-unknown-id", f"要添加到的分项 “{entry['to']}” {why}{closest(entry['to'], sections)}")
            continue
        for key in (key for key in ("items", "sections") if entry.get(key)):
            target = found[2].setdefault(key, MarkedList())
            if isinstance(target, MarkedList):  # else the parent's own schema error is told
                append(target, entry[key])


def append(target: MarkedList, source: MarkedList) -> None:
    for index, node in enumerate(source):
        target.append(node)
        target.item_marks.append(source.item_marks[index])


def resolve(raw: MarkedDict, load_parent: Callable[[str, Mark], MarkedDict], problems: DiagnosticList) -> MarkedDict:
    """Follow `extends` (the loader guards against cycles) and return the merged raw ruleset."""
    if "extends" not in raw:
        return raw
    parent = load_parent(raw["extends"], mark_at(raw, ("extends",)))
    return merge(parent, raw, problems)
