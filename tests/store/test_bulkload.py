"""store.bulkload on a real SQLite file: indexes dropped for a bulk load come back, also
when they are rebuilt in a background thread alongside other work, and a failure on
either side leaves the transaction to roll back with the indexes as they were."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from store import bulkload
from store.bulkload import bulk_load
from store.db import make_engine


def _begin_write(conn) -> None:
    """A write first, as the importer's file row: pysqlite opens the transaction on DML,
    so the DDL that follows is part of it."""
    conn.exec_driver_sql(
        "INSERT INTO imported_file (sha256, kind, name, imported_at, rows, skipped) "
        "VALUES ('x', 'calls', 'x', '2026-01-01 00:00:00.000000', 0, 0)"
    )


def _indexes(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name = 'contact'"
            ).all()
        )


@pytest.fixture
def sqlite_engine(sqlite_url: str):
    # SQLite: dropping and rebuilding indexes inside the load is SQLite's bulk path.
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def test_rebuild_while_runs_the_work_beside_the_index_build(sqlite_engine, monkeypatch):
    monkeypatch.setattr(bulkload, "REBUILD_MIN_ROWS", 1)
    before = _indexes(sqlite_engine)
    threads: list[str] = []
    with sqlite_engine.begin() as conn:
        _begin_write(conn)
        with bulk_load(conn, tables=("contact",), new_rows=10, existing_rows=0) as load:
            assert _indexes(sqlite_engine) == before  # other connections: old snapshot
            assert len(load.pending) == len(before)  # dropped in this transaction
            load.rebuild_while(lambda: threads.append(threading.current_thread().name))
            assert not load.pending
    assert threads == [threading.current_thread().name]
    assert _indexes(sqlite_engine) == before


@pytest.mark.parametrize("side", ["work", "index"])
def test_a_failure_on_either_side_rolls_back_with_the_indexes(sqlite_engine, monkeypatch, side):
    monkeypatch.setattr(bulkload, "REBUILD_MIN_ROWS", 1)
    before = _indexes(sqlite_engine)

    def work() -> None:
        if side == "work":
            raise RuntimeError("work failed")

    with pytest.raises(Exception) as e, sqlite_engine.begin() as conn:
        _begin_write(conn)
        with bulk_load(conn, tables=("contact",), new_rows=10, existing_rows=0) as load:
            if side == "index":
                load.pending = ["CREATE INDEX broken ON no_such_table (x)"]
            load.rebuild_while(work)
    assert ("work failed" if side == "work" else "no_such_table") in str(e.value)
    assert _indexes(sqlite_engine) == before
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM imported_file").scalar() == 0


def test_checkpoint_after_a_commit(tmp_path) -> None:
    """The commit leaves the WAL to the thread `committed()` starts, and the connection's
    own checkpoint setting is back before the pool has it; after `join()` the file holds
    everything."""
    import os

    from sqlmodel import Session

    path = tmp_path / "c.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        empty = os.path.getsize(path)
        with engine.connect() as conn, Session(bind=conn) as s:
            after = bulkload.CheckpointAfter(conn)
            try:
                # ~25 MB: past the 1,000-page autocheckpoint at 16 KB pages.
                s.connection().exec_driver_sql(
                    "INSERT INTO t VALUES (?)", [("x" * 1000,) for _ in range(25_000)]
                )
                s.commit()
                assert os.path.getsize(path) == empty  # the commit did not checkpoint
                after.committed()
            finally:
                after.restore()
            raw = conn.connection.dbapi_connection
            assert raw is not None
            assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        after.join()
        assert os.path.getsize(path) > 25_000_000
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 25_000
    finally:
        engine.dispose()
