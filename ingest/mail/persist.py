"""Storing one fetched batch in one transaction: messages, locations, contacts, reply
targets and the folder's sync state together, so the state never runs ahead of the data.

Identity: a message is the hash of its whole bytes (`email_message.content_hash`, unique),
never its headers and size: forms and alarms send mail whose header block and size repeat
and whose body alone differs. Its places on the server are `mail_location` rows keyed
(account, folder, UIDVALIDITY, UID), the sync's fast path: a UID already located is not
fetched again. The same bytes in two folders, or seen again after a UIDVALIDITY change,
get a new location and nothing else. A message too large to store is hashed in pieces
(`fetch.fetch_digest`), so it is known by its content too. Only a message deleted on the
server before its body could be read has no content to be known by: its headers-only
placeholder is its own (`placeholder_hash`), and is completed in place if the same header
block and size turn up whole in another folder (it was filed meanwhile).

Inserts are bulk (executemany with RETURNING); the per-message work left is
`store.contacts.add_contact`, which resolves the party and auto-links.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from ingest.mail.parse import Parsed, attachments_json
from store.bulkload import CONTACT_COLS, WalCheckpointer, insert_sql, stored_day, stored_moment
from store.config import Config
from store.config.mail import MailAccount
from store.contacts import add_contact
from store.db import bulk_write_scope, session_scope
from store.models import (
    Channel,
    Contact,
    ContactCreate,
    Direction,
    EmailMessage,
    MailLocation,
    PartyEmail,
    ReplyOutbox,
    SyncState,
    utcnow,
)
from store.timeutil import local_date

VANISHED = "deleted on the server before its body was fetched; headers only"
# SQLite's default limit on bound parameters is 32,766; stay far below it.
IN_CHUNK = 900


@dataclass(slots=True)
class Item:
    """One message of a batch, ready to store."""

    uid: int
    size: int
    internaldate: dt.datetime | None
    raw: bytes | None = None  # full message, or the header section when not complete
    parsed: Parsed | None = None
    digest: str | None = None  # the whole message's hash, when `raw` is only its headers
    too_large: bool = False
    vanished: bool = False
    upgrade_email_id: int | None = None  # a placeholder row this full copy completes


@dataclass(slots=True)
class BatchResult:
    stored: int = 0  # new email_message rows
    located: int = 0  # new locations of already stored messages
    contact_ids: list[int] = field(default_factory=list)
    parse_errors: int = 0
    too_large: int = 0


@dataclass(slots=True)
class FolderState:
    account: str
    folder: str
    uidvalidity: int
    uidnext: int | None
    highestmodseq: int | None
    last_uid: int | None


def _in_chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + IN_CHUNK] for i in range(0, len(values), IN_CHUNK)]


def _domain(addr: str) -> str:
    return addr.rpartition("@")[2].lower()


def internal_domains(account: MailAccount) -> set[str]:
    doms = {d.lower().lstrip("@") for d in account.internal_domains}
    if "@" in account.username:
        doms.add(_domain(account.username))
    return doms


def direction_and_counterpart(
    p: Parsed, *, account: MailAccount, is_sent_folder: bool
) -> tuple[str, str | None]:
    """Inbound: the sender. Outbound (Sent folder, or sent by the account itself): the
    first recipient outside the internal domains, or None (internal mail only)."""
    own = account.username.lower()
    outbound = is_sent_folder or (p.from_addr is not None and p.from_addr == own)
    if not outbound:
        return Direction.inbound.value, p.from_addr
    internal = internal_domains(account)
    for addr in [*p.to_addrs, *p.cc_addrs, *p.bcc_addrs]:
        if _domain(addr) not in internal:
            return Direction.outbound.value, addr
    return Direction.outbound.value, None


def occurred_at(p: Parsed, internaldate: dt.datetime | None) -> dt.datetime:
    """The Date header (what every mail client shows), unless it is missing or claims to
    be more than a day after the server received the message; then INTERNALDATE."""
    arrived = internaldate.astimezone(dt.UTC) if internaldate else None
    if p.sent_at is not None:
        limit = (arrived or utcnow()) + dt.timedelta(days=1)
        if p.sent_at <= limit:
            return p.sent_at
    return arrived or utcnow()


EMAIL_COLS = (
    "contact_id",
    "message_id",
    "header_hash",
    "content_hash",
    "raw",
    "raw_size",
    "subject",
    "from_addr",
    "to_addrs",
    "cc_addrs",
    "sent_at",
    "in_reply_to",
    "references",
    "text",
    "attachments",
    "is_auto",
    "too_large",
    "parse_error",
    "headers",
    "purged_at",
)
LOCATION_COLS = ("email_id", "account", "folder", "uidvalidity", "uid")


def _email_row(db: Any, item: Item, contact_id: int | None) -> tuple[Any, ...]:
    """A new message's row (its parse is done: `persist_batch` parses first)."""
    p = item.parsed
    assert p is not None
    return _values(item, p, contact_id=contact_id, sent_at=stored_moment(db, p.sent_at))


def _values(item: Item, p: Parsed, *, contact_id: int | None, sent_at: object) -> tuple[Any, ...]:
    """An email_message row in EMAIL_COLS order, in the stored form."""
    return (
        contact_id,
        p.message_id,
        p.header_hash,
        p.content_hash,
        item.raw,
        item.size,
        p.subject,
        p.from_addr,
        ", ".join(p.to_addrs) or None,
        ", ".join(p.cc_addrs) or None,
        sent_at,
        p.in_reply_to,
        p.references,
        p.text,
        attachments_json(p),
        p.is_auto,
        item.too_large,
        VANISHED if item.vanished else p.parse_error,
        json.dumps(p.headers, ensure_ascii=False) if p.headers else None,
        None,
    )


def message_row(raw: bytes, p: Parsed, *, contact_id: int | None) -> EmailMessage:
    """One whole message as an ORM row, the same columns a sync stores (a reply sent from
    the desk is stored through this, so the sync later finds the same row)."""
    item = Item(uid=0, size=len(raw), internaldate=None, raw=raw, parsed=p)
    values = dict(
        zip(EMAIL_COLS, _values(item, p, contact_id=contact_id, sent_at=p.sent_at), strict=True)
    )
    return EmailMessage(**values)


def _row(item: Item, p: Parsed) -> dict[str, Any]:
    """The same row as a mapping, for an UPDATE of a headers-only row."""
    values = dict(
        zip(EMAIL_COLS, _values(item, p, contact_id=None, sent_at=p.sent_at), strict=True)
    )
    for name in ("contact_id", "purged_at"):
        del values[name]
    return values


def add_contacts(*, session: Session, contacts: list[tuple[str, ContactCreate]]) -> dict[str, int]:
    """`store.contacts.add_contact` for a whole batch: key -> contact id.

    Every contact whose counterpart belongs to a known party goes through `add_contact`
    itself (party resolution, auto-link to the one open case). For the others (unknown
    sender: most of a first sync) `add_contact` would do nothing but insert the row with
    its Copenhagen date; those rows are inserted in bulk, because one ORM insert each
    costs ~4 ms and dominated a first sync. Idempotent on source_ref, like add_contact.
    tests/ingest/mail/test_persist.py checks both paths give the same rows.
    """
    out: dict[str, int] = {}
    refs = [c.source_ref for _k, c in contacts if c.source_ref]
    existing = _ids_by_ref(session, refs)
    emails = sorted({c.counterpart for _k, c in contacts if c.counterpart and "@" in c.counterpart})
    with_party: set[str] = set()
    for chunk in _in_chunks(emails):
        with_party.update(
            session.execute(
                select(PartyEmail.address).where(PartyEmail.address.in_(chunk))  # type: ignore[attr-defined,call-overload]
            ).scalars()
        )
    bulk: list[tuple[str, ContactCreate]] = []
    for key, c in contacts:
        if c.source_ref in existing:
            out[key] = existing[c.source_ref]
            continue
        known = c.counterpart is not None and (
            c.counterpart in with_party or "@" not in c.counterpart
        )
        if known or c.party_id is not None or c.case_id is not None:
            contact = add_contact(session=session, contact_in=c)
            assert contact.id is not None
            out[key] = contact.id
            continue
        bulk.append((key, c))
    if bulk:
        # Plain tuples to the driver's executemany; the ids are read back by source_ref
        # (unique). Columns and defaults as store.models.Contact has them
        # (tests/ingest/mail/test_persist.py compares with add_contact's rows).
        conn = session.connection()
        created = stored_moment(conn, utcnow())
        top = _max_id(session, "contact")
        conn.exec_driver_sql(
            insert_sql(conn, "contact", CONTACT_COLS),
            [
                (
                    c.channel,
                    c.direction,
                    stored_moment(conn, c.occurred_at),
                    stored_day(conn, local_date(c.occurred_at)),
                    c.summary,
                    c.counterpart,
                    c.access_request,
                    None,
                    None,
                    c.source_ref,
                    False,
                    created,
                )
                for _k, c in bulk
            ],
        )
        ids = _new_ids(
            session, "contact", "source_ref", top, [c.source_ref for _k, c in bulk if c.source_ref]
        )
        for key, c in bulk:
            out[key] = ids[c.source_ref]  # type: ignore[index]
    return out


def _max_id(session: Session, table: str) -> int:
    return int(
        session.connection().exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar()
        or 0
    )


def _new_ids(session: Session, table: str, key: str, top: int, keys: list[str]) -> dict[str, int]:
    """key -> id of rows just inserted (executemany has no RETURNING): they are all above
    `top`, the highest id before the insert (SQLite gives max(id) + 1; a PostgreSQL
    sequence only goes up), so this is one range scan of the primary key instead of IN
    lists of 500 keys. Rows another writer added meanwhile are filtered out by key."""
    wanted = set(keys)
    conn = session.connection()
    rows = conn.exec_driver_sql(f"SELECT id, {key} FROM {table} WHERE id > {int(top)}").all()
    out = {k: i for i, k in rows if k in wanted}
    if len(out) != len(wanted):  # a safety net: look them up by their unique key
        by = _ids_by_ref if table == "contact" else _existing_by_hash
        out = by(session, keys)
    return out


def _ids_by_ref(session: Session, refs: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for chunk in _in_chunks(refs):
        out.update(
            {
                r: i
                for i, r in session.execute(
                    select(Contact.id, Contact.source_ref).where(  # type: ignore[call-overload]
                        Contact.source_ref.in_(chunk)  # type: ignore[union-attr]
                    )
                ).all()
            }
        )
    return out


def _sent_replies(session: Session, items: list[Item]) -> dict[str, int]:
    """Message-ID -> stored message, for the desk's sent replies among `items`."""
    ids = sorted({it.parsed.message_id for it in items if it.parsed and it.parsed.message_id})
    out: dict[str, int] = {}
    for chunk in _in_chunks(ids):
        for mid, eid in session.execute(
            select(ReplyOutbox.message_id, ReplyOutbox.email_id).where(  # type: ignore[call-overload]
                ReplyOutbox.message_id.in_(chunk),  # type: ignore[attr-defined]
                ReplyOutbox.email_id.is_not(None),  # type: ignore[union-attr]
            )
        ):
            out[mid] = eid
    return out


def _existing_by_hash(session: Session, hashes: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for chunk in _in_chunks(hashes):
        rows = session.execute(
            select(EmailMessage.id, EmailMessage.content_hash).where(  # type: ignore[call-overload]
                EmailMessage.content_hash.in_(chunk)  # type: ignore[attr-defined]
            )
        )
        out.update({h: i for i, h in rows})
    return out


def placeholder_hash(
    account: str, folder: str, uidvalidity: int, uid: int, header_hash: str
) -> str:
    """The identity of a message deleted before its body could be read: its place, so
    that it never stands for another message with the same headers."""
    key = f"vanished\0{account}\0{folder}\0{uidvalidity}\0{uid}\0{header_hash}"
    return hashlib.sha256(key.encode()).hexdigest()


def placeholders_by_header(
    session: Session, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """(header hash, size) -> id of a stored placeholder (a message deleted before its
    body was read) that a whole copy with these headers and size completes."""
    out: dict[tuple[str, int], int] = {}
    wanted = set(keys)
    for chunk in _in_chunks(sorted({h for h, _ in keys})):
        rows = session.execute(
            select(EmailMessage.id, EmailMessage.header_hash, EmailMessage.raw_size).where(  # type: ignore[call-overload]
                EmailMessage.header_hash.in_(chunk),  # type: ignore[attr-defined]
                EmailMessage.parse_error == VANISHED,
                EmailMessage.purged_at.is_(None),  # type: ignore[union-attr]
            )
        )
        for eid, hh, size in rows:
            if (hh, size) in wanted:
                out.setdefault((hh, size), eid)
    return out


def _headers_only(session: Session, ids: list[int]) -> set[int]:
    """Those of `ids` stored as headers only because they were too large (a whole copy,
    fetched once the limit allows it, completes them). A purged message is not: retention
    removed its content on purpose."""
    out: set[int] = set()
    for chunk in _in_chunks(ids):
        out.update(
            session.execute(
                select(EmailMessage.id).where(  # type: ignore[call-overload]
                    EmailMessage.id.in_(chunk),  # type: ignore[union-attr]
                    EmailMessage.too_large.is_(True),  # type: ignore[attr-defined]
                    EmailMessage.purged_at.is_(None),  # type: ignore[union-attr]
                )
            ).scalars()
        )
    return out


def _save_state(session: Session, st: FolderState, *, success: bool) -> None:
    row = session.execute(
        select(SyncState).where(
            col(SyncState.kind) == "imap",
            col(SyncState.name) == st.account,
            col(SyncState.folder) == st.folder,
        )
    ).scalar_one_or_none()
    if row is None:
        row = SyncState(kind="imap", name=st.account, folder=st.folder)
    row.uidvalidity = st.uidvalidity
    row.uidnext = st.uidnext
    row.highestmodseq = st.highestmodseq
    row.last_uid = st.last_uid
    if success:
        row.last_success = utcnow()
        row.last_error = None
    session.add(row)


def persist_batch(
    *,
    engine: Engine,
    config: Config,
    account: MailAccount,
    folder: str,
    is_sent_folder: bool,
    uidvalidity: int,
    items: list[Item],
    state: FolderState,
    final: bool,
    wal: WalCheckpointer | None = None,
) -> BatchResult:
    """Store a batch and advance the folder state to `state`, atomically. With `wal`, on
    its connection, and the checkpoint after the commit is left to its thread.

    Two accounts (a personal and a shared mailbox, synced side by side by the daemon)
    often receive the same message. Which messages are new is read before the writing
    begins, so the other sync may store one in between: the insert then breaks a unique
    key and the batch rolls back whole. It is then done once more, and this time finds
    the message stored. (Locking out the other writer for the read would serialise the
    parsing too; a clash is rare, a second pass cheap.)"""

    def once() -> BatchResult:
        return _persist_once(
            engine=engine,
            config=config,
            account=account,
            folder=folder,
            is_sent_folder=is_sent_folder,
            uidvalidity=uidvalidity,
            items=items,
            state=state,
            final=final,
            wal=wal,
        )

    try:
        return once()
    except IntegrityError:
        return once()


def _persist_once(
    *,
    engine: Engine,
    config: Config,
    account: MailAccount,
    folder: str,
    is_sent_folder: bool,
    uidvalidity: int,
    items: list[Item],
    state: FolderState,
    final: bool,
    wal: WalCheckpointer | None,
) -> BatchResult:
    from store.replies import apply_contacts

    res = BatchResult()
    conn = wal.connection() if wal is not None else None
    with bulk_write_scope(engine, bind=conn) as session:
        uids = [it.uid for it in items]
        located: set[int] = set()
        for chunk in _in_chunks(uids):
            located.update(
                session.execute(
                    select(MailLocation.uid).where(  # type: ignore[call-overload]
                        MailLocation.account == account.name,
                        MailLocation.folder == folder,
                        MailLocation.uidvalidity == uidvalidity,
                        MailLocation.uid.in_(chunk),  # type: ignore[attr-defined]
                    )
                ).scalars()
            )
        todo = [it for it in items if it.uid not in located]
        for it in todo:
            assert it.parsed is not None
            if it.vanished:
                it.parsed.content_hash = placeholder_hash(
                    account.name, folder, uidvalidity, it.uid, it.parsed.header_hash
                )
            elif it.digest is not None:
                it.parsed.content_hash = it.digest
        email_ids: dict[int, int] = {}  # uid -> email id
        existing = _existing_by_hash(session, sorted({it.parsed.content_hash for it in todo}))  # type: ignore[union-attr]
        headers_only = _headers_only(session, sorted(existing.values())) if existing else set()
        # A reply sent from the desk is stored when it is sent; its copy in Sent is that
        # message even where the server rewrote its bytes (Microsoft 365 does).
        sent_replies = _sent_replies(session, todo) if is_sent_folder else {}
        new_items: dict[str, Item] = {}
        upgrades: list[tuple[Item, dict[str, Any]]] = []
        completed: dict[str, int] = {}  # content hash -> the placeholder it completes
        for it in todo:
            p = it.parsed
            assert p is not None
            if p.content_hash in existing:
                email_ids[it.uid] = existing[p.content_hash]
                res.located += 1
                if email_ids[it.uid] in headers_only and not (it.too_large or it.vanished):
                    headers_only.discard(email_ids[it.uid])
                    it.upgrade_email_id = email_ids[it.uid]
                    upgrades.append((it, _row(it, p)))
            elif p.message_id is not None and p.message_id in sent_replies:
                email_ids[it.uid] = sent_replies[p.message_id]
                res.located += 1
            elif p.content_hash in completed:
                email_ids[it.uid] = completed[p.content_hash]
                res.located += 1
            elif p.content_hash in new_items:
                res.located += 1  # the same bytes twice in this batch
            elif it.upgrade_email_id is not None and it.upgrade_email_id not in completed.values():
                completed[p.content_hash] = it.upgrade_email_id
                upgrades.append((it, _row(it, p)))
                email_ids[it.uid] = it.upgrade_email_id
                res.located += 1
            else:
                new_items[p.content_hash] = it
                res.parse_errors += bool(p.parse_error)
                res.too_large += it.too_large
        for it, row in upgrades:
            session.execute(
                update(EmailMessage).where(EmailMessage.id == it.upgrade_email_id).values(**row)  # type: ignore[arg-type]
            )
        # Contacts first (one per new message), so each message row is inserted with its
        # contact_id: no second pass over the rows.
        wanted: list[tuple[str, ContactCreate]] = []
        for h, it in new_items.items():
            p = it.parsed
            assert p is not None
            direction, counterpart = direction_and_counterpart(
                p, account=account, is_sent_folder=is_sent_folder
            )
            if direction == Direction.outbound.value and counterpart is None:
                continue  # internal mail only: stored, but not a citizen contact
            wanted.append(
                (
                    h,
                    ContactCreate(
                        channel=Channel.email.value,
                        direction=direction,
                        occurred_at=occurred_at(p, it.internaldate),
                        summary=(p.subject or "")[:500] or None,
                        counterpart=counterpart,
                        source_ref=f"mail:{h}",
                    ),
                )
            )
        contact_by_hash = add_contacts(session=session, contacts=wanted)
        res.contact_ids = list(contact_by_hash.values())
        by_hash: dict[str, int] = {}
        db = session.connection()
        if new_items:
            # Plain tuples to the driver's executemany (no per-row SQLAlchemy parameter
            # processing, no RETURNING); the ids are read back by content hash (unique).
            top = _max_id(session, "email_message")
            db.exec_driver_sql(
                insert_sql(db, "email_message", EMAIL_COLS),
                [_email_row(db, it, contact_by_hash.get(h)) for h, it in new_items.items()],
            )
            by_hash = _new_ids(session, "email_message", "content_hash", top, list(new_items))
            res.stored = len(new_items)
        for it in todo:
            if it.uid not in email_ids and it.parsed is not None:
                email_ids[it.uid] = by_hash[it.parsed.content_hash]
        if email_ids:
            db.exec_driver_sql(
                insert_sql(db, "mail_location", LOCATION_COLS),
                [(eid, account.name, folder, uidvalidity, uid) for uid, eid in email_ids.items()],
            )
        if res.contact_ids:
            apply_contacts(session=session, config=config, contact_ids=res.contact_ids)
        _save_state(session, state, success=final)
        session.commit()
    if wal is not None:
        wal.committed()
    return res


def save_state(engine: Engine, state: FolderState, *, success: bool) -> None:
    with bulk_write_scope(engine) as session:
        _save_state(session, state, success=success)
        session.commit()


def record_error(engine: Engine, *, account: str, folder: str, error: str) -> None:
    """Note a failure on the folder's row (or the account's, folder ""). The daemon owns
    the failure counters and backoff; this keeps `status` truthful for one-off syncs."""
    with bulk_write_scope(engine) as session:
        row = session.execute(
            select(SyncState).where(
                col(SyncState.kind) == "imap",
                col(SyncState.name) == account,
                col(SyncState.folder) == folder,
            )
        ).scalar_one_or_none()
        if row is None:
            row = SyncState(kind="imap", name=account, folder=folder)
        row.last_error = error[:500]
        row.last_error_at = utcnow()
        session.add(row)
        session.commit()


def load_state(engine: Engine, account: str, folder: str) -> SyncState | None:
    with session_scope(engine) as session:
        return session.execute(
            select(SyncState).where(
                col(SyncState.kind) == "imap",
                col(SyncState.name) == account,
                col(SyncState.folder) == folder,
            )
        ).scalar_one_or_none()


def placeholder_lookup(engine: Engine, keys: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
    with session_scope(engine) as session:
        return placeholders_by_header(session, keys)
