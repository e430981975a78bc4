"""Alembic environment. Runs on a connection handed in by store.db.upgrade, or on the URL
in the config (for `alembic` on the command line during development).

On SQLite, a migration that changes a constraint rebuilds the table (Alembic's batch mode:
create a copy, copy the rows, drop the old table, rename the copy). With foreign keys
enforced, dropping a table that others reference deletes its rows first, and that
cascades into every child (reply_target, contacts' links, ...). So SQLite migrations run
the way https://www.sqlite.org/lang_altertable.html ("Making Other Kinds Of Table Schema
Changes") prescribes: foreign keys off before the transaction begins (the pragma does
nothing inside one), all migrations in one transaction, `PRAGMA foreign_key_check` before
the commit (any row it reports fails the migration, and everything rolls back), then
foreign keys on again.
"""

import sqlite3

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from store.db import DatabaseError

config = context.config
target_metadata = SQLModel.metadata


class ForeignKeyViolation(DatabaseError):
    """Rows whose foreign keys point nowhere: left by a migration (a bug in it), or there
    before it (the file was edited with foreign keys off)."""


def _version(raw: sqlite3.Connection) -> object:
    # fetchall(): a statement left unfinished would hold its read open.
    if raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchall():
        return raw.execute("SELECT version_num FROM alembic_version").fetchall()
    return None


def _dangling(raw: sqlite3.Connection) -> tuple[int, str]:
    rows = raw.execute("PRAGMA foreign_key_check").fetchall()
    return len(rows), "; ".join(f"{r[0]} row {r[1]} -> {r[2]}" for r in rows[:5])


def _check_foreign_keys(raw: sqlite3.Connection, where: str) -> None:
    """Inside the migration's transaction, before the commit: every reference resolves,
    or the migration is rolled back and the error says whose fault the rows are."""
    count, shown = _dangling(raw)
    if not count:
        return
    raw.rollback()
    had, _ = _dangling(raw)
    if had:
        raise ForeignKeyViolation(
            f"{where}: the database has {had} row(s) whose reference points nowhere ({shown}), "
            "from before this upgrade; nothing was changed; restore a backup or repair "
            "those rows, then upgrade again"
        )
    raise ForeignKeyViolation(
        f"{where}: the migration would leave {count} row(s) whose reference points nowhere "
        f"({shown}); nothing was changed; this is a bug in borgerdesk: report it"
    )


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_sqlite(connection: Connection) -> None:
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    if raw.in_transaction:
        # The caller wrote something first: the pragma below would do nothing.
        raise RuntimeError(
            "SQLite migrations must start outside a transaction "
            "(PRAGMA foreign_keys cannot change inside one)"
        )
    # Transaction control on the driver's connection: the caller's SQLAlchemy transaction
    # (store.db's `engine.begin()`) stays open around it, and finds nothing left to do.
    raw.execute("PRAGMA foreign_keys=OFF")
    if raw.execute("PRAGMA foreign_keys").fetchall() != [(0,)]:
        raise RuntimeError("SQLite did not switch foreign keys off for the migration")
    before = _version(raw)
    try:
        # One transaction for every step (pysqlite would begin one only at the first
        # INSERT/UPDATE/DELETE, leaving earlier DDL committed on a failure). IMMEDIATE:
        # the write lock now, not half-way through.
        raw.execute("BEGIN IMMEDIATE")
        _run(connection)
        if _version(raw) != before:
            _check_foreign_keys(raw, connection.engine.url.render_as_string(hide_password=True))
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        # After the commit (or rollback): outside a transaction, where it takes effect.
        raw.execute("PRAGMA foreign_keys=ON")


def _migrate(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        _run_sqlite(connection)
    else:
        _run(connection)


connection = config.attributes.get("connection")
if connection is not None:
    _migrate(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _migrate(conn)
        conn.commit()  # PostgreSQL's path commits its own; a no-op there
