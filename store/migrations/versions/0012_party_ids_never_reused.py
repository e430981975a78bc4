"""party ids are never reused: AUTOINCREMENT on SQLite

Revision ID: 0012_party_ids_never_reused
Revises: 0011_import_ledger_per_kind
Create Date: 2026-12-06 21:40:00

SQLite hands out max(id) + 1 for a plain INTEGER PRIMARY KEY, so after the highest party
was merged away or erased, the next new party got its id, and an old audit entry, case
history line or export naming that id came to mean a different person. AUTOINCREMENT
never hands an id out twice. The table is rebuilt (store/migrations/env.py runs it with
foreign keys off, so cases, contacts and addresses keep their links), and the counter
starts above every party id the audit log and case history still name, so an id freed
before this upgrade is not handed out either.

PostgreSQL's sequence never reuses a value: nothing to do there.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_party_ids_never_reused"
down_revision: str | None = "0011_import_ledger_per_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _highest_party_id_named(conn: sa.Connection) -> int:
    """The highest party id the database still names anywhere: a party, an audit entry
    (its entity id, or the merged-away party of a merge), a case history line."""
    ids = [conn.execute(sa.text("SELECT max(id) FROM party")).scalar() or 0]
    for entity_id, detail in conn.execute(sa.text(
            "SELECT entity_id, detail FROM audit_log WHERE entity = 'party'")):
        if entity_id and str(entity_id).isdigit():
            ids.append(int(entity_id))
        try:
            merged = json.loads(detail).get("merged") if detail else None
        except (ValueError, AttributeError):
            merged = None
        if isinstance(merged, int):
            ids.append(merged)
    for old, new in conn.execute(sa.text(
            "SELECT old_value, new_value FROM case_history WHERE field = 'party_merged'")):
        ids += [int(v) for v in (old, new) if v and str(v).isdigit()]
    return max(ids)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    with op.batch_alter_table("party", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass
    highest = _highest_party_id_named(conn)
    # The copy's inserts left the counter at max(id); raise it past the named ids too.
    conn.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'party'"))
    conn.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('party', :n)"),
                 {"n": highest})


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("party", recreate="always",
                              table_kwargs={"sqlite_autoincrement": False}):
        pass
