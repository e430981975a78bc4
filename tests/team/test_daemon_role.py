"""The daemon's role ingests (a phone export through the real importer) and can do no
more: it cannot edit a case or read past the grants it was given."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from store.db import make_engine
from tests.ingest.phone.samples import DK_HEADER, config_text, csv_bytes, dk_rows, write
from tests.team.world import build


def test_the_daemon_role_imports_calls_and_edits_nothing_else(
    cli, tmp_path: Path, pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    url = person("daemon")
    cfg = tmp_path / "config.toml"
    cfg.write_text(config_text(), "utf-8")
    f = write(tmp_path / "uge40.csv", csv_bytes(DK_HEADER, dk_rows(), sep_line=True))
    r = cli("--config", str(cfg), "--db", url, "import-calls", str(f))
    assert r.code == 0, r.err
    assert "importerede 6 opkald" in r.out
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT count(*) FROM contact WHERE channel = 'phone'")).scalar()
                == 6
            )
            who = (
                conn.execute(
                    text("SELECT DISTINCT os_user FROM audit_log WHERE entity = 'imported_file'")
                )
                .scalars()
                .all()
            )
        assert who == [engine.url.username]
        for stmt in (
            f"UPDATE case_ SET title = 'x' WHERE id = {ids['general']}",
            f"DELETE FROM contact WHERE id = {ids['c_general']}",
            "INSERT INTO case_note (case_id, at, os_user, text) VALUES (1, now(), 'x', 'y')",
        ):
            with engine.connect() as conn, pytest.raises(DBAPIError):
                conn.execute(text(stmt))
    finally:
        engine.dispose()
