"""The daemon's minute-by-minute alert evaluation at scale (issue 6).

Builds a SQLite store (real migrations) with C contacts (default 200,000) that each had a
reply target, P of them (default 20,000, the size issue 3 benchmarks) still open and
overdue. Measures, as medians of repeated runs:

- the first evaluation, which raises P overdue alerts in one transaction;
- the steady state: an evaluation with nothing new to raise (what runs every minute);
- the floor: the least any evaluation must read, the count of open targets past their
  due-soon time, by hand-written SQL through sqlite3.

The issue names no floor for this; the ratio is printed for information.

    uv run python benchmarks/bench_daemon_evaluate.py
    uv run python benchmarks/bench_daemon_evaluate.py --contacts 50000 --pending 5000
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from ingest.daemon.scheduler import Daemon
from store.config import load_config_text
from store.db import make_engine, session_scope, upgrade
from store.models import Contact, ReplyTarget

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def build(url: str, contacts: int, pending: int) -> None:
    engine = make_engine(url)
    t0 = NOW - dt.timedelta(days=400)
    chunk = 20_000
    with session_scope(engine) as s:
        for start in range(0, contacts, chunk):
            ids = range(start + 1, min(contacts, start + chunk) + 1)
            s.execute(
                insert(Contact),
                [
                    {
                        "id": i,
                        "channel": "email",
                        "direction": "in",
                        "occurred_at": t0 + dt.timedelta(minutes=i),
                        "occurred_on": (t0 + dt.timedelta(minutes=i)).date(),
                        "counterpart": f"borger{i % 5000}@example.org",
                        "source_ref": f"bench:{i}",
                        "access_request": False,
                        "dismissed": False,
                        "created_at": t0,
                    }
                    for i in ids
                ],
            )
            s.execute(
                insert(ReplyTarget),
                [
                    {
                        "contact_id": i,
                        "rule": "dag-til-dag",
                        "received_at": t0 + dt.timedelta(minutes=i),
                        "due_at": t0 + dt.timedelta(minutes=i, hours=48),
                        "due_soon_at": t0 + dt.timedelta(minutes=i, hours=40),
                        # The last `pending` are open (and long overdue); the rest met.
                        "state": "open" if i > contacts - pending else "met",
                        "met_at": None if i > contacts - pending else t0,
                    }
                    for i in ids
                ],
            )
    engine.dispose()


def median_time(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--contacts", type=int, default=200_000)
    ap.add_argument("--pending", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        upgrade(url)
        t = time.perf_counter()
        build(url, args.contacts, args.pending)
        print(
            f"built {args.contacts:,} contacts, {args.pending:,} open overdue targets "
            f"in {time.perf_counter() - t:.1f} s"
        )
        engine = make_engine(url)
        config = load_config_text('municipality = "Bench"\n', "bench")
        daemon = Daemon(engine=engine, config=config, clock=lambda: NOW)
        t = time.perf_counter()
        raised = daemon.evaluate_job()
        first = time.perf_counter() - t
        assert len(raised) == args.pending, len(raised)
        steady = median_time(daemon.evaluate_job, args.runs)
        con = sqlite3.connect(path)
        iso = NOW.replace(tzinfo=None).isoformat(sep=" ")

        def floor() -> None:
            con.execute(
                "SELECT COUNT(*) FROM reply_target WHERE state = 'open' AND due_soon_at <= ?",
                (iso,),
            ).fetchone()

        floor_t = median_time(floor, args.runs)
        con.close()
        engine.dispose()
    print(f"first evaluation, {args.pending:,} alerts raised: {first * 1000:.0f} ms")
    print(f"steady-state evaluation (median of {args.runs}): {steady * 1000:.1f} ms")
    print(f"floor, count of open targets past due-soon by hand SQL: {floor_t * 1000:.2f} ms")
    print(f"ratio steady/floor: {steady / floor_t:.1f}x (no floor named in the issue)")


if __name__ == "__main__":
    main()
