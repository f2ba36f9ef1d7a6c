"""Strict YAML: safe types only, no duplicate keys, true/false as the only booleans, marks kept.

Mappings load as `MarkedDict` and sequences as `MarkedList`, which remember where each key
and value stood, so that a problem found late (by the schema, the expression compiler or a
semantic check) still points at a line and column.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from .diagnostics import Mark, fail

SCALAR_OFFSET = {'"': 1, "'": 1}


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


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that keeps marks, rejects duplicate keys and reads only true/false as booleans."""

    yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

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
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> MarkedList:
        result = MarkedList(self.construct_object(child, deep=True) for child in node.value)
        result.mark = self.content_mark(node)
        result.item_marks = [self.content_mark(child) for child in node.value]
        return result

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """An impossible date (2023-13-01) stays text, so the fact check can name it."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_undefined(self, node: yaml.Node) -> Any:
        raise fail(self.content_mark(node), "yaml-tag", f"不允许的 YAML 标签 “{node.tag}”：规则与事实文件只能包含数据")


StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", StrictLoader.construct_sequence)
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)
StrictLoader.add_constructor(None, StrictLoader.construct_undefined)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(path: str | Path) -> Any:
    """Parse one YAML file strictly; every problem is an `InvalidInput` with a mark."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise fail(Mark(name), "file-not-found", "文件不存在") from None
    except UnicodeDecodeError as exc:
        raise fail(Mark(name), "file-encoding", f"文件不是 UTF-8 编码（第 {exc.start} 字节）") from None
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
