"""reply rules state: which [replies] configuration the stored due times follow

Revision ID: 0005_reply_rules_state
Revises: 0004_calls_in_contact
Create Date: 2026-11-22 16:10:00

A one-row table with the fingerprint of the `[replies]` section the due times were last
computed under. Absent (as after this upgrade) means "unknown": the daemon recomputes
once and records it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.models

revision: str = "0005_reply_rules_state"
down_revision: str | None = "0004_calls_in_contact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_rules_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("applied_at", store.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("reply_rules_state")
