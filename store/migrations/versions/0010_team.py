"""team desk: versions for no lost edits, assignment, presence

Revision ID: 0010_team
Revises: 0009_reply_outbox
Create Date: 2026-12-06 19:00:00

- `case_.version`, `party.version`: an edit names the version it was based on and is
  refused when another desk changed the row since (store.concurrency).
- `case_.assigned_to`, `contact.assigned_to`: the person (database role, or the OS user
  on SQLite) a case or a triage contact is assigned to; NULL is unassigned.
- `presence`: which desk has which case open, with a heartbeat (store.team.presence).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_team"
down_revision: str | None = "0009_reply_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("case_", "party"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                          server_default="1"))
    for table in ("case_", "contact"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column(
                "assigned_to", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
            batch_op.create_index(f"ix_{table}_assigned_to", ["assigned_to"], unique=False)
    op.create_table(
        "presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("person", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("desk", "case_id"),
    )
    op.create_index("ix_presence_case_id", "presence", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_presence_case_id", table_name="presence")
    op.drop_table("presence")
    # In place: SQLite (3.35+) drops a plain column without copying the table, and a copy
    # (batch mode) would cascade into reply_target and every other table that references
    # these rows (tests/store/test_migration_calls.py downgrades through here).
    for table in ("case_", "contact"):
        op.drop_index(f"ix_{table}_assigned_to", table_name=table)
        op.drop_column(table, "assigned_to")
    for table in ("case_", "party"):
        op.drop_column(table, "version")
