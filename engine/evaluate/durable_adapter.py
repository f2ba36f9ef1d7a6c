"""The only bridge between unionscore and the durable-rules 2.0.28 C engine.

``DurableRuleset`` registers compiled rules with ``durable_rules_engine`` directly (no
``durable.lang`` registry, no ``Host``, no timer threads, no Python actions) and fires them
for one fact at a time: assert the fact in the chunk's session, drain the pending actions to
learn which rules matched, retract the fact.

Operators relied on (durable's JSON condition language, the ``m`` part of a rule):
implicit equality ``{"f": v}``, ``$eq`` (accepted, sent as implicit equality), ``$neq``,
``$lt``, ``$lte``, ``$gt``, ``$gte``, ``$and``, ``$or``. Rule settings: ``all``, ``cap``,
``pri``. Everything else (``$ex``, ``$nex``, ``$mt``, arithmetic, ``any``, ``$not``, joins)
is rejected with ValueError.

Verified on this machine (tests/test_durable_adapter.py, reading durable's C sources):

* Absent fields: durable's alpha network only visits nodes for properties the fact carries,
  so a comparison on an absent property never holds, ``$neq`` included, also inside
  ``$and``/``$or``. No existence guards are needed; the tests prove it per operator.
* Type mismatch: durable compares a string with a number as strings (``"5" >= 4`` holds).
  Each field gets one durable property per operand type (``n<i>`` for numbers, ``s<i>`` for
  strings) and a value is sent only under the property of its own type, so a comparison
  between a string and a number never holds, like an absent field.
* String ordering is wrong in durable (``strncmp`` over the raw JSON, which reads the closing
  quote: ``"ab" > "ab!"``), so strings support only equality and ``$neq``, which are exact
  because both sides are escaped the same way (JSON with ASCII escapes).
* A condition mapping with several keys silently uses the first only: rejected.
* ``$or`` fires once per true branch (nested ones multiply): rules carry ``cap`` so one
  action reports all of a rule's activations; names are deduplicated in a set anyway.
* Numbers: ints must fit int64 (durable parses them with ``atoll``); floats are sent in
  plain decimal notation (shortest round-trip digits, never an exponent: durable rejects
  ``1e-05``); NaN and infinities are rejected; ``bool`` is rejected (callers pass 1/0).
  Int/float comparisons are done in C doubles: exact for magnitudes below 2**53.
* Property names are matched by a 32-bit FNV-1a hash only: internal names ``n<i>``/``s<i>``
  with i < MAX_FIELDS_PER_CHUNK are collision-free with each other and with ``sid``, ``id``
  and the catch-all property ``k``.

Limits (durable's constants, measured here):

* A fact object holds at most 251 properties besides ``sid`` and ``id`` (error 302):
  a chunk reads at most MAX_FIELDS_PER_CHUNK = 200 fields, sent as ``n<i>``/``s<i>``.
* Matching walks an explicit stack of 64 alpha nodes (error 303 when full): 63 always-true
  one-comparison rules plus the catch-all fit, 64 do not. Each rule gets a worst-case bound
  of the stack slots it can hold (all comparisons true, durable's node graph modelled
  including ``$or`` forward nodes); a chunk's bounds plus the catch-all stay within 64.
  That also keeps a chunk at 63 rules or fewer, far from the hang at ~511 distinct
  first comparisons (durable probes a full 512-slot child table forever).
* Each ``$and``/``$or`` takes two of a rule's 31 expression slots (error 113): at most
  MAX_GROUPS_PER_RULE = 15 groups per rule after flattening nested groups of the same kind.
* A session takes memory for every rule of its ruleset (about 0.6 MB for a chunk of a
  bundled ruleset) and a ruleset holds at most 1,024 sessions. Making one clears that
  memory (about 40% of a fire's instructions), so a chunk keeps one session for up to
  SESSION_FACTS facts: each fact gets its own id, every action is completed (the
  catch-all's too, after which none may remain) and the fact is retracted, which removes
  its frames. The session is deleted after SESSION_FACTS facts, and at once when an error
  interrupts the drain or the retraction. Not after durable fails the assert itself:
  deleting the session after error 303 killed the process (segfault or ``free(): invalid
  pointer``), leaving it alone kept the ruleset usable; the chunk then starts a new
  session. The chunk limits make that error unreachable.
* A fact that matches no rule is "not handled" in durable (and reported to crash
  ``delete_state``): each chunk has a catch-all rule on property ``k`` with the lowest
  priority, so every fact matches, and its action, always the last one, ends the drain.
"""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _escape
from types import TracebackType
from typing import cast

import durable_rules_engine as _dre

Scalar = int | float | str

MAX_FIELDS_PER_CHUNK = 200
MAX_ALPHA_STACK = 64
MAX_GROUPS_PER_RULE = 15

_CAP = 1000
_CATCH_ALL = "k"
_INT64 = 2**63
_ORDERING = frozenset({"$lt", "$lte", "$gt", "$gte"})
_COMPARISONS = _ORDERING | {"$eq", "$neq"}
_GROUPS = frozenset({"$and", "$or"})
_RULESET_SERIALS = itertools.count()
_SESSION_IDS = itertools.count()
_FACT_IDS = itertools.count()
SESSION_FACTS = 1024


@dataclass(frozen=True)
class _Leaf:
    """One comparison of a field with a constant."""

    op: str
    field: str
    value: Scalar

    @property
    def kind(self) -> str:
        """Durable property prefix for the operand type: ``s`` strings, ``n`` numbers."""
        return "s" if isinstance(self.value, str) else "n"


@dataclass(frozen=True)
class _Group:
    """``$and`` / ``$or`` over two or more conditions (none a group of the same kind)."""

    op: str
    items: tuple[_Leaf | _Group, ...]


_Cond = _Leaf | _Group


@dataclass(frozen=True)
class _Rule:
    """A parsed rule with what chunking needs to know about it."""

    name: str
    cond: _Cond
    fields: frozenset[str]
    stack: int


class _AlphaNode:
    """A node of the model of durable's alpha network, used for the stack bound."""

    __slots__ = ("children",)

    def __init__(self) -> None:
        self.children: list[_AlphaNode] = []


def _number_json(value: int | float) -> str:
    """JSON text for a number that durable parses exactly: int64, or a float in plain decimal."""
    if isinstance(value, int):
        if -_INT64 <= value < _INT64:
            return int.__repr__(value)
        raise ValueError(f"integer {value} does not fit durable's int64")
    text = float.__repr__(value)
    return _plain_decimal(value) if "e" in text or "n" in text else text


def _plain_decimal(value: float) -> str:
    """A finite float's shortest round-trip digits without an exponent (1e-05 -> 0.00001)."""
    if not math.isfinite(value):
        raise ValueError(f"durable cannot compare {value!r}")
    text = format(Decimal(float.__repr__(value)), "f")
    return text if "." in text else text + ".0"


def _encode(value: object) -> tuple[bool, str]:
    """(is it a string, JSON text) for one fact or condition value."""
    if type(value) is float or type(value) is int:  # most values, without three isinstance checks
        return False, _number_json(value)
    if isinstance(value, str):
        return True, _escape(value)
    if isinstance(value, bool):
        raise ValueError(f"booleans are not accepted (pass 1/0), got {value!r}")
    if isinstance(value, (int, float)):
        return False, _number_json(value)
    raise TypeError(f"values are int, float or str, got {type(value).__name__}")


def _parse(cond: object) -> _Cond:
    """Parse one condition of durable's JSON language; nested same-kind groups are flattened."""
    if not isinstance(cond, Mapping) or len(cond) != 1:
        raise ValueError(f"a condition is a mapping with exactly one key, got {cond!r}")
    ((key, arg),) = cond.items()
    if key in _GROUPS:
        return _parse_group(key, arg)
    if key in _COMPARISONS:
        if not isinstance(arg, Mapping) or len(arg) != 1:
            raise ValueError(f"{key} takes a mapping with exactly one field, got {arg!r}")
        ((field, value),) = arg.items()
        return _parse_leaf(key, field, value)
    return _parse_leaf("$eq", key, arg)


def _parse_group(op: str, arg: object) -> _Cond:
    """Parse the operands of ``$and``/``$or``; a single operand stands for the group."""
    if not isinstance(arg, Sequence) or isinstance(arg, str) or not arg:
        raise ValueError(f"{op} takes a non-empty list of conditions, got {arg!r}")
    items: list[_Cond] = []
    for sub in map(_parse, arg):
        items.extend(sub.items if isinstance(sub, _Group) and sub.op == op else (sub,))
    return items[0] if len(items) == 1 else _Group(op, tuple(items))


def _parse_leaf(op: str, field: object, value: object) -> _Leaf:
    """Check one comparison: a plain field name and a value durable compares exactly."""
    if not isinstance(field, str) or field.startswith("$"):
        raise ValueError(f"unsupported operator or field name {field!r}")
    is_string, _ = _encode(value)
    if is_string and op in _ORDERING:
        raise ValueError(f"{op} on strings is not supported (durable orders them wrongly)")
    return _Leaf(op, field, cast(Scalar, value))


def _leaves(cond: _Cond) -> Iterable[_Leaf]:
    """All comparisons of a condition."""
    if isinstance(cond, _Leaf):
        yield cond
    else:
        for item in cond.items:
            yield from _leaves(item)


def _group_count(cond: _Cond) -> int:
    """Number of ``$and``/``$or`` groups in a condition."""
    if isinstance(cond, _Leaf):
        return 0
    return 1 + sum(map(_group_count, cond.items))


def _attach(cond: _Cond, parent: _AlphaNode) -> _AlphaNode:
    """Add a condition below ``parent`` as durable builds it; return its exit node."""
    if isinstance(cond, _Leaf):
        node = _AlphaNode()
        parent.children.append(node)
        return node
    if cond.op == "$and":
        for item in cond.items:
            parent = _attach(item, parent)
        return parent
    forward = _AlphaNode()
    for item in cond.items:
        _attach(item, parent).children.append(forward)
    return forward


def _stack_need(node: _AlphaNode, memo: dict[int, int]) -> int:
    """Most stack slots the nodes below ``node`` can hold at once when all comparisons hold."""
    if id(node) not in memo:
        deepest = max((_stack_need(child, memo) for child in node.children), default=0)
        memo[id(node)] = len(node.children) + max(0, deepest - 1)
    return memo[id(node)]


def _compile_rule(name: object, cond: object) -> _Rule:
    """Parse a rule and check it fits in one durable ruleset on its own."""
    if not isinstance(name, str):
        raise ValueError(f"rule names are strings, got {name!r}")
    parsed = _parse(cond)
    if _group_count(parsed) > MAX_GROUPS_PER_RULE:
        raise ValueError(f"rule {name!r}: more than {MAX_GROUPS_PER_RULE} $and/$or groups")
    root = _AlphaNode()
    _attach(parsed, root)
    stack = _stack_need(root, {})
    if stack > MAX_ALPHA_STACK - 1:
        raise ValueError(f"rule {name!r} needs {stack} of durable's alpha stack slots")
    fields = frozenset(leaf.field for leaf in _leaves(parsed))
    if len(fields) > MAX_FIELDS_PER_CHUNK:
        raise ValueError(f"rule {name!r} reads more than {MAX_FIELDS_PER_CHUNK} fields")
    return _Rule(name, parsed, fields, stack)


def _fits(chunk: Sequence[_Rule], rule: _Rule) -> bool:
    """Whether ``rule`` can join ``chunk`` within the field and alpha-stack limits."""
    stack = sum(r.stack for r in chunk) + rule.stack + 1  # + 1: the catch-all rule
    fields = rule.fields.union(*(r.fields for r in chunk))
    return stack <= MAX_ALPHA_STACK and len(fields) <= MAX_FIELDS_PER_CHUNK


def _plan_chunks(rules: Sequence[_Rule]) -> list[list[_Rule]]:
    """Split rules, in order, into groups that each fit one durable ruleset."""
    chunks: list[list[_Rule]] = []
    for rule in rules:
        if not chunks or not _fits(chunks[-1], rule):
            chunks.append([])
        chunks[-1].append(rule)
    return chunks


def _cond_json(cond: _Cond, keys: Mapping[tuple[str, str], str]) -> str:
    """Durable JSON for a condition over the chunk's internal property names."""
    if isinstance(cond, _Group):
        return f'{{"{cond.op}":[{",".join(_cond_json(c, keys) for c in cond.items)}]}}'
    body = f'{{"{keys[cond.field, cond.kind]}":{_encode(cond.value)[1]}}}'
    return body if cond.op == "$eq" else f'{{"{cond.op}":{body}}}'


def _key_json(keys: Mapping[tuple[str, str], str], field: str, kind: str) -> str:
    """``,"n3":`` for a field's property of one kind in a chunk, or "" if no rule reads it."""
    return f',"{keys[field, kind]}":' if (field, kind) in keys else ""


def _delete_rulesets(handles: Iterable[int]) -> None:
    """Free durable rulesets (finalizer: must not refer to the owning object)."""
    for handle in handles:
        _dre.delete_ruleset(handle)


class _Chunk:
    """One durable ruleset: a few rules, fed only the fields they read."""

    def __init__(self, name: str, rules: Sequence[_Rule]) -> None:
        kinds = {(leaf.field, leaf.kind) for rule in rules for leaf in _leaves(rule.cond)}
        fields = sorted({field for field, _ in kinds})
        keys = {(f, k): f"{k}{i}" for i, f in enumerate(fields) for k in "ns" if (f, k) in kinds}
        self.names = [rule.name for rule in rules]
        self.rules = frozenset(self.names)
        self.inputs = [(f, _key_json(keys, f, "n"), _key_json(keys, f, "s")) for f in fields]
        self.handle: int = _dre.create_ruleset(name, self._ruleset_json(rules, keys))
        self.sid: str | None = None  # the session facts are asserted in; the first fire starts it
        self.taken = 0  # facts the session has taken

    @staticmethod
    def _ruleset_json(rules: Sequence[_Rule], keys: Mapping[tuple[str, str], str]) -> str:
        """Durable ruleset JSON: ``r<j>`` per rule plus the lowest-priority catch-all."""
        entries = [
            f'"r{j}":{{"all":[{{"m":{_cond_json(rule.cond, keys)}}}],"cap":{_CAP}}}'
            for j, rule in enumerate(rules)
        ]
        entries.append(f'"{_CATCH_ALL}":{{"all":[{{"m":{{"{_CATCH_ALL}":1}}}}],"pri":1}}')
        return "{" + ",".join(entries) + "}"

    def fire(self, values: Mapping[str, tuple[bool, str]], matched: set[str]) -> None:
        """Assert one fact in the chunk's session, add the names of matched rules, retract the fact.

        If durable itself fails the assert, its session is left alone (deleting a session after
        such an error has crashed the process) and the next fact starts a new one.
        """
        if self.sid is None:
            self.sid, self.taken = str(next(_SESSION_IDS)), 0
        sid, fact_id = self.sid, str(next(_FACT_IDS))
        self.sid = None  # until the fact is retracted: an error before then leaves the session behind
        status, offset = _dre.assert_fact(self.handle, self._fact_json(sid, fact_id, values))
        if status != 0:
            raise RuntimeError(f"durable did not take the fact (status {status})")
        try:
            self._drain(offset, matched)
            _dre.retract_fact(self.handle, f'{{"sid":"{sid}","id":"{fact_id}"}}')
        except BaseException:
            _dre.delete_state(self.handle, sid)
            raise
        self.taken += 1
        if self.taken < SESSION_FACTS:
            self.sid = sid
        else:
            _dre.delete_state(self.handle, sid)

    def _fact_json(self, sid: str, fact_id: str, values: Mapping[str, tuple[bool, str]]) -> str:
        """The fact as durable JSON: session and fact ids, catch-all tag and the fields this chunk reads."""
        parts = [f'{{"sid":"{sid}","id":"{fact_id}","{_CATCH_ALL}":1']
        for field, number_key, string_key in self.inputs:
            encoded = values.get(field)
            if encoded is not None:
                key = string_key if encoded[0] else number_key
                if key:
                    parts += (key, encoded[1])
        parts.append("}")
        return "".join(parts)

    def _drain(self, offset: int, matched: set[str]) -> None:
        """Take the session's actions in priority order until the catch-all shows up; complete it too,
        so that none is left for the next fact."""
        result = _dre.start_action_for_state(self.handle, offset)
        message = result[1] if result else None
        while message is not None:
            name = message[2 : message.index('"', 2)]
            message = _dre.complete_and_start_action(self.handle, offset)
            if name == _CATCH_ALL:
                if message is not None:
                    raise RuntimeError("durable ran an action after the catch-all")
                return
            matched.add(self.names[int(name[1:])])
        raise RuntimeError("durable ran no catch-all action")


class DurableRuleset:
    """Registers compiled rules with the durable-rules C engine; fires them for one fact at a time."""

    def __init__(self, name: str, rules: Mapping[str, dict]) -> None:
        """Compile ``rules`` (rule name -> condition) into as many durable rulesets as needed."""
        compiled = [_compile_rule(rule_name, cond) for rule_name, cond in rules.items()]
        self._fields = frozenset(field for rule in compiled for field in rule.fields)
        serial = next(_RULESET_SERIALS)
        self._chunks: list[_Chunk] = []
        try:
            for i, chunk_rules in enumerate(_plan_chunks(compiled)):
                self._chunks.append(_Chunk(f"{name}#{serial}.{i}", chunk_rules))
        except BaseException:
            _delete_rulesets(chunk.handle for chunk in self._chunks)
            raise
        self._finalizer = weakref.finalize(
            self, _delete_rulesets, [chunk.handle for chunk in self._chunks]
        )

    def fire(self, fact: Mapping[str, Scalar], rules: Collection[str] | None = None) -> set[str]:
        """Names of the rules whose condition holds for ``fact``; with ``rules``, of those rules and the
        others fired with them (the durable rulesets holding none of ``rules`` are not fired).

        A field that is absent or None never matches; fields no rule reads are not looked at.
        """
        if not self._finalizer.alive:
            raise RuntimeError("this DurableRuleset is closed")
        values: dict[str, tuple[bool, str]] = {}
        for field, value in fact.items():
            if value is not None and field in self._fields:
                values[field] = _encode(value)
        matched: set[str] = set()
        for chunk in self._holding(rules):
            chunk.fire(values, matched)
        return matched

    def _holding(self, rules: Collection[str] | None) -> list[_Chunk]:
        return self._chunks if rules is None else [chunk for chunk in self._chunks if not chunk.rules.isdisjoint(rules)]

    def close(self) -> None:
        """Delete the durable rulesets; further fire() calls raise RuntimeError."""
        self._finalizer()

    def __enter__(self) -> DurableRuleset:
        """Use as a context manager that closes on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the rulesets."""
        self.close()
