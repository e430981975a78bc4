"""The daemon's database side on both backends (CI runs tests/store on PostgreSQL too):
one daemon per database (file lock / advisory lock), alerts raised once with
ON CONFLICT DO NOTHING, health counters."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from ingest.daemon import health
from ingest.daemon.lock import AlreadyRunning, DaemonLock
from ingest.daemon.scheduler import Daemon
from store.db import bulk_write_scope as write_scope
from tests.daemon.helpers import add_target, count, make_config

T0 = dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC)


def test_second_lock_on_same_database_refused(engine: Engine) -> None:
    with DaemonLock(engine), pytest.raises(AlreadyRunning, match="already running"):
        DaemonLock(engine).acquire()
    # Released: a new daemon may start.
    with DaemonLock(engine):
        pass


def test_alerts_once_per_stage(engine: Engine) -> None:
    for i in range(5):
        add_target(
            engine,
            received=T0,
            due=T0 + dt.timedelta(hours=2),
            due_soon=T0 + dt.timedelta(hours=1),
            ref=f"m{i}",
        )
    now = [T0 + dt.timedelta(hours=1)]
    d = Daemon(engine=engine, config=make_config(), clock=lambda: now[0])
    assert len(d.evaluate_job()) == 5
    assert d.evaluate_job() == []
    now[0] = T0 + dt.timedelta(hours=3)
    assert len(d.evaluate_job()) == 5
    assert Daemon(engine=engine, config=make_config(), clock=lambda: now[0]).evaluate_job() == []
    assert count(engine, "SELECT COUNT(*) FROM alert") == 10


def test_health_counters(engine: Engine) -> None:
    with write_scope(engine) as s:
        assert health.record_failure(s, kind="imap", name="a", now=T0, error="x") == 1
    with write_scope(engine) as s:
        assert health.record_failure(s, kind="imap", name="a", now=T0, error="y") == 2
    with write_scope(engine) as s:
        health.record_success(s, kind="imap", name="a", now=T0, next_run=T0)
    assert count(engine, "SELECT MAX(consecutive_failures) FROM sync_state") == 0
    assert count(engine, "SELECT COUNT(*) FROM sync_state WHERE failing_since IS NULL") == 1
