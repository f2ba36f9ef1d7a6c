"""`judged`: the assessors decide the points within a range (酌情给分), entered as data with a note."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from ..codes import RULESET, Code
from ..diagnostics import Diagnostic, Mark
from ..language.expressions import Expression
from ..language.kind import Aiming, Base, Building, Goal, Record, Scoring
from ..values import Null, Number, exact, fmt_number
from .base import KindBase

PENDING = "待考核组评定"


@dataclass(frozen=True, slots=True)
class Band:
    """Guidance for one band of points: from `min` points up, what the work looks like."""

    min: Number
    text: str


@dataclass(frozen=True, slots=True)
class Judged(KindBase):
    """`judged: {fact, note, min, bands}`：考核组在 min（缺省 0）至 points 分之间酌情给分。分数和评分说明是
    两个事实（fact、note，须在 facts 中声明为数值和文本），由考核组填写：填了分数就必须写说明，分数须在
    范围之内（否则该单位的事实有误）；未填时本项“待考核组评定”，暂不得分，整改规划也不计入它。
    bands 按分数从高到低给出各档的评分参考。

    例：
      - id: tese.brand
        name: 特色工作（酌情给分）
        points: 5
        judged:
          fact: brand.points
          note: brand.note
          bands:
            - {min: 4, text: 形成在全县推广的特色品牌}
            - {min: 2, text: 有特色做法，成效一般}
    """

    points_fact: Expression
    note_fact: Expression
    low: Number = 0
    bands: tuple[Band, ...] = ()

    key: ClassVar[str] = "judged"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {"judged": {"description": "计分方式 judged：考核组在范围内酌情给分，分数与评分说明作为事实录入。",
                                  "$ref": "#/$defs/judged"}},
        "$defs": {
            "judged": {
                "title": "酌情给分（judged）", "type": "object", "additionalProperties": False, "required": ["fact", "note"],
                "properties": {
                    "fact": {"description": "考核组给的分数所在的事实（数值，须在 facts 中声明）。", "type": "string",
                             "pattern": "^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*$"},
                    "note": {"description": "评分说明所在的事实（文本，须在 facts 中声明）：给了分数就必须填写。", "type": "string",
                             "pattern": "^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*$"},
                    "min": {"description": "可给的最低分（缺省 0）；最高分是指标的 points。", "type": "number", "minimum": 0},
                    "bands": {"description": "评分参考，按分数从高到低：达到 min 分的工作是什么样。", "type": "array", "minItems": 1,
                              "items": {"$ref": "#/$defs/band"}},
                },
            },
            "band": {
                "title": "评分参考（bands 的一项）", "type": "object", "additionalProperties": False, "required": ["min", "text"],
                "properties": {
                    "min": {"description": "本档的最低分。", "type": "number", "minimum": 0},
                    "text": {"description": "本档的工作情况，如“形成在全县推广的特色品牌”。", "type": "string", "minLength": 1},
                },
            },
        },
    }
    fields: ClassVar[dict[str, str]] = {"judged.fact": "评定分数的事实", "judged.note": "评分说明的事实", "judged.min": "最低可给分",
                                        "bands[].min": "第 {} 档评分参考最低分", "bands[].text": "第 {} 档评分参考"}
    codes: ClassVar[dict[str, Code]] = {
        "judged-fact": Code(RULESET, "judged 的 fact 应为已声明的数值事实、note 应为已声明的文本事实，min 不超过 points，评分参考从高到低且在范围之内",
                            "judged: {fact: brand.points, note: brand.note}   # brand.note 声明为 integer"),
    }

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> Judged:
        spec = raw["judged"]
        points = builder.expr(spec["fact"], at("judged", "fact"), "number")
        note = builder.expr(spec["note"], at("judged", "note"), "string")
        bands = tuple(Band(exact(b["min"]), b["text"]) for b in spec.get("bands", ()))
        return cls(points, note, exact(spec.get("min", 0)), bands)

    def expressions(self) -> list[Expression]:
        return [self.points_fact, self.note_fact]

    @property
    def facts(self) -> tuple[str, str]:
        """The names of the facts holding the points and the note (plain fact paths, by the schema)."""
        return self.points_fact.text, self.note_fact.text

    def score(self, points: Number, ctx: Scoring) -> Base:
        given = ctx.value(self.points_fact)
        if isinstance(given, Null):
            return Base(0, f"{PENDING}（{self.range(points)}酌情给分）", pending=True)
        note = ctx.value(self.note_fact)
        lost = f"，失 {fmt_number(points - given)} 分" if given < points else ""
        band = self.band(given)
        within = f"，评分参考“{band.text}”" if band else ""
        return Base(given, f"考核组评定 {fmt_number(given)} 分（{self.range(points)}{within}）：{note}{lost}")

    def range(self, points: Number) -> str:
        return f"{fmt_number(self.low)}–{fmt_number(points)} 分"

    def band(self, given: Number) -> Band | None:
        return next((band for band in self.bands if given >= band.min), None)

    def explain(self, points: Number) -> list[tuple[str, Expression]]:
        return [(f"考核组评定的分数（{self.range(points)}）", self.points_fact), ("评分说明", self.note_fact)]

    def record(self) -> Record:
        found: Record = {"judged.fact": self.points_fact.text, "judged.note": self.note_fact.text, "judged.min": fmt_number(self.low)}
        for index, band in enumerate(self.bands, 1):
            found |= {f"bands[{index}].min": fmt_number(band.min), f"bands[{index}].text": band.text}
        return found

    def full(self, points: Number, aim: Aiming) -> list[Goal]:
        """Nothing a union changes in its facts: the assessors decide (plans leave judged items out)."""
        return []

    def problems(self, item_id: str, points: Number, mark: Mark) -> Iterator[Diagnostic]:
        wrong = [b.min for b in self.bands if not self.low <= b.min <= points]
        descending = all(a.min > b.min for a, b in zip(self.bands, self.bands[1:]))
        if self.low > points or wrong or not descending:
            message = (f"指标 “{item_id}” 的 judged：min 不能超过 points（{fmt_number(points)} 分），"
                       "bands 的 min 应在 min 与 points 之间并从高到低排列")
            yield Diagnostic(mark, "judged-fact", message)
