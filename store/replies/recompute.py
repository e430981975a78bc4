"""Recompute stored due times after the rules or closed days changed.

Due times are stored (and indexed) so the follow-up queue never computes them per row.
When `[replies]` changes (hours, mode, due-soon threshold, extra closed days, closing
dates), every target's due_at and due_soon_at is computed again, met and waived ones too
(their met-in-time/met-late status and the compliance figures depend on it). Rows are
read in id order in batches and only rows whose times changed are written, so a run
after a change that touches nothing costs a read of the table.

Which contacts owe a reply is not re-decided here: a rule added to the config applies to
contacts stored from then on (or re-applied with `apply_contacts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from store.config import Config
from store.replies import tables
from store.replies.due import due_times_utc_naive
from store.replies.rules import RuleSet
from store.replies.tables import naive, raw_time

BATCH = 5000


@dataclass
class RecomputeReport:
    scanned: int = 0
    changed: int = 0
    # Targets whose rule is no longer configured: left as they are.
    orphaned: dict[str, int] = field(default_factory=dict)


def recompute(
    *,
    session: Session,
    config: Config,
    batch_size: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> RecomputeReport:
    """Recompute every target's due and due-soon time under the current config.
    `progress(scanned, changed)` is called after each batch. Flushes, does not commit."""
    ruleset = RuleSet.from_config(config)
    rules = {r.name: r for r in ruleset.rules}
    cal = ruleset.calendar
    t = tables.reply_target
    upd = (
        update(t)
        .where(t.c.id == bindparam("b_id"))
        .values(due_at=bindparam("b_due"), due_soon_at=bindparam("b_soon"))
    )
    report = RecomputeReport()
    session.flush()
    last_id = 0
    while True:
        rows = session.execute(
            select(
                t.c.id,
                t.c.rule,
                raw_time(t.c.received_at),
                raw_time(t.c.due_at),
                raw_time(t.c.due_soon_at),
            )
            .where(t.c.id > last_id)
            .order_by(t.c.id)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        changes: list[dict[str, object]] = []
        for tid, rname, received, old_due, old_soon in rows:
            rule = rules.get(rname)
            if rule is None:
                report.orphaned[rname] = report.orphaned.get(rname, 0) + 1
                continue
            # Compared as naive UTC, as stored; only changed rows are written.
            due, soon = due_times_utc_naive(rule, naive(received), cal)
            if due != naive(old_due) or soon != naive(old_soon):
                changes.append(
                    {
                        "b_id": tid,
                        "b_due": due.replace(tzinfo=dt.UTC),
                        "b_soon": soon.replace(tzinfo=dt.UTC),
                    }
                )
        if changes:
            session.execute(upd, changes, execution_options={"synchronize_session": False})
        report.scanned += len(rows)
        report.changed += len(changes)
        if progress is not None:
            progress(report.scanned, report.changed)
    return report
