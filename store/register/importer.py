"""`import-register`: a spreadsheet register into the store, whole or not at all."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy import types as sa_types
from sqlmodel import Session

from store.audit import record
from store.bulkload import CONTACT_COLS, bulk_load
from store.cases import CLASSIFICATION_FIELDS
from store.config import Config
from store.db import write_scope
from store.errors import UserError
from store.infile import printable, read_input
from store.ledger import REGISTER, already_imported
from store.models import Case, Contact, ImportedFile, Party, PartyEmail, PartyPhone, utcnow
from store.register.parse import ParsedRegister, parse_register, taxonomy_problems
from store.tabular import table_of

CHUNK = 5_000
MAX_PROBLEMS_SHOWN = 50


class RegisterError(UserError):
    """The register cannot be imported; nothing was written."""


@dataclass(frozen=True)
class ImportSummary:
    file: str
    rows: int
    cases_added: int
    contacts_added: int
    parties_added: int
    already_imported: bool = False
    dry_run: bool = False
    new_taxonomy: tuple[tuple[str, str], ...] = ()


def _chunks(seq: Sequence[Any], n: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _fail(problems: list[str], source: str) -> RegisterError:
    head = f"{source}: {len(problems)} problem(s), nothing imported:"
    shown = problems[:MAX_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    tail = [f"… and {more} more"] if more > 0 else []
    return RegisterError("\n".join([head, *shown, *tail]))


def import_register(
    *,
    engine: Engine,
    config: Config,
    path: Path,
    create_taxonomy: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Validate the whole file, then write it in one transaction. Raises RegisterError
    listing every problem (line, column, value) if anything is wrong."""
    source = printable(str(path))
    data = read_input(path)  # once: the bytes hashed are the bytes imported
    data_hash = hashlib.sha256(data).hexdigest()
    table = table_of(data, source, path.suffix)
    parsed = parse_register(table, source, config.taxonomy)
    problems = list(parsed.problems)
    if not create_taxonomy:
        problems += taxonomy_problems(parsed, source)
    if problems:
        raise _fail(problems, source)
    new_tax = tuple(sorted(parsed.unknown_taxonomy)) if create_taxonomy else ()

    with write_scope(engine) as session:
        if already_imported(session, REGISTER, data_hash):
            return ImportSummary(source, parsed.rows, 0, 0, 0, already_imported=True)
        try:
            summary = _write(session, parsed, config, source, data_hash, path.name, new_tax)
        except UserError:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
            return ImportSummary(
                source,
                summary.rows,
                summary.cases_added,
                summary.contacts_added,
                summary.parties_added,
                dry_run=True,
                new_taxonomy=new_tax,
            )
        session.commit()
        return summary


def _write(
    session: Session,
    parsed: ParsedRegister,
    config: Config,
    source: str,
    data_hash: str,
    name: str,
    new_tax: tuple[tuple[str, str], ...],
) -> ImportSummary:
    case_t = Case.__table__  # type: ignore[attr-defined]
    contact_t = Contact.__table__  # type: ignore[attr-defined]

    # ---- existing cases must agree with the file
    existing: dict[str, dict[str, Any]] = {}
    refs = list(parsed.cases)
    for part in _chunks(refs):
        for found in session.execute(select(case_t).where(case_t.c.ref.in_(part))).mappings():
            existing[found["ref"]] = dict(found)
    conflicts = []
    for ref, stored in existing.items():
        c = parsed.cases[ref]
        for field in CLASSIFICATION_FIELDS:
            v = c.classification.get(field)
            if v is not None and stored[field] != v:
                conflicts.append(
                    f"{source}: line {c.lines[0]}: case {ref!r} is already stored with "
                    f"{field} {stored[field]!r}, the file says {v!r}; change it in borgerdesk "
                    "(the case history keeps the change) or fix the file"
                )
    if conflicts:
        raise _fail(conflicts, source)

    # ---- parties: by party_ref, then by e-mail, then by phone, else new
    party_ids, parties_added = _resolve_parties(session, parsed)

    # ---- new cases
    new_cases = [
        {
            "ref": c.ref,
            "title": None,
            "kind": c.kind,
            "party_id": party_ids.get(c.ref),
            "department": c.classification.get("department"),
            "category": c.classification.get("category"),
            "theme": c.classification.get("theme"),
            "action": c.classification.get("action"),
            "outcome": c.classification.get("outcome"),
            "opened_on": c.opened_on,
            "closed_on": c.closed_on,
            "excluded": c.excluded,
            "excluded_reason": c.excluded_reason,
            "wanted_to_complain": c.wanted_to_complain,
        }
        for ref, c in parsed.cases.items()
        if ref not in existing
    ]
    if new_cases:
        now = utcnow()
        for row in new_cases:
            row["created_at"] = now
        for part in _chunks(new_cases):
            session.execute(insert(case_t), list(part))
    case_ids: dict[str, int] = {}
    for part in _chunks(refs):
        for ref, cid in session.execute(
            select(case_t.c.ref, case_t.c.id).where(case_t.c.ref.in_(part))
        ):
            case_ids[ref] = cid

    # ---- contacts (idempotent on source_ref)
    before = session.execute(select(func.count()).select_from(contact_t)).scalar_one()
    old_cases = {case_ids[ref] for ref in existing if ref in case_ids}
    _insert_contacts(session, parsed, case_ids, party_ids, _stored_keys(session, old_cases))
    after = session.execute(select(func.count()).select_from(contact_t)).scalar_one()

    session.add(ImportedFile(sha256=data_hash, kind=REGISTER, name=name, rows=parsed.rows))
    record(
        session,
        action="import_register",
        entity="file",
        entity_id=data_hash[:16],
        detail={
            "name": name,
            "rows": parsed.rows,
            "cases": len(new_cases),
            "contacts": after - before,
            "new_taxonomy": [list(t) for t in new_tax],
        },
    )
    session.flush()
    return ImportSummary(
        source, parsed.rows, len(new_cases), after - before, parties_added, new_taxonomy=new_tax
    )


def _processor(t: sa_types.TypeEngine[Any], dialect: Any) -> Callable[[Any], Any]:
    """The dialect's own bind processor (via dialect_impl), so values are stored exactly
    as the ORM stores them: SQLite keeps datetimes as text, and "10:00:00" would not
    equal the ORM's "10:00:00.000000" in comparisons."""
    proc: Callable[[Any], Any] | None = t.dialect_impl(dialect).bind_processor(dialect)
    return proc if proc is not None else (lambda v: v)


Key = tuple[int, str, str, dt.datetime]


def _key(case_id: int, channel: str, direction: str, at: dt.datetime) -> Key:
    """A contact as a register row can name it: its case, channel, direction and time
    to the second (naive UTC; an export writes seconds, and no register writes less)."""
    return (
        case_id,
        channel,
        direction,
        at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        if at.tzinfo
        else at.replace(microsecond=0),
    )


def _stored_keys(session: Session, case_ids: set[int]) -> Counter[Key]:
    """The contacts already in the file's existing cases, whatever their source (mail,
    calls, the desk, an earlier register), counted by `_key`."""
    contact_t = Contact.__table__  # type: ignore[attr-defined]
    keys: Counter[Key] = Counter()
    for part in _chunks(sorted(case_ids)):
        for cid, ch, d, at in session.execute(
            select(
                contact_t.c.case_id,
                contact_t.c.channel,
                contact_t.c.direction,
                contact_t.c.occurred_at,
            ).where(contact_t.c.case_id.in_(part))
        ):
            keys[_key(cid, ch, d, at)] += 1
    return keys


def _insert_contacts(
    session: Session,
    parsed: ParsedRegister,
    case_ids: dict[str, int],
    party_ids: dict[str, int],
    stored: Counter[Key],
) -> None:
    """Insert the register's contacts, skipping those already stored: the same register
    row (same source_ref), or, in a case that was already stored, a row naming a contact
    the case already has (`_key`; as many rows as it has such contacts). So importing the
    desk's own export (mail and calls included) or an edited copy of it adds nothing,
    and the council's counts do not double.

    This is the import's hot path (a million rows): values are converted once with the
    dialect's own bind processors and sent with the driver's executemany, bypassing
    per-row ORM and statement processing, which cost 3x the whole insert.
    """
    dialect = session.get_bind().dialect
    # The dialect's own implementations (dialect_impl), so values are stored exactly as
    # the ORM stores them: SQLite keeps datetimes as text, and "10:00:00" would not equal
    # the ORM's "10:00:00.000000" in comparisons.
    ts = _processor(sa_types.DateTime(), dialect)
    day = _processor(sa_types.Date(), dialect)
    flag = _processor(sa_types.Boolean(), dialect)
    now = ts(utcnow().replace(tzinfo=None))
    no = flag(False)
    stamp: dict[dt.datetime, tuple[Any, Any]] = {}
    rows = []
    for c in parsed.contacts:
        if stored:
            key = _key(case_ids[c.case_ref], c.channel, c.direction, c.occurred_at)
            if stored[key] > 0:
                stored[key] -= 1
                continue
        conv = stamp.get(c.occurred_at)
        if conv is None:
            conv = (ts(c.occurred_at.replace(tzinfo=None)), day(c.day))
            stamp[c.occurred_at] = conv
        rows.append(
            (
                c.channel,
                c.direction,
                conv[0],
                conv[1],
                c.summary,
                None,
                no,
                case_ids[c.case_ref],
                party_ids.get(c.case_ref),
                c.source_ref,
                no,
                now,
            )
        )
    cols = ", ".join(CONTACT_COLS)
    if dialect.name == "sqlite":
        marks = ", ".join("?" for _ in CONTACT_COLS)
        sql = f"INSERT INTO contact ({cols}) VALUES ({marks}) ON CONFLICT (source_ref) DO NOTHING"
    else:
        marks = ", ".join("%s" for _ in CONTACT_COLS)
        sql = f"INSERT INTO contact ({cols}) VALUES ({marks}) ON CONFLICT (source_ref) DO NOTHING"
    conn = session.connection()
    existing = conn.execute(select(func.count()).select_from(Contact.__table__)).scalar_one()  # type: ignore[attr-defined]
    with bulk_load(conn, tables=["contact"], new_rows=len(rows), existing_rows=existing):
        cursor = conn.connection.cursor()
        try:
            for part in _chunks(rows, 20_000):
                cursor.executemany(sql, part)
        finally:
            cursor.close()


def _resolve_parties(session: Session, parsed: ParsedRegister) -> tuple[dict[str, int], int]:
    """Map case_ref -> party id, creating parties that are not known yet."""
    party_t = Party.__table__  # type: ignore[attr-defined]
    email_t = PartyEmail.__table__  # type: ignore[attr-defined]
    phone_t = PartyPhone.__table__  # type: ignore[attr-defined]
    by_ref: dict[str, int] = {}
    refs = sorted({c.party_ref for c in parsed.cases.values() if c.party_ref})
    for part in _chunks(refs):
        for ref, pid in session.execute(
            select(party_t.c.ref, party_t.c.id).where(party_t.c.ref.in_(part))
        ):
            by_ref[ref] = pid
    emails = sorted({e for c in parsed.cases.values() for e in c.emails})
    by_email: dict[str, int] = {}
    for part in _chunks(emails):
        for a, pid in session.execute(
            select(email_t.c.address, email_t.c.party_id).where(email_t.c.address.in_(part))
        ):
            by_email[a] = pid
    phones = sorted({p for c in parsed.cases.values() for p in c.phones})
    by_phone: dict[str, int] = {}
    for part in _chunks(phones):
        for n, pid in session.execute(
            select(phone_t.c.number, phone_t.c.party_id).where(phone_t.c.number.in_(part))
        ):
            by_phone[n] = pid

    # Group cases into parties: same party_ref, else shared e-mail/phone, else the case alone.
    key_of: dict[str, str] = {}
    first: dict[str, Any] = {}
    for c in parsed.cases.values():
        if c.party_ref:
            key = "ref:" + c.party_ref
        elif c.emails:
            key = "email:" + c.emails[0]
        elif c.phones:
            key = "phone:" + c.phones[0]
        else:
            key = "case:" + c.ref
        key_of[c.ref] = key
        first.setdefault(key, c)

    party_of_key: dict[str, int] = {}
    to_create = []
    for key, c in first.items():
        pid = None
        if c.party_ref:
            pid = by_ref.get(c.party_ref)
        if pid is None:
            pid = next((by_email[e] for e in c.emails if e in by_email), None)
        if pid is None:
            pid = next((by_phone[p] for p in c.phones if p in by_phone), None)
        if pid is None:
            to_create.append(key)
        else:
            party_of_key[key] = pid
    if to_create:
        now = utcnow()
        for part in _chunks(to_create):
            rows = [
                {
                    "kind": first[k].party_kind,
                    "name": first[k].party_name,
                    "ref": first[k].party_ref,
                    "created_at": now,
                }
                for k in part
            ]
            ids = session.execute(insert(party_t).returning(party_t.c.id), rows).scalars().all()
            party_of_key.update(zip(part, ids, strict=True))

    # Addresses: attach every address not yet known anywhere.
    known_e, known_p = set(by_email), set(by_phone)
    new_e, new_p = [], []
    for c in parsed.cases.values():
        pid = party_of_key[key_of[c.ref]]
        for e in c.emails:
            if e not in known_e:
                known_e.add(e)
                new_e.append({"party_id": pid, "address": e})
        for p in c.phones:
            if p not in known_p:
                known_p.add(p)
                new_p.append({"party_id": pid, "number": p})
    for part in _chunks(new_e):
        session.execute(insert(email_t), list(part))
    for part in _chunks(new_p):
        session.execute(insert(phone_t), list(part))
    return {ref: party_of_key[key] for ref, key in key_of.items()}, len(to_create)
