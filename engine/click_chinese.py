"""click's own messages in Chinese: usage, help headings, and every error click prints.

click builds each message from an English template passed through gettext (`_("Usage:")`,
`_("No such option {name!r}.")`), in the module that needs it. `install()` gives those modules a
translation that looks the template up in `MESSAGES` below, keyed by click's own text. So every
message click can print goes through the catalog at the place it is made, whatever the user's
locale, and `tests/test_chinese_messages.py` fails if a click upgrade adds a template missing here.
Names click puts into templates ("integer", "option") are translated as they are filled in.
"""
from __future__ import annotations

import gettext
import importlib
from collections.abc import Iterable
from typing import Any

import click

CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui", "types",
                 "utils", "_termui_impl")

MESSAGES: dict[str, str] = {
    # usage and help
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Choice({choices})": "选项（{choices}）",
    # errors: how they are shown
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 “{command} {option}” 查看帮助。",
    "Aborted!": "已中止。",
    "unknown error": "未知错误",
    # errors: options, arguments, commands
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项 {name}。",
    "Did you mean {possibility}?": "是否应为 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否应为其中之一：{possibilities}？）",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Value must be an iterable.": "值必须是一组值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "提示：命令 {name!r} 已弃用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "提示：{param_type} {name!r} 已弃用。{extra_message}",
    # errors: values
    "{value!r} is not {choice}.": "{value!r} 不是可选值 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值 {choices} 之一。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 之内。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否值。可用：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats} 中的任何一种。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，只给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，给了 {len_value} 个。",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，不是目录。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录，不是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    # prompts and the rest (not used by unionscore today, translated so none can appear in English)
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Press any key to continue...": "按任意键继续……",
    "d": "天",  # progress bars: days left
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Unknown color {colour!r}": "未知颜色 {colour!r}",
    "Unknown standard stream '{name}'": "未知的标准流 “{name}”",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
    "Couldn't detect Bash version, shell completion is not supported.": "无法识别 Bash 版本，不支持命令补全。",
    "Shell completion is not supported for Bash versions older than 4.4.": "Bash 4.4 以下版本不支持命令补全。",
    "Could not determine name for option with declarations {decls!r}": "无法确定选项 {decls!r} 的名称",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you mean to pass '--{name}'?":
        "没有定义选项，却给出了名称（{name}）。是要声明参数，还是要写 “--{name}”？",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": "参数只能有一个声明，实际 {length} 个：{decls}。",
    "Name '{name}' defined twice": "名称 “{name}” 定义了两次",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "布尔选项 {decl!r} 的真、假不能用同一个开关。",
}

# English words click fills into templates: type names, kinds of parameter
WORDS = {"integer": "整数", "float": "数值", "integer range": "整数", "float range": "数值", "boolean": "是/否值",
         "text": "文本", "argument": "参数", "option": "选项", "parameter": "参数", "command": "命令", "uuid": "UUID"}


class Template(str):
    """A translated template whose `format` also translates the English words click fills in."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:  # str.format, the one click calls
        return str.format(self, *args, **{key: WORDS.get(value, value) if isinstance(value, str) else value
                                          for key, value in kwargs.items()})


class Chinese(gettext.NullTranslations):
    """click's templates looked up in `MESSAGES`; an unknown one stays as click wrote it."""

    def gettext(self, message: str) -> str:
        found = MESSAGES.get(message)
        return Template(found) if found is not None else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def install() -> None:
    """Give click's modules the Chinese catalog in place of the locale's (idempotent). Call it before
    any command is declared: some types translate their names when they are made (`click.Path`)."""
    catalog = Chinese()
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        for attribute, function in (("_", catalog.gettext), ("ngettext", catalog.ngettext)):
            if hasattr(module, attribute):
                setattr(module, attribute, function)


# Placeholders in usage and help (ASCII in the command declarations, where they are also parameter names)
METAVARS = {"ID_OR_PATH": "编号或路径", "ID": "编号", "LEVEL": "等级", "SOURCE": "来源", "SOURCES": "来源", "P": "百分比",
            "OLD": "旧版本", "NEW": "新版本", "ITEM_ID": "指标编号", "FACT_FILE": "事实文件", "PATHS": "路径"}
OPTIONS_METAVAR, SUBCOMMAND_METAVAR = "[选项]", "命令 [参数]..."


def translate_metavars(params: Iterable[click.Parameter]) -> None:
    """Chinese placeholders for parameters: 「--jobs 整数」, 「事实文件」, 「[来源]...」."""
    for param in params:
        if param.metavar is not None:
            param.metavar = METAVARS.get(param.metavar, param.metavar)
        elif isinstance(param, click.Argument):
            param.metavar = argument_metavar(param)
        elif not isinstance(param.type, click.Choice) and not getattr(param, "is_flag", False):
            param.metavar = WORDS.get(param.type.name, param.type.name.upper()) + ("..." if param.nargs != 1 else "")


def argument_metavar(param: click.Argument) -> str:
    """What click shows for an argument (brackets when optional, dots when repeated), in Chinese."""
    name = (param.name or "").upper()
    text = METAVARS.get(name, name)
    text = text if param.required else f"[{text}]"
    return text + ("..." if param.nargs != 1 else "")


class ChineseCommand(click.Command):
    """A command whose usage line and placeholders read in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        translate_metavars(self.params)


class ChineseGroup(click.Group):
    """A group whose usage line, placeholders and commands read in Chinese."""

    command_class = ChineseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)
        translate_metavars(self.params)


ChineseGroup.group_class = ChineseGroup  # a group's subgroups (`unionscore db`) read in Chinese too
