"""Alerts: exactly one per stage, persisted, never repeated, no storm after a clock jump."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from ingest.daemon.scheduler import Daemon
from store.alerts import count_open_alerts
from store.models import Alert, ReplyTarget, SyncState
from tests.daemon.helpers import add_target, count, make_config

T0 = dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC)  # a Monday


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _alerts(engine: Engine) -> list[tuple[str, int | None]]:
    with Session(engine) as s:
        return [(a.kind, a.target_id) for a in s.scalars(select(Alert).order_by(Alert.id))]


def test_one_alert_per_stage_and_none_after_restart(engine: Engine) -> None:
    clock = Clock(T0)
    tid = add_target(
        engine,
        received=T0,
        due=T0 + dt.timedelta(hours=48),
        due_soon=T0 + dt.timedelta(hours=40),
        ref="m1",
    )
    d = Daemon(engine=engine, config=make_config(), clock=clock)
    assert d.evaluate_job() == []
    clock.now = T0 + dt.timedelta(hours=40)
    assert len(d.evaluate_job()) == 1
    assert d.evaluate_job() == []  # the same stage again: nothing
    clock.now = T0 + dt.timedelta(hours=48, minutes=1)
    assert len(d.evaluate_job()) == 1
    # A restart is a new daemon object on the same database.
    d2 = Daemon(engine=engine, config=make_config(), clock=clock)
    assert d2.evaluate_job() == []
    assert _alerts(engine) == [("due_soon", tid), ("overdue", tid)]


def test_met_target_raises_nothing(engine: Engine) -> None:
    add_target(engine, received=T0, due=T0 + dt.timedelta(hours=1), due_soon=T0, ref="m1")
    with Session(engine) as s:
        t = s.scalars(select(ReplyTarget)).one()
        t.state = "met"
        t.met_at = T0
        s.add(t)
        s.commit()
    d = Daemon(engine=engine, config=make_config(), clock=Clock(T0 + dt.timedelta(days=9)))
    assert d.evaluate_job() == []


def test_clock_jump_raises_one_alert_per_target_not_a_storm(engine: Engine) -> None:
    """An hour's jump crosses both thresholds of many targets at once: each gets exactly
    one alert, for the stage it is in, and evaluating again adds nothing."""
    clock = Clock(T0)
    n = 50
    for i in range(n):
        add_target(
            engine,
            received=T0 - dt.timedelta(hours=47, minutes=30),
            due=T0 + dt.timedelta(minutes=30 + i % 5),
            due_soon=T0 - dt.timedelta(hours=1) + dt.timedelta(hours=2 * (i % 2)),
            ref=f"m{i}",
        )
    d = Daemon(engine=engine, config=make_config(), clock=clock)
    first = d.evaluate_job()
    assert len(first) == n // 2  # the half already due soon
    clock.now = T0 + dt.timedelta(hours=1)
    second = d.evaluate_job()
    assert len(second) == n  # every target is overdue now: one overdue alert each
    for _ in range(3):
        assert d.evaluate_job() == []
    kinds = [k for k, _ in _alerts(engine)]
    assert kinds.count("due_soon") == n // 2 and kinds.count("overdue") == n
    # Targets that jumped straight past due-soon got no after-the-fact due-soon alert.
    assert count(engine, "SELECT COUNT(DISTINCT target_id) FROM alert") == n


def test_alert_content_is_minimal(engine: Engine) -> None:
    add_target(
        engine,
        received=T0,
        due=T0 + dt.timedelta(hours=1),
        due_soon=T0,
        ref="m1",
        counterpart="knud.hansen@example.dk",
    )
    d = Daemon(engine=engine, config=make_config(), clock=Clock(T0 + dt.timedelta(hours=2)))
    d.evaluate_job()
    with Session(engine) as s:
        payload = json.loads(s.scalars(select(Alert.payload)).one())
    assert set(payload) == {"kind", "case_ref", "channel", "rule", "due_at"}
    assert payload["channel"] == "email" and payload["due_at"].startswith("2024-03-04T11:00")
    assert "knud" not in json.dumps(payload)


def test_source_failing_alert_once_per_episode(engine: Engine) -> None:
    from ingest.daemon import health
    from store.db import bulk_write_scope as write_scope

    clock = Clock(T0)
    d = Daemon(engine=engine, config=make_config("[daemon]\nsource_alert_hours = 1\n"), clock=clock)
    for minutes in (0, 30, 59):
        clock.now = T0 + dt.timedelta(minutes=minutes)
        with write_scope(engine) as s:
            health.record_failure(s, kind="imap", name="work", now=clock.now, error="x")
        assert d.evaluate_job() == []
    clock.now = T0 + dt.timedelta(minutes=61)
    assert len(d.evaluate_job()) == 1
    clock.now = T0 + dt.timedelta(hours=5)
    assert d.evaluate_job() == []
    with Session(engine) as s:
        assert count_open_alerts(s) == 1
    # Recovery closes the episode: the alert is no longer open; a new episode alerts anew.
    with write_scope(engine) as s:
        health.record_success(s, kind="imap", name="work", now=clock.now, next_run=None)
    with Session(engine) as s:
        assert count_open_alerts(s) == 0
        row = s.scalars(select(SyncState)).one()
        assert row.consecutive_failures == 0 and row.failing_since is None
    clock.now = T0 + dt.timedelta(hours=6)
    with write_scope(engine) as s:
        health.record_failure(s, kind="imap", name="work", now=clock.now, error="x")
    clock.now = T0 + dt.timedelta(hours=7, minutes=1)
    assert len(d.evaluate_job()) == 1
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE kind='source_failing'") == 2


def test_command_hook_gets_each_alert_once_as_json(engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "hook.jsonl"
    script = (
        f"import sys; data = sys.stdin.read(); open({str(out)!r}, 'a').write(data.strip() + '\\n')"
    )
    cfg = make_config(
        f'[daemon]\nalert_command = [{json.dumps(sys.executable)}, "-c", {json.dumps(script)}]\n'
    )
    for i in range(3):
        add_target(engine, received=T0, due=T0 + dt.timedelta(hours=1), due_soon=T0, ref=f"m{i}")
    d = Daemon(engine=engine, config=cfg, clock=Clock(T0 + dt.timedelta(hours=2)))
    d.evaluate_job()
    d.evaluate_job()
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 3
    assert {x["kind"] for x in lines} == {"overdue"}
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE notified_at IS NULL") == 0


def test_failing_hook_is_retried_not_lost(engine: Engine, tmp_path: Path) -> None:
    flag = tmp_path / "ok"
    out = tmp_path / "hook.jsonl"
    script = (
        "import sys, os; data = sys.stdin.read()\n"
        f"if not os.path.exists({str(flag)!r}): sys.exit(3)\n"
        f"open({str(out)!r}, 'a').write(data.strip() + '\\n')"
    )
    cfg = make_config(
        f'[daemon]\nalert_command = [{json.dumps(sys.executable)}, "-c", {json.dumps(script)}]\n'
    )
    add_target(engine, received=T0, due=T0 + dt.timedelta(hours=1), due_soon=T0, ref="m1")
    d = Daemon(engine=engine, config=cfg, clock=Clock(T0 + dt.timedelta(hours=2)))
    d.evaluate_job()
    assert not out.exists()
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE notified_at IS NULL") == 1
    flag.touch()
    d.evaluate_job()
    assert len(out.read_text().splitlines()) == 1


def test_status_json_tells_health_and_open_alerts(cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from ingest.daemon import health
    from store.db import bulk_write_scope as write_scope
    from store.db import make_engine

    engine = make_engine(db_url)
    now = dt.datetime.now(dt.UTC)
    retry = now + dt.timedelta(seconds=120)
    add_target(
        engine,
        received=now - dt.timedelta(days=5),
        due=now - dt.timedelta(hours=1),
        due_soon=now - dt.timedelta(hours=9),
        ref="m1",
    )
    with write_scope(engine) as s:
        for _ in range(3):
            health.record_failure(
                s,
                kind="imap",
                name="work",
                now=now - dt.timedelta(hours=2),
                error="LoginError: authentication failed for k***@example.dk",
            )
    health.record_next_run(engine, kind="imap", name="work", next_run=retry)
    Daemon(engine=engine, config=make_config(), clock=lambda: now).evaluate_job()
    engine.dispose()
    r = cli("--db", db_url, "status", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["alerts"] == {"open": 2}  # the overdue reply and the failing source
    (src,) = data["sources"]
    assert src["name"] == "work" and src["consecutive_failures"] == 3
    assert src["last_error"].startswith("LoginError") and src["last_success"] is None
    assert dt.datetime.fromisoformat(src["next_run"]) == retry
    r = cli("--db", db_url, "status")
    assert r.code == 0 and "åbne varsler: 2" in r.out


def test_desktop_notifications_summarise_a_burst(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No desktop session here: a recording `notify-send` on PATH stands in for libnotify's
    (it sees exactly the argv the real one would get)."""
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "notify-send"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> {calls}\necho >> {calls}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    cfg = make_config("[daemon]\ndesktop_notifications = true\n")
    clock = Clock(T0 + dt.timedelta(hours=2))
    add_target(engine, received=T0, due=T0 + dt.timedelta(hours=1), due_soon=T0, ref="m0")
    Daemon(engine=engine, config=cfg, clock=clock).evaluate_job()
    for i in range(1, 11):
        add_target(engine, received=T0, due=T0 + dt.timedelta(hours=1), due_soon=T0, ref=f"m{i}")
    Daemon(engine=engine, config=cfg, clock=clock).evaluate_job()
    lines = calls.read_text().splitlines()
    assert len(lines) == 2  # one for the single alert, one summary for the burst of ten
    assert lines[0].startswith("--app-name=borgerdesk|--urgency=critical|borgerdesk|")
    assert "Reply overdue" in lines[0]
    assert lines[1].endswith("|10 new alerts, 10 overdue replies|")
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE notified_at IS NULL") == 0


def test_changed_closed_days_move_due_times_before_alerts(engine: Engine) -> None:
    """The config gains a closing day: the daemon's next round recomputes the stored due
    times first, so no overdue alert is raised for the old due time."""
    received = dt.datetime(2024, 5, 8, 13, 0, tzinfo=dt.UTC)  # Wed 15:00 in Copenhagen
    tid = add_target(
        engine,
        received=received,
        due=dt.datetime(2024, 5, 13, 13, 0, tzinfo=dt.UTC),  # Mon 15:00 (9 May is closed)
        due_soon=dt.datetime(2024, 5, 13, 5, 0, tzinfo=dt.UTC),
        ref="m1",
    )
    clock = Clock(dt.datetime(2024, 5, 8, 14, 0, tzinfo=dt.UTC))
    # The rules the daemon starts with are adopted as they are; nothing moves.
    assert Daemon(engine=engine, config=make_config(), clock=clock).evaluate_job() == []
    assert _due(engine, tid) == dt.datetime(2024, 5, 13, 13, 0)
    # Restarted with 10 May closed, an hour after the old due time.
    clock.now = dt.datetime(2024, 5, 13, 14, 0, tzinfo=dt.UTC)
    closed = make_config('[replies]\nclosed_dates = ["2024-05-10"]\n')
    raised = Daemon(engine=engine, config=closed, clock=clock).evaluate_job()
    # 48 working hours from Wed 15:00 with Thu 9 May and Fri 10 May closed: Tue 15:00.
    assert _due(engine, tid) == dt.datetime(2024, 5, 14, 13, 0)
    # Now Mon 16:00 local, before the new due-soon time (Tue 07:00): nothing to raise,
    # where the old due time would have raised "overdue".
    assert raised == [] and _alerts(engine) == []


def _due(engine: Engine, tid: int) -> dt.datetime:
    with Session(engine) as s:
        t = s.get(ReplyTarget, tid)
        assert t is not None
        return t.due_at.replace(tzinfo=None)


def test_the_desk_header_counts_open_alerts_as_status_does(engine: Engine) -> None:
    """An overdue alert whose target has been answered since is no longer open: the desk's
    header and `borgerdesk status` say the same number (QA saw 7 in the desk, 5 in
    status, after acknowledging replies)."""
    from store.config import Config
    from store.desk import Desk

    clock = Clock(T0)
    tids = [
        add_target(
            engine,
            received=T0,
            due=T0 + dt.timedelta(hours=48),
            due_soon=T0 + dt.timedelta(hours=40),
            ref=f"m{i}",
        )
        for i in range(2)
    ]
    d = Daemon(engine=engine, config=make_config(), clock=clock)
    clock.now = T0 + dt.timedelta(hours=49)
    assert len(d.evaluate_job()) == 2  # one overdue alert per target
    with Session(engine) as s:
        t = s.get(ReplyTarget, tids[0])
        assert t is not None
        t.state, t.met_at = "met", clock.now
        s.add(t)
        s.commit()
    desk = Desk(engine, Config(), clock=clock)
    with Session(engine) as s:
        assert count_open_alerts(s) == 1
    assert desk.status().open_alerts == 1
