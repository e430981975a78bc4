"""The annual report at scale (issue 18 §4).

On bench_counts' store of N contacts (default 1,000,000), for the year 2024 with the
odsherred preset: times `annual-report --out FILE.docx` against the preset's
`report --format xlsx` for the same period, interleaved in the same run (both through the
same functions the commands call). Prints medians and the ratio; target <= 3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session

from benchmarks.bench_counts import build_store
from store.annual import write_annual_report
from store.config import load_config_text, preset_text
from store.counts.period import Period
from store.counts.presets import run_preset
from store.counts.render import Heading, write_xlsx
from store.db import make_engine

TARGET = 3.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--contacts", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-annual-"))
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / f"store-{args.contacts}.sqlite3"
    if not store.exists():
        t0 = time.perf_counter()
        build_store(store, args.contacts)
        print(f"built store: {args.contacts} contacts in {time.perf_counter() - t0:.0f} s")
    config = load_config_text(preset_text("odsherred"), "odsherred")
    preset = config.reports.preset("odsherred")
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    engine = make_engine(f"sqlite:///{store}")

    def xlsx() -> None:
        with Session(engine) as s:
            tables = run_preset(
                session=s, config=config, preset=preset, start=period.start, end=period.end
            )
        write_xlsx(tables, workdir / "report.xlsx", Heading.of(config, period.start, period.end))

    def annual() -> None:
        with Session(engine) as s:
            write_annual_report(
                session=s, config=config, preset=preset, period=period, out=workdir / "annual.docx"
            )

    xlsx()  # warm the page cache for both
    times: dict[str, list[float]] = {"report --format xlsx": [], "annual-report": []}
    for _ in range(args.repeat):
        for name, fn in (("report --format xlsx", xlsx), ("annual-report", annual)):
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    engine.dispose()
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["annual-report"] / med["report --format xlsx"]
    print(f"year 2024 of {args.contacts} contacts, median of {args.repeat}:")
    for k, v in med.items():
        print(f"  {k:<22}{v:8.2f} s")
    print(f"  ratio annual/xlsx {ratio:.2f}; target <= {TARGET:.0f}")
    ok = ratio <= TARGET
    print("PASS" if ok else "FAIL: the annual report is too slow")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
