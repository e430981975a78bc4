"""The annual report's whistleblower counts on a team's PostgreSQL: through the
security-definer function (store.team.compartment.COUNTS), so a role that may not read
the compartment (an advisor) still produces the council's figures, and reads no row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, text

from store.errors import UserError
from store.team.compartment import COUNTS_SIGNATURE

COLUMNS = (
    "received",
    "within_scope",
    "outside_scope",
    "forwarded",
    "examined",
    "dismissed",
    "criticism",
    "police",
    "ack_targets",
    "ack_in_time",
    "feedback_targets",
    "feedback_in_time",
)


def sealed_whistleblower_counts(
    conn: Connection,
    *,
    first_day: dt.date,
    last_day: dt.date,
    lo: dt.datetime,
    hi: dt.datetime,
    ack_rules: Sequence[str],
    feedback_rules: Sequence[str],
) -> dict[str, int] | None:
    """The counts through the function, or None where the compartment is not sealed
    (SQLite, or PostgreSQL before `team init`): there no row is hidden from the caller
    and it counts the rows itself. `lo`/`hi` are aware UTC bounds of the received times."""
    if conn.dialect.name != "postgresql":
        return None
    sealed = conn.exec_driver_sql(
        "SELECT relrowsecurity FROM pg_class WHERE oid = 'case_'::regclass"
    ).scalar()
    if not sealed:
        return None
    if conn.execute(text("SELECT to_regprocedure(:f)"), {"f": COUNTS_SIGNATURE}).scalar() is None:
        # Sealed by an older `team init`: counting the rows would count only what this
        # role may see, and print a wrong figure.
        raise UserError(
            "the whistleblower counts function is missing or old: run `borgerdesk team "
            "init` again as the database owner"
        )
    row = (
        conn.execute(
            text(
                "SELECT * FROM borgerdesk_whistleblower_counts("
                ":first_day, :last_day, :lo, :hi, :ack, :feedback)"
            ),
            {
                "first_day": first_day,
                "last_day": last_day,
                "lo": lo.astimezone(dt.UTC).replace(tzinfo=None),
                "hi": hi.astimezone(dt.UTC).replace(tzinfo=None),
                "ack": list(ack_rules),
                "feedback": list(feedback_rules),
            },
        )
        .mappings()
        .one()
    )
    return {c: int(row[c]) for c in COLUMNS}
