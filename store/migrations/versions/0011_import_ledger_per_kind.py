"""import ledger per kind: the same file may be imported as a register and as calls

Revision ID: 0011_import_ledger_per_kind
Revises: 0010_team
Create Date: 2026-12-06 21:30:00

`imported_file` was unique on `sha256` alone, so `import-calls` on a file already
imported as a register said "already imported" and did nothing. The ledger is now unique
on (`kind`, `sha256`). On SQLite the constraint change rebuilds the table, which
`contact.call_file_id` and `call_record.file_id` reference: store/migrations/env.py runs
it with foreign keys off and checks them before the commit, so no row anywhere changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.errors import UserError

revision: str = "0011_import_ledger_per_kind"
down_revision: str | None = "0010_team"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = "uq_imported_file_kind_sha256"
# The unnamed UNIQUE (sha256) of 0001: SQLite reflects it without a name, so batch mode
# names it by this convention to drop it; PostgreSQL named it itself.
SQLITE_CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
OLD_SQLITE = "uq_imported_file_sha256"
OLD_PG = "imported_file_sha256_key"


def _old_name() -> str:
    return OLD_SQLITE if op.get_bind().dialect.name == "sqlite" else OLD_PG


def upgrade() -> None:
    with op.batch_alter_table("imported_file", naming_convention=SQLITE_CONVENTION) as batch:
        batch.drop_constraint(_old_name(), type_="unique")
        batch.create_unique_constraint(NEW, ["kind", "sha256"])


def downgrade() -> None:
    twice = op.get_bind().execute(sa.text(
        "SELECT sha256 FROM imported_file GROUP BY sha256 HAVING count(*) > 1 LIMIT 1"
    )).scalar()
    if twice is not None:
        # The old ledger holds one row per file: merging two would lose which calls and
        # contacts came from which import.
        raise UserError(
            f"imported_file: file {twice[:16]}… is imported both as a register and as "
            "calls, which migration 0010's ledger cannot hold; nothing was changed; "
            "stay on 0011 or later"
        )
    with op.batch_alter_table("imported_file", naming_convention=SQLITE_CONVENTION) as batch:
        batch.drop_constraint(NEW, type_="unique")
        batch.create_unique_constraint(_old_name(), ["sha256"])
