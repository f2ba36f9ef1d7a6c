"""The demo county as imported: every example union, its record graded as `assess` grades its fact file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from service.models import Entry, Round, User, Version

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_round_holds_every_example_union(county: Round) -> None:
    assert county.title == "青山县2025年度基层工会考核评价"
    assert [r["id"] for r in county.rulesets] == ["bayou", "zhijia", "xingji", "zhijia-jiguan"]
    assert Entry.objects.filter(round=county).count() == 44
    assert Version.objects.filter(entry__round=county, kind=Version.Kind.IMPORTED).count() == 44
    assert User.objects.get(username="t-qingshan").township.name == "青山镇"
    assert User.objects.get(username="qs-016").union.code == "QS-016"


@pytest.mark.parametrize("code", ["QS-001", "QS-011", "QS-016", "QS-017", "QS-029"])
def test_an_imported_record_is_graded_as_assess_grades_the_file(county: Round, code: str) -> None:
    version = Version.objects.get(entry__round=county, entry__union__code=code)
    done = CliRunner().invoke(cli, ["assess", "--format", "json", str(REPO / "facts" / "qingshan" / f"{code}.yaml")])
    assert done.exit_code == 0 and version.result == json.loads(done.output)
