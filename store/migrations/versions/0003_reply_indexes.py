"""reply targets: index due-soon and the compliance period scan

Revision ID: 0003_reply_indexes
Revises: 0002_privacy
Create Date: 2026-11-22 12:20:00

- `ix_reply_open_soon` (state, due_soon_at): the follow-up queue's "due soon" filter and
  the daemon's due-soon alerts read open targets by due_soon_at, as "overdue" reads
  (state, due_at) through `ix_reply_open_due`.
- `ix_reply_rule_received` (rule, received_at): compliance reports select one rule's
  targets received in a period.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_reply_indexes"
down_revision: str | None = "0002_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reply_target", schema=None) as batch_op:
        batch_op.create_index("ix_reply_open_soon", ["state", "due_soon_at"], unique=False)
        batch_op.create_index("ix_reply_rule_received", ["rule", "received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reply_target", schema=None) as batch_op:
        batch_op.drop_index("ix_reply_rule_received")
        batch_op.drop_index("ix_reply_open_soon")
