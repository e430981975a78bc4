"""Which records have outlived the configured retention."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session, col

from store.config.privacy import Retention
from store.models import CallRecord, Case, CaseKind, Contact, EmailMessage, ImportedFile
from store.timeutil import local_date


def years_before(day: dt.date, years: float) -> dt.date:
    """`day` minus `years` calendar years (fractions as days of a 365.25-day year).
    29 February falls back to 28 February in a year without it."""
    whole = int(years)
    y = day.year - whole
    try:
        base = day.replace(year=y)
    except ValueError:  # 29 Feb -> 28 Feb
        base = day.replace(year=y, day=28)
    return base - dt.timedelta(days=round((years - whole) * 365.25))


def moment_years_before(now: dt.datetime, years: float) -> dt.datetime:
    day = years_before(now.date(), years)
    return now.replace(year=day.year, month=day.month, day=day.day)


@dataclass(frozen=True)
class ExpiredCase:
    id: int
    ref: str
    kind: str
    closed_on: dt.date
    party_id: int | None


def skipped_values(detail: str | None) -> int:
    """How many skipped-row entries of an import log still carry the cell's value."""
    if not detail:
        return 0
    try:
        entries = json.loads(detail)
    except ValueError:
        return 1  # not ours to read: scrub it whole
    if not isinstance(entries, list):
        return 1
    return sum(1 for e in entries if not isinstance(e, dict) or e.get("value") is not None)


@dataclass
class PurgePlan:
    """Everything a purge at `now` would touch. Built read-only."""

    now: dt.datetime
    cutoffs: dict[str, dt.date] = field(default_factory=dict)  # kind -> closed on or before
    cases: list[ExpiredCase] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)  # linked to expired cases
    unlinked_contact_ids: list[int] = field(default_factory=list)
    orphan_message_ids: list[int] = field(default_factory=list)
    orphan_call_ids: list[int] = field(default_factory=list)
    party_ids: set[int] = field(default_factory=set)
    # Import logs (imported_file) whose skipped-row detail still holds cell values: a bad
    # phone-number cell is personal data like the calls it came with.
    import_log_ids: list[int] = field(default_factory=list)
    unlinked_before: dt.datetime | None = None
    audit_before: dt.datetime | None = None

    @property
    def all_contact_ids(self) -> list[int]:
        return [*self.contact_ids, *self.unlinked_contact_ids]


def plan(*, session: Session, retention: Retention, now: dt.datetime) -> PurgePlan:
    if now.tzinfo is None:
        raise ValueError("naive now")
    p = PurgePlan(now=now)
    today = local_date(now)
    for kind in CaseKind:
        years = retention.years_for(kind.value)
        if years is None:
            continue
        cutoff = years_before(today, years)
        p.cutoffs[kind.value] = cutoff
        rows = session.execute(
            select(
                col(Case.id), col(Case.ref), col(Case.kind), col(Case.closed_on), col(Case.party_id)
            )
            .where(
                col(Case.kind) == kind.value,
                col(Case.closed_on).is_not(None),
                col(Case.closed_on) <= cutoff,
                col(Case.purged_at).is_(None),
            )
            .order_by(col(Case.closed_on), col(Case.id))
        ).all()
        p.cases += [ExpiredCase(*r) for r in rows]
    case_ids = [c.id for c in p.cases]
    for start in range(0, len(case_ids), 500):
        ch = case_ids[start : start + 500]
        for cid, pid in session.execute(
            select(col(Contact.id), col(Contact.party_id)).where(
                col(Contact.case_id).in_(ch),
                col(Contact.purged_at).is_(None),
            )
        ):
            p.contact_ids.append(cid)
            if pid is not None:
                p.party_ids.add(pid)
    p.party_ids |= {c.party_id for c in p.cases if c.party_id is not None}
    if retention.unlinked_years is not None:
        before = moment_years_before(now, retention.unlinked_years)
        p.unlinked_before = before
        for cid, pid in session.execute(
            select(col(Contact.id), col(Contact.party_id)).where(
                col(Contact.case_id).is_(None),
                col(Contact.purged_at).is_(None),
                col(Contact.occurred_at) < before,
            )
        ):
            p.unlinked_contact_ids.append(cid)
            if pid is not None:
                p.party_ids.add(pid)
        p.orphan_message_ids = list(
            session.scalars(
                select(col(EmailMessage.id)).where(
                    col(EmailMessage.contact_id).is_(None),
                    col(EmailMessage.purged_at).is_(None),
                    col(EmailMessage.sent_at) < before,
                )
            )
        )
        p.orphan_call_ids = list(
            session.scalars(
                select(col(CallRecord.id)).where(
                    col(CallRecord.contact_id).is_(None),
                    col(CallRecord.started_at) < before,
                )
            )
        )
        # A file's rows all occurred before it was imported.
        p.import_log_ids = [
            fid
            for fid, detail in session.execute(
                select(col(ImportedFile.id), col(ImportedFile.skipped_detail)).where(
                    col(ImportedFile.skipped_detail).is_not(None),
                    col(ImportedFile.imported_at) < before,
                )
            )
            if fid is not None and skipped_values(detail)
        ]
    if retention.audit_years is not None:
        p.audit_before = moment_years_before(now, retention.audit_years)
    return p
