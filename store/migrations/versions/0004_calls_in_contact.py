"""calls in contact: one row per imported call; partial case and party indexes

Revision ID: 0004_calls_in_contact
Revises: 0003_reply_indexes
Create Date: 2026-11-22 16:00:00

- An imported call was a contact row plus a call_record row repeating its time,
  direction, number and row key (two unique text keys per call). The call's own details
  move into the contact: `call_status`, `call_duration_s`, `call_raw_number`,
  `call_line`, `call_file_id`; the row key stays in `contact.source_ref` ("call:<key>").
  Every call record linked to a contact is copied into its contact and removed. Call
  records without a contact (their contact was removed) stay in `call_record`, which
  nothing writes any more: they keep their row keys (a re-import skips them) and
  retention and erasure still handle them.
- `ix_contact_case` and `ix_contact_party` become partial (`... IS NOT NULL`): only
  linked contacts are looked up by case or party, and a phone import's triage calls no
  longer add an entry each.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_calls_in_contact"
down_revision: str | None = "0003_reply_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPIED = (
    ("call_status", "status"),
    ("call_duration_s", "duration_s"),
    ("call_raw_number", "raw_number"),
    ("call_line", "line"),
    ("call_file_id", "file_id"),
)


def upgrade() -> None:
    # Plain ALTER TABLE, not a SQLite batch copy: recreating contact would drop the old
    # table under foreign_keys=ON, cascading into reply_target and nulling references.
    op.add_column("contact", sa.Column(
        "call_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    op.add_column("contact", sa.Column("call_duration_s", sa.Integer(), nullable=True))
    op.add_column("contact", sa.Column(
        "call_raw_number", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
    op.add_column("contact", sa.Column(
        "call_line", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a REFERENCES clause in place; Alembic would only do
        # it by copying the table. A downgrade on SQLite leaves the column (see there).
        present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("contact")}
        if "call_file_id" not in present:
            op.execute("ALTER TABLE contact ADD COLUMN call_file_id INTEGER "
                       "REFERENCES imported_file (id)")
    else:
        op.add_column("contact", sa.Column(
            "call_file_id", sa.Integer(), sa.ForeignKey("imported_file.id"), nullable=True))
    op.drop_index("ix_contact_case", table_name="contact")
    op.drop_index("ix_contact_party", table_name="contact")
    op.create_index("ix_contact_case", "contact", ["case_id", "occurred_at"], unique=False,
                    sqlite_where=sa.text("case_id IS NOT NULL"),
                    postgresql_where=sa.text("case_id IS NOT NULL"))
    op.create_index("ix_contact_party", "contact", ["party_id", "occurred_at"], unique=False,
                    sqlite_where=sa.text("party_id IS NOT NULL"),
                    postgresql_where=sa.text("party_id IS NOT NULL"))
    # A contact has at most one call record (the importer wrote one per contact); should
    # a hand-made database hold two, the newest (highest id) is the one copied.
    sets = ", ".join(
        f"{new} = (SELECT r.{old} FROM call_record r WHERE r.contact_id = contact.id "
        "ORDER BY r.id DESC LIMIT 1)"
        for new, old in _COPIED
    )
    op.execute(
        f"UPDATE contact SET {sets} "
        "WHERE EXISTS (SELECT 1 FROM call_record r WHERE r.contact_id = contact.id)"
    )
    op.execute("DELETE FROM call_record WHERE contact_id IS NOT NULL")


def downgrade() -> None:
    # Each contact with call details gets its call record back; the row key is the
    # contact's source_ref without "call:" (what the importer wrote), or "contact:<id>"
    # for a call whose source_ref a purge replaced.
    key = ("CASE WHEN source_ref LIKE 'call:%' THEN substr(source_ref, 6) "
           "ELSE 'contact:' || CAST(id AS VARCHAR(20)) END")
    op.execute(
        "INSERT INTO call_record (contact_id, file_id, row_key, started_at, direction, "
        "number, raw_number, status, duration_s, line) "
        f"SELECT id, call_file_id, {key}, occurred_at, direction, counterpart, "
        "call_raw_number, call_status, COALESCE(call_duration_s, 0), call_line "
        "FROM contact WHERE call_status IS NOT NULL ORDER BY id"
    )
    op.drop_index("ix_contact_party", table_name="contact")
    op.drop_index("ix_contact_case", table_name="contact")
    op.create_index("ix_contact_party", "contact", ["party_id", "occurred_at"], unique=False)
    op.create_index("ix_contact_case", "contact", ["case_id", "occurred_at"], unique=False)
    # SQLite (3.35+) drops a plain column in place; the foreign key column goes last
    # through PostgreSQL's constraint first.
    for name in ("call_status", "call_duration_s", "call_raw_number", "call_line"):
        op.drop_column("contact", name)
    if op.get_bind().dialect.name == "sqlite":
        # A column with a REFERENCES clause cannot be dropped in place on SQLite, and
        # copying the table would cascade into reply_target: leave it. 0003's code never
        # reads it, and upgrading again finds it and keeps it.
        return
    op.drop_constraint("contact_call_file_id_fkey", "contact", type_="foreignkey")
    op.drop_column("contact", "call_file_id")
