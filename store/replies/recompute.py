"""Recompute stored due times after the rules or closed days changed.

Due times are stored (and indexed) so the follow-up queue never computes them per row.
When `[replies]` changes (hours, mode, due-soon threshold, extra closed days, closing
dates), every target's due_at and due_soon_at is computed again, met and waived ones too
(their met-in-time/met-late status and the compliance figures depend on it). Rows are
read in id order in batches and only rows whose times changed are written, so a run
after a change that touches nothing costs a read of the table.

Which contacts owe a reply is not re-decided here: a rule added to the config applies to
contacts stored from then on (or re-applied with `apply_contacts`).

The rules a recompute followed are recorded (`reply_rules_state`: a fingerprint of the
`[replies]` section), so a changed config is noticed without anyone remembering to run
`borgerdesk replies recompute`: the daemon calls `recompute_if_stale` when it starts and
on every evaluation round, and `followups` warns while the due times are stale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, select, update
from sqlmodel import Session

from store.config import Config
from store.db import bulk_write_scope, session_scope
from store.models import ReplyRulesState
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


def rules_fingerprint(config: Config) -> str:
    """Identifies the `[replies]` section: any change of hours, mode, thresholds, rules
    or closed days gives another fingerprint."""
    data = config.replies.model_dump(mode="json")
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def recorded_fingerprint(session: Session) -> str | None:
    """The rules the stored due times were last computed under; None if unknown."""
    row = session.get(ReplyRulesState, 1)
    return row.fingerprint if row is not None else None


def due_times_stale(*, session: Session, config: Config) -> bool:
    """True if the due times were recorded as computed under other rules than
    `config`'s. Unrecorded rules (a database from before the record existed, or one the
    daemon has not yet seen) count as current: `recompute_if_stale` adopts them."""
    recorded = recorded_fingerprint(session)
    return recorded is not None and recorded != rules_fingerprint(config)


def record_rules(session: Session, config: Config, now: dt.datetime | None = None) -> None:
    """Record that the due times follow `config`'s rules (in the caller's transaction)."""
    row = session.get(ReplyRulesState, 1)
    moment = now or dt.datetime.now(dt.UTC)
    if row is None:
        session.add(ReplyRulesState(id=1, fingerprint=rules_fingerprint(config), applied_at=moment))
    else:
        row.fingerprint, row.applied_at = rules_fingerprint(config), moment
    session.flush()


class _Pass:
    """One recompute over the table, a batch at a time (id order)."""

    def __init__(self, config: Config, batch_size: int) -> None:
        ruleset = RuleSet.from_config(config)
        self.rules = {r.name: r for r in ruleset.rules}
        self.cal = ruleset.calendar
        self.batch_size = batch_size
        t = tables.reply_target
        self.upd = (
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(due_at=bindparam("b_due"), due_soon_at=bindparam("b_soon"))
        )
        self.last_id = 0
        self.report = RecomputeReport()

    def batch(self, session: Session) -> bool:
        """Recompute the next batch; False when there was none left."""
        t = tables.reply_target
        rows = session.execute(
            select(
                t.c.id,
                t.c.rule,
                raw_time(t.c.received_at),
                raw_time(t.c.due_at),
                raw_time(t.c.due_soon_at),
            )
            .where(t.c.id > self.last_id)
            .order_by(t.c.id)
            .limit(self.batch_size)
        ).all()
        if not rows:
            return False
        self.last_id = rows[-1][0]
        report = self.report
        changes: list[dict[str, Any]] = []
        for tid, rname, received, old_due, old_soon in rows:
            rule = self.rules.get(rname)
            if rule is None:
                report.orphaned[rname] = report.orphaned.get(rname, 0) + 1
                continue
            # Compared as naive UTC, as stored; only changed rows are written.
            due, soon = due_times_utc_naive(rule, naive(received), self.cal)
            if due != naive(old_due) or soon != naive(old_soon):
                changes.append(
                    {
                        "b_id": tid,
                        "b_due": due.replace(tzinfo=dt.UTC),
                        "b_soon": soon.replace(tzinfo=dt.UTC),
                    }
                )
        if changes:
            session.execute(self.upd, changes, execution_options={"synchronize_session": False})
        report.scanned += len(rows)
        report.changed += len(changes)
        return True


def recompute(
    *,
    session: Session,
    config: Config,
    batch_size: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> RecomputeReport:
    """Recompute every target's due and due-soon time under the current config, and
    record that the due times follow it. `progress(scanned, changed)` is called after
    each batch. Flushes, does not commit: one transaction."""
    session.flush()
    run = _Pass(config, batch_size)
    while run.batch(session):
        if progress is not None:
            progress(run.report.scanned, run.report.changed)
    record_rules(session, config)
    return run.report


def recompute_if_stale(
    engine: Engine, config: Config, *, batch_size: int = BATCH, now: dt.datetime | None = None
) -> RecomputeReport | None:
    """The daemon's way: if the due times are stale (`due_times_stale`), recompute them
    with each batch its own short transaction, giving way to the advisor's writes in
    between (a 1,000,000-contact store takes seconds; one transaction would hold the
    write lock that long), then record the rules. None if nothing was stale; unrecorded
    rules are recorded as they are. A run cut short leaves the old record, so the next
    run starts again (it rewrites only rows still differing)."""
    with session_scope(engine) as session:
        recorded = recorded_fingerprint(session)
    if recorded == rules_fingerprint(config):
        return None
    if recorded is None:
        with bulk_write_scope(engine) as session:
            record_rules(session, config, now)
        return None
    run = _Pass(config, batch_size)
    while True:
        with bulk_write_scope(engine) as session:
            if not run.batch(session):
                record_rules(session, config, now)
                break
    return run.report
