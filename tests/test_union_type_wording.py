"""The bundled rulesets word their rectification advice for the union's type: a 机关 is not told to send a
协商要约 to 「企业」 or to build its library 「单位出资」, a 联合工会 negotiates with the enterprises it covers, a
工会小组 is not told to stock 3,000 books or to elect a 工会委员会. The wording never changes a score
(the county batch's summary is compared byte for byte when the texts change); these tests pin the words."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import assess_union, load_fact_file, resolve_rulesets
from engine.plan.planner import Planner
from engine.plan.settle import owner_as_had


def facts(union_type: str, **changes: Any) -> dict:
    """A union that misses nearly every criterion, so that most items show their advice."""
    found = {
        "employees": 300, "members": 260, "female_members": 40, "founded": "2015-01-01",
        "committee": {"elected": False, "last_election": "2018-01-01", "term_years": 3, "size": 1},
        "chair": {"elected": False, "trained": False}, "staff": {"fulltime": 0}, "activists": 1, "groups": {"count": 0},
        "jingshen": {"committee": False, "auditor": False}, "women_committee": {"exists": False}, "training": {"sessions": 0},
        "sign": {"board": False, "chair_disclosed": False, "seal": False}, "legal_person": {"certified": False},
        "venue": {"office": False, "activity_room": False, "area": 10},
        "library": {"exists": False},
        "meetings": {"by_quarter": [1, 0, 0, 0]},
        "congress": {"sessions": 0, "minutes": False, "proposals": 4, "proposals_done": 2},
        "records": {"work_plan": False, "activity_log": False},
        "rules": dict.fromkeys(["duties", "meetings", "finance", "audit", "archive", "training", "democracy"], "none"),
        "funds": {"account": False, "budget": False, "final_accounts": False, "service_share": 0.3},
        "dues": {"due": 100000, "paid": 50000, "on_time": False, "member_fees": False},
        "audit": {"times": 0, "published": False},
        "publicity": {"board": False, "garden": False, "online": False, "updates_by_quarter": [0, 0, 1, 0]},
        "ledger": {"members_register": False, "contract_files": False, "missing": 3, "archived": False},
        "member_cards": 100, "hardship": {"workers": 3, "filed": 1},
        "contract": {"general": False, "wage": False, "women": False, "wage_rounds": 0},
        "mediation": {"committee": False}, "supervision": {"committee": False},
        "disclosure": {"times": 0}, "warmth": {"visits": 1, "five_visits": False},
        "scholarship": {"eligible": 2, "aided": 0}, "contest": {"held": 0}, "suggestions": {"adopted": 0},
        "activities": {"sports_culture": 1}, "survey": {"satisfaction": 0.6}, "review": {"held": False},
        "democracy": {"cadre_review": False}, "mutual_aid": {"enrolled": 10}, "projects": {"brand": False},
        "awards": {"city_or_above": 0, "pioneer": 0, "innovation": 0},
        "incidents": {"major_safety": 0, "wage_arrears_protest": 0, "funds_violation": 0},
    }
    found.update(changes)
    return {"union": {"id": "T-1", "name": "测试工会", "type": union_type, "county": "青山县", "township": "青山镇"},
            "period": 2025, "facts": found}


@pytest.fixture(scope="module")
def bundled() -> list:
    return resolve_rulesets()


def fact_file(tmp_path: Path, union_type: str, **changes: Any) -> Any:
    path = tmp_path / f"{union_type}.yaml"
    path.write_text(yaml.safe_dump(facts(union_type, **changes), allow_unicode=True), encoding="utf-8")
    return load_fact_file(path)


def advice(bundled: list, evaluator: Any, tmp_path: Path, union_type: str, **changes: Any) -> dict[tuple[str, str], str]:
    """(ruleset, item) → the fix text, for every gap of every standard the union is graded by (八有 has no gate)."""
    results = assess_union(bundled, fact_file(tmp_path, union_type, **changes), evaluator)
    return {(r.ruleset.id, g.item): g.fix for r in results if r.eligible or r.ruleset.id == "bayou" for g in r.gaps}


def test_a_group_is_not_told_to_stock_3000_books(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    without = advice(bundled, evaluator, tmp_path, "group")[("bayou", "changsuo.library")]
    short = advice(bundled, evaluator, tmp_path, "group", library={"exists": True, "books": 1600})[("bayou", "changsuo.library")]
    for text in (without, short):
        assert "3000" not in text and "单位出资" not in text and "图书角" in text
    assert "现有藏书 1600 册" in short


def test_a_group_is_told_of_its_leader_and_meetings_not_of_a_committee(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    found = advice(bundled, evaluator, tmp_path, "group")
    assert "工会小组长" in found[("bayou", "banzi.elected")] and "工会主席" not in found[("bayou", "banzi.elected")]
    assert "工会小组长" in found[("bayou", "banzi.term")] and "换届申请" not in found[("bayou", "banzi.term")]
    assert "经审" not in found[("bayou", "banzi.size")] and "女工" not in found[("bayou", "banzi.size")]
    assert "应依照《工会女职工委员会工作条例》建立女职工委员会" not in found[("bayou", "banzi.women")]
    assert "职代会" not in found[("bayou", "jilu.congress")] and "会员大会" in found[("bayou", "jilu.congress")]
    assert "小组会" in found[("bayou", "jilu.meetings")] and "委员会例会" not in found[("bayou", "jilu.meetings")]
    assert "“××工会小组”" in found[("bayou", "paizi.board")]
    assert "工会小组长" in found[("bayou", "paizi.chair")]
    assert "三专合一" not in found[("bayou", "changsuo.office")]
    assert "财务" not in found[("bayou", "zhidu.archive")] and "经费收支" not in found[("bayou", "xuanchuan.board")]
    assert "职代会为基本形式" not in found[("bayou", "zhidu.democracy")]
    every = "".join(found.values())
    assert "工会委员会" not in every and "经审委员会" not in every and "3000 册" not in every


def test_a_group_hands_the_dues_ledger_to_its_leader(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    planner = Planner.assessing(bundled, fact_file(tmp_path, "group"), evaluator)
    assert owner_as_had(planner.start, "bayou", "工会主席、工会财务人员") == "工会小组长"
    enterprise = Planner.assessing(bundled, fact_file(tmp_path, "enterprise"), evaluator)
    assert owner_as_had(enterprise.start, "bayou", "工会主席、工会财务人员") == "工会主席、工会财务人员"


@pytest.mark.parametrize("union_type", ["government", "institution"])
def test_an_office_or_institution_is_never_told_about_an_enterprise(bundled: list, evaluator: Any, tmp_path: Path, union_type: str) -> None:
    found = advice(bundled, evaluator, tmp_path, union_type)
    wrong = {key: text for key, text in found.items() if any(w in text for w in ("企业", "生产经营", "单位出资", "厂务"))}
    assert wrong == {}
    assert ("zhijia", "zuoyong.contest") in found and ("bayou", "changsuo.library") in found


def test_an_office_is_not_told_of_a_workers_congress_or_of_teachers(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    found = advice(bundled, evaluator, tmp_path, "government")
    for key in [("bayou", "jilu.congress"), ("zhijia", "weiquan.congress"), ("zhijia-jiguan", "weiquan.congress"), ("xingji", "zhidu.congress")]:
        assert "会员（代表）大会" in found[key] and "职代会" not in found[key] and "教代会" not in found[key]
    assert "政务公开" in found[("bayou", "zhidu.democracy")] and "职代会" not in found[("bayou", "zhidu.democracy")]
    for key in [("zhijia-jiguan", "zuoyong.contest"), ("zhijia-jiguan", "zuoyong.culture"), ("zhijia-jiguan", "zuzhi.groups")]:
        assert all(w not in found[key] for w in ("教学", "教师节", "教研组")), found[key]
    assert "企业工会工作条例" not in found[("xingji", "duiwu.staff")]


def test_an_institution_keeps_its_teachers_and_hospital_wording(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    found = advice(bundled, evaluator, tmp_path, "institution")
    assert "教代会（职代会）" in found[("zhijia-jiguan", "weiquan.congress")]
    assert "教学" in found[("zhijia-jiguan", "zuoyong.contest")] and "政务服务" not in found[("zhijia-jiguan", "zuoyong.contest")]
    assert "校务（院务）公开" in found[("zhijia", "weiquan.disclosure")]


def test_a_joint_union_negotiates_with_the_enterprises_it_covers(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    found = advice(bundled, evaluator, tmp_path, "joint")
    for key in [("zhijia", "weiquan.contract"), ("zhijia", "weiquan.wage_talks"), ("zhijia", "weiquan.coverage"), ("bayou", "ziliao.contracts")]:
        assert "所覆盖企业" in found[key] and "区域性" in found[key] and "向企业发出" not in found[key], found[key]
    assert "提交职工代表大会或者全体职工讨论通过" in found[("zhijia", "weiquan.contract")]
    assert "生产经营" not in found[("zhijia", "zuoyong.contest")]
    assert "“××联合工会委员会”" in found[("bayou", "paizi.board")]
    assert "所覆盖企业" in found[("bayou", "jingfei.remit")] and "督促行政" not in found[("bayou", "jingfei.remit")]
    women = advice(bundled, evaluator, tmp_path, "joint", contract={"general": True, "wage": True, "women": False, "wage_rounds": 1,
                                                                     "coverage": 0.9, "fulfilment": 0.9})
    assert "向所覆盖企业或企业方代表发出协商要约" in women[("zhijia", "weiquan.contract")]


def test_a_village_union_is_not_told_of_production_or_a_factory_gate(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    found = advice(bundled, evaluator, tmp_path, "village")
    every = "".join(found.values())
    assert "生产经营" not in every and "单位出资" not in every and "督促行政" not in every
    assert "村（社区）" in found[("bayou", "paizi.board")] and "单位大门" not in found[("bayou", "paizi.board")]


def test_an_enterprise_keeps_the_enterprise_wording(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    found = advice(bundled, evaluator, tmp_path, "enterprise")
    assert "“单位出资、工会补助”" in found[("bayou", "changsuo.library")]
    assert "围绕生产经营中心" in found[("zhijia", "zuoyong.contest")]
    assert found[("zhijia", "weiquan.contract")].startswith("尚未签订集体合同。应向企业发出协商要约")
    assert "《企业工会工作条例》" in found[("xingji", "duiwu.staff")]
    assert "“××工会委员会”" in found[("bayou", "paizi.board")]



def test_an_account_is_opened_with_the_legal_person_certificate_got_first(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    """QS-028 had no 法人资格 and was told, in every standard, to open its account 「凭工会法人资格登记证书」."""
    found = advice(bundled, evaluator, tmp_path, "enterprise")
    assert "应先向上级工会申请办理工会法人资格登记，再凭登记证书单独开设" in found[("bayou", "jingfei.account")]
    for key in [("zhijia", "guifan.finance"), ("xingji", "jingfei.account")]:
        assert "（尚未取得的，先向上级工会申请办理法人资格登记）" in found[key], found[key]
    certified = advice(bundled, evaluator, tmp_path, "enterprise", legal_person={"certified": True})
    assert certified[("bayou", "jingfei.account")].startswith("尚未设立独立的工会经费账户。应凭工会法人资格登记证书单独开设")


def test_a_budget_made_is_not_asked_for_again(bundled: list, evaluator: Any, tmp_path: Path) -> None:
    """QS-034 has a budget and no final accounts: 职工之家's deduction told it 「年度预算、决算不全，应年初编制经费预算……」
    (a deduction's fix may now choose by the union's case, as an item's does)."""
    funds = {"account": True, "budget": True, "final_accounts": False, "service_share": 0.3}
    found = advice(bundled, evaluator, tmp_path, "enterprise", funds=funds, audit={"times": 1, "published": True})
    assert found[("zhijia", "guifan.finance")] == "已编制年度预算，尚未编制年度决算，应在年度终了后编制经费决算，经工会委员会审议。"
