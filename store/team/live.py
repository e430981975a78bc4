"""Live across the team: PostgreSQL tells every desk when something changed (LISTEN /
NOTIFY), instead of each desk polling.

A statement-level trigger on the tables the screens show sends the table's name on the
channel `borgerdesk`. Only the name: NOTIFY reaches every listener whatever row-level
security hides, so a payload with ids or values would leak the compartment. PostgreSQL
folds identical notifications of one transaction into one.
"""

from __future__ import annotations

import psycopg
from sqlalchemy import Connection, Engine, text

CHANNEL = "borgerdesk"
WATCHED = (
    "contact",
    "case_",
    "case_note",
    "case_history",
    "party",
    "reply_target",
    "alert",
    "sync_state",
    "presence",
)


def statements() -> list[str]:
    out = [
        f"""CREATE OR REPLACE FUNCTION borgerdesk_notify() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL;
    END $$"""
    ]
    for table in WATCHED:
        out += [
            f"DROP TRIGGER IF EXISTS borgerdesk_notify ON {table}",
            f"CREATE TRIGGER borgerdesk_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION borgerdesk_notify()",
        ]
    return out


def missing_triggers(conn: Connection) -> list[str]:
    """The watched tables that send no notification: all of them on a database migrated
    but never given `borgerdesk team init`, which installs the triggers. A desk there
    polls instead (Desk.change_listener), or it would never see a colleague's change."""
    have = set(
        conn.execute(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'borgerdesk_notify' AND NOT t.tgisinternal "
                "AND t.tgenabled <> 'D' AND c.relname = ANY(:t)"
            ),
            {"t": list(WATCHED)},
        ).scalars()
    )
    return [t for t in WATCHED if t not in have]


class ChangeListener:
    """One connection of its own that LISTENs; `wait` returns the tables changed (empty
    on timeout). For a worker thread of the desk: on a change, reload what is shown."""

    def __init__(self, engine: Engine) -> None:
        url = engine.url.set(drivername="postgresql")
        self._conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> set[str]:
        changed = {n.payload for n in self._conn.notifies(timeout=timeout, stop_after=1)}
        if changed:
            # Whatever else already arrived with it (a link touches contact and
            # reply_target), without waiting for more.
            changed |= {n.payload for n in self._conn.notifies(timeout=0.001)}
        return changed

    def close(self) -> None:
        self._conn.close()
