"""Wording people read: a plan's notes on the union's pages (and in the terminal) end as sentences, once; the
terminal's `assess` table names each standard by its name, never by its id."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine import assess, load_fact_file, resolve_rulesets
from engine.plan.planner import next_level_plans
from engine.report.terminal import plan_text
from engine.report.union_page import sentence, union_report_html, union_report_markdown, union_view

REPO = Path(__file__).resolve().parents[2]
QS016 = REPO / "facts" / "qingshan" / "QS-016.yaml"


@pytest.fixture(scope="module")
def planned(durable):
    rulesets = resolve_rulesets()
    assessment = assess(rulesets, load_fact_file(QS016), durable)
    return assessment, next_level_plans(rulesets, assessment, durable)


def test_sentence_ends_with_one_full_stop():
    assert sentence("本规划未列入，但仍须整改") == "本规划未列入，但仍须整改。"
    assert sentence("仍须整改（评模范职工之家须全部必备项达标）") == "仍须整改（评模范职工之家须全部必备项达标）。"
    assert sentence("已是一句。") == "已是一句。"
    assert sentence("  前后有空格 ") == "前后有空格。"
    assert sentence("") == ""


def test_union_page_plan_notes_end_with_one_full_stop(planned):
    assessment, plans = planned
    notes = [note for plan in plans.values() for note in plan.notes]
    assert notes and any(not note.endswith("。") for note in notes)  # the planner writes them without 。
    view = union_view(assessment, plans)
    html, markdown = union_report_html(view), union_report_markdown(view)
    for note in notes:
        said = note.rstrip("。") + "。"
        assert f'<p class="muted">{said}</p>' in html
        assert f"\n{said}\n" in markdown
    for page in (html, markdown):
        assert "。。" not in page
        assert not re.search(r"仍须整改(（[^）]*）)?(</p>|\n)", page)  # no note left without its 。


def test_terminal_plan_notes_end_with_one_full_stop(planned):
    _, plans = planned
    for plan in plans.values():
        lines = plan_text(plan).splitlines()
        for note in plan.notes:
            assert note.rstrip("。") + "。" in lines
        assert not any(line.endswith("。。") for line in lines)


def test_assess_table_headers_show_ruleset_names_not_ids():
    outcome = CliRunner().invoke(cli, ["assess", str(QS016)])
    assert outcome.exit_code == 0, outcome.output
    headers = [line for line in outcome.output.splitlines() if line.startswith("━━")]
    rulesets = resolve_rulesets()
    assert headers == [f"━━ {r.name}（{r.version}）━━" for r in rulesets]
    for ruleset in rulesets:
        assert not re.search(rf"(?<![\w.-]){re.escape(ruleset.id)}(?![\w-])", outcome.output), ruleset.id
