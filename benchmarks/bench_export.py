"""Register export at scale (issue 17 §3): the xlsx export must be linear.

Builds a store (bench_counts' generator) whose register export has about N rows, then
times `export-register FILE.xlsx` against `export-register FILE.csv` of the same rows,
interleaved in the same run. Both include the same query; the difference is the writer.
Prints medians and the ratio; target xlsx <= 3x csv.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session

from benchmarks.bench_counts import build_store
from store.db import make_engine
from store.register.export import export_register

KINDS = ("citizen", "consultancy")
TARGET = 3.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=60_000, help="about this many register rows")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-export-"))
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / f"store-{args.rows}.sqlite3"
    if not store.exists():
        build_store(store, args.rows)
    engine = make_engine(f"sqlite:///{store}")
    times: dict[str, list[float]] = {".csv": [], ".xlsx": []}
    n = 0
    for _ in range(args.repeat):
        for suffix in times:  # interleaved: machine noise hits both alike
            out = workdir / f"register{suffix}"
            out.unlink(missing_ok=True)
            t0 = time.perf_counter()
            with Session(engine) as s:
                n = export_register(session=s, path=out, kinds=KINDS)
            times[suffix].append(time.perf_counter() - t0)
    engine.dispose()
    csv_s, xlsx_s = statistics.median(times[".csv"]), statistics.median(times[".xlsx"])
    ratio = xlsx_s / csv_s
    print(f"register export, {n} rows, median of {args.repeat}:")
    print(f"  csv  {csv_s:7.2f} s")
    print(f"  xlsx {xlsx_s:7.2f} s")
    print(f"  ratio xlsx/csv {ratio:.2f}; target <= {TARGET:.0f}")
    ok = ratio <= TARGET
    print("PASS" if ok else "FAIL: the xlsx export is too slow")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
