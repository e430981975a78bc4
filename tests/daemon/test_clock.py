"""The machine clock jumps forward an hour under a running scheduler: every job runs once
(coalesced), not once per missed interval; alerts come one per target; the nightly
maintenance that the jump skipped over runs once.

The clock is injected: APScheduler's and the daemon's notion of "now" is the real time
plus an offset the test moves, while waits run on real time, as after an NTP step.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ingest.daemon.scheduler import Daemon
from tests.daemon.helpers import add_target, count, make_config

_real_datetime = dt.datetime


class JumpingClock:
    def __init__(self, start: dt.datetime) -> None:
        self.offset = start - _real_datetime.now(dt.UTC)
        self.lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self.lock:
            return _real_datetime.now(dt.UTC) + self.offset

    def jump(self, delta: dt.timedelta) -> None:
        with self.lock:
            self.offset += delta


def _patched_datetime(clock: JumpingClock) -> type[dt.datetime]:
    class FakeDatetime(_real_datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            moment = clock()
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    return FakeDatetime


def _wait(cond, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_clock_jump_forward_one_hour(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import apscheduler.executors.base as ex_base
    import apscheduler.schedulers.base as sched_base

    # 01:50 Copenhagen; maintenance is at 02:30, inside the hour the clock will skip.
    start = dt.datetime(2024, 3, 5, 0, 50, tzinfo=dt.UTC)
    clock = JumpingClock(start)
    fake = _patched_datetime(clock)
    monkeypatch.setattr(sched_base, "datetime", fake)
    monkeypatch.setattr(ex_base, "datetime", fake)
    n = 20
    for i in range(n):
        add_target(
            engine,
            received=start - dt.timedelta(days=2),
            due=start + dt.timedelta(minutes=20 + i),
            due_soon=start + dt.timedelta(minutes=10),
            ref=f"m{i}",
        )
    cfg = make_config(f'[daemon]\nevaluate_seconds = 60\nbackup_dir = "{tmp_path / "bk"}"\n')
    d = Daemon(engine=engine, config=cfg, clock=clock)
    d.start()
    try:
        _wait(lambda: d.runs.get("evaluate") == 1)
        assert count(engine, "SELECT COUNT(*) FROM alert") == 0
        clock.jump(dt.timedelta(hours=1))
        d.scheduler.wakeup()
        _wait(lambda: d.runs.get("evaluate") == 2 and d.runs.get("maintenance") == 1)
        time.sleep(3)  # let any wrongly queued extra runs show up
        assert d.runs == {"evaluate": 2, "maintenance": 1}
        assert count(engine, "SELECT COUNT(*) FROM alert") == n
        assert count(engine, "SELECT COUNT(*) FROM alert WHERE kind = 'overdue'") == n
        # One backup of a SQLite file; PostgreSQL's is pg_dump's, outside the daemon.
        backups = 1 if engine.dialect.name == "sqlite" else 0
        assert len(list((tmp_path / "bk").glob("borgerdesk-*.sqlite3"))) == backups
        # The next evaluation is one interval after the jump, not a backlog.
        job = d.scheduler.get_job("evaluate")
        assert job is not None
        assert dt.timedelta(0) < job.next_run_time - clock() <= dt.timedelta(seconds=60)
    finally:
        assert d.shutdown()
