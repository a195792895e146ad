"""Write nn/datasets/data/names.csv (read by nn.datasets.load_names) from the PyPI package `names` 0.3.0.

The package's source distribution carries the US Census Bureau's 1990 first-name files
``dist.female.first`` (4,275 names) and ``dist.male.first`` (1,219 names), public domain. Each line
is ``NAME  percent  cumulative-percent  rank``; this script keeps name (title-cased), sex, percent
and rank, female names first, each list in its own rank order, and checks the bytes it read.

Run once (the output is committed; nn/datasets/names.py pins its SHA-256):

    python scripts/make_names_csv.py                      # pip-downloads names==0.3.0 to a temp dir
    python scripts/make_names_csv.py --sdist names-0.3.0.tar.gz
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SDIST = "names-0.3.0.tar.gz"
SDIST_SHA256 = "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"
MEMBERS = {  # file inside the sdist -> (sex, SHA-256, number of names)
    "names-0.3.0/names/dist.female.first":
        ("F", "bd2f310fc4e5d5e5ea122c9d4342c9821145823118eb20db1647f305ec77b358", 4275),
    "names-0.3.0/names/dist.male.first":
        ("M", "0a5078ef6effe3b483d15b0f7f95047662126c9bfb624ecd5e5b978fc0f2470b", 1219),
}
OUT = Path(__file__).resolve().parent.parent / "nn" / "datasets" / "data" / "names.csv"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(folder: str) -> Path:
    """``pip download --no-deps names==0.3.0`` into ``folder``; the path of the sdist."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
                    "names==0.3.0", "-d", folder], check=True)
    return Path(folder) / SDIST


def rows_from(sdist: Path) -> list[tuple[str, str, str, str]]:
    data = sdist.read_bytes()
    if sha256(data) != SDIST_SHA256:
        raise SystemExit(f"{sdist}: SHA-256 {sha256(data)} is not the expected {SDIST_SHA256}")
    rows = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, (sex, digest, count) in MEMBERS.items():
            raw = archive.extractfile(member).read()  # read in memory: nothing is extracted to disk
            if sha256(raw) != digest:
                raise SystemExit(f"{member}: SHA-256 {sha256(raw)} is not the expected {digest}")
            lines = raw.decode("ascii").split("\n")
            fields = [line.split() for line in lines if line.strip()]
            if len(fields) != count or any(len(f) != 4 for f in fields):
                raise SystemExit(f"{member}: expected {count} lines of 4 fields")
            rows += [(name.title(), sex, percent, rank) for name, percent, _cumulative, rank in fields]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sdist", type=Path, help=f"a local {SDIST} (default: pip download it)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = rows_from(args.sdist or download(folder))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["name", "sex", "percent", "rank"])
    writer.writerows(rows)
    args.out.write_text(text.getvalue(), encoding="ascii")
    print(f"wrote {args.out}: {len(rows)} names, SHA-256 {sha256(args.out.read_bytes())}")


if __name__ == "__main__":
    main()
