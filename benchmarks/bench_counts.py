"""Count engine and register import at scale (issue: foundation, section 7).

Builds a store of N contacts / N/5 cases / 0.15 N parties spread over three years, then:
- times a year's department × category pivot for each unit through the engine (as the
  CLI runs it) against the best hand-written SQL giving the same numbers;
- times importing an N-row register CSV into an empty database.
Prints medians of repeated runs and the ratios.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session

from store.config import load_config_text, preset_text
from store.counts import CountQuery, count
from store.db import _on_sqlite_connect, make_engine, upgrade
from store.register.importer import import_register
from store.samples import ODSHERRED_2024, REGISTER_HEADER

DEPTS = list(ODSHERRED_2024)
CATS = ["Vejledning", "Udredning", "Klage"]
YEARS = (2023, 2024, 2025)


def build_store(path: Path, n_contacts: int, seed: int = 1) -> None:
    """Bulk-load straight through sqlite3 (the schema comes from the real migrations)."""
    upgrade(f"sqlite:///{path}")
    rng = random.Random(seed)
    n_cases, n_parties = n_contacts // 5, int(n_contacts * 0.15)
    con = sqlite3.connect(path)
    now = "2026-01-01 00:00:00.000000"
    con.executemany(
        "INSERT INTO party (id, kind, name, created_at) VALUES (?, ?, ?, ?)",
        (
            (i, rng.choice(["citizen"] * 8 + ["company", "association"]), f"P{i}", now)
            for i in range(1, n_parties + 1)
        ),
    )
    cases = []
    for i in range(1, n_cases + 1):
        y = rng.choice(YEARS)
        opened = dt.date(y, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        cases.append(
            (
                i,
                f"C{i}",
                rng.choice(["citizen"] * 18 + ["consultancy", "whistleblower"]),
                rng.choice(DEPTS),
                rng.choice(CATS),
                opened.isoformat(),
                int(rng.random() < 0.05),
                0,
                rng.randint(1, n_parties),
                now,
            )
        )
    con.executemany(
        "INSERT INTO case_ (id, ref, kind, department, category, opened_on, excluded, "
        "wanted_to_complain, party_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        cases,
    )

    def contacts():  # type: ignore[no-untyped-def]
        for _ in range(n_contacts):
            c = cases[rng.randrange(n_cases)]
            day = dt.date.fromisoformat(c[5]) + dt.timedelta(days=rng.randint(0, 60))
            linked = rng.random() > 0.01
            yield (
                rng.choice(["phone", "email", "meeting"]),
                rng.choice(["in"] * 3 + ["out"]),
                f"{day.isoformat()} 10:00:00.000000",
                day.isoformat(),
                c[0] if linked else None,
                c[8],
                0,
                0,
                now,
            )

    con.executemany(
        "INSERT INTO contact (channel, direction, occurred_at, occurred_on, case_id, party_id, "
        "access_request, dismissed, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
        contacts(),
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()


HAND_SQL = {
    "contacts": [
        """SELECT k.department, k.category, count(*) FROM contact c JOIN case_ k ON k.id = c.case_id
           WHERE k.kind = 'citizen' AND k.excluded = 0 AND c.direction = 'in'
             AND c.occurred_on BETWEEN ? AND ? GROUP BY 1, 2""",
    ],
    "parties": [
        """SELECT k.department, k.category, count(DISTINCT c.party_id) FROM contact c
           JOIN case_ k ON k.id = c.case_id WHERE k.kind = 'citizen' AND k.excluded = 0
             AND c.direction = 'in' AND c.occurred_on BETWEEN ? AND ? GROUP BY 1, 2""",
        """SELECT k.department, count(DISTINCT c.party_id) FROM contact c
           JOIN case_ k ON k.id = c.case_id WHERE k.kind = 'citizen' AND k.excluded = 0
             AND c.direction = 'in' AND c.occurred_on BETWEEN ? AND ? GROUP BY 1""",
        """SELECT k.category, count(DISTINCT c.party_id) FROM contact c
           JOIN case_ k ON k.id = c.case_id WHERE k.kind = 'citizen' AND k.excluded = 0
             AND c.direction = 'in' AND c.occurred_on BETWEEN ? AND ? GROUP BY 1""",
        """SELECT count(DISTINCT c.party_id) FROM contact c
           JOIN case_ k ON k.id = c.case_id WHERE k.kind = 'citizen' AND k.excluded = 0
             AND c.direction = 'in' AND c.occurred_on BETWEEN ? AND ?""",
    ],
    "cases": [
        """SELECT department, category, count(*) FROM case_ WHERE kind = 'citizen'
           AND excluded = 0 AND opened_on BETWEEN ? AND ? GROUP BY 1, 2""",
    ],
}


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_pivots(path: Path, repeat: int) -> bool:
    engine = make_engine(f"sqlite:///{path}")
    raw = sqlite3.connect(path)
    # The same connection settings as the engine's (page cache, WAL): a like-for-like floor.
    _on_sqlite_connect(raw, None)
    a, b = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    ok = True
    print(f"{'unit':<10}{'engine ms':>12}{'hand SQL ms':>14}{'ratio':>8}  target <= 1.5")
    for unit in ("contacts", "parties", "cases"):
        q = CountQuery(unit=unit, start=a, end=b, rows="department", cols="category")

        def run_engine(q: CountQuery = q) -> None:
            with Session(engine) as s:
                count(session=s, query=q)

        def run_hand(unit: str = unit) -> None:
            for sql in HAND_SQL[unit]:
                raw.execute(sql, (a.isoformat(), b.isoformat())).fetchall()

        run_engine(), run_hand()  # warm the page cache for both
        # Interleave so machine noise hits both equally.
        e_times, h_times = [], []
        for _ in range(repeat):
            e_times.append(median_time(run_engine, 1))
            h_times.append(median_time(run_hand, 1))
        e, h = statistics.median(e_times), statistics.median(h_times)
        ratio = e / h
        ok &= ratio <= 1.5
        print(f"{unit:<10}{e * 1000:>12.1f}{h * 1000:>14.1f}{ratio:>8.2f}")
    engine.dispose()
    return ok


def write_register(path: Path, n_rows: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    n_cases, n_parties = max(1, n_rows // 5), max(1, int(n_rows * 0.15))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(REGISTER_HEADER)
        for i in range(n_rows):
            c = i % n_cases
            p = c % n_parties
            rng_c = random.Random(c)
            opened = dt.date(2024, 1, 1) + dt.timedelta(days=rng_c.randint(0, 300))
            day = opened + dt.timedelta(days=rng.randint(0, 60))
            w.writerow(
                [
                    f"C{c}",
                    f"P{p}",
                    f"Navn {p}",
                    "citizen",
                    f"p{p}@example.dk",
                    "",
                    DEPTS[c % len(DEPTS)],
                    CATS[c % 3],
                    "",
                    "",
                    "",
                    "citizen",
                    opened.isoformat(),
                    "",
                    "false",
                    "",
                    "false",
                    f"{day.isoformat()} {rng.randint(8, 15):02d}:{rng.randint(0, 59):02d}",
                    rng.choice(["phone", "email"]),
                    "in",
                    f"Henvendelse {i}",
                ]
            )


def bench_import(workdir: Path, n_rows: int) -> bool:
    reg = workdir / "register.csv"
    write_register(reg, n_rows)
    db = workdir / "import.sqlite3"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)  # an earlier run's database would say "already imported"
    upgrade(f"sqlite:///{db}")
    engine = make_engine(f"sqlite:///{db}")
    config = load_config_text(preset_text("odsherred"), "odsherred")
    t0 = time.perf_counter()
    s = import_register(engine=engine, config=config, path=reg)
    took = time.perf_counter() - t0
    engine.dispose()
    target = 60.0 * n_rows / 1_000_000
    assert s.contacts_added == n_rows, s
    print(
        f"register import: {n_rows} rows, {s.cases_added} cases, {s.contacts_added} contacts "
        f"in {took:.1f} s ({n_rows / took:,.0f} rows/s); target <= {target:.0f} s "
        f"(60 s per million): ratio {took / target:.2f}"
    )
    return took <= target


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--contacts", type=int, default=1_000_000)
    ap.add_argument("--import-rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-counts-"))
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / f"store-{args.contacts}.sqlite3"
    if not store.exists():
        t0 = time.perf_counter()
        build_store(store, args.contacts)
        print(f"built store: {args.contacts} contacts in {time.perf_counter() - t0:.0f} s")
    ok = bench_pivots(store, args.repeat)
    if args.import_rows:
        ok &= bench_import(workdir, args.import_rows)
    print("PASS" if ok else "FAIL: a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
