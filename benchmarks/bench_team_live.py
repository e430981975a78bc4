"""How long a change on one desk takes to appear on another (issue 21, "Live").

On a database of its own (created on the PostgreSQL server of BORGERDESK_TEST_DATABASE_URL,
whose role needs CREATEDB and CREATEROLE; dropped afterwards), two advisor roles run a
desk each. Desk A assigns a case back and forth; desk B waits on its change listener
(LISTEN/NOTIFY) in a thread and, woken, reads the case's assignee as B.
Measured per change: from just before A's command to B holding the new state. The floor,
in the same run: a bare psycopg NOTIFY from one connection to a LISTENing one.

    BORGERDESK_TEST_DATABASE_URL=postgresql+psycopg://borgerdesk:borgerdesk@localhost/x \\
        uv run python benchmarks/bench_team_live.py              # 100 changes
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import make_url
from sqlmodel import Session

from store.config import load_config_text, preset_text
from store.db import make_engine, upgrade
from store.desk import Desk
from store.models import Case
from store.team.roles import add_user, init_team

PASSWORD = "bench-secret"


def p90(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=10)[-1]


def floor(url: str, n: int) -> list[float]:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    out = []
    with psycopg.connect(dsn, autocommit=True) as lis, psycopg.connect(dsn, autocommit=True) as snd:
        lis.execute("LISTEN bench_floor")
        for _ in range(n):
            t0 = time.perf_counter()
            snd.execute("NOTIFY bench_floor, 'x'")
            next(lis.notifies(timeout=5, stop_after=1))
            out.append(time.perf_counter() - t0)
    return out


def desks(url: str, n: int) -> tuple[list[float], list[float]]:
    """(change to seen on B, A's command alone) per change."""
    config = load_config_text(preset_text("odsherred"), "odsherred")
    owner = make_engine(url)
    names = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        add_user(owner, name, "advisor", PASSWORD)
    with Session(owner) as s:
        case = Case(ref="2026-001", opened_on=dt.date(2026, 3, 2))
        s.add(case)
        s.commit()
        case_id = int(case.id or 0)
    a, b = (
        Desk(
            make_engine(
                make_url(url)
                .set(username=nm, password=PASSWORD)
                .render_as_string(hide_password=False)
            ),
            config,
        )
        for nm in names
    )
    listener = b.change_listener()
    assert listener is not None
    seen: queue.Queue[tuple[str | None, float]] = queue.Queue()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if "case_" in listener.wait(0.5):
                seen.put((_assignee(b, case_id), time.perf_counter()))

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    me, out, command = a.me(), [], []
    try:
        for i in range(n):
            want = me if i % 2 == 0 else None
            t0 = time.perf_counter()
            a.assign_case(case_id, want)
            command.append(time.perf_counter() - t0)
            while True:
                got, t1 = seen.get(timeout=10)
                if got == want:
                    break
            out.append(t1 - t0)
    finally:
        stop.set()
        thread.join()
        listener.close()
        a.engine.dispose()
        b.engine.dispose()
        with owner.begin() as conn:
            for name in names:
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
        owner.dispose()
    return out, command


def _assignee(desk: Desk, case_id: int) -> str | None:
    with Session(desk.engine) as s:
        case = s.get(Case, case_id)
        return None if case is None else case.assigned_to


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=100)
    args = ap.parse_args()
    base = os.environ.get("BORGERDESK_TEST_DATABASE_URL")
    if not base:
        sys.exit("set BORGERDESK_TEST_DATABASE_URL to a PostgreSQL URL (see the docstring)")
    admin = make_engine(base)
    name = f"bd_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        owner = make_engine(url)
        init_team(owner)
        owner.dispose()
        fl = floor(url, args.changes)
        live, command = desks(url, args.changes)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    fm, lm = statistics.median(fl), statistics.median(live)
    print(f"floor: bare NOTIFY -> LISTEN, median {fm * 1000:.1f} ms, p90 {p90(fl) * 1000:.1f} ms")
    print(
        f"desk A's change seen by desk B: median {lm * 1000:.1f} ms, "
        f"p90 {p90(live) * 1000:.1f} ms (n={len(live)}; target median <= 1000 ms)"
    )
    cm = statistics.median(command)
    print(f"of which desk A's command itself (lock, audit, commit): median {cm * 1000:.1f} ms")
    print(f"ratio to floor (median): {lm / fm:.1f}x bare NOTIFY; {lm / cm:.2f}x A's command")


if __name__ == "__main__":
    main()
