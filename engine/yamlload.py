"""Strict YAML: safe types only, no duplicate keys, true/false as the only booleans, marks kept.

Mappings load as `MarkedDict` and sequences as `MarkedList`, which remember where each key
and value stood, so that a problem found late (by the schema, the expression compiler or a
semantic check) still points at a line and column.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from .diagnostics import Mark, fail

SCALAR_OFFSET = {'"': 1, "'": 1}
MAX_EXPANDED_NODES = 200_000
DECIMAL_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
DECIMAL_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")

try:  # libyaml's parser is ~10× faster; constructors and resolvers stay in Python either way
    from yaml.cyaml import CParser as Parser
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


class StrictResolver(yaml.resolver.Resolver):
    """YAML 1.1 implicit types without its traps: only true/false are booleans, numbers are
    decimal (`0123` and `1:30` stay text instead of becoming octal 83 and sexagesimal 90)."""

    yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag not in NUMERIC_TAGS]
        for key, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }


class StrictLoader(Parser, yaml.constructor.SafeConstructor, StrictResolver):
    """A safe loader (libyaml's parser where available) that keeps marks and rejects duplicate keys."""

    def __init__(self, stream: str) -> None:
        Parser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        StrictResolver.__init__(self)
        self.expanded: dict[int, int] = {}

    def count_expanded(self, node: yaml.Node, children: list[yaml.Node]) -> None:
        """Sizes as if every alias were copied out: nested aliases must not blow up later walks."""
        size = 1 + sum(self.expanded.get(id(child), 1) for child in children)
        if size > MAX_EXPANDED_NODES:
            raise fail(self.content_mark(node), "yaml-too-large", f"文件展开后超过 {MAX_EXPANDED_NODES} 个值（锚点与别名嵌套过深）")
        self.expanded[id(node)] = size

    def content_mark(self, node: yaml.Node) -> Mark:
        start = node.start_mark
        offset = SCALAR_OFFSET.get(getattr(node, "style", None) or "", 0)
        return Mark(self.name, start.line + 1, start.column + 1 + offset)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> MarkedDict:
        explicit = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
        self.flatten_mapping(node)
        first_explicit = len(node.value) - explicit
        result = MarkedDict()
        result.mark = self.content_mark(node)
        explicit_marks: dict[Any, Mark] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=True)
            key_mark = self.content_mark(key_node)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise fail(key_mark, "yaml-key", "键必须是文本或数字")
            if index >= first_explicit:
                if key in explicit_marks:
                    line = explicit_marks[key].line
                    raise fail(key_mark, "yaml-duplicate-key", f"重复的键 “{key}”（第 {line} 行已出现）", len(str(key)))
                explicit_marks[key] = key_mark
            result[key] = self.construct_object(value_node, deep=True)
            result.key_marks[key] = key_mark
            result.value_marks[key] = self.content_mark(value_node)
        self.count_expanded(node, [child for pair in node.value for child in pair])
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> MarkedList:
        result = MarkedList(self.construct_object(child, deep=True) for child in node.value)
        result.mark = self.content_mark(node)
        result.item_marks = [self.content_mark(child) for child in node.value]
        self.count_expanded(node, node.value)
        return result

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """An impossible date (2023-13-01) stays text, so the fact check can name it."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_finite_float(self, node: yaml.ScalarNode) -> float:
        value = self.construct_yaml_float(node)
        if not math.isfinite(value):
            raise fail(self.content_mark(node), "yaml-number", f"不支持的数值 “{node.value}”：只能写有限的数", len(node.value))
        return value

    def construct_undefined(self, node: yaml.Node) -> Any:
        raise fail(self.content_mark(node), "yaml-tag", f"不允许的 YAML 标签 “{node.tag}”：规则与事实文件只能包含数据")


StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", StrictLoader.construct_sequence)
StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_finite_float)
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)
StrictLoader.add_constructor(None, StrictLoader.construct_undefined)
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictResolver.add_implicit_resolver("tag:yaml.org,2002:int", DECIMAL_INT, list("-+0123456789"))
StrictResolver.add_implicit_resolver("tag:yaml.org,2002:float", DECIMAL_FLOAT, list("-+0123456789."))


def load_yaml(path: str | Path) -> Any:
    """Parse one YAML file strictly; every problem is an `InvalidInput` with a mark."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise fail(Mark(name), "file-not-found", "文件不存在") from None
    except UnicodeDecodeError as exc:
        raise fail(Mark(name), "file-encoding", f"文件不是 UTF-8 编码（第 {exc.start + 1} 字节）") from None
    except OSError as exc:
        raise fail(Mark(name), "file-unreadable", f"无法读取文件：{exc.strerror}") from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text strictly, naming `name` in marks."""
    loader = StrictLoader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        mark = Mark(name, where.line + 1, where.column + 1) if where else Mark(name)
        raise fail(mark, "yaml-syntax", f"YAML 语法错误：{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise fail(Mark(name), "yaml-syntax", f"YAML 语法错误：{exc}") from None
    finally:
        loader.dispose()


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
