"""whistleblower facts: scope, handling and outcome of a whistleblower case

Revision ID: 0007_report_whistleblower
Revises: 0005_reply_rules_state
Create Date: 2026-12-06 18:30:00

The annual report's whistleblower section counts reports within and outside the
scheme's scope, forwarded, examined, and their outcome (dismissed, criticism, reported to
the police). One optional row per whistleblower case; nothing about the reporter.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_report_whistleblower"
down_revision: str | None = "0005_reply_rules_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "whistleblower_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("in_scope", sa.Boolean(), nullable=True),
        sa.Column("forwarded", sa.Boolean(), nullable=False),
        sa.Column("examined", sa.Boolean(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )


def downgrade() -> None:
    op.drop_table("whistleblower_facts")
