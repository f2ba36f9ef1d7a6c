"""Strict YAML: duplicate keys, merge keys, booleans, tags, syntax and file errors, marks."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from engine import InvalidInput
from engine.diagnostics import Diagnostic, Mark
from engine.language import yamlload
from engine.language.yamlload import MarkedDict, MarkedList, load_yaml, mark_at, parse_yaml


def only_problem(call, *args) -> Diagnostic:
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    [diagnostic] = caught.value.diagnostics
    return diagnostic


def where(diagnostic: Diagnostic) -> tuple[int, int, str]:
    return diagnostic.mark.line, diagnostic.mark.column, diagnostic.code


# duplicate keys ------------------------------------------------------------------------------

def test_duplicate_key_points_at_second_and_names_first_line(write):
    path = write("dup.yaml", """
        a: 1
        b:
          c: 2
          d: 3
          c: 4
        """)
    problem = only_problem(load_yaml, path)
    assert where(problem) == (5, 3, "yaml-duplicate-key")
    assert "“c”" in problem.message and "第 3 行" in problem.message
    assert problem.mark.file == str(path)


def test_duplicate_top_level_key_rejected():
    problem = only_problem(parse_yaml, "id: 1\nname: x\nid: 2\n", "f.yaml")
    assert where(problem) == (3, 1, "yaml-duplicate-key")
    assert "第 1 行" in problem.message


def test_duplicate_key_in_flow_mapping_rejected():
    problem = only_problem(parse_yaml, "item: {id: a, points: 1, id: b}\n", "f.yaml")
    assert where(problem) == (1, 26, "yaml-duplicate-key")


def test_same_key_in_sibling_mappings_is_fine():
    assert parse_yaml("- {id: a}\n- {id: b}\n", "f.yaml") == [{"id": "a"}, {"id": "b"}]


# merge keys ----------------------------------------------------------------------------------

def test_merge_key_allowed_and_explicit_key_overrides():
    data = parse_yaml("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert data["child"] == {"x": 1, "y": 3}
    assert data["base"] == {"x": 1, "y": 2}


def test_merge_of_several_maps_with_overlap_is_not_a_duplicate():
    data = parse_yaml("a: &a {x: 1}\nb: &b {x: 2, z: 3}\nc:\n  <<: [*a, *b]\n  z: 4\n", "f.yaml")
    assert data["c"] == {"x": 1, "z": 4}


def test_duplicate_after_merge_still_rejected():
    problem = only_problem(parse_yaml, "a: &a {x: 1}\nc:\n  <<: *a\n  y: 1\n  y: 2\n", "f.yaml")
    assert where(problem) == (5, 3, "yaml-duplicate-key")
    assert "第 4 行" in problem.message


# scalars -------------------------------------------------------------------------------------

def test_yes_no_on_off_stay_strings():
    data = parse_yaml("a: yes\nb: no\nc: on\nd: off\ne: Yes\nf: NO\n", "f.yaml")
    assert data == {"a": "yes", "b": "no", "c": "on", "d": "off", "e": "Yes", "f": "NO"}


def test_true_false_are_booleans():
    data = parse_yaml("a: true\nb: false\nc: True\nd: FALSE\n", "f.yaml")
    assert data == {"a": True, "b": False, "c": True, "d": False}
    assert all(type(v) is bool for v in data.values())


def test_country_code_no_is_not_false():
    assert parse_yaml("countries: [CN, NO]\n", "f.yaml") == {"countries": ["CN", "NO"]}


def test_dates_parsed():
    data = parse_yaml("d: 2023-05-12\nq: '2023-05-12'\n", "f.yaml")
    assert data["d"] == dt.date(2023, 5, 12)
    assert data["q"] == "2023-05-12"


def test_numbers_and_null():
    assert parse_yaml("i: 230\nf: 0.95\nn: null\nt: ~\n", "f.yaml") == {"i": 230, "f": 0.95, "n": None, "t": None}


@pytest.mark.parametrize("text", [".inf", "-.Inf", ".nan", "1.0e+400"])
def test_non_finite_numbers_rejected(text):
    problem = only_problem(parse_yaml, f"employees: {text}\n", "f.yaml")
    assert where(problem) == (1, 12, "yaml-number")
    assert text in problem.message


@pytest.mark.parametrize("text", [
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef")),
    "values: [" + ", ".join(["1"] * 200_001) + "]\n",  # no alias at all: a file simply too large
], ids=["aliases six deep", "200,001 values"])
def test_a_file_too_large_once_expanded_says_both_causes(text):
    problem = only_problem(parse_yaml, text, "f.yaml")
    assert problem.code == "yaml-too-large"
    assert problem.message == "文件展开后超过 200000 个值：文件过大，或锚点与别名层层引用；请拆分文件或少用别名"


# tags ----------------------------------------------------------------------------------------

def test_python_object_tag_rejected_and_nothing_runs(tmp_path):
    target = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {target}']\n"
    problem = only_problem(parse_yaml, text, "f.yaml")
    assert where(problem) == (1, 4, "yaml-tag")
    assert "python/object/apply:os.system" in problem.message
    assert not target.exists()


def test_python_name_tag_rejected():
    problem = only_problem(parse_yaml, "a: !!python/name:os.system ''\n", "f.yaml")
    assert problem.code == "yaml-tag"


def test_custom_tag_rejected():
    problem = only_problem(parse_yaml, "x: 1\na: !foo bar\n", "f.yaml")
    assert where(problem) == (2, 4, "yaml-tag")
    assert "“!foo”" in problem.message


def test_custom_tag_on_mapping_rejected():
    problem = only_problem(parse_yaml, "a: !obj {x: 1}\n", "f.yaml")
    assert problem.code == "yaml-tag"


def test_standard_str_tag_allowed():
    assert parse_yaml("a: !!str 123\n", "f.yaml") == {"a": "123"}


def test_non_scalar_key_rejected():
    problem = only_problem(parse_yaml, "? [a, b]\n: 1\n", "f.yaml")
    assert where(problem) == (1, 3, "yaml-key")


# syntax and file errors ----------------------------------------------------------------------

def test_syntax_error_has_line_and_column():
    problem = only_problem(parse_yaml, "a: 1\n b: 2\n", "f.yaml")
    assert where(problem) == (2, 3, "yaml-syntax")
    assert problem.message.startswith("YAML 语法错误")


@pytest.mark.parametrize("text, line, column, bracket", [
    ("a: [1, 2\nb: 3\n", 1, 4, "“[”没有对应的“]”"),                            # libyaml notices on line 2
    ("x: 1\nfacts:\n  a: {type: integer, label: 甲\n  b: {type: integer}\n", 3, 6, "“{”没有对应的“}”"),
    ("a: {x: 1\n  y: 2}\n", 1, 4, "末尾要有逗号"),                                # carried on without a comma
    ("a: {x: \"{\", y: [1]\nb: 2\n", 1, 4, "“{”没有对应的“}”"),                # a quoted brace is text
])
def test_an_unclosed_bracket_is_shown_where_it_opens(text, line, column, bracket):
    problem = only_problem(parse_yaml, text, "f.yaml")
    assert where(problem) == (line, column, "yaml-syntax")
    assert bracket in problem.message


def test_bad_indentation_is_syntax_error():
    problem = only_problem(parse_yaml, "a:\n  b: 1\n c: 2\n", "f.yaml")
    assert problem.code == "yaml-syntax"
    assert problem.mark.line == 3


def test_syntax_error_in_file_names_file(write):
    path = write("bad.yaml", "ruleset:\n  id: x\n  name: [unclosed\n")
    problem = only_problem(load_yaml, path)
    assert problem.code == "yaml-syntax"
    assert problem.mark.file == str(path)
    assert (problem.mark.line, problem.mark.column) == (3, 9)  # the bracket, not the end of the file after it


def test_non_utf8_file(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("name: 工会\n".encode("gbk"))
    problem = only_problem(load_yaml, path)
    assert problem.code == "file-encoding"
    assert problem.mark == Mark(str(path))
    assert "UTF-8" in problem.message and "第 7 字节" in problem.message


def test_utf8_bom_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffname: 工会\n".encode("utf-8"))
    assert load_yaml(path) == {"name": "工会"}


def test_a_file_past_the_size_limit_is_not_read_whole(tmp_path):
    """A fact file linked to /dev/zero (no size to check first) took all memory: at most the limit is read."""
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    problem = only_problem(load_yaml, link)
    assert problem.code == "file-too-large"
    assert problem.message == "文件超过 16 MB，不像是事实文件或规则集，未读取；请检查是否选错了文件"


def test_a_named_pipe_is_refused_not_waited_on(tmp_path):
    """A ruleset or fact file that is a named pipe: opening it waited for a writer for ever (check, assess, test)."""
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    problem = only_problem(load_yaml, pipe)
    assert (problem.code, problem.message) == ("file-unreadable", "无法读取文件：这是命名管道（FIFO），不是文件")

def test_a_file_at_the_size_limit_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlload, "MAX_YAML_BYTES", 100)
    path = tmp_path / "ok.yaml"
    path.write_bytes(b"name: x\n" + b"#" * 91 + b"\n")
    assert path.stat().st_size == 100
    assert load_yaml(path) == {"name": "x"}
    path.write_bytes(b"name: x\n" + b"#" * 92 + b"\n")
    assert only_problem(load_yaml, path).code == "file-too-large"


def test_a_folder_given_as_a_file_is_told_in_chinese(tmp_path):
    problem = only_problem(load_yaml, tmp_path)
    assert problem.code == "file-unreadable"
    assert problem.message == "无法读取文件：这是一个文件夹，不是文件"


def test_missing_file(tmp_path):
    problem = only_problem(load_yaml, tmp_path / "nope.yaml")
    assert problem.code == "file-not-found"
    assert problem.mark == Mark(str(tmp_path / "nope.yaml"))
    assert problem.message == "文件不存在"


def test_directory_is_unreadable(tmp_path):
    problem = only_problem(load_yaml, tmp_path)
    assert problem.code == "file-unreadable"
    assert problem.message.startswith("无法读取文件")


# marks ---------------------------------------------------------------------------------------

def test_loaded_containers_carry_marks():
    data = parse_yaml("a:\n  - 1\n  - 2\n", "f.yaml")
    assert isinstance(data, MarkedDict) and isinstance(data["a"], MarkedList)
    assert data["a"].item_marks == [Mark("f.yaml", 2, 5), Mark("f.yaml", 3, 5)]


def test_mark_at_value_and_key_are_one_based():
    data = parse_yaml("ruleset:\n  id: bayou\n", "f.yaml")
    assert mark_at(data, ["ruleset", "id"]) == Mark("f.yaml", 2, 7)
    assert mark_at(data, ["ruleset", "id"], key=True) == Mark("f.yaml", 2, 3)


def test_mark_at_counts_characters_after_chinese():
    data = parse_yaml("名字很长的字段: 123\n", "f.yaml")
    assert mark_at(data, ["名字很长的字段"]) == Mark("f.yaml", 1, 10)


def test_mark_at_inside_flow_list_after_chinese():
    data = parse_yaml("名称: [甲, 乙乙, 丙]\n", "f.yaml")
    assert mark_at(data, ["名称", 2]) == Mark("f.yaml", 1, 13)  # 丙 is the 13th character


def test_mark_at_double_quoted_points_inside_quote():
    data = parse_yaml('名称: "引号里"\n', "f.yaml")
    assert mark_at(data, ["名称"]) == Mark("f.yaml", 1, 6)


def test_mark_at_single_quoted_points_inside_quote():
    data = parse_yaml("when: 'members > 1'\n", "f.yaml")
    assert mark_at(data, ["when"]) == Mark("f.yaml", 1, 8)


def test_mark_at_list_index():
    data = parse_yaml("flags: [yes, no, on]\n", "f.yaml")
    assert mark_at(data, ["flags", 2]) == Mark("f.yaml", 1, 18)


def test_mark_at_unknown_path_stops_at_deepest_known():
    data = parse_yaml("a:\n  b: 1\n", "f.yaml")
    assert mark_at(data, ["a", "zzz", "deeper"]) == Mark("f.yaml", 2, 3)
    assert mark_at(data, ["a", "b", 5]) == Mark("f.yaml", 2, 6)


def test_mark_of_merged_key_points_at_anchor():
    data = parse_yaml("base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n", "f.yaml")
    assert mark_at(data, ["child", "x"]) == Mark("f.yaml", 1, 14)
    assert mark_at(data, ["child", "y"]) == Mark("f.yaml", 4, 6)


def test_marks_name_the_file(write):
    path = write("marked.yaml", "a: 1\n")
    assert mark_at(load_yaml(path), ["a"]) == Mark(str(Path(path)), 1, 4)
