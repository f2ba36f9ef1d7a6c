"""`unionscore serve` under load: 50 unions filling in their self-reports at once, through the API.

    .venv/bin/pip install -e '.[bench]'                 # locust
    .venv/bin/python bench/service_load.py              # 50 unions, 60 seconds, SQLite
    .venv/bin/python bench/service_load.py --users 100 --seconds 120 --folder /tmp/load   # keeps the database

A copy of the demo county (bench/… makes it once in --folder: the 44 example unions, and more
unions with demo accounts when --users asks for more) is served by the real command in a
subprocess. Each simulated union signs in (POST /api/v1/token, Argon2 as in production), then
until the time is up, with a pause of --think seconds between steps: reads its latest version,
saves drafts (PUT …/self-report?draft=true, a figure changed each time) and now and then submits
(PUT …/self-report) and reads its history. Reported: requests per second, p50/p95/p99 latency and
errors, overall and per kind of request; then every version in the database is counted: each
successful save must be exactly one new version (none lost, none extra).
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


# --- the database: prepared and counted in child processes (Django stays out of locust's) ----------


def prepare(url: str, unions: int) -> None:
    """The demo county, plus unions QS-045 … copied from the example unions until there are `unions`."""
    from service import bootstrap

    bootstrap.configure(url)
    from service.demo import ensure_demo

    ensure_demo()
    for number in range(DEMO_UNIONS + 1, unions + 1):
        add_union(number)


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

    bootstrap.configure(url, migrate=False)
    from django.db.models import Count

    from service.models import Version

    kinds = Version.objects.values("kind").annotate(n=Count("id"))
    print(json.dumps({row["kind"]: row["n"] for row in kinds}))


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


def run_load(host: str, users: int, seconds: float, think: tuple[float, float]) -> tuple[Any, Counter[str]]:
    """Locust as a library: `users` unions, spawned 10 a second, for `seconds`; its stats and the saves that succeeded."""
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
            self.put("", "submitted")

        @task(1)
        def history(self) -> None:
            self.client.get(self.address + "/versions", name="GET versions")

        def put(self, query: str, kind: str) -> None:
            self.facts["activists"] = random.randint(0, 9)  # declared for every union type; any count is valid
            answer = self.client.put(self.address + query, json={"facts": self.facts}, name=f"PUT self-report{query}")
            if answer.status_code == 200 and answer.json().get("kind") == kind:
                saved[kind] += 1

    environment = Environment(user_classes=[Union], host=host)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=10)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return environment.stats, saved


# --- the report ------------------------------------------------------------------------------------


def line(name: str, entry: Any, seconds: float) -> str:
    p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99))
    return (f"{name:<34}{entry.num_requests:>7}{entry.num_requests / seconds:>8.1f}{p50:>8.0f}{p95:>8.0f}{p99:>8.0f}"
            f"{entry.max_response_time:>8.0f}{entry.num_failures:>6}")


def report(stats: Any, seconds: float, saved: Counter[str], before: dict[str, int], after: dict[str, int]) -> bool:
    print(f"{'请求':<32}{'次数':>5}{'次/秒':>6}{'p50ms':>8}{'p95ms':>8}{'p99ms':>8}{'最长ms':>6}{'错误':>4}")
    for (name, _), entry in sorted(stats.entries.items()):
        print(line(name, entry, seconds))
    print(line("合计", stats.total, seconds))
    for error in stats.errors.values():
        print(f"错误 {error.occurrences} 次：{error.method} {error.name}：{error.error}")
    new = {kind: after.get(kind, 0) - before.get(kind, 0) for kind in ("draft", "submitted")}
    print(f"成功保存：草稿 {saved['draft']}、提交 {saved['submitted']}；数据库新增版本：草稿 {new['draft']}、提交 {new['submitted']}")
    p95 = stats.total.get_response_time_percentile(0.95)
    whole = new == {"draft": saved["draft"], "submitted": saved["submitted"]} and after.get("imported") == before.get("imported")
    print(f"p95 {p95:.0f} ms（目标 < {TARGET_P95_MS}）、错误 {stats.total.num_failures} 次、版本{'一个不少' if whole else '不符！'}")
    return whole and stats.total.num_failures == 0 and p95 < TARGET_P95_MS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="simulated unions (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the load lasts (default 60)")
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"),
                        help="pause between one union's requests, seconds (default 0.5 2)")
    parser.add_argument("--folder", type=Path, help="where the database is made and kept (default: a temporary folder)")
    options = parser.parse_args()
    folder = options.folder or Path(tempfile.mkdtemp(prefix="unionscore-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder.resolve() / 'load.sqlite3'}"
    child("prepare", url, str(options.users))
    before = json.loads(child("census", url))
    port = free_port()
    server = start_server(url, folder, port)
    try:
        stats, saved = run_load(f"http://127.0.0.1:{port}", options.users, options.seconds, tuple(options.think))
    finally:
        server.terminate()
        server.wait(30)
    passed = report(stats, options.seconds, saved, before, json.loads(child("census", url)))
    if options.folder is None:
        shutil.rmtree(folder)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["census"]:
        census(sys.argv[2])
    else:
        main()
