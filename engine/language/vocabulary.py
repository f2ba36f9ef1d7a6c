"""Words every stage shares: union types, the union header's labels, item outcomes, and the bounds
one fact sets on another. Kept with the model so that reading, scoring, planning and reporting
all say the same thing in the same Chinese."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import FactDecl

UNION_TYPES = {
    "enterprise": "企业", "government": "机关", "institution": "事业单位",
    "village": "村（社区）", "joint": "联合工会", "group": "工会小组",
}

HEADER_LABELS = {"union.id": "编号", "union.name": "工会名称", "union.type": "工会类型", "union.county": "县",
                 "union.township": "乡镇（街道）", "period": "考核年度"}

OUTCOME_TEXT = {"pass": "达标", "partial": "部分得分", "fail": "未得分", "missing": "缺资料", "na": "不适用", "pending": "待评定"}
OUTCOMES = tuple(OUTCOME_TEXT)  # how results write an item's outcome; the only values an outcome is compared with


def is_outcome(path: str) -> bool:
    """`results.<id>.items.<item>.outcome`: a used ruleset's item outcome."""
    parts = path.split(".")
    return len(parts) >= 5 and parts[0] == "results" and parts[2] == "items" and parts[-1] == "outcome"

AT_MOST = {"members": "employees"}  # built in, whatever a ruleset declares (a fact file breaking it: fact-members)


def ceilings(decls: Iterable[FactDecl]) -> dict[str, str]:
    """Each fact that may not exceed another: 会员人数 never more than 职工人数, and each declared `at_most`
    (女会员人数 at most 会员人数). A fact file breaking one is refused; the planner keeps to them."""
    return AT_MOST | {decl.name: decl.at_most for decl in decls if decl.at_most}


def union_type_text(kind: str | None) -> str:
    """A union type as people read it (「企业」); an unknown one as given."""
    return UNION_TYPES.get(kind or "", kind or "")
