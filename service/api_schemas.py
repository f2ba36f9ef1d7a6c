"""What the API reads and answers (service/api.py): pydantic schemas. Their docstrings and field
descriptions are Chinese because django-ninja puts them in the OpenAPI document, for the API's users."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class Message(Schema):
    """出错时的说明。"""

    detail: str = Field(description="说明（中文）")


class Problem(Schema):
    """数据中的一处问题。"""

    field: str = Field(description="出错之处：事实的点分路径（如 committee.elected），或 facts、period、union.id、请求参数名")
    message: str = Field(description="问题说明（中文）")


class Credentials(Schema):
    """账号和密码。"""

    username: str = Field(description="账号", max_length=150)
    password: str = Field(description="密码", max_length=1024)


class Token(Schema):
    """令牌及其失效时间。"""

    token: str = Field(description="令牌：之后每次请求在请求头中发送 Authorization: Bearer <令牌>")
    expires_at: dt.datetime = Field(description="失效时间（签发后 8 小时）")


class RulesetRef(Schema):
    """考核年度使用的一个规则集（考核标准）。"""

    id: str = Field(description="规则集编号，如 bayou")
    name: str = Field(description="标准名称")
    version: str = Field(description="规则集版本（本年度开始时的版本）")


class RoundOut(Schema):
    """一个考核年度。"""

    id: int = Field(description="考核年度编号（地址中的 {round}）")
    year: int = Field(description="年度")
    title: str = Field(description="名称")
    rulesets: list[RulesetRef] = Field(description="本年度使用的规则集")
    deadline: dt.date | None = Field(description="填报截止日期；未设定时为 null")
    status: str = Field(description="状态：open 填报中，closed 已截止")
    status_label: str = Field(description="状态（中文）")


class Score(Schema):
    """一个标准的得分与等级。"""

    ruleset: str = Field(description="规则集编号")
    score: float | None = Field(description="得分")
    max_score: float | None = Field(description="满分")
    level: str | None = Field(description="等级编号；不适用时为 null")
    level_name: str | None = Field(description="等级名称")
    applies: bool = Field(description="该标准是否适用于本工会")


class UnionOut(Schema):
    """考核年度中的一个工会及其填报状态。"""

    id: str = Field(description="工会编号，如 QS-016（地址中的 {union}）")
    name: str = Field(description="工会名称")
    type: str = Field(description="工会类型编号，如 enterprise")
    type_label: str = Field(description="工会类型（中文）")
    township: str | None = Field(description="所属乡镇（街道）")
    status: str = Field(description="填报状态：empty 未填报，draft 草稿，submitted 已提交")
    status_label: str = Field(description="填报状态（中文）")
    scores: list[Score] = Field(description="各标准的最新得分与等级（取最近一个有评估结果的版本）；尚无评估结果时为空")


class FactDocument(Schema):
    """事实数据：YAML 事实文件的内容，以 JSON 表示。union.id 和 period 须与地址一致；工会信息以系统记录为准。"""

    model_config = ConfigDict(extra="forbid")

    union: dict[str, Any] | None = Field(None, description="工会信息（同事实文件的 union）；id 须与地址中的工会一致，其余以系统记录为准")
    period: int | None = Field(None, description="年度；须与考核年度一致")
    facts: dict[str, Any] = Field(description="事实：嵌套或点分路径，写法同 YAML 事实文件，如 {\"employees\": 42, \"committee\": {\"elected\": true}}")


class Saved(Schema):
    """保存的结果：新版本的编号和评估结果。"""

    version: int = Field(description="新版本的编号")
    kind: str = Field(description="版本类别：submitted 提交，draft 草稿")
    kind_label: str = Field(description="版本类别（中文）")
    result: dict[str, Any] | None = Field(description="评估结果，与 unionscore assess --format json 相同；草稿未通过检查时为 null")
    problems: list[Problem] = Field(description="草稿中的问题（提交时有问题则不保存，返回 422）")


class VersionHead(Schema):
    """一个版本是谁、何时保存的。"""

    version: int = Field(description="版本编号，从 1 起")
    kind: str = Field(description="版本类别：submitted 提交，draft 草稿，imported 导入")
    kind_label: str = Field(description="版本类别（中文）")
    by: str | None = Field(description="保存人账号；导入的版本为 null")
    at: dt.datetime = Field(description="保存时间")


class VersionOut(VersionHead):
    """自评数据的一个版本。"""

    document: dict[str, Any] = Field(description="保存的事实数据：{\"union\", \"period\", \"facts\"}，facts 为点分路径")
    result: dict[str, Any] | None = Field(description="评估结果，与 unionscore assess --format json 相同；未通过检查时为 null")
    problems: list[Problem] = Field(description="事实数据中的问题（只有草稿可能有）")


class VersionSummary(VersionHead):
    """自评数据的一个版本（摘要）。"""

    scores: list[Score] = Field(description="各标准得分与等级")
