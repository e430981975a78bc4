"""privacy and records: purge markers, whistleblower reporter, append-only audit log

Revision ID: 0002_privacy
Revises: 0001
Create Date: 2026-11-22 12:30:00

- `purged_at` on case_, contact and email_message: retention and erasure leave these rows
  as anonymous count facts and mark them.
- `whistleblower_reporter`: the optional, confidential identity of a whistleblower.
- `audit_purge_permit` and triggers on `audit_log` that reject every UPDATE, and every
  DELETE unless the deleting transaction holds a permit row (only store.privacy.purge
  does, and it logs itself). On PostgreSQL TRUNCATE is not blocked (row triggers do not
  fire on it): the guard protects the log from the application, not from the DBA.

NOTE for later migrations: a SQLite batch operation that *recreates* audit_log drops its
triggers; recreate them afterwards with `create_audit_triggers()` from this file.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.models

revision: str = "0002_privacy"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit_log is append-only"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: only a purge may delete'); END""",
)

PG_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_purge_permit) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard()""",
)


def create_audit_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for stmt in SQLITE_TRIGGERS if dialect == "sqlite" else PG_TRIGGERS:
        op.execute(stmt)


def drop_audit_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_guard()")


def upgrade() -> None:
    for table in ("case_", "contact", "email_message"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("purged_at", store.models.UtcDateTime(), nullable=True))

    op.create_table(
        "audit_purge_permit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "whistleblower_reporter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", store.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    create_audit_triggers()


def downgrade() -> None:
    drop_audit_triggers()
    op.drop_table("whistleblower_reporter")
    op.drop_table("audit_purge_permit")
    for table in ("email_message", "contact", "case_"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("purged_at")
