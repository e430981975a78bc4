"""The right of access: everything held about one party, in a folder.

`export_party(session=..., party_id=..., out=..., kinds=...)` writes
- `summary.html`: a readable summary (every untrusted text escaped; no scripts, a CSP that
  forbids loading anything);
- `messages/*.eml`: every stored message byte for byte as it was received, and every
  reply the desk wrote to the subject (`reply-*.eml`, sent or still in the outbox);
- `calls.csv`: every call record;
- `records.json`: every record (party, addresses, cases with notes and history, contacts,
  message metadata and texts, calls, reply targets, the desk's replies, audit entries).

The folder is created 0700 (files 0600) by writing into a private temporary folder beside
it and renaming it into place, so a failed export leaves nothing half-written. The
export is audited (action "export") in the caller's transaction.

Whistleblower cases (and their contacts) are left out unless `kinds` includes them
(store.privacy.whistleblower). Contacts of *other* parties on the party's cases are not
included: they are third parties' data and need the advisor's review before disclosure.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select
from sqlmodel import Session, SQLModel, col

from store.audit import record
from store.cells import CsvWriter
from store.db import write_scope
from store.errors import UserError
from store.models import (
    AuditLog,
    CallRecord,
    Case,
    CaseHistory,
    CaseNote,
    Contact,
    EmailMessage,
    Party,
    ReplyOutbox,
    ReplyTarget,
    WhistleblowerReporter,
)
from store.privacy.anonymise import chunks
from store.privacy.export_html import summary_html
from store.privacy.lookup import find_subject
from store.privacy.subject import Subject, messages_naming, party_subject
from store.privacy.whistleblower import (
    GENERAL_KINDS,
    WHISTLEBLOWER,
    case_clause,
    contact_clause,
    includes_whistleblower,
)


@dataclass(frozen=True)
class ExportReport:
    party_id: int | None
    out: Path
    cases: int
    contacts: int
    messages: int
    eml_files: int
    calls: int


# The party section of an export for an address or number no party holds.
NO_PARTY: dict[str, Any] = {
    "id": None,
    "kind": None,
    "name": None,
    "ref": None,
    "created_at": None,
    "anonymised_at": None,
}


def _row(obj: SQLModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    return obj.model_dump(mode="json", exclude=exclude)


def _call_row(contact: Contact) -> dict[str, Any]:
    """An imported call (a contact with call details) in call_record's shape."""
    row = _row(contact)
    ref = contact.source_ref or ""
    return {
        "id": None,
        "contact_id": contact.id,
        "file_id": contact.call_file_id,
        "row_key": ref[5:] if ref.startswith("call:") else None,
        "started_at": row["occurred_at"],
        "direction": contact.direction,
        "number": contact.counterpart,
        "raw_number": contact.call_raw_number,
        "status": contact.call_status,
        "duration_s": contact.call_duration_s,
        "line": contact.call_line,
    }


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def collect(
    *,
    session: Session,
    party_id: int | None = None,
    subject: Subject | None = None,
    kinds: tuple[str, ...] = GENERAL_KINDS,
) -> dict[str, Any]:
    """Every record held about the subject (or the party `party_id` with its addresses),
    as JSON-ready dicts (plus raw mail bytes under the private key "_raw", which the
    writer turns into .eml files)."""
    if subject is None:
        if party_id is None:
            raise ValueError("collect needs a party_id or a subject")
        subject = party_subject(session, party_id)
    pid = subject.party_id
    party = session.get(Party, pid) if pid is not None else None
    emails, phones = list(subject.emails), list(subject.phones)
    cases = (
        list(
            session.scalars(
                select(Case)
                .where(col(Case.party_id) == pid, case_clause(kinds))
                .order_by(col(Case.opened_on), col(Case.id))
            )
        )
        if pid is not None
        else []
    )
    case_ids = [c.id for c in cases]
    own: list[ColumnElement[bool]] = [col(Contact.counterpart).in_(subject.addresses)]
    if pid is not None:
        own += [
            col(Contact.party_id) == pid,
            and_(
                col(Contact.case_id).in_(case_ids),
                col(Contact.direction) == "out",
                col(Contact.party_id).is_(None),
            ),
        ]
    contacts = list(
        session.scalars(
            select(Contact)
            .where(contact_clause(kinds), or_(*own))
            .order_by(col(Contact.occurred_at), col(Contact.id))
        )
    )
    contact_ids = [c.id for c in contacts]
    # Mail from, to or copied to the addresses whose contact is not among those above
    # (it has none, or it is another party's) is the subject's too, unless its contact
    # is out of scope (a whistleblower case); mail with no contact is general, as an
    # unlinked contact is.
    named = messages_naming(session, subject)
    linked = sorted({c for c in named.values() if c is not None})
    visible: set[int | None] = set()
    for ch in chunks(linked):
        visible.update(
            session.scalars(
                select(col(Contact.id)).where(col(Contact.id).in_(ch), contact_clause(kinds))
            )
        )
    general = any(k != WHISTLEBLOWER for k in kinds)
    addressed = [m for m, c in named.items() if (c is None and general) or c in visible]
    messages = list(
        session.scalars(
            select(EmailMessage)
            .where(
                or_(
                    col(EmailMessage.contact_id).in_(contact_ids),
                    col(EmailMessage.id).in_(addressed),
                )
            )
            .order_by(col(EmailMessage.sent_at), col(EmailMessage.id))
        )
    )
    # Imported calls are contacts with call details; call_record keeps only calls whose
    # contact was removed before migration 0004 (found by number).
    orphan_calls = list(
        session.scalars(
            select(CallRecord)
            .where(col(CallRecord.contact_id).is_(None), col(CallRecord.number).in_(phones))
            .order_by(col(CallRecord.started_at), col(CallRecord.id))
        )
    )
    targets = list(
        session.scalars(
            select(ReplyTarget)
            .where(col(ReplyTarget.contact_id).in_(contact_ids))
            .order_by(col(ReplyTarget.id))
        )
    )
    # The desk's replies (sent, queued, refused): to her contacts, on her cases, or
    # addressed to her, unless they answered a contact out of scope (a whistleblower's).
    replies = list(
        session.scalars(
            select(ReplyOutbox)
            .outerjoin(Contact, col(Contact.id) == col(ReplyOutbox.contact_id))
            .where(
                or_(
                    col(ReplyOutbox.contact_id).in_(contact_ids),
                    col(ReplyOutbox.case_id).in_(case_ids),
                    and_(
                        func.lower(col(ReplyOutbox.to_addr)).in_([e.lower() for e in emails]),
                        or_(col(Contact.id).is_(None), contact_clause(kinds)),
                    ),
                )
            )
            .order_by(col(ReplyOutbox.id))
        )
    )
    notes = list(
        session.scalars(
            select(CaseNote).where(col(CaseNote.case_id).in_(case_ids)).order_by(col(CaseNote.at))
        )
    )
    history = list(
        session.scalars(
            select(CaseHistory)
            .where(col(CaseHistory.case_id).in_(case_ids))
            .order_by(col(CaseHistory.at))
        )
    )
    reporters: list[WhistleblowerReporter] = []
    if includes_whistleblower(kinds):
        reporters = list(
            session.scalars(
                select(WhistleblowerReporter).where(
                    col(WhistleblowerReporter.case_id).in_(case_ids)
                )
            )
        )
    audit = list(
        session.scalars(
            select(AuditLog)
            .where(
                or_(
                    and_(col(AuditLog.entity) == "party", col(AuditLog.entity_id) == str(pid)),
                    and_(
                        col(AuditLog.entity) == "case",
                        col(AuditLog.entity_id).in_([c.ref for c in cases]),
                    ),
                    and_(
                        col(AuditLog.entity) == "contact",
                        col(AuditLog.entity_id).in_([str(i) for i in contact_ids]),
                    ),
                )
            )
            .order_by(col(AuditLog.at), col(AuditLog.id))
        )
    )
    refs = {c.id: c.ref for c in cases}
    msg_rows = []
    for m in messages:
        row = _row(m, exclude={"raw"})
        row["eml_file"] = f"messages/{m.id:06d}.eml" if m.raw is not None else None
        row["_raw"] = m.raw
        msg_rows.append(row)
    reply_rows = []
    for o in replies:
        row = _row(o, exclude={"raw"})
        row["eml_file"] = f"messages/reply-{o.id:06d}.eml"
        row["_raw"] = o.raw
        reply_rows.append(row)
    return {
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "case_kinds": list(kinds),
        "party": {
            **(_row(party) if party is not None else NO_PARTY),
            "emails": emails,
            "phones": phones,
        },
        "cases": [
            {
                **_row(c),
                "notes": [_row(n) for n in notes if n.case_id == c.id],
                "history": [_row(h) for h in history if h.case_id == c.id],
            }
            for c in cases
        ],
        "contacts": [{**_row(c), "case_ref": refs.get(c.case_id or -1)} for c in contacts],
        "messages": msg_rows,
        "calls": sorted(
            [_call_row(c) for c in contacts if c.call_status is not None]
            + [_row(c) for c in orphan_calls],
            key=lambda c: (c["started_at"], c["contact_id"] or 0),
        ),
        "reply_targets": [_row(t) for t in targets],
        "replies": reply_rows,
        "whistleblower_reporters": [_row(r) for r in reporters],
        "audit": [_row(a) for a in audit],
    }


def export_party(
    *,
    session: Session,
    out: Path,
    party_id: int | None = None,
    subject: Subject | None = None,
    kinds: tuple[str, ...] = GENERAL_KINDS,
    lang: str = "da",
) -> ExportReport:
    """Write the export of `subject` (or of the party `party_id` with its addresses) to
    the new folder `out`, audited in the caller's transaction. summary.html is in `lang`.

    The audit entry is written (flushed) before any file: on SQLite its flush takes the
    write lock, so a busy database fails here, with nothing written. A caller whose
    commit then fails must remove the folder (`export_subject` does)."""
    out = out.expanduser()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"{out}: already exists and is not an empty folder; choose a new folder")
    if subject is None:
        if party_id is None:
            raise ValueError("export_party needs a party_id or a subject")
        subject = party_subject(session, party_id)
    data = collect(session=session, subject=subject, kinds=kinds)
    report = ExportReport(
        party_id=subject.party_id,
        out=out,
        cases=len(data["cases"]),
        contacts=len(data["contacts"]),
        messages=len(data["messages"]),
        eml_files=sum(m["_raw"] is not None for m in data["messages"]),
        calls=len(data["calls"]),
    )
    record(
        session,
        action="export",
        entity="party" if subject.party_id is not None else "address",
        entity_id=subject.party_id,
        detail={
            "out": str(out),
            "kinds": list(kinds),
            "cases": report.cases,
            "contacts": report.contacts,
            "messages": report.messages,
            "calls": report.calls,
        },
    )
    session.flush()
    try:
        out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))  # mode 0700
    except OSError as e:
        raise UserError(f"{out}: cannot create the export folder: {e.strerror}") from None
    try:
        (tmp / "messages").mkdir(mode=0o700)
        for m in [*data["messages"], *data["replies"]]:
            raw = m.pop("_raw")
            if raw is not None:
                _write(tmp / m["eml_file"], raw)
        _write(tmp / "calls.csv", _calls_csv(data["calls"]).encode("utf-8"))
        _write(
            tmp / "records.json",
            json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
        )
        _write(tmp / "summary.html", summary_html(data, lang).encode("utf-8"))
        if out.exists():
            out.rmdir()  # empty, checked above
        os.rename(tmp, out)
        os.chmod(out, 0o700)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def export_subject(
    *,
    engine: Engine,
    text: str,
    out: Path,
    kinds: tuple[str, ...] = GENERAL_KINDS,
    lang: str = "da",
) -> ExportReport:
    """`export-party`: find whom `text` names and export it in one write transaction.
    The folder and its audit entry exist together or not at all: a failure before the
    commit rolls the entry back and removes the folder."""
    written: Path | None = None
    try:
        with write_scope(engine) as session:
            subject = find_subject(session=session, text=text)
            report = export_party(session=session, subject=subject, out=out, kinds=kinds, lang=lang)
            written = report.out
    except BaseException:
        if written is not None:
            shutil.rmtree(written, ignore_errors=True)
        raise
    return report


CALL_FIELDS = (
    "id",
    "started_at",
    "direction",
    "number",
    "raw_number",
    "status",
    "duration_s",
    "line",
    "contact_id",
)


def _calls_csv(calls: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(CALL_FIELDS)
    for c in calls:
        w.writerow([c.get(f) for f in CALL_FIELDS])
    return buf.getvalue()
