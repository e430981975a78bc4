"""The retention purge: personal data of expired records goes, the count facts stay.

`purge(session=..., config=..., now=..., dry_run=...)` is what `borgerdesk purge` and the
daemon's schedule call (on SQLite only: see `daemon_purges`). It runs inside the caller's
transaction: on any error nothing changes. A real purge writes one audit entry (action
"purge") with what it removed, in the same transaction; it is also the only code that
may delete audit rows (those past `retention.audit_years`, and free-text entries about
the records it purged).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session, col

from store.audit import record
from store.config import Config
from store.models import AuditLog
from store.privacy import anonymise as an
from store.privacy.retention import ExpiredCase, PurgePlan, plan

# On PostgreSQL the daemon's role may insert what it ingests and no more: the purge is an
# administrator's, run as an admin role (a systemd timer: docs/data-protection.md). The
# daemon's nightly log line and `doctor` say so.
ADMIN_PURGE = (
    "on PostgreSQL the daemon does not run the retention purge (its role may not delete): "
    "an administrator runs 'borgerdesk purge' nightly as an admin role "
    "(docs/data-protection.md)"
)


def daemon_purges(dialect: str) -> bool:
    """Whether the daemon's nightly maintenance runs the purge on this database kind."""
    return dialect == "sqlite"


# The audit entry lists case refs up to this many (refs carry no personal data).
MAX_REFS_IN_AUDIT = 500


@dataclass
class PurgeReport:
    dry_run: bool
    configured: bool
    now: dt.datetime
    cutoffs: dict[str, dt.date] = field(default_factory=dict)
    cases: list[ExpiredCase] = field(default_factory=list)
    removed: an.Removed = field(default_factory=an.Removed)
    unlinked_contacts: int = 0


def purge(*, session: Session, config: Config, now: dt.datetime, dry_run: bool) -> PurgeReport:
    retention = config.retention
    report = PurgeReport(dry_run=dry_run, configured=retention.configured, now=now)
    if not retention.configured:
        return report
    p = plan(session=session, retention=retention, now=now)
    report.cutoffs = dict(p.cutoffs)
    report.cases = list(p.cases)
    report.unlinked_contacts = len(p.unlinked_contact_ids)
    case_ids = [c.id for c in p.cases]
    removed = an.measure(
        session,
        case_ids=case_ids,
        contact_ids=p.all_contact_ids,
        orphan_message_ids=p.orphan_message_ids,
        orphan_call_ids=p.orphan_call_ids,
    )
    anonymise, remove = an.party_fates(
        session, p.party_ids, gone_cases=set(case_ids), gone_contacts=set(p.all_contact_ids)
    )
    removed.parties_anonymised, removed.parties_deleted = len(anonymise), len(remove)
    removed.import_logs = len(p.import_log_ids)
    audit_ids = _audit_ids(session, p)
    removed.audit_entries = len(audit_ids)
    report.removed = removed
    if dry_run or not removed.any():
        return report

    an.secure_delete(session)
    an.scrub_cases(session, case_ids, now)
    an.scrub_contacts(session, p.all_contact_ids, now)
    an.scrub_messages(session, p.orphan_message_ids, now)
    an.delete_calls(session, p.orphan_call_ids)
    an.scrub_import_logs(session, p.import_log_ids)
    an.settle_parties(session, anonymise, remove, now)
    if audit_ids:
        with an.audit_delete_permit(session, "retention purge"):
            an.delete_audit_rows(session, audit_ids)
    refs = [c.ref for c in p.cases]
    record(
        session,
        action="purge",
        entity="retention",
        detail={
            "removed": removed.as_dict(),
            "cutoffs": {k: v.isoformat() for k, v in p.cutoffs.items()},
            "unlinked_before": p.unlinked_before,
            "audit_before": p.audit_before,
            "case_refs": refs[:MAX_REFS_IN_AUDIT],
            "case_refs_omitted": max(0, len(refs) - MAX_REFS_IN_AUDIT),
        },
    )
    session.flush()
    return report


def _audit_ids(session: Session, p: PurgePlan) -> list[int]:
    ids = set(
        an.audit_rows_about(
            session,
            case_ids=[c.id for c in p.cases],
            case_refs=[c.ref for c in p.cases],
            contact_ids=p.all_contact_ids,
        )
    )
    if p.audit_before is not None:
        ids |= set(
            session.scalars(select(col(AuditLog.id)).where(col(AuditLog.at) < p.audit_before))
        )
    return sorted(i for i in ids if i is not None)


def purged_before(session: Session) -> dt.datetime | None:
    """The latest purge's cut-off for contacts never linked to a case (its audit entry
    records it), or None if no purge has used one. A call from before it that comes in
    again (an overlapping or re-sent export) would bring back what was purged, and be
    counted twice: the purged call's anonymous count fact stays."""
    found: dt.datetime | None = None
    for (detail,) in session.execute(
        select(col(AuditLog.detail))
        .where(col(AuditLog.action) == "purge")
        .order_by(col(AuditLog.id).desc())
    ):
        try:
            value = json.loads(detail or "{}").get("unlinked_before")
            moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            continue
        if moment is not None:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
            # Cut-offs only move forward, but a config may have lengthened retention
            # since: the furthest one purged is what must not come back.
            found = moment if found is None else max(found, moment)
    return found
