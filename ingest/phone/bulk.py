"""Writing a file's calls in bulk: contacts and call records by executemany.

`store.contacts.add_contact` does one contact at a time (two lookups and an insert each):
fine for a mail, far too slow for a million-row export. This is the same rule in bulk:

- a known number (party_phone) makes the contact that party's;
- a party with exactly one open case gets the contact linked to it; otherwise the contact
  waits in triage;
- hidden numbers make a contact with counterpart None and no party;
- `source_ref` "call:<row key>" identifies the contact (the caller has already removed
  rows whose key is stored, so these inserts are all new).

Rows go in through lightweight core tables whose columns carry no types, so no per-value
bind processor runs; values are given in the form each backend stores (`_Adapt`), which
`store.models.UtcDateTime` and the Date type read back unchanged (tests check this).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import column, func, select, table
from sqlmodel import Session

from ingest.phone.parse import CallRow
from store.models import Case, PartyPhone
from store.timeutil import CPH

CHUNK = 500  # numbers per IN (...) list

CONTACT_COLS = ("id", "channel", "direction", "occurred_at", "occurred_on", "summary",
                "counterpart", "access_request", "case_id", "party_id", "source_ref",
                "dismissed", "dismissed_reason", "created_at")
CALL_COLS = ("contact_id", "file_id", "row_key", "started_at", "direction", "number",
             "raw_number", "status", "duration_s", "line")

_contact = table("contact", *(column(c) for c in CONTACT_COLS))
_call = table("call_record", *(column(c) for c in CALL_COLS))


def row_key(start_utc: dt.datetime, number: str | None, direction: str, duration: int) -> str:
    """(start time UTC to the second, number, direction, duration)."""
    naive = start_utc.replace(tzinfo=None, microsecond=0)
    return f"{naive.isoformat()}Z|{number or 'hidden'}|{direction}|{duration}"


class _Adapt:
    """Datetimes and dates in the form the backend stores them.

    SQLite keeps them as text in SQLAlchemy's format ("2024-10-27 00:30:00.000000",
    "2024-10-27"); other backends take naive UTC datetime and date objects.
    """

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def dt(self, v: dt.datetime) -> object:
        naive = v.astimezone(dt.UTC).replace(tzinfo=None) if v.tzinfo is not dt.UTC \
            else v.replace(tzinfo=None)
        return naive.isoformat(" ", "microseconds") if self.sqlite else naive

    def date(self, v: dt.date) -> object:
        return v.isoformat() if self.sqlite else v


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def parties_for_numbers(session: Session, numbers: Iterable[str]) -> dict[str, int]:
    """E.164 number -> party id, for the numbers that belong to a party."""
    nums = sorted({n for n in numbers if n})
    out: dict[str, int] = {}
    for chunk in _chunks(nums):
        for number, party_id in session.execute(
            select(PartyPhone.number, PartyPhone.party_id).where(  # type: ignore[call-overload]
                PartyPhone.number.in_(chunk)  # type: ignore[attr-defined]
            )
        ):
            out[number] = party_id
    return out


def single_open_case(session: Session, party_ids: Iterable[int]) -> dict[int, int]:
    """Party id -> its case id, for parties with exactly one open case."""
    ids = sorted(set(party_ids))
    out: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        rows = session.execute(
            select(Case.party_id, func.count(), func.min(Case.id))  # type: ignore[call-overload]
            .where(Case.party_id.in_(chunk), Case.closed_on.is_(None))  # type: ignore[union-attr,attr-defined]
            .group_by(Case.party_id)
        )
        for party_id, n, case_id in rows:
            if n == 1:
                out[party_id] = case_id
    return out


@dataclass
class BulkResult:
    contact_ids: list[int]
    with_party: int
    linked: int


def _next_ids(session: Session, n: int) -> list[int] | None:
    """Ids for `n` new contacts on SQLite: the caller holds the write lock (it has
    already inserted the imported_file row), so max(id) cannot move under us. None on
    other backends, which hand out ids from their sequence via RETURNING."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    top = session.execute(select(func.max(column("id"))).select_from(table("contact"))).scalar()
    start = (top or 0) + 1
    return list(range(start, start + n))


def insert_calls(session: Session, rows: Sequence[CallRow], keys: Sequence[str], *,
                 file_id: int, now: dt.datetime) -> BulkResult:
    """Insert one contact and one call record per row, in the session's transaction."""
    if not rows:
        return BulkResult([], 0, 0)
    adapt = _Adapt(session.get_bind().dialect.name)
    parties = parties_for_numbers(session, (r.number for r in rows if r.number))
    cases = single_open_case(session, parties.values())
    created = adapt.dt(now)
    local_dates: dict[tuple[dt.date, int], object] = {}
    to_dt = adapt.dt
    contacts = []
    with_party = linked = 0
    ids = _next_ids(session, len(rows))
    for i, r in enumerate(rows):
        start = r.start
        # The Copenhagen date changes only on the hour: cache it per UTC date and hour.
        lk = (start.date(), start.hour)
        on = local_dates.get(lk)
        if on is None:
            on = adapt.date(start.astimezone(CPH).date())
            local_dates[lk] = on
        party_id = parties.get(r.number) if r.number else None
        case_id = cases.get(party_id) if party_id is not None else None
        if party_id is not None:
            with_party += 1
            if case_id is not None:
                linked += 1
        contacts.append({
            "id": ids[i] if ids is not None else None,
            "channel": "phone", "direction": r.direction, "occurred_at": to_dt(start),
            "occurred_on": on, "summary": None, "counterpart": r.number,
            "access_request": False, "case_id": case_id, "party_id": party_id,
            "source_ref": "call:" + keys[i], "dismissed": False, "dismissed_reason": None,
            "created_at": created,
        })
    if ids is not None:
        session.execute(_contact.insert(), contacts)
        contact_ids = ids
    else:
        for c in contacts:
            del c["id"]
        stmt = _contact.insert().returning(_contact.c.id, sort_by_parameter_order=True)
        contact_ids = list(session.execute(stmt, contacts).scalars())
    del contacts
    calls = [
        {
            "contact_id": contact_ids[i], "file_id": file_id, "row_key": keys[i],
            "started_at": to_dt(r.start), "direction": r.direction, "number": r.number,
            "raw_number": r.raw_number, "status": r.status, "duration_s": r.duration_s,
            "line": r.line,
        }
        for i, r in enumerate(rows)
    ]
    session.execute(_call.insert(), calls)
    return BulkResult(contact_ids, with_party, linked)
