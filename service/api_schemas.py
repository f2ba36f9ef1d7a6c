"""What the API reads and answers (service/api.py): pydantic schemas. Their docstrings and field
descriptions are Chinese because django-ninja puts them in the OpenAPI document, for the API's users."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class Problems(Exception):
    """Facts that do not check: answered 422 with their list (by the handler in api.py)."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


class Message(Schema):
    """出错时的说明。"""

    detail: str = Field(description="说明（中文）")


class Unanswered(Message):
    """未保存（409）：提交所依据的版本之后已有新的版本，或者有没有填写的事实须确认。"""

    unanswered: list[Problem] = Field(default_factory=list, description=(
        "提交时没有填写、而评估需要的事实（按“无资料不得分”计分，或决定标准是否适用、否决项是否成立）：field 为事实的点分路径，"
        "message 为表单中的部分和名称。确实没有资料的，加 ?confirm=true 再次提交；其他原因的 409 为空列表"))


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


class EvidenceOut(Schema):
    """整改任务的一份佐证材料。"""

    id: int = Field(description="佐证材料编号")
    name: str = Field(description="上传时的文件名（仅作说明，不作存储路径）")
    content_type: str = Field(description="按文件内容识别的类型：image/jpeg、image/png、application/pdf 或 Word（.docx）")
    size: int = Field(description="大小（字节）")
    sha256: str = Field(description="SHA-256 摘要")
    by: str | None = Field(description="上传人账号")
    at: dt.datetime = Field(description="上传时间")
    url: str = Field(description="下载地址（网页，须登录；以附件形式下载）")
    withdrawn_at: dt.datetime | None = Field(description="撤回时间；未撤回为空")
    withdrawn_by: str | None = Field(description="撤回人账号；未撤回为空")


class TaskOut(Schema):
    """一项整改任务（整改规划中的一步）。"""

    id: int = Field(description="整改任务编号（地址中的 {id}）")
    ruleset: str = Field(description="规则集编号")
    item: str = Field(description="指标编号（或 veto、gate）")
    name: str = Field(description="整改事项")
    target: str = Field(description="整改目标")
    evidence_expected: list[str] = Field(description="须提交的台账资料")
    deadline: dt.date = Field(description="整改期限")
    status: str = Field(description="状态：open 整改中，done 待复查，returned 已退回，accepted 已销号")
    status_label: str = Field(description="状态（中文）")
    overdue: bool = Field(description="已过整改期限且仍待本单位整改")
    evidence: list[EvidenceOut] = Field(description="已上传的佐证材料（不含已撤回的）")
    withdrawn: list[EvidenceOut] = Field(description="本单位撤回的佐证材料（文件仍保留，不再作为佐证）")
    returned_at: dt.datetime | None = Field(description="最近一次退回的时间（从未退回为 null）：退回后上传（at 晚于此时间）的佐证材料才能再次提请复查")


class Transition(Schema):
    """整改任务的状态变更。"""

    to: str = Field(description="新状态：done（本单位：整改完成，提请复查），accepted（考核人员：销号），returned（考核人员：退回，须写明复查意见）")
    note: str = Field("", description="说明或复查意见；退回时必填", max_length=2000)


class TransitionOut(Schema):
    """状态变更的结果。"""

    task: TaskOut = Field(description="变更后的整改任务")
    version: int | None = Field(description="销号时：按整改目标修改事实后新生成的核定版本编号；否则为 null")
    result: dict[str, Any] | None = Field(description="销号时：重新评估的结果（同 assess --format json）；否则为 null")


class YearResult(Schema):
    """一个标准在某年度的得分与等级。"""

    score: float | None = Field(description="得分")
    level: str | None = Field(description="等级编号")
    level_name: str | None = Field(description="等级名称")


class HistoryYear(Schema):
    """工会在一个考核年度的记录。"""

    year: int = Field(description="年度")
    round: int = Field(description="考核年度编号")
    results: dict[str, YearResult] = Field(description="各标准（规则集编号）的得分与等级：取该年度最新的非草稿评估结果（复核、核定、提交或历年导入）")
    published: dict[str, YearResult] = Field(description="发布时的得分与等级；尚未发布时为空")
    tasks: int = Field(description="整改任务数")
    tasks_accepted: int = Field(description="已销号的整改任务数")


class VerifyNote(Schema):
    """一项事实的核查方式和说明。"""

    model_config = ConfigDict(extra="forbid")

    method: str = Field(description="核查方式：查阅资料、实地查看或座谈")
    note: str = Field("", description="核查情况说明", max_length=2000)


class VerifiedIn(Schema):
    """核查结果：只写与自评不一致的事实，每项注明核查方式。"""

    model_config = ConfigDict(extra="forbid")

    facts: dict[str, Any] = Field(description="核查改动的事实：点分路径或嵌套，写法同 YAML 事实文件；null 表示核查中没有这项（删除）")
    notes: dict[str, VerifyNote] = Field(default_factory=dict, description="每项改动的事实（点分路径）的核查方式和说明")


class Standing(Schema):
    """一个标准的得分与等级。"""

    score: float | None = Field(description="得分；标准不适用时为 null")
    level: str | None = Field(description="等级编号；未达到任何等级或不适用时为 null")
    level_name: str = Field(description="等级（中文）：等级名称、未达到任何等级、不参与定级或不适用")


class FactPair(Schema):
    """指标所读的一项事实（或由事实算出的值）的自评值与核定值。"""

    fact: str = Field(description="事实的点分路径，或指标算出的值的名称（如 membership_rate）")
    self: Any = Field(description="自评值")
    verified: Any = Field(description="核定值")


class ItemPair(Schema):
    """得分或结果因核查而变动的指标。"""

    id: str = Field(description="指标编号")
    name: str = Field(description="指标名称")
    self_points: float = Field(description="自评得分")
    verified_points: float = Field(description="核定得分")
    self_outcome: str = Field(description="自评结果：pass、partial、fail、missing、na 等")
    verified_outcome: str = Field(description="核定结果")
    facts: list[FactPair] = Field(description="该指标所读、自评与核定不同的事实")


class StandardPair(Schema):
    """一个考核标准的自评与核定对照。"""

    ruleset: str = Field(description="规则集编号")
    name: str = Field(description="标准名称")
    self: Standing = Field(description="自评的得分与等级")
    verified: Standing = Field(description="核定的得分与等级")
    items: list[ItemPair] = Field(description="得分或结果不同的指标（按标准中的顺序）")


class ReconciliationOut(Schema):
    """自评与核定的对照，按考核标准分列（同一指标编号可能出现在几个标准中）。"""

    self_version: int = Field(description="自评版本（最近提交或导入的版本）的编号")
    verified_version: int | None = Field(description="核定版本的编号；尚未核查时为 null，核定与自评相同")
    notes: dict[str, dict[str, str]] = Field(description="核查改动的事实及其核查方式和说明：{事实: {method, note}}")
    rulesets: list[StandardPair] = Field(description="各考核标准的对照，按考核年度中的顺序")


class VerifiedOut(Schema):
    """保存的核查结果。"""

    version: int = Field(description="新的核定版本的编号")
    result: dict[str, Any] | None = Field(description="评估结果，与 unionscore assess --format json 相同")
    reconciliation: ReconciliationOut | None = Field(description="自评与核定的对照")


class PublishIn(Schema):
    """发布考核年度结果。"""

    model_config = ConfigDict(extra="forbid")

    deadline: dt.date = Field(description="整改期限（晚于今天，且在今天起两年内），写入整改通知书和每项整改任务")


class PublishOut(Schema):
    """发布的结果。"""

    publication: int = Field(description="结果发布的编号")
    results: int = Field(description="发布结果的工会数")
    notices: int = Field(description="生成的整改通知书份数")
    tasks: int = Field(description="建立的整改任务数")
    left_out: list[str] = Field(description="未提交、未发布的工会")
    drafts: list[str] = Field(description="提交后又保存了草稿、尚未再次提交的工会：发布的是其提交的结果，草稿未发布")
