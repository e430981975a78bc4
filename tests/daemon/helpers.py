"""Helpers for the daemon tests: configs, reply targets, and the daemon as a real process."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from store.config import Config, load_config_text
from store.contacts import add_contact
from store.db import session_scope
from store.models import ContactCreate, ReplyTarget

UTC = dt.UTC


def config_text(extra: str = "") -> str:
    return f'municipality = "Testkommune"\nlanguage = "en"\n{extra}'


def make_config(extra: str = "") -> Config:
    return load_config_text(config_text(extra), "test")


def add_target(
    engine: Engine,
    *,
    received: dt.datetime,
    due: dt.datetime,
    due_soon: dt.datetime,
    channel: str = "email",
    ref: str,
    counterpart: str = "citizen@example.dk",
) -> int:
    """An inbound contact owing a reply, with its stored reply target."""
    with session_scope(engine) as session:
        c = add_contact(
            session=session,
            contact_in=ContactCreate(
                channel=channel,
                direction="in",
                occurred_at=received,
                counterpart=counterpart,
                source_ref=ref,
            ),
        )
        t = ReplyTarget(
            contact_id=c.id,
            rule="dag-til-dag",
            received_at=received,
            due_at=due,
            due_soon_at=due_soon,
        )
        session.add(t)
        session.flush()
        assert t.id is not None
        return t.id


def count(engine: Engine, sql: str) -> int:
    from sqlalchemy import text

    with Session(engine) as s:
        return int(s.execute(text(sql)).scalar() or 0)


class DaemonProcess:
    """`borgerdesk daemon` as a real child process (its own process group)."""

    def __init__(
        self,
        *,
        config_file: Path,
        db_url: str,
        home: Path,
        log: Path,
        args: tuple[str, ...] = (),
        env_extra: dict[str, str] | None = None,
    ) -> None:
        env = dict(os.environ)
        env.update(env_extra or {})
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            PYTHONUNBUFFERED="1",
            # No desktop keyring in tests: secrets come from env or file.
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        )
        env.pop("JOURNAL_STREAM", None)
        self.log = log
        self._log_fh = open(log, "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "borgerdesk",
                "--config",
                str(config_file),
                "--db",
                db_url,
                "daemon",
                *args,
            ],
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.output():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {needle!r}:\n{self.output()[-3000:]}")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def kill9(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self._log_fh.close()

    def stop(self, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._log_fh.close()
        return self.proc.returncode
