"""reply outbox: replies sent from the desk, exactly once

Revision ID: 0009_reply_outbox
Revises: 0008_report_channel_index
Create Date: 2026-12-06 19:00:00

One row per reply, written before anything is sent: its Message-ID and bytes are fixed
while queued, so a retry after a crash sends the same message, and the Sent folder can be
searched for it (store.outbox.queue).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_reply_outbox"
down_revision: str | None = "0008_report_channel_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("os_user", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=998), nullable=False),
        sa.Column("to_addr", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.Column("alerted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["email_id"], ["email_message.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_reply_outbox_contact_id", "reply_outbox", ["contact_id"])
    op.create_index("ix_reply_outbox_state", "reply_outbox", ["state"])


def downgrade() -> None:
    op.drop_index("ix_reply_outbox_state", table_name="reply_outbox")
    op.drop_index("ix_reply_outbox_contact_id", table_name="reply_outbox")
    op.drop_table("reply_outbox")
