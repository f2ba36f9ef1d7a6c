"""Strict YAML: safe types only, no duplicate keys, true/false as the only booleans, marks kept.

Mappings load as `MarkedDict` and sequences as `MarkedList`, which remember where each key
and value stood, so that a problem found late (by the schema, the expression compiler or a
semantic check) still points at a line and column.
"""
from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import InvalidInput, Mark, fail
from ..os_errors import os_error_text
from .limits import MAX_LITERAL
from .yaml_errors import explain

SCALAR_OFFSET = {'"': 1, "'": 1}
MAX_EXPANDED_NODES = 200_000
MAX_YAML_BYTES = 16 * 2**20  # a fact file is a few KB, the largest published 评分细则 a few hundred
DECIMAL_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
DECIMAL_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")

try:  # libyaml's parser is ~10× faster; the resolver stays in Python
    from yaml._yaml import CParser as Parser  # what yaml.cyaml re-exports
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


class MarkedDict(dict):
    """A mapping that knows where it, each key and each value stood in the file."""

    __slots__ = ("mark", "key_marks", "value_marks")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mark = Mark("")
        self.key_marks: dict[Any, Mark] = {}
        self.value_marks: dict[Any, Mark] = {}


class MarkedList(list):
    """A sequence that knows where it and each item stood in the file."""

    __slots__ = ("mark", "item_marks")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.mark = Mark("")
        self.item_marks: list[Mark] = []


NUMERIC_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
MERGE, MAP, SEQ = "tag:yaml.org,2002:merge", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
NOT_FINITE = (".inf", "+.inf", "-.inf", ".nan")


class StrictResolver(yaml.resolver.Resolver):
    """YAML 1.1 implicit types without its traps: only true/false are booleans, numbers are
    decimal (`0123` and `1:30` stay text instead of becoming octal 83 and sexagesimal 90)."""

    yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag not in NUMERIC_TAGS]
        for key, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }


StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictResolver.add_implicit_resolver("tag:yaml.org,2002:int", DECIMAL_INT, list("-+0123456789"))
StrictResolver.add_implicit_resolver("tag:yaml.org,2002:float", DECIMAL_FLOAT, list("-+0123456789."))


class Composer(Parser, StrictResolver):
    """libyaml's parser and composer with our resolver: YAML text to a tree of nodes."""

    def __init__(self, stream: str) -> None:
        Parser.__init__(self, stream)
        StrictResolver.__init__(self)


_TIMESTAMPS = yaml.constructor.SafeConstructor()


class NodeReader:
    """Nodes to Python data: MarkedDict, MarkedList and plain scalars (text, numbers, dates,
    true/false, null), nothing else. Duplicate keys, tags and oversized alias trees are refused.

    A direct walk over the node tree: several times faster than PyYAML's generic constructor."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.done: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.reading: set[int] = set()

    def mark(self, node: yaml.Node) -> Mark:
        start = node.start_mark
        offset = SCALAR_OFFSET.get(getattr(node, "style", None) or "", 0)
        return Mark(self.name, start.line + 1, start.column + 1 + offset)

    def read(self, node: yaml.Node) -> Any:
        """The value of a node; an alias reads as the very object of its anchor."""
        key = id(node)
        if key in self.done:
            return self.done[key]
        if key in self.reading:
            raise fail(self.mark(node), "yaml-recursive", "锚点引用了自身：规则与事实文件不能有循环结构")
        self.reading.add(key)
        if isinstance(node, yaml.MappingNode) and node.tag == MAP:
            value: Any = self.mapping(node)
        elif isinstance(node, yaml.SequenceNode) and node.tag == SEQ:
            value = self.sequence(node)
        elif isinstance(node, yaml.ScalarNode) and node.tag in SCALARS:
            value = self.scalar(node)
        else:
            raise fail(self.mark(node), "yaml-tag", f"不允许的 YAML 标签 “{node.tag}”：规则与事实文件只能包含数据")
        self.reading.discard(key)
        self.done[key] = value
        return value

    def count(self, node: yaml.Node, children: list[yaml.Node]) -> None:
        """Sizes as if every alias were copied out: nested aliases must not blow up later walks."""
        size = 1 + sum(self.sizes.get(id(child), 1) for child in children)
        if size > MAX_EXPANDED_NODES:
            raise fail(self.mark(node), "yaml-too-large", f"文件展开后超过 {MAX_EXPANDED_NODES} 个值：文件过大，或锚点与别名层层引用；请拆分文件或少用别名")
        self.sizes[id(node)] = size

    def mapping(self, node: yaml.MappingNode) -> MarkedDict:
        result = MarkedDict()
        result.mark = self.mark(node)
        explicit = [(k, v) for k, v in node.value if k.tag != MERGE]
        for _, source in ((k, v) for k, v in node.value if k.tag == MERGE):
            self.merge(result, source)
        seen: dict[Any, Mark] = {}
        for key_node, value_node in explicit:
            key, key_mark = self.key(key_node), self.mark(key_node)
            if key in seen:
                raise fail(key_mark, "yaml-duplicate-key", f"重复的键 “{key}”（第 {seen[key].line} 行已出现）", len(str(key)))
            seen[key] = key_mark
            result[key] = self.read(value_node)
            result.key_marks[key], result.value_marks[key] = key_mark, self.mark(value_node)
        self.count(node, [child for pair in node.value for child in pair])
        return result

    def merge(self, result: MarkedDict, source: yaml.Node) -> None:
        """`<<: *base` (or a list of them): keys not yet present come in, marks and all."""
        sources = source.value if isinstance(source, yaml.SequenceNode) else [source]
        for part in sources:
            merged = self.read(part)
            if not isinstance(merged, MarkedDict):
                raise fail(self.mark(part), "yaml-merge", "“<<” 只能合并映射（键: 值）")
            for key in merged:
                if key not in result:
                    result[key] = merged[key]
                    result.key_marks[key], result.value_marks[key] = merged.key_marks[key], merged.value_marks[key]

    def key(self, node: yaml.Node) -> Any:
        key = self.read(node)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise fail(self.mark(node), "yaml-key", "键必须是文本或数字")
        return key

    def sequence(self, node: yaml.SequenceNode) -> MarkedList:
        result = MarkedList(self.read(child) for child in node.value)
        result.mark = self.mark(node)
        result.item_marks = [self.mark(child) for child in node.value]
        self.count(node, node.value)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            value = SCALARS[node.tag](node.value)
        except ValueError:
            raise fail(self.mark(node), "yaml-number", f"不支持的数值 “{node.value}”：只能写有限的十进制数", len(node.value)) from None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_LITERAL:
            shown = node.value if len(node.value) <= 30 else node.value[:29] + "…"
            message = f"数值 “{shown}” 超出范围：绝对值不能大于 10 的 {len(str(MAX_LITERAL)) - 1} 次方"
            raise fail(self.mark(node), "yaml-number", message, len(node.value))
        return value


def finite_float(text: str) -> float:
    value = float(text.replace("_", "")) if text.lower() not in NOT_FINITE else math.inf
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def timestamp(text: str) -> Any:
    """A date (or date and time); an impossible one (2023-13-01) stays text for the fact check to name."""
    try:
        return _TIMESTAMPS.construct_yaml_timestamp(yaml.ScalarNode("tag:yaml.org,2002:timestamp", text))
    except ValueError:
        return text


SCALARS: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:null": lambda text: None,
    "tag:yaml.org,2002:bool": lambda text: text in ("true", "True", "TRUE"),
    "tag:yaml.org,2002:int": lambda text: int(text.replace("_", ""), 10),
    "tag:yaml.org,2002:float": finite_float,
    "tag:yaml.org,2002:timestamp": timestamp,
}


def load_yaml(path: str | Path) -> Any:
    """Parse one YAML file strictly; every problem is an `InvalidInput` with a mark."""
    name = str(path)
    try:
        if stat.S_ISFIFO(os.stat(path).st_mode):  # opening one waits for a writer, for ever
            raise fail(Mark(name), "file-unreadable", "无法读取文件：这是命名管道（FIFO），不是文件")
        with open(path, "rb") as source:
            data = source.read(MAX_YAML_BYTES + 1)  # a link to /dev/zero has no size to check first
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise fail(Mark(name), "file-not-found", "文件不存在") from None
    except UnicodeDecodeError as exc:
        raise fail(Mark(name), "file-encoding", f"文件不是 UTF-8 编码（第 {exc.start + 1} 字节）") from None
    except OSError as exc:
        raise fail(Mark(name), "file-unreadable", f"无法读取文件：{os_error_text(exc)}") from None
    if len(data) > MAX_YAML_BYTES:
        raise fail(Mark(name), "file-too-large", f"文件超过 {MAX_YAML_BYTES // 2**20} MB，不像是事实文件或规则集，未读取；请检查是否选错了文件")
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text strictly, naming `name` in marks."""
    composer = Composer(text)
    try:
        node = composer.get_single_node()
        return NodeReader(name).read(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(text, name, exc) from None
    except yaml.reader.ReaderError as exc:  # a control character: the reader gives an offset, not a mark
        line, column = line_and_column(text, exc.position)
        raise fail(Mark(name, line, column), "yaml-syntax", f"YAML 语法错误：文件中有不可见的控制字符（#x{exc.character:04X}），请删除") from None
    except yaml.YAMLError as exc:
        raise fail(Mark(name), "yaml-syntax", explain(text, str(exc), 0, 0).message) from None
    except RecursionError:
        raise fail(Mark(name), "yaml-too-large", "文件嵌套层次过深") from None
    finally:
        composer.dispose()


def syntax_error(text: str, name: str, exc: yaml.MarkedYAMLError) -> InvalidInput:
    """A parser error in Chinese at the character that likely caused it (see `yaml_errors`)."""
    where, context = exc.problem_mark or exc.context_mark, exc.context_mark
    line, column = (where.line + 1, where.column + 1) if where else (0, 0)
    found = explain(text, exc.problem or exc.context or "", line, column, context.line + 1 if context else None)
    return fail(Mark(name, found.line, found.column), "yaml-syntax", found.message)


def line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def mark_at(root: Any, path: Iterable[Any], key: bool = False) -> Mark:
    """The mark of the value at a path of keys and indexes (or of its key), as deep as known."""
    node, mark = root, getattr(root, "mark", Mark(""))
    for step in path:
        if isinstance(node, MarkedDict) and step in node:
            mark = (node.key_marks if key else node.value_marks).get(step, mark)
            node = node[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and step < len(node):
            mark = node.item_marks[step] if step < len(node.item_marks) else mark
            node = node[step]
        else:
            break
    return mark
