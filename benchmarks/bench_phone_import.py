"""Benchmark: importing a dk-generic phone export vs a plain csv.reader + executemany.

The issue's target: 1,000,000 rows with ~50,000 distinct numbers import in at most 4x the
time of the floor, measured in the same run: Python's csv.reader over the same file and
sqlite3's executemany of the same rows (six text columns, no indexes) into a fresh SQLite
file with the same pragmas (WAL, synchronous=NORMAL), committed.

"Ours" is `ingest.phone.importer.import_bytes` on a fresh migrated database: decoding,
profile detection, parsing and validating every row, normalising numbers (each distinct
one once), local time to UTC, row-key de-duplication, one contact row per call (bulk
executemany), reply targets for all of them (`store.replies.bulk`, equal to
`apply_contacts`), audit, commit. Its stages:

- parse: decode, detect, parse and validate every row (`read_and_parse`);
- dedupe: row keys, repeats within the file, keys already stored;
- prepare: link numbers to parties, build the contact rows, read what the database
  holds about the file's numbers for the reply rules;
- insert: the contacts' executemany, then the index rebuild, during which the reply
  targets are worked out (in parallel: CREATE INDEX runs without the GIL);
- replies: write the reply targets (and meet stored ones);
- commit: the audit entry and the commit (writing the WAL);
- checkpoint: the WAL checkpoint into the database file, in a thread of its own while
  Python frees the file's rows as the import returns (both inside `import_bytes`).

    uv run python benchmarks/bench_phone_import.py            # the issue's size
    uv run python benchmarks/bench_phone_import.py 100000 --repeat 5

Prints the medians, the ratio, and where our time goes. A third figure, the "schema
floor", times only the database part (ready-made contact tuples executemany'd into the
real schema, indexes rebuilt, commit; no reply targets): the least any importer pays for
this schema.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 4.0


def make_numbers(n: int, rng: random.Random) -> list[str]:
    """n distinct Danish numbers, each written the way exports vary: "22 33 44 55",
    "+45 22334455", "004522334455", "22334455"."""
    seen: set[int] = set()
    out = []
    while len(out) < n:
        x = rng.randrange(20_000_000, 99_999_999)
        if x in seen:
            continue
        seen.add(x)
        s = str(x)
        style = rng.randrange(4)
        if style == 0:
            out.append(f"{s[:2]} {s[2:4]} {s[4:6]} {s[6:]}")
        elif style == 1:
            out.append(f"+45 {s}")
        elif style == 2:
            out.append(f"0045{s}")
        else:
            out.append(s)
    return out


def write_export(path: Path, rows: int, distinct: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    numbers = make_numbers(distinct, rng)
    hidden_every = 40
    t = dt.datetime(2023, 1, 2, 8, 0, 0)
    step = dt.timedelta(seconds=37)
    buf = io.StringIO()
    buf.write("sep=;\r\nDato;Tidspunkt;Retning;Nummer;Varighed;Status\r\n")
    directions = ("Indgående", "Indgående", "Udgående")
    statuses_in = ("Besvaret", "Besvaret", "Besvaret", "Ubesvaret", "Telefonsvarer")
    for i in range(rows):
        t += step
        direction = directions[i % 3]
        number = "Skjult nummer" if i % hidden_every == 0 else numbers[rng.randrange(distinct)]
        status = statuses_in[rng.randrange(5)] if direction == "Indgående" else "Besvaret"
        secs = 0 if status != "Besvaret" else rng.randrange(5, 900)
        dur = f"{secs // 60:02d}:{secs % 60:02d}" if i % 2 else str(secs)
        buf.write(f"{t:%d-%m-%Y};{t:%H:%M:%S};{direction};{number};{dur};{status}\r\n")
    buf.write(f"I alt;;;;{rows};\r\n")
    path.write_bytes(buf.getvalue().encode("cp1252"))


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def floor_run(export: Path, db: Path) -> float:
    """csv.reader + executemany of the same rows into SQLite."""
    _remove_db(db)
    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE calls (dato TEXT, tidspunkt TEXT, retning TEXT, nummer TEXT, "
        "varighed TEXT, status TEXT)"
    )
    with open(export, encoding="cp1252", newline="") as fh:
        next(fh)  # sep=;
        reader = csv.reader(fh, delimiter=";")
        next(reader)  # header
        conn.executemany(
            "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?)", (r for r in reader if len(r) == 6)
        )
    conn.commit()
    conn.close()
    return time.perf_counter() - t0


def schema_floor_prepare(export: Path) -> list[tuple[object, ...]]:
    """Contact tuples (one row per call, in the importer's lean form: the values every
    call shares are SQL literals) for the export, prepared untimed (parsed by our own
    parser), for `schema_floor_run`."""
    from ingest.phone.bulk import key_of
    from ingest.phone.importer import read_and_parse
    from store.config import load_config_text, preset_text
    from store.timeutil import CPH

    config = load_config_text(preset_text("odsherred"), "bench")
    _table, result, _ = read_and_parse(export.read_bytes(), export.name, config, None)
    contacts = []
    for i, r in enumerate(result.rows, start=1):
        at = r.start.isoformat(" ", "microseconds")[:26]
        on = r.start.astimezone(CPH).date().isoformat()
        contacts.append(
            (
                i,
                r.direction,
                at,
                on,
                r.number,
                "call:" + key_of(r),
                r.status,
                r.duration_s,
                r.raw_number,
            )
        )
    return contacts


def schema_floor_run(contacts: list[tuple[object, ...]], db: Path, template: Path) -> float:
    """The database part alone: sqlite3 executemany of ready tuples into the real schema
    with the importer's statement (secondary indexes dropped and rebuilt, as it does for a
    bulk load), commit. What no importer can go below with this schema (reply targets
    not included)."""
    from ingest.phone.bulk import LEAN_COLS

    _remove_db(db)
    shutil.copyfile(template, db)
    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO imported_file (id, sha256, kind, name, imported_at, rows, "
        "skipped) VALUES (1, 'x', 'calls', 'x', '2026-01-01 00:00:00.000000', 0, 0)"
    )
    idx = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT "
        "NULL AND tbl_name = 'contact'"
    ).fetchall()
    for name, _sql in idx:
        conn.execute(f'DROP INDEX "{name}"')
    cols = (*LEAN_COLS, "channel", "access_request", "dismissed", "created_at", "call_file_id")
    values = ["?"] * len(LEAN_COLS) + [
        "'phone'",
        "false",
        "false",
        "'2026-01-01 00:00:00.000000'",
        "1",
    ]
    conn.executemany(
        f"INSERT INTO contact ({', '.join(cols)}) VALUES ({', '.join(values)})", contacts
    )
    for _name, sql in idx:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return time.perf_counter() - t0


def _ours(export: Path, db: Path, template: Path) -> tuple[float, dict[str, float], int]:
    from ingest.phone.importer import import_bytes
    from store.addresses import normalise_phone
    from store.config import load_config_text, preset_text
    from store.db import make_engine

    _remove_db(db)
    shutil.copyfile(template, db)
    os.chmod(db, 0o600)
    config = load_config_text(preset_text("odsherred"), "bench")
    engine = make_engine(f"sqlite:///{db}")
    normalise_phone.cache_clear()  # every run pays for normalising its numbers
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    last = [t0]

    def mark(stage: str) -> None:
        now = time.perf_counter()
        stages[stage] = now - last[0]
        last[0] = now

    data = export.read_bytes()
    rep = import_bytes(data, export.name, engine=engine, config=config, timings=mark)
    total = time.perf_counter() - t0
    engine.dispose()
    return total, stages, rep.imported


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "rows",
        nargs="?",
        type=int,
        default=1_000_000,
        help="rows in the export (default: the issue's 1,000,000)",
    )
    ap.add_argument(
        "--distinct",
        type=int,
        default=None,
        help="distinct numbers (default: 50,000 per million rows, min 1,000)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    args = ap.parse_args()
    distinct = args.distinct or max(1000, args.rows * 50_000 // 1_000_000)

    from store.db import upgrade

    with tempfile.TemporaryDirectory(prefix="bench-phone-") as tmp:
        d = Path(tmp)
        export = d / "opkald.csv"
        t = time.perf_counter()
        write_export(export, args.rows, distinct)
        print(
            f"export: {args.rows:,} rows, {distinct:,} distinct numbers, "
            f"{export.stat().st_size / 1e6:.1f} MB (written in {time.perf_counter() - t:.1f} s)"
        )
        template = d / "template.sqlite3"
        upgrade(f"sqlite:///{template}")
        floors, ours, all_stages, schema = [], [], [], []
        contacts = schema_floor_prepare(export)
        for i in range(args.repeat):
            floors.append(floor_run(export, d / "floor.sqlite3"))
            schema.append(schema_floor_run(contacts, d / "schema.sqlite3", template))
            total, stages, imported = _ours(export, d / "ours.sqlite3", template)
            assert imported == args.rows, (imported, args.rows)
            ours.append(total)
            all_stages.append(stages)
            print(
                f"run {i + 1}: floor {floors[-1]:.2f} s, schema floor {schema[-1]:.2f} s, "
                f"ours {total:.2f} s "
                f"({', '.join(f'{k} {v:.2f}' for k, v in stages.items())})",
                flush=True,
            )
        f_med, o_med = statistics.median(floors), statistics.median(ours)
        ratio = o_med / f_med
        stage_med = {k: statistics.median(s[k] for s in all_stages) for k in all_stages[0]}
        print(f"floor (csv.reader + executemany) median: {f_med:.2f} s")
        s_med = statistics.median(schema)
        print(
            f"schema floor (ready tuples into the real schema, DB only) median: "
            f"{s_med:.2f} s = {s_med / f_med:.2f}x the floor"
        )
        print(f"ours (import_bytes) median:            {o_med:.2f} s")
        print("  stages (median): " + ", ".join(f"{k} {v:.2f} s" for k, v in stage_med.items()))
        replies = stage_med.get("replies", 0.0)
        print(
            f"ratio ours/floor: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x: "
            f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})"
        )
        print(
            f"  of which reply targets: {replies / f_med:.2f}x; the rest "
            f"(read, parse, dedupe, insert, commit): {(o_med - replies) / f_med:.2f}x"
        )


if __name__ == "__main__":
    main()
