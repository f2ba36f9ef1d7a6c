"""Vetoes a union cannot lift this period: what already happened (an accident, a protest) stays as it is.

A veto holds when no change in the facts' declared directions clears it. A held `cap` veto closes
every level above its cap for this period, a held `disqualify` or `zero` veto every level. The
planner then plans toward the best level still open, or says plainly that none is, with the
measures the ruleset gives (`fix`) as the work that prepares the next period.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..language import evidence
from ..language.model import Level, Ruleset, Veto
from ..language.phrasing import phrasing_of
from .inversion import Solver

DEFAULT_FIX = "查明原因、落实整改、健全制度，防止再次发生，为下一年度评定打基础"
MEASURES_LEAD = "整改重点："  # where a statement turns from what the vetoes hold to what to do about them


@dataclass(frozen=True)
class Held:
    """The vetoes that hold for one union in one ruleset, and the levels they leave open."""

    ruleset: Ruleset
    vetoes: tuple[Veto, ...]
    facts: tuple[str, ...]  # what fired each: 「本年度发生重大劳动安全责任事故 1 起」

    @property
    def ceiling(self) -> int:
        """Index of the highest level still open this period (len(levels): none is)."""
        ids = [level.id for level in self.ruleset.levels]
        caps = [ids.index(v.cap_level) if v.effect == "cap" and v.cap_level in ids else len(ids) for v in self.vetoes]
        return max(caps, default=0)

    def closes(self, level: Level) -> bool:
        return self.ruleset.levels.index(level) < self.ceiling

    def best_open(self, above: int) -> Level | None:
        """The best level still open that is better than the level at index `above`."""
        return self.ruleset.levels[self.ceiling] if self.ceiling < min(above, len(self.ruleset.levels)) else None

    @property
    def measures(self) -> tuple[str, ...]:
        """What the union does about the vetoes that hold: each veto's `fix`, or a general one."""
        return tuple(dict.fromkeys((veto.fix or DEFAULT_FIX).rstrip("。") for veto in self.vetoes))

    def statement(self) -> str:
        """「本年度发生重大劳动安全责任事故 1 起，按标准本年度不能评为合格职工之家及以上等级。整改重点：…」."""
        parts = [f"{facts}，按标准本年度{self.verdict(veto)}" for veto, facts in zip(self.vetoes, self.facts)]
        return "；".join(parts) + f"。{MEASURES_LEAD}{'；'.join(self.measures)}"

    def verdict(self, veto: Veto) -> str:
        levels = self.ruleset.levels
        if veto.effect == "disqualify":
            return "不参与定级"
        if veto.effect == "zero":
            return "得分计为 0 分，不能评定等级"
        cap = [level.id for level in levels].index(veto.cap_level) if veto.cap_level else len(levels)
        return f"不能评为{levels[cap - 1].name}及以上等级" if cap > 0 else "等级不受影响"


def held_vetoes(ruleset: Ruleset, solver: Solver) -> Held:
    """The vetoes that hit the union (as `solver` sees it) and that no change in the facts' directions clears."""
    env = solver.base
    held = [v for v in ruleset.vetoes if v.when.expr(env) is True and solver.solve(v.when.expr.node, False) is None]
    facts = tuple(evidence.state(phrasing_of(ruleset), v.when.expr, env, True) for v in held)
    return Held(ruleset, tuple(held), facts)
