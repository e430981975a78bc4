"""The daemon's source jobs in-process against a real IMAP server (pymap): health written
on success and failure, alerts for what the sync brought in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from ingest.daemon.scheduler import Daemon
from ingest.mail.embedded_server import EmbeddedServer, free_port
from tests.daemon.helpers import count, make_config
from tests.ingest.mail.corpus import mail


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedServer]:
    monkeypatch.setattr("store.secrets._keyring_get", lambda key: None)
    with EmbeddedServer({"INBOX": [mail(i) for i in range(5)]}) as srv:
        monkeypatch.setenv("BD_TEST_IMAP_PW", srv.password)
        yield srv


def _config(srv: EmbeddedServer, port: int | None = None) -> str:
    return (
        "[[mail.accounts]]\n"
        f'name = "advisor"\nhost = "127.0.0.1"\nport = {port or srv.port}\n'
        f'security = "none"\nusername = "{srv.username}"\npassword_env = "BD_TEST_IMAP_PW"\n'
        'folders = ["INBOX"]\ninternal_domains = ["example.dk"]\n'
    )


def test_run_once_syncs_records_health_and_alerts(engine: Engine, server: EmbeddedServer) -> None:
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # the corpus mail is from 2025
    d = Daemon(engine=engine, config=make_config(_config(server)), clock=lambda: now)
    d.run_once()
    assert count(engine, "SELECT COUNT(*) FROM email_message") == 5
    assert count(engine, "SELECT COUNT(*) FROM sync_state WHERE last_success IS NOT NULL") == 1
    assert count(engine, "SELECT MAX(consecutive_failures) FROM sync_state") == 0
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE kind = 'overdue'") == 5
    d.run_once()  # nothing new: nothing twice
    assert count(engine, "SELECT COUNT(*) FROM email_message") == 5
    assert count(engine, "SELECT COUNT(*) FROM alert") == 5


def test_unreachable_server_counts_failures(engine: Engine, server: EmbeddedServer) -> None:
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    d = Daemon(
        engine=engine, config=make_config(_config(server, port=free_port())), clock=lambda: now
    )
    d.run_once()
    d.run_once()
    assert count(engine, "SELECT MAX(consecutive_failures) FROM sync_state") == 2
    assert count(engine, "SELECT COUNT(*) FROM sync_state WHERE last_error IS NULL") == 0
    assert count(engine, "SELECT COUNT(*) FROM sync_state WHERE failing_since IS NULL") == 0
    # Back again: one success resets the counters.
    d = Daemon(engine=engine, config=make_config(_config(server)), clock=lambda: now)
    d.run_once()
    assert count(engine, "SELECT MAX(consecutive_failures) FROM sync_state") == 0
    assert count(engine, "SELECT COUNT(*) FROM sync_state WHERE failing_since IS NOT NULL") == 0
    assert count(engine, "SELECT COUNT(*) FROM email_message") == 5
