"""`unionscore serve` under load: 50 unions filling in their self-reports at once, through the API.

    .venv/bin/pip install -e '.[bench]'                 # locust
    .venv/bin/python bench/service_load.py              # 50 unions, 60 seconds, SQLite
    .venv/bin/python bench/service_load.py --users 100 --seconds 120 --folder /tmp/load   # keeps the database
    .venv/bin/python bench/service_load.py --assessors 20   # and 20 assessors working the 整改 loop alongside

A copy of the demo county (bench/… makes it once in --folder: the 44 example unions, and more
unions with demo accounts when --users asks for more) is served by the real command in a
subprocess. Each simulated union signs in (POST /api/v1/token, Argon2 as in production), then
until the time is up, with a pause of --think seconds between steps: reads its latest version,
saves drafts (PUT …/self-report?draft=true, a figure changed each time) and now and then submits
(PUT …/self-report) and reads its history. Sign-in is timed on its own (Argon2 costs about a second
of CPU per account by design, and here every account signs in within seconds); the figures then
start again for --seconds of work: requests per second, p50/p95/p99 latency and errors, overall and
per kind of request. Then every version in the database is counted: each successful save must be
exactly one new version (none lost, none extra).

With --assessors N (default 0: the run above, unchanged) the county is published first (one 整改 task
per plan step of every union, made directly as publishing makes them) and N assessor accounts work
alongside: they list the unions, read a union's versions or tasks, and re-check tasks marked done,
accepting (销号: a new verified version, graded) or returning them with a note; each union now and
then uploads a small photo for an open task and marks it done. A 409 (another assessor closed the task
first) is a right answer, not an error. Each accepted task that changes facts must be one new verified version.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UNIONSCORE = Path(sys.executable).parent / "unionscore"
DEMO_UNIONS = 44
TARGET_P95_MS = 300
STOP_S = 30  # at the end each simulated user finishes the step it is in: a save in flight is counted, not cut off


# --- the database: prepared and counted in child processes (Django stays out of locust's) ----------


def prepare(url: str, unions: int, assessors: int = 0) -> None:
    """The demo county, plus unions QS-045 … copied from the example unions until there are `unions`;
    with assessors, their accounts and the round's 整改 tasks."""
    from service import bootstrap

    bootstrap.configure(url, data=folder_of(url))
    from service.demo import ensure_demo

    ensure_demo()
    for number in range(DEMO_UNIONS + 1, unions + 1):
        add_union(number)
    if assessors:
        add_assessors(assessors)
        publish_tasks()


def add_assessors(count: int) -> None:
    from service.demo import DEMO_PASSWORD
    from service.importing import new_account
    from service.models import Federation, Role, User

    federation = Federation.objects.get(name="青山县")
    for number in range(1, count + 1):
        if not User.objects.filter(username=f"assessor-{number:02d}").exists():
            new_account(f"assessor-{number:02d}", Role.ASSESSOR, federation, password=DEMO_PASSWORD)


def publish_tasks() -> None:
    """One task per plan step of every union's latest result, as publishing makes them (once per database)."""
    import datetime as dt

    from service.models import Entry, Publication, Round, Task, User

    round_ = Round.objects.get(year=2025, federation__name="青山县")
    if Task.objects.filter(entry__round=round_).exists():
        return
    publication = Publication.objects.create(round=round_, created_by=User.objects.get(username="admin"))
    for entry in Entry.objects.filter(round=round_):
        version = entry.versions.exclude(result__isnull=True).order_by("-number").first()
        steps = [step for result in (version.result["results"] if version else []) for step in (result.get("plan") or {}).get("steps", [])]
        Task.objects.bulk_create(Task(entry=entry, publication=publication, ruleset=step["ruleset"], item=step["id"],
                                      name=step["name"], step=step, deadline=dt.date(2026, 6, 30)) for step in steps)


def add_union(number: int) -> None:
    from service.demo import DEMO_PASSWORD
    from service.importing import new_account
    from service.models import Entry, Role, Union, Version
    from service.records import save

    code = f"QS-{number:03d}"
    if Union.objects.filter(code=code).exists():
        return
    model = Entry.objects.select_related("union", "round").get(union__code=f"QS-{(number - 1) % DEMO_UNIONS + 1:03d}")
    union = Union.objects.create(federation=model.union.federation, township=model.union.township, code=code,
                                 name=f"{model.union.name}（压测 {number}）", type=model.union.type)
    entry = Entry.objects.create(round=model.round, union=union)
    latest = model.latest()
    save(entry, None, {"facts": latest.facts["facts"] if latest else {}}, Version.Kind.IMPORTED)
    new_account(code.lower(), Role.UNION, union.federation, union=union, township=union.township, password=DEMO_PASSWORD)


def census(url: str) -> None:
    """The versions in the database by kind, as JSON on stdout."""
    from service import bootstrap

    bootstrap.configure(url, data=folder_of(url), migrate=False)
    from django.db.models import Count

    from service.models import Version

    kinds = Version.objects.values("kind").annotate(n=Count("id"))
    print(json.dumps({row["kind"]: row["n"] for row in kinds}))


def folder_of(url: str) -> Path:
    """The load test's folder (its database's), which also keeps the service's secret key: never the current folder."""
    return Path(url.removeprefix("sqlite:///")).parent


def child(*arguments: str) -> str:
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{arguments[0]} 失败：{done.stderr}")
    return done.stdout


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(url: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen([str(UNIONSCORE), "serve", "--db", url, "--port", str(port)], cwd=folder, stdout=log,
                              stderr=subprocess.STDOUT, env=os.environ | {"UNIONSCORE_DATA": str(folder)})
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"服务未能启动，见 {folder / 'serve.log'}")
            time.sleep(0.1)
    server.terminate()
    sys.exit("服务 60 秒内未能启动")


# --- the load --------------------------------------------------------------------------------------


def run_load(host: str, users: int, seconds: float, think: tuple[float, float], assessors: int = 0) -> tuple[Any, Counter[str], str]:
    """Locust as a library: `users` unions (and `assessors`), spawned 10 a second. Once all have signed in (Argon2 on
    purpose: about a second of CPU each, and all at once here), the figures start again and run for `seconds`.
    Returns those figures, the saves (and task moves) that succeeded, and a line on the sign-in phase."""
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    accounts, saved = count(1), Counter[str]()

    class Union(HttpUser):
        wait_time = between(*think)

        def on_start(self) -> None:
            self.code = f"QS-{next(accounts):03d}"
            answer = self.client.post("/api/v1/token", json={"username": self.code.lower(), "password": "unionscore-demo"},
                                      name="POST /api/v1/token")
            self.client.headers["Authorization"] = f"Bearer {answer.json()['token']}"
            round_id = self.client.get("/api/v1/rounds", name="GET /api/v1/rounds").json()[0]["id"]
            self.address = f"/api/v1/rounds/{round_id}/unions/{self.code}/self-report"
            self.facts = self.latest()
            saved["ready"] += 1

        def latest(self) -> dict[str, Any]:
            facts: dict[str, Any] = self.client.get(self.address, name="GET self-report").json()["document"]["facts"]
            return facts

        @task(3)
        def read(self) -> None:
            self.latest()

        @task(4)
        def save_draft(self) -> None:
            self.put("?draft=true", "draft")

        @task(1)
        def submit(self) -> None:
            self.put("?confirm=true", "submitted")  # the demo's unions leave some facts blank: submitted as they are

        @task(1)
        def history(self) -> None:
            self.client.get(self.address + "/versions", name="GET versions")

        def put(self, query: str, kind: str) -> None:
            self.facts["activists"] = random.randint(0, 9)  # declared for every union type; any count is valid
            answer = self.client.put(self.address + query, json={"facts": self.facts}, name=f"PUT self-report{query}")
            if answer.status_code == 200 and answer.json().get("kind") == kind:
                saved[kind] += 1

    if not assessors:
        environment = Environment(user_classes=[Union], host=host, stop_timeout=STOP_S)
        runner = environment.create_local_runner()
        runner.start(users, spawn_rate=10)
    else:
        union_class, assessor_class = loop_users(Union, think, saved)
        union_class.fixed_count, assessor_class.fixed_count = users, assessors
        environment = Environment(user_classes=[union_class, assessor_class], host=host, stop_timeout=STOP_S)
        runner = environment.create_local_runner()
        runner.start(users + assessors, spawn_rate=10)
    started = time.monotonic()
    while saved["ready"] < users + assessors and time.monotonic() - started < 300:
        gevent.sleep(0.2)
    signed = environment.stats.get("POST /api/v1/token", "POST")
    signing = (f"登录阶段：{users + assessors} 个账号在 {time.monotonic() - started:.1f} 秒内全部登录（取令牌 p50 "
               f"{signed.get_response_time_percentile(0.5):.0f} ms、p95 {signed.get_response_time_percentile(0.95):.0f} ms），以下为此后 {seconds:.0f} 秒")
    environment.stats.reset_all()
    gevent.sleep(seconds)
    runner.quit()
    runner.greenlet.join()
    return environment.stats, saved, signing


def loop_users(union: Any, think: tuple[float, float], saved: Counter[str]) -> tuple[Any, Any]:
    """The union that also works its 整改 tasks, and the assessor who re-checks them."""
    from locust import HttpUser, between, task

    assessors = count(1)
    png = b"\x89PNG\r\n\x1a\n" + bytes(2048)

    class LoopUnion(union):
        @task(1)
        def rectify(self) -> None:
            listed = self.client.get(self.address.replace("/self-report", "/tasks"), name="GET tasks").json()
            todo = [t for t in listed if t["status"] in ("open", "returned")]
            if not todo:
                return
            chosen = random.choice(todo)
            self.client.post(f"/api/v1/tasks/{chosen['id']}/evidence", files={"file": ("整改照片.png", png, "image/png")},
                             name="POST evidence")
            move(self.client, chosen["id"], "done", "", saved)

    class Assessor(HttpUser):
        wait_time = between(*think)

        def on_start(self) -> None:
            name = f"assessor-{next(assessors):02d}"
            answer = self.client.post("/api/v1/token", json={"username": name, "password": "unionscore-demo"},
                                      name="POST /api/v1/token")
            self.client.headers["Authorization"] = f"Bearer {answer.json()['token']}"
            self.round = self.client.get("/api/v1/rounds", name="GET /api/v1/rounds").json()[0]["id"]
            self.codes = [u["id"] for u in self.unions()]
            saved["ready"] += 1

        def unions(self) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = self.client.get(f"/api/v1/rounds/{self.round}/unions", name="GET unions (assessor)").json()
            return found

        @task(1)
        def list_unions(self) -> None:
            self.unions()

        @task(3)
        def read_versions(self) -> None:
            code = random.choice(self.codes)
            self.client.get(f"/api/v1/rounds/{self.round}/unions/{code}/self-report/versions", name="GET versions (assessor)")

        @task(3)
        def review(self) -> None:
            code = random.choice(self.codes)
            listed = self.client.get(f"/api/v1/rounds/{self.round}/unions/{code}/tasks", name="GET tasks (assessor)").json()
            done = [t for t in listed if t["status"] == "done"]
            if done:
                chosen = random.choice(done)
                to = "accepted" if random.random() < 0.7 else "returned"
                move(self.client, chosen["id"], to, "" if to == "accepted" else "照片看不清，请补充材料", saved)

    return LoopUnion, Assessor


def move(client: Any, task_id: int, to: str, note: str, saved: Counter[str]) -> None:
    """A task's transition; 409 (someone else moved it first) is an answer, not a failure."""
    with client.post(f"/api/v1/tasks/{task_id}/transition", json={"to": to, "note": note}, name=f"POST transition {to}",
                     catch_response=True) as answer:
        if answer.status_code == 409:
            answer.success()
            saved["conflict"] += 1
        elif answer.status_code == 200:
            saved[to] += 1
            saved["versioned"] += answer.json().get("version") is not None


# --- the report ------------------------------------------------------------------------------------


def line(name: str, entry: Any, seconds: float) -> str:
    p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99))
    return (f"{name:<34}{entry.num_requests:>7}{entry.num_requests / seconds:>8.1f}{p50:>8.0f}{p95:>8.0f}{p99:>8.0f}"
            f"{entry.max_response_time:>8.0f}{entry.num_failures:>6}")


def report(stats: Any, seconds: float, saved: Counter[str], before: dict[str, int], after: dict[str, int]) -> bool:
    print(f"{'请求':<32}{'次数':>5}{'次/秒':>6}{'p50ms':>8}{'p95ms':>8}{'p99ms':>8}{'最长ms':>6}{'错误':>4}")
    for (name, _), entry in sorted(stats.entries.items()):
        if entry.num_requests:  # sign-in's requests were counted before the figures started again
            print(line(name, entry, seconds))
    print(line("合计", stats.total, seconds))
    for error in stats.errors.values():
        print(f"错误 {error.occurrences} 次：{error.method} {error.name}：{error.error}")
    new = {kind: after.get(kind, 0) - before.get(kind, 0) for kind in ("draft", "submitted")}
    print(f"成功保存：草稿 {saved['draft']}、提交 {saved['submitted']}；数据库新增版本：草稿 {new['draft']}、提交 {new['submitted']}")
    verified = after.get("verified", 0) - before.get("verified", 0)
    if saved["done"] or saved["accepted"] or saved["returned"]:
        print(f"整改任务：提请复查 {saved['done']}、销号 {saved['accepted']}（新核定版本 {saved['versioned']}，数据库新增 {verified}）、"
              f"退回 {saved['returned']}、已被他人处理（409）{saved['conflict']}")
    p95 = stats.total.get_response_time_percentile(0.95)
    whole = (new == {"draft": saved["draft"], "submitted": saved["submitted"]} and after.get("imported") == before.get("imported")
             and after.get("verified", 0) - before.get("verified", 0) == saved["versioned"])
    print(f"p95 {p95:.0f} ms（目标 < {TARGET_P95_MS}）、错误 {stats.total.num_failures} 次、版本{'一个不少' if whole else '不符！'}")
    return whole and stats.total.num_failures == 0 and p95 < TARGET_P95_MS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="simulated unions (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the load lasts (default 60)")
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"),
                        help="pause between one union's requests, seconds (default 0.5 2)")
    parser.add_argument("--assessors", type=int, default=0,
                        help="simulated assessors working the 整改 loop alongside the unions (default 0: unions only)")
    parser.add_argument("--folder", type=Path, help="where the database is made and kept (default: a temporary folder)")
    options = parser.parse_args()
    folder = options.folder or Path(tempfile.mkdtemp(prefix="unionscore-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder.resolve() / 'load.sqlite3'}"
    child("prepare", url, str(options.users), str(options.assessors))
    before = json.loads(child("census", url))
    port = free_port()
    server = start_server(url, folder, port)
    try:
        stats, saved, signing = run_load(f"http://127.0.0.1:{port}", options.users, options.seconds, tuple(options.think), options.assessors)
        print(signing)
    finally:
        server.terminate()
        server.wait(30)
    passed = report(stats, options.seconds, saved, before, json.loads(child("census", url)))
    if options.folder is None:
        shutil.rmtree(folder)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif sys.argv[1:2] == ["census"]:
        census(sys.argv[2])
    else:
        main()
