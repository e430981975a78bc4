"""Migrations that rebuild a table keep every row of every table, and party ids are never
handed out twice.

0011 (the import ledger unique per kind) and 0012 (party AUTOINCREMENT) rebuild
`imported_file` and `party` on SQLite: a copy, the old table dropped, the copy renamed.
With foreign keys enforced, the drop would first delete the old rows and cascade into
their children (party_email, party_phone; contacts' and cases' links set to NULL; reply
targets of contacts). store/migrations/env.py runs SQLite migrations with foreign keys
off and checks them before the commit. A world filled by the product's own imports is
walked down to 0010 and up again, and must come back row for row. Runs on SQLite and, in
CI's PostgreSQL pass, on PostgreSQL (whose shared schema it leaves at the head).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session

from ingest.phone.importer import import_bytes
from store.db import downgrade, make_engine, upgrade
from store.errors import UserError
from store.merge import merge_parties
from store.parties import new_party
from store.register.importer import import_register
from store.samples import odsherred_register, write_register_csv
from tests.ingest.phone.samples import DK_HEADER, csv_bytes, dk_rows, make_config

BEFORE = "0010_team"
Snapshot = dict[str, list[tuple[object, ...]]]


def _snapshot(engine: Engine) -> Snapshot:
    """Every row of every table (sorted, so a rebuild's row order does not matter)."""
    with engine.connect() as conn:
        names = sorted(n for n in inspect(conn).get_table_names() if n != "alembic_version")
        return {
            n: sorted((tuple(r) for r in conn.execute(text(f'SELECT * FROM "{n}"'))), key=repr)
            for n in names
        }


def _fill(engine: Engine, tmp_path: Path) -> None:
    """Parties with addresses, cases, contacts from a register, calls linked to a party,
    a merge, and reply targets: rows in every table a rebuild could reach."""
    config = make_config()
    with Session(engine) as s:
        knud = new_party(session=s, name="Knud Hansen", kind="citizen", phones=["22334455"])
        twin = new_party(session=s, name="Knud Hansen", kind="citizen", emails=["knud@example.dk"])
        s.commit()
    register = write_register_csv(odsherred_register()[:80], tmp_path / "register.csv")
    import_register(engine=engine, config=config, path=register)
    import_bytes(
        csv_bytes(DK_HEADER, dk_rows()),
        "uge40.csv",
        engine=engine,
        config=config,
        now=dt.datetime(2024, 10, 7, 12, tzinfo=dt.UTC),
    )
    with Session(engine) as s:
        merge_parties(session=s, keep_id=knud, other_id=twin)
        # A register party with cases: their histories note the merge.
        with_cases = s.execute(
            text("SELECT max(party_id) FROM case_ WHERE party_id <> :k"), {"k": knud}
        ).scalar()
        merge_parties(session=s, keep_id=knud, other_id=with_cases)
        s.commit()
    with engine.begin() as conn:
        # A reply target on every contact that has none yet (the trap: reply_target rows
        # are ON DELETE CASCADE children of contact).
        conn.execute(
            text(
                "INSERT INTO reply_target (contact_id, rule, received_at, due_at, due_soon_at, "
                "state) SELECT id, 'test-rule', occurred_at, occurred_at, occurred_at, 'open' "
                "FROM contact WHERE id NOT IN (SELECT contact_id FROM reply_target)"
            )
        )


def test_rebuilding_migrations_keep_every_row(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    try:
        _fill(engine, tmp_path)
        downgrade(db_url, BEFORE)
        before = _snapshot(engine)
        for table in (
            "party",
            "party_email",
            "party_phone",
            "case_",
            "contact",
            "reply_target",
            "imported_file",
            "audit_log",
            "case_history",
        ):
            assert before[table], f"{table} is empty: the test would prove nothing"
        upgrade(db_url)
        assert _snapshot(engine) == before
        downgrade(db_url, BEFORE)
        assert _snapshot(engine) == before
        if engine.dialect.name == "sqlite":
            # On a connection of our own: enforcement is back on after the migration.
            from alembic import command

            from store.db import alembic_config

            with engine.connect() as conn:
                cfg = alembic_config(db_url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        else:
            upgrade(db_url)
        assert _snapshot(engine) == before
    finally:
        engine.dispose()
        upgrade(db_url)


def test_downgrade_refuses_a_ledger_the_old_schema_cannot_hold(db_url: str) -> None:
    """The same bytes imported as a register and as calls are two ledger rows; 0010's
    ledger holds one per file, so the downgrade stops and changes nothing."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            for kind in ("register", "calls"):
                conn.execute(
                    text(
                        "INSERT INTO imported_file (sha256, kind, name, imported_at, rows, "
                        "skipped) VALUES ('abc123', :k, 'x.csv', '2024-10-07 12:00:00', 1, 0)"
                    ),
                    {"k": kind},
                )
        before = _snapshot(engine)
        with pytest.raises(UserError, match="imported both as a register and as calls"):
            downgrade(db_url, BEFORE)
        assert _snapshot(engine) == before
        with engine.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        from store.db import HEAD_REVISION

        assert head == HEAD_REVISION
    finally:
        engine.dispose()
        upgrade(db_url)


def _new(engine: Engine, name: str) -> int:
    with Session(engine) as s:
        pid = new_party(session=s, name=name, kind="citizen")
        s.commit()
        return pid


def test_party_ids_are_never_reused(engine: Engine) -> None:
    """A merged-away (deleted) highest party's id is not given to the next new party: an
    audit entry naming it must keep meaning that person. PostgreSQL's sequence and
    SQLite's AUTOINCREMENT both hold this."""
    keep, gone = _new(engine, "Anna"), _new(engine, "Anna Jensen")
    assert gone > keep
    with Session(engine) as s:
        merge_parties(session=s, keep_id=keep, other_id=gone)
        s.commit()
    assert _new(engine, "Bo") > gone
    highest = _new(engine, "Carl")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM party WHERE id = :i"), {"i": highest})
    assert _new(engine, "Dorte") > highest


def test_an_id_freed_before_the_upgrade_is_not_reused_after(sqlite_url: str) -> None:
    """A party merged away while ids were still reused: 0012 starts the counter above
    every party id the audit log names, not just above the parties left."""
    downgrade(sqlite_url, "0011_import_ledger_per_kind")
    engine = make_engine(sqlite_url)
    try:
        keep, gone = _new(engine, "Anna"), _new(engine, "Anna Jensen")
        with Session(engine) as s:
            merge_parties(session=s, keep_id=keep, other_id=gone)
            s.commit()
        upgrade(sqlite_url)
        assert _new(engine, "Bo") == gone + 1
    finally:
        engine.dispose()


def test_an_upgrade_refuses_a_database_with_dangling_references(sqlite_url: str) -> None:
    """Foreign keys are off while a SQLite migration runs and checked before its commit.
    A file edited with them off (the sqlite3 shell's default) can hold a reference that
    points nowhere: the upgrade says so, rolls back whole, and leaves the file as it was."""
    import sqlite3

    from store.db import DatabaseError, sqlite_path

    downgrade(sqlite_url, BEFORE)
    path = sqlite_path(sqlite_url)
    assert path is not None
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO contact (id, channel, direction, occurred_at, occurred_on, "
        "access_request, dismissed, created_at, party_id) VALUES (1, 'phone', 'in', "
        "'2024-10-01 07:15:00', '2024-10-01', 0, 0, '2024-10-01 07:15:00', 999)"
    )
    raw.commit()
    raw.close()
    engine = make_engine(sqlite_url)
    try:
        before = _snapshot(engine)
        with pytest.raises(DatabaseError, match=r"contact row 1 -> party\), from before"):
            upgrade(sqlite_url)
        assert _snapshot(engine) == before
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == BEFORE
    finally:
        engine.dispose()
