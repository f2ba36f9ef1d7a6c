"""The 整改工作方案 as it prints: two example unions' plans written as .docx by `unionscore plan`,
converted to PDF by LibreOffice once, and read page by page with pdftotext.

What a superior union would notice on paper: a page with nothing but the 落款 (「此页无正文」), a
heading at the foot of a page with its text overleaf, a page without its number 「— N —」.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parents[2]
PLANS = [("QS-016", "zhijia"), ("QS-016", "xingji")]  # two plans with long schedules (xingji: 13 steps)
DEADLINE = "2026-06-30"
TOOLS = {"soffice": "libreoffice-writer-nogui", "pdftotext": "poppler-utils", "pdfinfo": "poppler-utils"}
HEADING = re.compile(r"[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）")  # 「一、指导思想」「（一）…」


def page_number(line: str) -> int | None:
    """「— 3 —」 as pdftotext gives it (the spaces may go): 3."""
    match = re.fullmatch(r"—\s*(\d+)\s*—", line.strip())
    return int(match.group(1)) if match else None


def squeeze(text: str) -> str:
    """Text without spaces: pdftotext puts spaces between Chinese and figures (2025 年 12 月)."""
    return re.sub(r"\s+", "", text)


def pdf_pages(pdf: Path) -> list[list[str]]:
    """Each page's non-empty lines, page by page (pdftotext -f N -l N)."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    pages = []
    for number in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                              check=True, capture_output=True, text=True).stdout
        pages.append([line.strip() for line in text.splitlines() if line.strip()])
    return pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[list[str]], list[str]]]:
    """Per plan: its pages' lines, and its signature lines as the .docx has them."""
    missing = sorted({package for tool, package in TOOLS.items() if shutil.which(tool) is None})
    if missing:
        pytest.fail(f"转换和读取 PDF 需要 soffice 和 pdftotext：请先安装 Debian 软件包 "
                    f"sudo apt-get install -y {' '.join(missing)}", pytrace=False)
    folder = tmp_path_factory.mktemp("workplan-pdf")
    files = []
    for union, ruleset in PLANS:
        path = folder / f"{union}-{ruleset}.docx"
        result = CliRunner().invoke(cli, ["plan", "--ruleset", ruleset, str(REPO / "facts" / "qingshan" / f"{union}.yaml"),
                                          "--deadline", DEADLINE, "--format", "docx", "--out", str(path)])
        assert result.exit_code == 0, result.output
        files.append(path)
    # one LibreOffice run for both files, with a profile of its own (no clash with a running soffice)
    profile = tmp_path_factory.mktemp("lo-profile").as_uri()
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, files)],
                   check=True, capture_output=True, timeout=300)
    return {path.stem: (pdf_pages(path.with_suffix(".pdf")), [p.text for p in docx.Document(str(path)).paragraphs[-2:]])
            for path in files}


@pytest.fixture(params=[f"{union}-{ruleset}" for union, ruleset in PLANS])
def plan(request: pytest.FixtureRequest, printed: dict) -> tuple[list[list[str]], list[str]]:
    return printed[request.param]


def test_the_plans_run_to_several_pages(printed: dict):
    assert sorted(printed) == ["QS-016-xingji", "QS-016-zhijia"]
    assert min(len(pages) for pages, _ in printed.values()) >= 3


def test_every_page_carries_its_number_and_body_text(plan):
    pages, _ = plan
    for number, lines in enumerate(pages, 1):
        numbers = [page_number(line) for line in lines if page_number(line) is not None]
        assert numbers == [number], f"第 {number} 页的页码：{lines[-3:]}"
        assert len([line for line in lines if page_number(line) is None]) >= 3, f"第 {number} 页几乎没有正文：{lines}"


def test_the_signature_closes_the_last_page_below_some_of_the_text(plan):
    pages, signature = plan
    issuer, date = signature
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", date)
    last = [line for line in pages[-1] if page_number(line) is None]
    assert squeeze(last[-1]) == date and squeeze(last[-2]) == issuer, last
    body = last[:-2]
    assert body, f"最后一页只有落款（此页无正文）：{last}"
    assert not HEADING.match(body[-1]), body
    for lines in pages[:-1]:  # the signature is on the last page only
        assert date not in [squeeze(line) for line in lines]


def test_no_page_ends_with_a_heading(plan):
    pages, _ = plan
    for number, lines in enumerate(pages, 1):
        text = [line for line in lines if page_number(line) is None]
        assert not HEADING.match(text[-1]), f"第 {number} 页以标题结尾：{text[-1]}"


def test_every_heading_is_printed(plan):
    pages, _ = plan
    headings = [line for lines in pages for line in lines if HEADING.match(line) and len(line) <= 20]
    assert [h for h in headings if "、" in h[:3]] == ["一、指导思想", "二、工作目标", "三、主要措施", "四、时间安排", "五、保障措施"]
