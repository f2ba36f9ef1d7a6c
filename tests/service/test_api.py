"""The JSON API (/api/v1/) with the demo accounts: tokens, rounds, unions, self-reports and their versions."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from cli import cli
from service import grader, tokens
from service.api import SELF_REPORT
from service.demo import DEMO_PASSWORD
from service.grader import GradingFailed
from service.models import ApiToken, Entry, Round, User, Version

REPO = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bearer(username: str) -> Client:
    token, _ = tokens.issue(User.objects.get(username=username))
    return Client(headers={"Authorization": f"Bearer {token}"})


def self_report(round_: Round, code: str = "QS-016", tail: str = "") -> str:
    return f"/api/v1/rounds/{round_.pk}/unions/{code}/self-report{tail}"


def put(client: Client, url: str, document: Any) -> Any:
    return client.put(url, json.dumps(document, ensure_ascii=False), content_type="application/json")


def sign_in(username: str, password: str) -> Any:
    return Client().post("/api/v1/token", {"username": username, "password": password}, content_type="application/json")


def document_of(code: str = "QS-016", **changes: Any) -> dict[str, Any]:
    """A union's example fact file as the JSON a client sends (dates as text), with facts changed."""
    loaded = yaml.safe_load((REPO / "facts" / "qingshan" / f"{code}.yaml").read_text(encoding="utf-8"))
    document: dict[str, Any] = json.loads(json.dumps(loaded, default=str, ensure_ascii=False))
    document["facts"] |= changes
    return document


def versions(code: str = "QS-016") -> int:
    return Version.objects.filter(entry__union__code=code).count()


# tokens


def test_a_right_password_gets_a_token_kept_only_as_its_digest(county: Round) -> None:
    answer = sign_in("qs-016", DEMO_PASSWORD)
    assert answer.status_code == 200
    token = answer.json()["token"]
    expires = dt.datetime.fromisoformat(answer.json()["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(hours=8))) < dt.timedelta(minutes=1)
    stored = ApiToken.objects.get(user__username="qs-016")
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest() and token not in stored.digest
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/rounds").status_code == 200


@pytest.mark.parametrize("username", ["qs-016", "nobody"])
def test_a_wrong_password_or_unknown_account_is_401_in_chinese(county: Round, username: str) -> None:
    answer = sign_in(username, "wrong-password")
    assert answer.status_code == 401 and answer.json() == {"detail": "账号或密码不正确"}


def test_an_account_that_must_change_its_password_first_gets_no_token(county: Round) -> None:
    User.objects.filter(username="qs-016").update(must_change_password=True)
    answer = sign_in("qs-016", DEMO_PASSWORD)
    assert answer.status_code == 403 and "修改密码" in answer.json()["detail"]
    assert not ApiToken.objects.filter(user__username="qs-016").exists()


def test_five_wrong_passwords_in_a_row_lock_the_account_out_with_429(county: Round) -> None:
    statuses = [sign_in("qs-016", "wrong-password").status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]
    locked = sign_in("qs-016", DEMO_PASSWORD)  # even the right password, for 15 minutes
    assert locked.status_code == 429 and locked["Content-Type"].startswith("application/json")
    assert "15 分钟" in locked.json()["detail"]
    assert sign_in("qs-017", DEMO_PASSWORD).status_code == 200  # another account is not locked


def test_a_right_password_starts_the_count_again(county: Round) -> None:
    statuses = [sign_in("qs-016", "wrong-password").status_code for _ in range(4)]
    statuses.append(sign_in("qs-016", DEMO_PASSWORD).status_code)
    statuses += [sign_in("qs-016", "wrong-password").status_code for _ in range(4)]
    assert statuses == [401] * 4 + [200] + [401] * 4


def test_an_expired_token_is_refused_in_chinese(county: Round) -> None:
    client = bearer("qs-016")
    assert client.get("/api/v1/rounds").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    answer = client.get("/api/v1/rounds")
    assert answer.status_code == 401 and answer["WWW-Authenticate"] == "Bearer"
    assert "POST /api/v1/token" in answer.json()["detail"]


def test_a_token_lives_eight_hours(county: Round) -> None:
    token, expires = tokens.issue(User.objects.get(username="qs-016"))
    assert abs(expires - timezone.now() - dt.timedelta(hours=8)) < dt.timedelta(minutes=1)
    ApiToken.objects.update(expires_at=timezone.now() + dt.timedelta(seconds=5))
    assert tokens.holder(token) is not None
    ApiToken.objects.update(expires_at=timezone.now())
    assert tokens.holder(token) is None


@pytest.mark.parametrize("change", [{"is_active": False}, {"must_change_password": True}])
def test_a_token_stops_working_when_its_account_may_not_sign_in(county: Round, change: dict[str, bool]) -> None:
    client = bearer("qs-016")
    User.objects.filter(username="qs-016").update(**change)
    assert client.get("/api/v1/rounds").status_code == 401


def test_deleting_the_token_signs_out(county: Round) -> None:
    client = bearer("qs-016")
    assert client.delete("/api/v1/token").status_code == 204
    assert client.get("/api/v1/rounds").status_code == 401


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Token abc", "Basic cXMtMDE2OnVuaW9uc2NvcmUtZGVtbw=="])
def test_without_a_valid_token_every_call_is_401(county: Round, header: str | None) -> None:
    client = Client(headers={"Authorization": header} if header else {})
    for url in ["/api/v1/rounds", f"/api/v1/rounds/{county.pk}/unions", self_report(county)]:
        assert client.get(url).status_code == 401


# rounds and unions


def test_the_rounds_an_account_sees(county: Round) -> None:
    [found] = bearer("qs-016").get("/api/v1/rounds").json()
    assert found == {"id": county.pk, "year": 2025, "title": "青山县2025年度基层工会考核评价", "deadline": None,
                     "status": "open", "status_label": "填报中",
                     "rulesets": [{"id": r["id"], "name": r["name"], "version": r["version"]} for r in county.rulesets]}


@pytest.mark.parametrize(("username", "count"), [("qs-016", 1), ("t-qingshan", None), ("assessor", 44), ("admin", 44)])
def test_the_unions_an_account_sees(county: Round, username: str, count: int | None) -> None:
    found = bearer(username).get(f"/api/v1/rounds/{county.pk}/unions").json()
    if count is None:
        assert {union["township"] for union in found} == {"青山镇"}
        count = Entry.objects.filter(round=county, union__township__name="青山镇").count()
    assert len(found) == count and [u["id"] for u in found] == sorted(u["id"] for u in found)


def test_a_union_in_the_list_has_its_status_and_latest_scores(county: Round) -> None:
    [found] = bearer("qs-016").get(f"/api/v1/rounds/{county.pk}/unions").json()
    result = Version.objects.get(entry__union__code="QS-016", number=1).result
    assert found["id"] == "QS-016" and found["name"] == "青山镇鑫源食品厂工会" and found["township"] == "青山镇"
    assert (found["type"], found["type_label"]) == ("enterprise", "企业")
    assert (found["status"], found["status_label"]) == ("submitted", "已提交")
    assert found["scores"] == [{"ruleset": r["ruleset"]["id"], "score": r["score"], "max_score": r["max_score"],
                                "level": (r["level"] or {}).get("id"), "level_name": (r["level"] or {}).get("name"),
                                "applies": r["applies"]} for r in result["results"]]
    assert found["scores"][0] == {"ruleset": "bayou", "score": 50.55, "max_score": 100, "level": "budabiao",
                                  "level_name": "不达标", "applies": True}


def test_an_unknown_or_unseen_round_is_404_in_chinese(county: Round) -> None:
    answer = bearer("qs-016").get(f"/api/v1/rounds/{county.pk + 1000}/unions")
    assert answer.status_code == 404 and answer.json() == {"detail": "没有这个考核年度"}


# the self-report


def test_put_grades_the_facts_as_assess_does(county: Round, tmp_path: Path) -> None:
    document = document_of(employees=45, training={"sessions": 2}, library={"exists": True, "books": 600})
    before = versions()
    answer = put(bearer("qs-016"), self_report(county, tail="?confirm=true"), document)  # 书屋 and 满意率 left blank, knowingly
    assert answer.status_code == 200, answer.json()
    path = tmp_path / "QS-016.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    done = CliRunner().invoke(cli, ["assess", "--format", "json", str(path)])
    assert done.exit_code == 0, done.stderr
    assert answer.json()["result"] == json.loads(done.output)
    assert answer.json() | {"result": None} == {"version": before + 1, "kind": "submitted", "kind_label": "提交",
                                                "result": None, "problems": []}
    assert versions() == before + 1 and Entry.objects.get(union__code="QS-016").status == "submitted"


def test_a_submission_leaving_facts_blank_is_409_with_them_and_stored_only_when_confirmed(county: Round) -> None:
    """As the form asks before it submits: the blank facts the result lacks (无资料不得分), by the form's parts, nothing
    stored; ?confirm=true submits them so. A draft is not asked."""
    document = document_of()
    del document["facts"]["chair"]["elected"]
    before = versions()
    answer = put(bearer("qs-016"), self_report(county), document)
    blank = [{"field": "chair.elected", "message": "有班子（八有）：工会主席经选举产生"},
             {"field": "survey.satisfaction", "message": "职工信赖（职工之家）：职工对工会工作满意率（测评）"}]
    assert answer.status_code == 409 and answer.json() == {
        "detail": "未提交：有 2 项没有填写，提交后按“无资料不得分”计分：有班子（八有）：工会主席经选举产生；职工信赖（职工之家）："
                  "职工对工会工作满意率（测评）。有资料的请补填后再提交；确实没有资料的，请加 ?confirm=true 再次提交",
        "unanswered": blank}
    assert versions() == before
    assert put(bearer("qs-016"), self_report(county, tail="?draft=true"), document).json()["kind"] == "draft"
    confirmed = put(bearer("qs-016"), self_report(county, tail="?confirm=true"), document)
    assert confirmed.status_code == 200 and confirmed.json()["kind"] == "submitted" and versions() == before + 2
    described = json.loads(Client().get("/api/v1/openapi.json").content)["paths"]["/api/v1" + SELF_REPORT]["put"]
    assert "不加此参数返回 409" in next(p for p in described["parameters"] if p["name"] == "confirm")["description"]


def test_bad_facts_are_a_list_of_problems_in_chinese_and_nothing_is_stored(county: Round) -> None:
    before = versions()
    answer = put(bearer("qs-016"), self_report(county), document_of(employees="二百三十", membres=3))
    assert answer.status_code == 422
    problems = answer.json()
    assert {problem["field"] for problem in problems} >= {"employees", "membres"}
    assert all(set(problem) == {"field", "message"} and CHINESE.search(problem["message"]) for problem in problems)
    assert versions() == before


def test_a_draft_is_kept_with_its_problems(county: Round) -> None:
    before = versions()
    answer = put(bearer("qs-016"), self_report(county) + "?draft=true", document_of(employees="二百三十"))
    assert answer.status_code == 200
    assert answer.json()["kind"] == "draft" and answer.json()["result"] is None
    assert [p["field"] for p in answer.json()["problems"]] == ["employees"]
    assert versions() == before + 1 and Entry.objects.get(union__code="QS-016").status == "draft"
    [listed] = bearer("qs-016").get(f"/api/v1/rounds/{county.pk}/unions").json()
    assert listed["status_label"] == "草稿" and listed["scores"][0]["score"] == 50.55  # the scores of the last result


@pytest.mark.parametrize(("header", "field"), [({"union": {"id": "QS-017"}}, "union.id"), ({"period": 2024}, "period")])
def test_facts_of_another_union_or_year_are_refused(county: Round, header: dict[str, Any], field: str) -> None:
    before = versions()
    answer = put(bearer("qs-016"), self_report(county), document_of() | header)
    assert answer.status_code == 422 and [p["field"] for p in answer.json()] == [field]
    assert versions() == before


def test_the_union_id_may_differ_in_case_or_be_left_out(county: Round) -> None:
    document = document_of()
    assert put(bearer("qs-016"), self_report(county, tail="?confirm=true"), document | {"union": {"id": "qs-016"}}).status_code == 200
    assert put(bearer("qs-016"), self_report(county, "qs-016", "?confirm=true"), {"facts": document["facts"]}).status_code == 200


@pytest.mark.parametrize(("document", "problems"), [
    ({}, [{"field": "facts", "message": "缺少此项"}]),
    ({"facts": [1, 2]}, [{"field": "facts", "message": "应为对象（{…}）"}]),
    ({"facts": {}, "comment": "x"}, [{"field": "comment", "message": "不认识的字段"}]),
    ({"facts": {}, "period": "明年"}, [{"field": "period", "message": "应为整数"}]),
])
def test_a_malformed_document_is_a_list_of_problems_in_chinese(county: Round, document: Any, problems: list[Any]) -> None:
    answer = put(bearer("qs-016"), self_report(county), document)
    assert answer.status_code == 422 and answer.json() == problems


def test_a_body_that_is_not_json_is_400_in_chinese(county: Round) -> None:
    answer = bearer("qs-016").put(self_report(county), "{facts:", content_type="application/json")
    assert answer.status_code == 400 and answer.json() == {"detail": "请求内容不是有效的 JSON"}


def test_a_path_parameter_of_the_wrong_type_is_422_in_chinese(county: Round) -> None:
    answer = bearer("qs-016").get("/api/v1/rounds/abc/unions")
    assert answer.status_code == 422 and answer.json() == [{"field": "round", "message": "应为整数"}]


@pytest.mark.parametrize(("username", "status"), [("qs-017", 404), ("t-qingshan", 403), ("assessor", 403), ("admin", 403)])
def test_only_the_union_itself_may_put(county: Round, username: str, status: int) -> None:
    before = versions()
    answer = put(bearer(username), self_report(county), document_of())
    assert answer.status_code == status and CHINESE.search(answer.json()["detail"])
    assert versions() == before


def test_nobody_may_put_once_the_round_is_closed(county: Round) -> None:
    Round.objects.filter(pk=county.pk).update(status=Round.Status.CLOSED)
    answer = put(bearer("qs-016"), self_report(county), document_of())
    assert answer.status_code == 403 and "填报期" in answer.json()["detail"]


def test_a_grading_that_fails_is_503_and_nothing_is_stored(county: Round, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: Any) -> None:
        raise GradingFailed("评估进程意外退出，本次保存未完成；请重试，仍不成功请联系管理员")

    monkeypatch.setattr(grader, "run", crash)
    before = versions()
    answer = put(bearer("qs-016"), self_report(county), document_of())
    assert answer.status_code == 503 and "请重试" in answer.json()["detail"]
    assert versions() == before


def test_a_put_on_a_version_another_save_has_followed_is_409_and_not_stored(county: Round) -> None:
    """?base=N: the version the client read; without it a PUT is stored as before (the draft below)."""
    client = bearer("qs-016")
    assert put(client, self_report(county, tail="?draft=true"), document_of(activists=30)).json()["version"] == 2
    stale = put(client, self_report(county, tail="?base=1"), document_of(**{"venue.area": 120}))
    newer = Version.objects.get(entry__union__code="QS-016", number=2)
    assert stale.status_code == 409 and stale.json()["detail"] == (
        f"期间已有第 2 版草稿数据保存，本次未保存：第 2 版由账号 qs-016 于 {timezone.localtime(newer.created_at):%Y-%m-%d %H:%M} 保存，"
        "请看过最新数据后重试")
    assert versions() == 2
    assert put(client, self_report(county, tail="?base=2&confirm=true"), document_of(activists=30)).json()["version"] == 3
    assert put(client, self_report(county, tail="?base=-1"), document_of()).json() == [{"field": "base", "message": "格式不正确"}]
    described = json.loads(Client().get("/api/v1/openapi.json").content)["paths"]["/api/v1" + SELF_REPORT]["put"]
    base = next(p for p in described["parameters"] if p["name"] == "base")
    assert not base["required"] and "其后已有别人（或别处）保存了新的版本时返回 409" in base["description"]
    assert "409" in described["responses"]


def test_a_put_on_a_version_that_does_not_exist_is_422_and_says_the_latest(county: Round) -> None:
    """?base=99 with 3 versions answered 409 「期间已有第 3 版草稿数据保存」: no one saved after version 99."""
    client = bearer("qs-016")
    for number in (2, 3):
        assert put(client, self_report(county, tail="?draft=true"), document_of(activists=number)).json()["version"] == number
    answer = put(client, self_report(county, tail="?base=99"), document_of(activists=30))
    assert answer.status_code == 422 and answer.json() == [{"field": "base", "message": "第 99 版不存在，最新为第 3 版"}]
    assert versions() == 3
    assert put(client, self_report(county, "QS-017", "?base=4"), document_of("QS-017")).status_code == 404  # not its union: unseen, base unread
    entry = Entry.objects.get(round=county, union__code="QS-016")
    entry.versions.all().delete()  # as after a restore from a backup taken before the union first saved
    none = put(client, self_report(county, tail="?base=1"), document_of())
    assert none.json() == [{"field": "base", "message": "第 1 版不存在，本单位尚无任何版本（应为 0）"}]


def test_get_gives_the_latest_version(county: Round) -> None:
    client = bearer("qs-016")
    imported = client.get(self_report(county)).json()
    assert (imported["version"], imported["kind"], imported["kind_label"], imported["by"]) == (1, "imported", "导入", None)
    assert imported["document"]["facts"]["employees"] == 42 and imported["result"]["union"]["id"] == "QS-016"
    put(client, self_report(county, tail="?confirm=true"), document_of(employees=45))
    latest = client.get(self_report(county)).json()
    assert (latest["version"], latest["kind"], latest["by"]) == (2, "submitted", "qs-016")
    assert latest["document"]["facts"]["employees"] == 45 and latest["problems"] == []
    assert dt.datetime.fromisoformat(latest["at"]) > dt.datetime.fromisoformat(imported["at"])


def test_every_version_is_listed_and_retrievable(county: Round) -> None:
    client = bearer("qs-016")
    put(client, self_report(county, tail="?confirm=true"), document_of(employees=45))
    put(client, self_report(county) + "?draft=1", document_of(employees="很多"))
    listed = client.get(self_report(county, tail="/versions")).json()
    assert [(v["version"], v["kind"], v["by"]) for v in listed] == [(1, "imported", None), (2, "submitted", "qs-016"),
                                                                    (3, "draft", "qs-016")]
    assert listed[0]["scores"][0]["level_name"] == "不达标" and listed[2]["scores"] == []
    for stored in Version.objects.filter(entry__union__code="QS-016"):
        found = client.get(self_report(county, tail=f"/versions/{stored.number}")).json()
        assert (found["document"], found["result"], found["problems"]) == (stored.facts, stored.result, stored.problems)
    missing = client.get(self_report(county, tail="/versions/4"))
    assert missing.status_code == 404 and missing.json() == {"detail": "工会 “QS-016” 没有第 4 版"}


def test_an_entry_never_filled_in_has_no_latest_version(county: Round) -> None:
    Version.objects.filter(entry__union__code="QS-016").delete()
    answer = bearer("qs-016").get(self_report(county))
    assert answer.status_code == 404 and answer.json() == {"detail": "工会 “QS-016” 本年度尚未填报"}
    assert bearer("qs-016").get(self_report(county, tail="/versions")).json() == []


@pytest.mark.parametrize("username", ["t-qingshan", "assessor", "admin"])
def test_those_who_see_a_union_read_its_versions(county: Round, username: str) -> None:
    client = bearer(username)
    assert client.get(self_report(county)).status_code == 200
    assert client.get(self_report(county, tail="/versions/1")).json()["version"] == 1


def test_another_unions_record_is_not_there_for_a_union(county: Round) -> None:
    client = bearer("qs-017")
    for tail in ["", "/versions", "/versions/1"]:
        answer = client.get(self_report(county, tail=tail))
        assert answer.status_code == 404 and answer.json() == {"detail": "没有这个工会，或无权查看"}


# errors outside the operations, the docs


def test_a_method_not_served_is_405_in_chinese(county: Round) -> None:
    answer = bearer("qs-016").delete("/api/v1/rounds")
    assert answer.status_code == 405 and answer.json() == {"detail": "此地址不支持 DELETE 请求；可用：GET"}


def test_the_root_of_the_api_points_to_its_docs(county: Round) -> None:
    answer = Client().get("/api/v1/")
    assert answer.status_code == 404 and "/api/v1/docs" in answer.json()["detail"]


def test_the_docs_load_nothing_from_outside(county: Round) -> None:
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets)
    assert not re.search(r"https?://", html)
    assert json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))["validatorUrl"] is None
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        if asset.endswith(".css"):
            text = b"".join(served.streaming_content).decode()  # type: ignore[attr-defined]
            assert all(url.startswith(("data:", '"data:', "'data:")) for url in re.findall(r"url\(([^)]*)\)", text))


def test_the_openapi_document_is_generated_with_chinese_descriptions(county: Round) -> None:
    answer = Client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    schema = answer.json()
    assert set(schema["paths"]) == {"/api/v1/token", "/api/v1/rounds", "/api/v1/rounds/{round}/unions",
                                    "/api/v1/rounds/{round}/unions/{union}/self-report",
                                    "/api/v1/rounds/{round}/unions/{union}/self-report/versions",
                                    "/api/v1/rounds/{round}/unions/{union}/self-report/versions/{number}",
                                    # verification and publication (issue 14, api_assessor.py)
                                    "/api/v1/rounds/{round}/unions/{union}/verified",
                                    "/api/v1/rounds/{round}/unions/{union}/reconciliation",
                                    "/api/v1/rounds/{round}/publish",
                                    # the 整改 loop and the history (issue 14, api_loop.py)
                                    "/api/v1/rounds/{round}/unions/{union}/tasks", "/api/v1/tasks/{id}/evidence", "/api/v1/evidence/{id}/withdraw",
                                    "/api/v1/tasks/{id}/transition", "/api/v1/unions/{union}/history"}
    assert CHINESE.search(schema["info"]["description"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert CHINESE.search(operation["summary"]) and CHINESE.search(operation["description"]), (path, method)
    assert "Authorization: Bearer" in schema["components"]["securitySchemes"]["BearerToken"]["description"]
    for name, component in schema["components"]["schemas"].items():
        assert CHINESE.search(component["description"]), name
        for field, declared in component["properties"].items():
            assert CHINESE.search(declared["description"]), f"{name}.{field}"
