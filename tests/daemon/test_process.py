"""The daemon as a real process: a single instance per database, and a clean exit on
SIGINT."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.daemon.helpers import DaemonProcess, config_text


def _daemon(tmp_path: Path, db_url: str, name: str, extra: str = "") -> DaemonProcess:
    cfg = tmp_path / "config.toml"
    if not cfg.exists():
        cfg.write_text(config_text(extra))
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return DaemonProcess(config_file=cfg, db_url=db_url, home=home, log=tmp_path / f"{name}.log")


def test_second_instance_refused_and_sigint_exits_zero(tmp_path: Path, db_url: str) -> None:
    """A second daemon on the same database is refused with a clear one-line message and
    leaves the first untouched; SIGINT (Ctrl-C) then stops the first cleanly: exit 0 in
    under 10 s. (SIGTERM during a sync, and the lock after kill -9, are shown in
    test_fault_tolerance.py.)"""
    first = _daemon(tmp_path, db_url, "first")
    try:
        first.wait_for("daemon started")
        second = _daemon(tmp_path, db_url, "second")
        assert second.proc.wait(30) == 2
        out = second.output()
        assert "another borgerdesk daemon" in out and "already running" in out
        if db_url.startswith("sqlite"):  # PostgreSQL's advisory lock knows no OS pid
            assert f"pid {first.proc.pid}" in out
        assert "Traceback" not in out
        assert first.proc.poll() is None  # the first one is untouched
        started = time.monotonic()
        first.signal(signal.SIGINT)
        code = first.proc.wait(15)
        took = time.monotonic() - started
        assert code == 0, first.output()
        assert took < 10
        assert "stopped cleanly" in first.output()
    finally:
        first.stop()
