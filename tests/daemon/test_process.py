"""The daemon as a real process: single instance per database, clean shutdown on
SIGTERM/SIGINT, logs that carry no personal data."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.daemon.helpers import DaemonProcess, config_text


def _daemon(tmp_path: Path, sqlite_url: str, name: str, extra: str = "") -> DaemonProcess:
    cfg = tmp_path / "config.toml"
    if not cfg.exists():
        cfg.write_text(config_text(extra))
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return DaemonProcess(
        config_file=cfg, db_url=sqlite_url, home=home, log=tmp_path / f"{name}.log"
    )


def test_second_instance_on_same_database_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    first = _daemon(tmp_path, sqlite_url, "first")
    try:
        first.wait_for("daemon started")
        second = _daemon(tmp_path, sqlite_url, "second")
        assert second.proc.wait(30) == 2
        out = second.output()
        assert "another borgerdesk daemon" in out and "already running" in out
        assert "Traceback" not in out
        assert first.proc.poll() is None  # the first one is untouched
    finally:
        assert first.stop() == 0


def test_lock_is_released_by_kill_9(tmp_path: Path, sqlite_url: str) -> None:
    first = _daemon(tmp_path, sqlite_url, "first")
    first.wait_for("daemon started")
    first.kill9()
    second = _daemon(tmp_path, sqlite_url, "second")
    try:
        second.wait_for("daemon started")
    finally:
        assert second.stop() == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_zero_within_ten_seconds(tmp_path: Path, sqlite_url: str, sig: int) -> None:
    d = _daemon(tmp_path, sqlite_url, "d")
    d.wait_for("daemon started")
    started = time.monotonic()
    d.signal(sig)
    code = d.proc.wait(15)
    took = time.monotonic() - started
    assert code == 0, d.output()
    assert took < 10
    assert "stopped cleanly" in d.output()
