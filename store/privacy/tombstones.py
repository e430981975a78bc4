"""What is left of a purged or erased call, so that an import does not bring it back.

An imported call is a contact whose `source_ref` is its row key, "call:<start UTC>|
<number>|<direction>|<duration>": weekly exports overlap, and the key is how an import
knows a call is already stored. The key holds the number, so a purge or an erasure
cannot keep it. Without it, the next export that covers the same days would import the
call again as new: the number would be back in triage, and the call counted twice (the
purged call's anonymous count fact stays).

So the purge keeps the key without the number: "purged-call:<start UTC>|<direction>|
<duration>". That is no more than the anonymous contact row keeps anyway (its time and
direction) plus the call's length, and identifies nobody. An incoming call with the
same start second, direction and length as a purged one is left out; on one advisor's
line two different calls never match on all three.

Two purged calls can share that key (two numbers, same second, same length): the second
is stored with "|<contact id>" after it, as the column is unique; one match is enough.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from store.models import Contact

CALL_PREFIX = "call:"
TOMBSTONE_PREFIX = "purged-call:"
_CHUNK = 500


def numberless(row_key: str) -> str | None:
    """ "<start>|<number>|<direction>|<duration>" without the number, or None if it is
    not a call's row key."""
    parts = row_key.split("|")
    if len(parts) != 4:
        return None
    start, _number, direction, duration = parts
    return f"{start}|{direction}|{duration}"


def tombstone_calls(session: Session, contact_ids: Sequence[int]) -> int:
    """Replace the row keys of these contacts' imported calls by their tombstones;
    returns how many. Other source references (mail:, register:, manual:) are left as
    they are; the caller blanks whatever else it removes."""
    done = 0
    for i in range(0, len(contact_ids), _CHUNK):
        chunk = contact_ids[i : i + _CHUNK]
        rows = session.execute(
            select(col(Contact.id), col(Contact.source_ref)).where(
                col(Contact.id).in_(chunk), col(Contact.source_ref).startswith(CALL_PREFIX)
            )
        ).all()
        wanted: dict[int, str] = {}
        for cid, ref in rows:
            key = numberless(ref[len(CALL_PREFIX) :]) if ref else None
            if cid is not None and key is not None:
                wanted[cid] = TOMBSTONE_PREFIX + key
        taken = _existing(session, set(wanted.values()))
        values = []
        for cid, ref in sorted(wanted.items()):
            if ref in taken:
                ref = f"{ref}|{cid}"
            taken.add(ref)
            values.append({"cid": cid, "ref": ref})
        if values:
            table = Contact.__table__  # type: ignore[attr-defined]
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("cid"))
                .values(source_ref=bindparam("ref")),
                values,
            )
        done += len(values)
    return done


def purged_calls(session: Session, keys: Sequence[str]) -> set[str]:
    """The row keys among `keys` that match a purged or erased call.

    One range scan over the file's period (keys and tombstones both start with the ISO
    start time, so they sort by time when compared by code point): an import of a
    million calls costs one query, which finds nothing unless that period saw a purge.
    """
    if not keys:
        return set()
    lo = TOMBSTONE_PREFIX + min(keys)[:20]  # "YYYY-MM-DDTHH:MM:SSZ"
    hi = TOMBSTONE_PREFIX + max(keys)[:20] + "\uffff"
    ref = col(Contact.source_ref)
    if session.get_bind().dialect.name != "sqlite":
        # PostgreSQL compares text by the database's collation, which may not order
        # these keys by code point; "C" does (a scan, once per file).
        ref = ref.collate("C")  # type: ignore[assignment]
    stones = {
        _base(r)
        for r in session.execute(
            select(col(Contact.source_ref)).where(ref >= lo, ref <= hi)
        ).scalars()
        if r is not None
    }
    if not stones:
        return set()
    return {k for k in keys if numberless(k) in stones}


def _base(tombstone: str) -> str:
    """ "purged-call:<start>|<dir>|<dur>[|<contact id>]" -> "<start>|<dir>|<dur>"."""
    return "|".join(tombstone[len(TOMBSTONE_PREFIX) :].split("|")[:3])


def _existing(session: Session, refs: set[str]) -> set[str]:
    """Those of `refs` stored as a contact's source_ref (exact look-ups: on PostgreSQL
    a collation may order these keys differently from Python)."""
    out: set[str] = set()
    ordered = sorted(refs)
    for i in range(0, len(ordered), _CHUNK):
        chunk = ordered[i : i + _CHUNK]
        out.update(
            ref
            for ref in session.execute(
                select(col(Contact.source_ref)).where(col(Contact.source_ref).in_(chunk))
            ).scalars()
            if ref is not None
        )
    return out
