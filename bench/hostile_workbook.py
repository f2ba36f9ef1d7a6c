"""Peak memory and time of `unionscore batch` on a small workbook that unpacks to gigabytes.

    .venv/bin/python bench/hostile_workbook.py              # 3 GB of shared strings in about 3 MB
    .venv/bin/python bench/hostile_workbook.py --gib 1

The example county's workbook gets a shared-strings part of `--gib` GiB of one repeated character,
written in 1 MiB pieces (the file stays a few MB). Then `unionscore batch` runs on it as a subprocess;
the script prints the file size, the exit code, the wall time, the peak resident memory of the batch
and its workers (getrusage of the children) and the message the assessor sees.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PIECE = b"x" * 2**20


def bomb(path: Path, gib: float) -> None:
    with zipfile.ZipFile(REPO / "facts" / "qingshan.xlsx") as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b"<sst><si><t>")
            for _ in range(int(gib * 1024)):
                part.write(PIECE)
            part.write(b"</t></si></sst>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=3.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.xlsx"
        bomb(path, options.gib)
        started = time.perf_counter()
        done = subprocess.run([str(REPO / ".venv/bin/unionscore"), "batch", str(path), "--out", str(Path(folder) / "out")],
                              capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"file {path.stat().st_size / 2**20:.1f} MiB, unpacks to {options.gib:g} GiB of shared strings")
        print(f"exit {done.returncode}, {elapsed:.2f} s wall, peak resident memory {peak:.0f} MiB")
        print((done.stderr.strip() or done.stdout.strip()).splitlines()[-1])


if __name__ == "__main__":
    main()
