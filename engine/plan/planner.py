"""The rectification planner: the least-effort set of fixes that brings a union to a level.

Forced first: the gate, vetoes that hold the level down, items the level requires (必备项,
`requires`), and the levels the rulesets it `uses` must reach (planned first, their changes
applied before this ruleset is planned). Then an exact search over the remaining items: each
item is fixed to its best reachable result at its effort weight; per section the Pareto front of
(effort, points) is built and capped, sections are joined, the bonus added, and the cheapest
combination that meets the level's score and section minimums wins. The plan is then
re-assessed with every change applied; fixes that other fixes made redundant are dropped, and
if the fixes interfere a second round plans from the changed facts. Last, each step is told
from the union as it stands and aimed at its points with the other steps made (`settle`), and
the items the steps move unnamed are listed, so the plan's points add up.
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from ..diagnostics import InvalidInput, UsageError
from ..evaluate.assessment import Assessment, Seen, assess, reassess
from ..evaluate.cohort import rule_text
from ..evaluate.evaluators import Evaluator
from ..evaluate.result import ItemScore, RulesetResult
from ..evaluate.scoring import PASSING, Context, score_item
from ..facts.fact_file import FactFile
from ..language.model import CHAIR, DEFAULT_OWNER, Item, Level, Ruleset, Section
from ..load.rulesets import requested
from ..values import Fraction, Number, fmt_number, normal
from .across import across
from .cuts import Cut, cut_step, cuts_of
from .held import held_vetoes
from .inversion import Patch, Solver
from .linked import Linked, linked_reach, linked_steps
from .records import Left, Plan, Standing, Step, scale_note
from .settle import owned, owner_as_had, settled, side_changes
from .steps import buys, item_step, merged
from .targets import ItemTargets, LiveContext, Reach, change_of

ROUNDS = 2
NO_LEVELS = "本标准未设等级，不作晋级规划"  # a 评分细则 that only scores


class Unreachable(Exception):
    """The target cannot be reached; the message says why, in Chinese."""


class Front(NamedTuple):
    """One Pareto-optimal choice: its effort, the points it gives and the items it fixes (a named tuple:
    the search makes tens of thousands a union)."""

    cost: int
    value: Any
    items: tuple[str, ...] = ()


class State:
    """One union assessed, with its facts as they stand or as a plan would change them."""

    def __init__(self, rulesets: list[Ruleset], assessment: Assessment, evaluator: Evaluator, start: bool = True) -> None:
        """`start`: the union as assessed (its changed states share what they assess, `Seen`), or a changed state."""
        self.rulesets, self.evaluator, self.assessment = rulesets, evaluator, assessment
        self.seen = Seen(assessment, rulesets) if start else None
        self.as_assessed = assessment.results  # the union's own results (a changed state is given its start's)
        self.by_id = {r.id: r for r in rulesets}
        self.results, self.envs = assessment.results, assessment.envs
        self.targets: dict[str, ItemTargets] = {}
        self.reaches_by_item: dict[str, dict[str, Reach | Linked]] = {}

    def solver(self, ruleset: Ruleset) -> Solver:
        return Solver(ruleset, self.envs[ruleset.id])

    def applies(self, ruleset: Ruleset) -> bool:
        """Whether the standard applies to the union: its gate holds, or a plan can make it hold."""
        gate = ruleset.gate
        return self.results[ruleset.id].applies or gate is None or self.solver(ruleset).solve(gate.when.expr.node, True) is not None

    def applies_later(self, ruleset: Ruleset) -> bool:
        """Whether the gate holds a year on (a union not yet a year old), as it stands otherwise."""
        env = self.envs[ruleset.id]
        return ruleset.gate is not None and ruleset.gate.when.expr(replace(env, as_of=env.as_of + dt.timedelta(days=366))) is True

    def item_targets(self, ruleset: Ruleset) -> ItemTargets:
        """The items' better results in this state, one finder per ruleset (it keeps what it found)."""
        if ruleset.id not in self.targets:
            self.targets[ruleset.id] = ItemTargets(self.solver(ruleset))
        return self.targets[ruleset.id]

    def best_reaches(self, ruleset: Ruleset) -> dict[str, Reach | Linked]:
        """Every item below full points that some change raises, with its best result (or, for an item met
        through a used standard's items, theirs); found once per state, whichever level is being tried."""
        if ruleset.id not in self.reaches_by_item:
            result, targets = self.results[ruleset.id], self.item_targets(ruleset)
            found = {}
            for score in result.items + result.bonus_items:
                if score.outcome not in PASSING:
                    item = ruleset.item_index[score.id]
                    best = targets.best_reach(item, score) or linked_reach(self, ruleset, item)
                    if best is not None:
                        found[score.id] = best
            self.reaches_by_item[ruleset.id] = found
        return self.reaches_by_item[ruleset.id]

    def truth(self, ruleset: Ruleset, cond: Any) -> Any:
        return cond.expr(self.envs[ruleset.id])

    def changed(self, patch: Patch, ruleset: Ruleset) -> State:
        """This union with `patch` applied, assessed in `ruleset` and the rulesets it uses."""
        needed = self.needed(ruleset)
        changes = {name: raw(value) for name, value in patch.items()}
        try:
            assessment = reassess(self.assessment, needed, changes, self.evaluator, self.seen)
        except InvalidInput as exc:  # the changes clash with a figure they leave (a count filled in below its parts)
            raise Unreachable(f"按规划整改后的数据互相矛盾（{exc.diagnostics[0].message}），请先补齐、核对本单位的数据再作规划") from None
        state = State(needed, assessment, self.evaluator, start=False)
        state.as_assessed = self.as_assessed
        return state

    def needed(self, ruleset: Ruleset) -> list[Ruleset]:
        wanted, pending = set(), [ruleset.id]
        while pending:
            rid = pending.pop()
            wanted.add(rid)
            pending += [u for u in self.by_id[rid].uses if u not in wanted]
        return [r for r in self.rulesets if r.id in wanted]

    def reaches(self, ruleset: Ruleset, level: Level) -> bool:
        return at_least(ruleset, self.results[ruleset.id], level)


def raw(value: Any) -> Any:
    """A planned value as a fact file would hold it (readable decimals stay exact)."""
    return float(value) if isinstance(value, Fraction) and Fraction(str(float(value))) == value else value


def at_least(ruleset: Ruleset, result: RulesetResult, level: Level) -> bool:
    """The union holds `level` or better, or qualifies for it or better: a level held by rank in a cohort is
    reached when the union may take part in its ranking (its place is not the union's to plan)."""
    ids = [lv.id for lv in ruleset.levels]
    held = [result.level.id] if result.level is not None else []
    return any(ids.index(found) <= ids.index(level.id) for found in held + list(result.ladder))


class Planner:
    """Plans one ruleset's target level for one union."""

    def __init__(self, rulesets: list[Ruleset], assessment: Assessment, evaluator: Evaluator) -> None:
        """`assessment`: the union as assessed; `evaluator` assesses it again with a plan's changes."""
        self.rulesets = rulesets
        self.start = State(rulesets, assessment, evaluator)

    @classmethod
    def assessing(cls, rulesets: list[Ruleset], fact_file: FactFile, evaluator: Evaluator, as_of: dt.date | None = None) -> Planner:
        """Assess the union, then plan from that assessment."""
        return cls(rulesets, assess(rulesets, fact_file, evaluator, as_of), evaluator)

    def plan(self, ruleset_id: str, target: str | None = None, timetable: bool = False) -> Plan:
        """`timetable`: the plan is for a 整改工作方案, whose timetable also lists the 必备项 it leaves (`left`)."""
        ruleset = self.start.by_id[ruleset_id]
        level = self.target_level(ruleset, target)
        result = self.start.results[ruleset.id]
        assessment = self.start.assessment
        base: dict[str, Any] = {"union": assessment.fact_file.union, "as_of": assessment.as_of, "ruleset": ruleset.id, "ruleset_name": ruleset.name,
                                "notes": judged_notes(result), "chair": owner_as_had(self.start, ruleset.id, CHAIR),
                                "committee": owner_as_had(self.start, ruleset.id, DEFAULT_OWNER)}
        before = (standing(ruleset, result),)
        if not ruleset.levels:
            return Plan(**base, target=None, target_name="", reachable=False, why_not=NO_LEVELS, before=before)
        if not self.start.applies(ruleset):
            why = not_applicable(result, self.start.applies_later(ruleset))
            return Plan(**base, target=None, target_name="", reachable=False, why_not=why, before=before)
        if level is None:
            return Plan(**base, target=None, target_name="", reachable=True, why_not="已达到最高等级，以巩固提升为主", before=before, after=before)
        held = held_vetoes(ruleset, self.start.solver(ruleset))
        if held.closes(level):
            open_level = held.best_open(self.rank(ruleset, result)) if target is None else None
            if open_level is None:
                return Plan(**base, target=None, target_name="", reachable=False, why_not=held.statement(), before=before,
                            measures=held.measures)
            level = open_level
        if self.start.reaches(ruleset, level):
            return Plan(**base, target=level.id, target_name=level.name, reachable=True, why_not=reached(result, level), before=before, after=before)
        try:
            steps, state = self.rounds(ruleset, level)
        except Unreachable as exc:
            return Plan(**base, target=level.id, target_name=level.name, reachable=False, why_not=str(exc), before=before)
        base["notes"] += ranked_note(level) + required_note(ruleset, level, state.results[ruleset.id].required_failed) + linked_note(ruleset, steps)
        steps = [owned(self.start, step) for step in steps]
        involved = [r for r in self.rulesets if r.id == ruleset.id or any(s.ruleset == r.id for s in steps)]
        involved.sort(key=lambda r: r.id != ruleset.id)
        return Plan(
            **base, target=level.id, target_name=level.name, reachable=True, why_not="", steps=tuple(order(steps, self.rulesets)),
            before=tuple(standing(r, self.start.results[r.id]) for r in involved),
            after=tuple(standing(r, state.results[r.id]) for r in involved), patch=merged(steps), scale=scale_note(result),
            side=tuple(side_changes(involved, self.start, state, steps)), left=tuple(self.left(ruleset, level, state.results[ruleset.id])) if timetable else (),
        )

    def left(self, ruleset: Ruleset, level: Level, after: RulesetResult) -> Iterable[Left]:
        """The 必备项 a plan leaves failed, each with what puts it right as a required step would say it
        (「召开会员（代表）大会进行换届选举（上次为2019年3月1日）」)."""
        search, result = Search(self.start), self.start.results[ruleset.id]
        for item_id in after.required_failed:
            item, score = ruleset.item_index[item_id], result.item_score(item_id)
            try:
                steps = search.required_item(ruleset, level, item, score)[0] if score.outcome not in PASSING else []
            except Unreachable:
                steps = []
            yield Left(item.name, "；".join(c.text for step in steps for c in step.changes), owner_as_had(self.start, ruleset.id, item.owner))

    def rank(self, ruleset: Ruleset, result: RulesetResult) -> int:
        """The index of the union's level (the number of levels when it has none)."""
        ids = [lv.id for lv in ruleset.levels]
        return ids.index(result.level.id) if result.level else len(ids)

    def target_level(self, ruleset: Ruleset, target: str | None) -> Level | None:
        if target is not None:
            level = ruleset.level(target)
            if level is None:
                known = "、".join(f"{lv.id}（{lv.name}）" for lv in ruleset.levels) or "无（本标准未设等级）"
                raise UsageError(f"“{ruleset.name}”中没有等级 “{target}”；可选：{known}")
            return level
        result = self.start.results[ruleset.id]
        if not ruleset.levels:
            return None
        ids = [lv.id for lv in ruleset.levels]
        if result.level is None:  # ungraded: the lowest level that means something
            lowest = ruleset.levels[-1]
            return lowest if lowest.min > 0 or len(ruleset.levels) == 1 else ruleset.levels[-2]
        at = ids.index(result.level.id)
        return ruleset.levels[at - 1] if at > 0 else None

    def rounds(self, ruleset: Ruleset, level: Level) -> tuple[list[Step], State]:
        """Plan, apply, re-assess; plan again from there if the fixes interfered."""
        steps: list[Step] = []
        state = self.start
        for _ in range(ROUNDS):
            steps += Search(state).reach(ruleset, level)
            state = self.start.changed(merged(steps), ruleset)
            if state.reaches(ruleset, level):
                return settled(self.start, *prune(steps, state, self.start, ruleset, level), ruleset, level)
        got = state.results[ruleset.id]
        raise Unreachable(f"按规划整改后复核，{ruleset.name}为 {fmt_number(got.score)} 分（{got.level_text}），仍未达到{level.name}：各项整改相互影响，请人工调整")


def prune(steps: list[Step], state: State, start: State, ruleset: Ruleset, level: Level) -> tuple[list[Step], State]:
    """Drop fixes that other fixes already achieve (facts shared between items or rulesets). `state`: `steps`
    applied; the state of the steps kept is returned with them."""
    kept = list(steps)
    for step in sorted(steps, key=lambda s: -s.weight):
        trial = [s for s in kept if s is not step]
        redundant = step.kind == "item" and not step.required and achieved(step, start, merged(trial))
        if redundant:
            tried = start.changed(merged(trial), ruleset)
            if tried.reaches(ruleset, level):
                kept, state = trial, tried
    return kept, state


def achieved(step: Step, start: State, patch: Patch) -> bool:
    """Whether the other fixes alone give this step's item the points it plans for."""
    ruleset = start.by_id[step.ruleset]
    env = start.solver(ruleset).env(patch)
    return score_item(ruleset.item_index[step.id], LiveContext(ruleset, env, [])).points >= step.points_after


class Search:
    """The forced steps and the exact least-effort item choice for one ruleset, from one state."""

    def __init__(self, state: State) -> None:
        self.state = state

    def reach(self, ruleset: Ruleset, level: Level, why: str = "") -> list[Step]:
        """The least-effort steps that bring `ruleset` to `level` or above; `why`, when given, is what
        the score steps are for (else each says what it buys). A better level is tried too when its
        rules are not simply stricter."""
        found, failures = [], []
        for candidate in alternatives(ruleset, level):
            try:
                found.append(self.reach_level(ruleset, candidate, why))
            except Unreachable as exc:
                failures.append(exc)
        if not found:
            raise failures[0]  # why the target itself cannot be reached
        return min(found, key=lambda steps: sum(s.weight for s in steps))

    def reach_level(self, ruleset: Ruleset, level: Level, why: str) -> list[Step]:
        state = self.state
        if state.reaches(ruleset, level):
            return []
        steps = self.gate(ruleset) + self.vetoes(ruleset, level)
        steps += self.used(ruleset, level)
        if any(s.ruleset != ruleset.id for s in steps):
            state = state.changed(merged(steps), ruleset)
        search = Search(state)
        forced, planned = search.required(ruleset, level)
        return steps + forced + search.scored(ruleset, level, planned, why)

    # forced steps ------------------------------------------------------------------------------
    def gate(self, ruleset: Ruleset) -> list[Step]:
        gate = ruleset.gate
        if gate is None or self.state.truth(ruleset, gate.when) is True:
            return []
        patch = self.state.solver(ruleset).solve(gate.when.expr.node, True)
        if patch is None:
            raise Unreachable(not_applicable(self.state.results[ruleset.id], self.state.applies_later(ruleset)))
        return [self.forced("gate", ruleset, "gate", gate.name, patch, "申报条件，须先满足")]

    def vetoes(self, ruleset: Ruleset, level: Level) -> list[Step]:
        ids = [lv.id for lv in ruleset.levels]
        steps = []
        for veto in ruleset.vetoes:
            if self.state.truth(ruleset, veto.when) is not True:
                continue
            if veto.effect == "cap" and veto.cap_level in ids and ids.index(veto.cap_level) <= ids.index(level.id):
                continue
            patch = self.state.solver(ruleset).solve(veto.when.expr.node, False)
            if patch is None:
                raise Unreachable(held_vetoes(ruleset, self.state.solver(ruleset)).statement())
            facts = Context(ruleset, self.state.envs[ruleset.id], []).describe(sorted(veto.when.expr.names))
            text = f"消除否决情形“{veto.name}”（{facts}）：{veto.fix or '落实整改并经上级工会认定解除否决'}"
            steps.append(self.forced("veto", ruleset, veto.id, veto.name, patch, f"否决项：不消除不能评为{level.name}", text))
        return steps

    def used(self, ruleset: Ruleset, level: Level) -> list[Step]:
        """Levels the used rulesets must reach for this level's `requires` conditions."""
        steps: list[Step] = []
        for requirement in level.requires:
            if requirement.cond is None or self.state.truth(ruleset, requirement.cond) is True:
                continue
            found = self.used_level(ruleset, requirement.cond)
            if found is None:
                raise Unreachable(f"{level.name}要求“{requirement.text}”，该条件不能自动规划")
            used, needed = found
            steps += Search(self.state).reach(used, needed, f"{level.name}要求{used.name}达到{needed.name}")
        return steps

    def used_level(self, ruleset: Ruleset, cond: Any) -> tuple[Ruleset, Level] | None:
        """The used ruleset a `results.<id>.level` condition reads, and the lowest level that meets it."""
        names = list(cond.expr.names)
        if len(names) != 1 or not names[0].startswith("results.") or not names[0].endswith(".level"):
            return None
        used_id = names[0][len("results."):-len(".level")]
        used = self.state.by_id.get(used_id) or self.state.by_id.get(used_id.replace("_", "-"))
        if used is None:
            return None
        env = self.state.envs[ruleset.id]
        meets = (cond.expr(replace(env, values={**env.values, names[0]: lv.id})) is True for lv in used.levels)
        run = len(list(itertools.takewhile(bool, meets)))  # the levels from the top that meet it
        return (used, used.levels[run - 1]) if run else None

    def required(self, ruleset: Ruleset, level: Level) -> tuple[list[Step], dict[str, Number]]:
        """The steps for the items the level requires, and the points each of those items is planned at."""
        result = self.state.results[ruleset.id]
        wanted = {r.item for r in level.requires if r.item}
        if level.requires_all_required:
            wanted |= set(result.required_failed)
        steps, planned = [], {}
        for score in result.items:
            if score.id in wanted and score.outcome not in PASSING:
                found, planned[score.id] = self.required_item(ruleset, level, ruleset.item_index[score.id], score)
                steps += found
        return steps, planned

    def required_item(self, ruleset: Ruleset, level: Level, item: Item, score: ItemScore) -> tuple[list[Step], Number]:
        """The steps that bring a required item to full points, and the points it is planned at. Its best result
        may be met through a used standard's items, or by a fix that costs other items points (more members
        lower the 参保率): the level needs the item, and the next round of the plan makes up what it costs."""
        why = f"必备项，不达标不能评为{level.name}"
        best = self.state.item_targets(ruleset).best(item, score)
        if best is not None and best.points >= item.points:
            return [item_step(ruleset, item, score, best, why, required=True)], best.points
        linked = linked_reach(self.state, ruleset, item)
        if linked is not None:
            return linked_steps(self.state, ruleset, item, linked, why, required=True), linked.points
        costly = ItemTargets(self.state.solver(ruleset), guarded=False).best_costly(item, score)
        if costly is not None and costly.points >= item.points:
            return [item_step(ruleset, item, score, costly, why, required=True)], costly.points
        raise Unreachable(f"{level.name}要求“{item.name}”达标，但按现有情况无法通过整改达到（{score.reason}）")

    # the exact search over the other items -----------------------------------------------------
    def scored(self, ruleset: Ruleset, level: Level, forced: dict[str, Number], why: str) -> list[Step]:
        """The least-effort items (besides the `forced` ones, at their planned points) for the level's score."""
        result = self.state.results[ruleset.id]
        scores = {s.id: s for s in result.items + result.bonus_items}
        targets = self.state.item_targets(ruleset)
        options = {i: reach for i, reach in self.state.best_reaches(ruleset).items() if i not in forced}
        points = {i: forced.get(i, s.points) for i, s in scores.items()}
        solver = self.state.solver(ruleset)
        cuts = cuts_of(ruleset, result, solver)
        front = Fronts(ruleset, result, points, options, cuts).level_front(level)
        choice = cheapest(front, level.min)
        if choice is None:
            raise Unreachable(shortfall_reason(ruleset, level, front))
        cleared = {cut.key: cut for found in cuts.values() for cut in found}
        own = self.state.as_assessed[ruleset.id]  # what a step buys is told from the union's own score
        steps = []
        for key in choice.items:
            if key in cleared:
                steps.append(cut_step(ruleset, cleared[key], solver, why or buys(ruleset, own, level, cleared[key].amount)))
                continue
            item, score, option = ruleset.item_index[key], scores[key], options[key]
            if isinstance(option, Linked):
                steps += linked_steps(self.state, ruleset, item, option, why or buys(ruleset, own, level, option.points - score.points, "该项"))
                continue
            target = targets.target(item, score, option.patch, option.points, option.reached)
            steps.append(item_step(ruleset, item, score, target, why or buys(ruleset, own, level, target.gain)))
        return steps

    def forced(self, kind: str, ruleset: Ruleset, key: str, name: str, patch: Patch, why: str, text: str = "") -> Step:
        env = self.state.envs[ruleset.id]
        changes = tuple(change_of(ruleset.facts[n], env.get(n), v, env) for n, v in sorted(patch.items()) if env.get(n) != v)
        return Step(kind, ruleset.id, ruleset.short_name, key, name, "", "", "high", 0, 0, 0, changes,
                    text or "；".join(c.text for c in changes), why=why, required=True, owner=CHAIR)


def alternatives(ruleset: Ruleset, level: Level) -> list[Level]:
    """The target, then each better level whose rules are not simply stricter than the target's."""
    better = ruleset.levels[: ruleset.levels.index(level)]
    return [level] + [lv for lv in reversed(better) if not stricter(ruleset, lv, level)]


def stricter(ruleset: Ruleset, high: Level, low: Level) -> bool:
    """Whether every way of meeting `high` also meets `low` (so `high` can never be cheaper)."""
    shares = all((section_share(high, s.id) or 0) >= (section_share(low, s.id) or 0) for s in ruleset.sections)
    texts = {r.text for r in high.requires}
    return (high.min >= low.min and shares and all(r.text in texts for r in low.requires)
            and (high.requires_all_required or not low.requires_all_required))


class Fronts:
    """Pareto fronts of (effort, points) per section, capped, joined into the level score."""

    def __init__(self, ruleset: Ruleset, result: RulesetResult, points: dict[str, Number], options: dict,
                 cuts: dict[str, list[Cut]] | None = None) -> None:
        self.ruleset, self.points, self.options, self.cuts = ruleset, points, options, cuts or {}
        self.possible = {s.id: s.max_points for s in result.sections}
        self.weights = {i: o.weight if isinstance(o, Linked) else ruleset.weight(ruleset.item_index[i]) for i, o in options.items()}

    def items_front(self, items: Iterable[Item], cap: Number | None) -> list[Front]:
        """Every Pareto-optimal choice of the items' better results, capped at `cap` (None: uncapped)."""
        front = [Front(0, sum((self.points[i.id] for i in items), 0))]
        for item in items:
            if item.id in self.options:
                gain, cost = self.options[item.id].points - self.points[item.id], self.weights[item.id]
                front = pareto(front + [Front(c + cost, v + gain, i + (item.id,)) for c, v, i in front])
        return front if cap is None else pareto([Front(c, min(v, cap), i) for c, v, i in front])

    def section_front(self, section: Section) -> list[Front]:
        """Capped at the section's possible points (and what items scored around a target earn above theirs),
        then less what the section's own deductions still take, floored at 0."""
        cap = self.possible[section.id] + section.headroom
        front = self.items_front(section.items, cap)
        if section.sections:
            for sub in section.sections:
                front = join(front, self.section_front(sub))
            front = pareto([Front(c, min(v, cap), i) for c, v, i in front])
        cuts = self.cuts.get(section.id)
        if not cuts:
            return front
        return pareto([Front(f.cost + c.cost, max(f.value + c.value, 0), f.items + c.items) for f in front for c in self.cut_front(section, cuts)])

    def cut_front(self, section: Section, cuts: list[Cut]) -> list[Front]:
        """Every choice of the section's deductions to clear: its effort, and what the others still take (negative)."""
        clearable = [cut for cut in cuts if cut.patch is not None]
        weight = self.ruleset.effort_weights["medium"]
        found = []
        for size in range(len(clearable) + 1):
            for chosen in itertools.combinations(clearable, size):
                rest = sum((cut.amount for cut in cuts if cut not in chosen), 0)
                rest = rest if section.max_deduct is None else min(rest, section.max_deduct)
                found.append(Front(weight * size, -rest, tuple(cut.key for cut in chosen)))
        return pareto(found)

    def level_front(self, level: Level) -> list[Front]:
        """The level score of every Pareto-optimal choice meeting the level's section minimums."""
        front = [Front(0, 0)]
        for section in self.ruleset.sections:
            own, share, most = self.section_front(section), section_share(level, section.id), self.possible[section.id]
            if share is not None and most != 0:
                least = share * most
                own = [f for f in own if f.value >= least]
            front = join(front, own)
        possible = sum((self.possible[s.id] for s in self.ruleset.sections), 0)
        if possible != self.ruleset.max_score:  # items dropped (na: drop): rescaled to the standard's maximum
            front = [Front(f.cost, Fraction(f.value) * self.ruleset.max_score / possible if possible else 0, f.items) for f in front]
        bonus = self.ruleset.bonus
        if bonus is None or not bonus.counts_for_level:
            return front
        return join(front, self.items_front(bonus.items, bonus.max))


def reached(result: RulesetResult, level: Level) -> str:
    """「已达到先进职工之家」; a level held by rank that the union qualifies for but does not hold:
    「已具备模范职工之家的参评条件（青山镇符合条件的 5 个单位中排第 3 名，未入选）」."""
    place = next((p for p in result.cohort.places if p.level == level.id), None) if result.cohort else None
    if place is None or place.selected:
        return f"已达到{level.name}"
    standing = f"{place.group}符合条件的 {place.candidates} 个单位中排第 {place.rank} 名，未入选" if place.rank else "能否评上待全部工会评分后按排名确定"
    return f"已具备{level.name}的参评条件（{standing}）"


def judged_notes(result: RulesetResult) -> tuple[str, ...]:
    """「“特色工作”待考核组评定（满分 5 分），本规划未计入」: items the assessors judge are never planned."""
    waiting = [item for item in result.items + result.bonus_items if item.outcome == "pending"]
    return tuple(f"“{item.name}”待考核组评定（满分 {fmt_number(item.max_points)} 分），本规划未计入" for item in waiting)


def ranked_note(level: Level) -> tuple[str, ...]:
    """A level held by rank: a plan can make the union a candidate, its place is decided by the ranking."""
    if level.cohort is None:
        return ()
    return (f"“{level.name}”{rule_text(level)}：整改使本单位具备参评条件，能否评上以排名为准",)


def required_note(ruleset: Ruleset, level: Level, failed: Sequence[str]) -> tuple[str, ...]:
    """The 必备项 (`failed`, their ids) a plan to `level` leaves failed, because the level does not require them; a
    必备项 is still a must: 「必备项“按期换届”未达标：不影响评为合格职工之家，本规划未列入，但仍须整改（评模范职工之家须全部必备项达标）」."""
    if not failed:
        return ()
    names = "“" + "”“".join(ruleset.item_index[i].name for i in failed) + "”"
    better = ruleset.levels[: ruleset.levels.index(level)]
    strict = next((lv for lv in reversed(better) if lv.requires_all_required), None)
    then = f"（评{strict.name}须全部必备项达标）" if strict else ""
    return (f"必备项{names}未达标：不影响评为{level.name}，本规划未列入，但仍须整改{then}",)


def linked_note(ruleset: Ruleset, steps: list[Step]) -> tuple[str, ...]:
    """Steps of a standard the plan's standard uses gain that standard's points, and the plan's own items they move
    are listed after the steps: 「属于“八有”的整改事项……其“+ 分”是“八有”该项的分值；由此带来的星级得分见“……还使……得分随之变化”一句」."""
    names = "、".join(dict.fromkeys(f"“{s.ruleset_name}”" for s in steps if s.ruleset != ruleset.id and s.scored))
    if not names:
        return ()
    return (f"属于{names}的整改事项，是{ruleset.short_name}指标须达标的{names}指标，其“+ 分”是{names}该项的分值；"
            f"由此带来的{ruleset.short_name}得分见“……还使……得分随之变化”一句",)


def not_applicable(result: RulesetResult, later: bool) -> str:
    """A gate no change meets: 「未满足申报条件（本单位工会类型：企业），本标准不适用于本单位」; one that time
    will meet (a union not yet a year old): 「…，条件具备后方可参评本标准」."""
    return f"{result.gate_reason}，{'条件具备后方可参评本标准' if later else '本标准不适用于本单位'}"


def section_share(level: Level, section_id: str) -> Any:
    if level.section_min is None:
        return None
    return level.section_min.get(section_id) if isinstance(level.section_min, dict) else level.section_min


def pareto(front: list[Front]) -> list[Front]:
    """Cheapest first; an entry stays only if it gives more than every cheaper one. Of entries of equal
    cost, the one giving most stands for them, the one fixing fewest items among those, the first among
    those: one pass and a sort of the distinct costs, instead of sorting every entry by three keys."""
    best: dict[int, Front] = {}
    for entry in front:
        held = best.get(entry.cost)
        if held is None or entry.value > held.value or (entry.value == held.value and len(entry.items) < len(held.items)):
            best[entry.cost] = entry
    kept: list[Front] = []
    for cost in sorted(best):
        entry = best[cost]
        if not kept or entry.value > kept[-1].value:
            kept.append(entry)
    return kept


def join(a: list[Front], b: list[Front]) -> list[Front]:
    """`pareto` of every pair's sum, each pair's items those of `x` then `y`. The pairs are not built: per
    cost the best pair so far is kept as `pareto` would keep it (most points, then fewest items, then the
    first), and only the pairs that stay become entries (a section join makes hundreds of pairs a plan)."""
    best: dict[int, tuple[Any, int, Front, Front]] = {}
    sized = [(y, y.cost, y.value, len(y.items)) for y in b]
    for x in a:
        x_cost, x_value, x_size = x.cost, x.value, len(x.items)
        for y, y_cost, y_value, y_size in sized:
            cost, value, size = x_cost + y_cost, x_value + y_value, x_size + y_size
            held = best.get(cost)
            if held is None or value > held[0] or (value == held[0] and size < held[1]):
                best[cost] = (value, size, x, y)
    kept: list[Front] = []
    for cost in sorted(best):
        value, _, x, y = best[cost]
        if not kept or value > kept[-1].value:
            kept.append(Front(cost, value, x.items + y.items))
    return kept


def cheapest(front: list[Front], minimum: Number) -> Front | None:
    return next((f for f in front if f.value >= minimum), None)


def shortfall_reason(ruleset: Ruleset, level: Level, front: list[Front]) -> str:
    if not front:
        return f"即使完成全部可整改事项，{ruleset.name}也有一级指标达不到{level.name}的最低得分率要求"
    best = normal(front[-1].value)
    return f"即使完成全部可整改事项，{ruleset.name}最高约 {fmt_number(best)} 分，达不到{level.name}的 {fmt_number(level.min)} 分"


def order(steps: list[Step], rulesets: list[Ruleset]) -> list[Step]:
    """Vetoes, the gate, then by ruleset (used ones first), required items, effort and points."""
    rank = {"veto": 0, "gate": 1, "item": 2, "deduction": 2}
    position = {r.id: i for i, r in enumerate(rulesets)}
    return sorted(steps, key=lambda s: (rank[s.kind], position.get(s.ruleset, 0), not s.required, -s.weight, -s.gain))


def standing(ruleset: Ruleset, result: RulesetResult) -> Standing:
    return Standing(ruleset.id, ruleset.short_name, result.score, result.level.id if result.level else None, result.level_text, ruleset.name)


def planned(rulesets: list[Ruleset], specs: list[str], target: str | None) -> list[Ruleset]:
    """The rulesets to plan: those asked for (all when none), narrowed to those with the target level."""
    chosen = requested(rulesets, specs)
    if target is None:
        return chosen
    having = [r for r in chosen if r.level(target) is not None]
    if not having:
        known = "；".join(f"{r.name}：{'、'.join(lv.id for lv in r.levels) or '未设等级'}" for r in chosen)
        raise UsageError(f"所选规则集中没有等级 “{target}”（{known}）")
    return having


def next_level_plans(rulesets: list[Ruleset], assessment: Assessment, evaluator: Evaluator) -> dict[str, Plan]:
    """The plan to the next level in every assessed ruleset that applies to the union (for its reports);
    a standard whose gate fails (a 机关 standard for an enterprise) has no plan."""
    planner = Planner(rulesets, assessment, evaluator)
    return across({rid: planner.plan(rid) for rid, result in assessment.results.items() if result.applies})
