"""The county admin's rounds: opening next year's round from this year's (entries copied, the form
prefilled from last year's record), the status board per township, the reminder workbook."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from clients import signed_in
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from service import records, rounds_admin
from service.models import AuditEvent, Entry, Role, Round, User

DEADLINE = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
NEXT = {"year": "2026", "rulesets": ["bayou", "zhijia"], "deadline": DEADLINE}


def opened(county: Round, **changes: Any) -> Any:
    return signed_in("admin").post("/county/new-round/", {**NEXT, "source": str(county.pk), **changes})


def test_next_years_round_opens_from_this_years_and_prefills(county: Round) -> None:
    response = opened(county)
    made = Round.objects.get(federation=county.federation, year=2026)
    assert response.status_code == 302 and response["Location"] == f"/county/{made.pk}/"
    assert made.ruleset_ids() == ["bayou", "zhijia"] and str(made.deadline) == DEADLINE and made.status == Round.Status.OPEN
    assert set(made.entries.values_list("union_id", flat=True)) == set(county.entries.values_list("union_id", flat=True))
    assert set(made.entries.values_list("status", flat=True)) == {Entry.Status.EMPTY}
    form = signed_in("qs-016").get(f"/rounds/{made.pk}/QS-016/")
    assert "以下数据取自 2025 年度的记录" in form.content.decode()
    assert form.context["groups"][0].fields[0].value != ""  # last year's value in the first field
    event = AuditEvent.objects.get(action="round.open", round=made)
    assert event.detail["unions"] == county.entries.count() and event.detail["source"] == county.pk


def test_a_round_is_not_opened_twice_nor_without_standards(county: Round) -> None:
    assert "2025 年度的考核已经存在" in opened(county, year="2025").content.decode()
    assert "请至少选择一个考核标准" in opened(county, rulesets=[]).content.decode()
    assert "年度应为四位数字" in opened(county, year="明年").content.decode()
    assert Round.objects.filter(federation=county.federation).count() == 1


def test_a_round_is_not_opened_for_a_year_out_of_range_nor_with_a_deadline_past(county: Round) -> None:
    """1900 was refused as 「年度应为四位数字」; a 填报截止 of 2020-01-01 was accepted, and the pages said
    「填报中，填报截止 2020-01-01」."""
    assert "年度 1900 超出范围：应在 2000 至 2100 年之间" in opened(county, year="1900").content.decode()
    today = timezone.localdate()
    past = opened(county, deadline="2020-01-01").content.decode()
    assert f"填报截止日期 2020-01-01 已经过去：应为今天（{today:%Y-%m-%d}）或以后的日期" in past
    assert not Round.objects.filter(federation=county.federation, year=2026).exists()
    admin = User.objects.get(username="admin")
    yesterday = today - dt.timedelta(days=1)
    with pytest.raises(rounds_admin.RoundError, match="已经过去"):
        rounds_admin.open_round(county.federation, admin, 2026, ["bayou"], yesterday, None, today)
    assert rounds_admin.open_round(county.federation, admin, 2026, ["bayou"], today, None, today).deadline == today


def test_a_round_is_not_opened_for_a_year_before_the_countys_latest(county: Round) -> None:
    """The reviewer opened 2024 after 2025 was published: it copied 2025's unions as 「上一年度」 and prefilled from 2025."""
    earlier = opened(county, year="2024")
    assert earlier.status_code == 200 and "不能开启 2024 年度：本县已有 2025 年度的考核，新的考核年度应晚于 2025 年" in earlier.content.decode()
    assert not Round.objects.filter(federation=county.federation, year=2024).exists()
    admin = User.objects.get(username="admin")
    with pytest.raises(rounds_admin.RoundError, match="新的考核年度应晚于 2025 年"):
        rounds_admin.open_round(county.federation, admin, 2020, ["bayou"], None, None)
    assert opened(county, year="2026").status_code == 302


def test_the_new_round_page_speaks_to_an_admin_without_a_shell(county: Round) -> None:
    text = signed_in("admin").get("/county/new-round/").content.decode()
    assert "暂不添加（之后由系统管理员导入全县工作簿）" in text and "可请系统管理员按本年度导入全县工作簿" in text
    assert "db import" not in text and "<code>" not in text


def test_a_round_takes_only_the_bundled_standards(county: Round, tmp_path: Any) -> None:
    """A standard is chosen by id, and an id is also read as a path: a posted path is refused, never loaded."""
    elsewhere = tmp_path / "mine.yaml"
    elsewhere.write_text("ruleset: {id: mine}\n", encoding="utf-8")
    for posted in ("/etc/passwd", str(elsewhere), "../rulesets/bayou.yaml"):
        answer = opened(county, year="2030", rulesets=["bayou", posted])
        assert answer.status_code == 200 and f"没有考核标准 “{posted}”" in answer.content.decode()
    assert not Round.objects.filter(federation=county.federation, year=2030).exists()


def test_the_board_counts_each_townships_unions_by_status(county: Round) -> None:
    entry = Entry.objects.get(round=county, union__code="QS-016")
    records.verify(entry, User.objects.get(username="assessor"), {}, {})
    board = signed_in("assessor").get(f"/county/{county.pk}/").context["board"]
    by_name = {row.township: row for row in board}
    qingshan = Entry.objects.filter(round=county, union__township__name="青山镇")
    statuses = [value for value, _ in Entry.Status.choices]
    assert by_name["青山镇"].counts == tuple(qingshan.filter(status=s).count() for s in statuses)
    assert by_name["青山镇"].counts[statuses.index(Entry.Status.VERIFIED)] == 1
    assert by_name["合计"].total == county.entries.count() == sum(row.total for row in board[:-1])


def test_the_reminder_list_names_the_unions_that_have_not_submitted(county: Round) -> None:
    opened(county)
    made = Round.objects.get(federation=county.federation, year=2026)
    entry = made.entries.get(union__code="QS-016")
    facts = county.entries.get(union__code="QS-016").latest().facts  # type: ignore[union-attr]
    records.save(entry, User.objects.get(username="qs-016"), {"facts": facts["facts"]}, "submitted")
    response = signed_in("admin").get(f"/county/{made.pk}/reminders.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("工会", "编号", "乡镇（街道）", "账号", "状态")
    listed = {row[1]: row for row in rows[2:]}
    assert "QS-016" not in listed and len(listed) == made.entries.count() - 1
    assert listed["QS-017"][2:] == ("青山镇", "qs-017", "未填报")


def test_rounds_are_the_county_staffs(county: Round) -> None:
    assert signed_in("assessor").get("/county/new-round/").status_code == 403
    assert signed_in("assessor").get(f"/county/{county.pk}/").status_code == 200
    for user in ("qs-016", "t-qingshan"):
        assert signed_in(user).get(f"/county/{county.pk}/").status_code == 403
        assert signed_in(user).get(f"/county/{county.pk}/reminders.xlsx").status_code == 403


def test_an_admin_account_of_no_federation_opens_no_round(county: Round) -> None:
    """An account given the admin's role in the Django admin without a federation: refused, not an internal error."""
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create(username="admin-2", role=Role.ADMIN))
    answer = client.post("/county/new-round/", NEXT)
    assert answer.status_code == 403 and "只有县总工会管理员可以进行此操作" in answer.content.decode()
    assert not Round.objects.filter(year=2026).exists()
