"""Writing a file's calls in bulk: one contact row per call, by executemany.

`store.contacts.add_contact` does one contact at a time (two lookups and an insert each):
fine for a mail, far too slow for a million-row export. This is the same rule in bulk:

- a known number (party_phone) makes the contact that party's;
- a party with exactly one open case gets the contact linked to it; otherwise the contact
  waits in triage;
- hidden numbers make a contact with counterpart None and no party;
- `source_ref` "call:<row key>" identifies the contact (the caller has already removed
  rows whose key is stored, so these inserts are all new).

Rows go in as tuples to the driver's executemany (`Connection.exec_driver_sql`: one
prepared statement, no per-row SQLAlchemy parameter processing), with ids assigned up
front so reply targets can point at their contacts without a RETURNING round trip. Values
are in the form each backend stores (`_Adapt`), which `store.models.UtcDateTime` and the
Date type read back unchanged (tests check this through the ORM, on SQLite and, in CI's
PostgreSQL pass, on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from sqlalchemy import column, func, select, table, text
from sqlmodel import Session, col

from ingest.phone.parse import CallRow
from store.bulkload import CALL_COLS, CONTACT_COLS, bulk_load, in_values
from store.models import Case, PartyPhone
from store.replies.bulk import NewCalls
from store.timeutil import CPH

UTC = dt.UTC

CHUNK = 500  # party ids per IN (...) list

# One row per call (the contact carries the call's details, store.models.Contact.call_*),
# its id taken here.
CALL_CONTACT_COLS = ("id", *CONTACT_COLS, *CALL_COLS)


def row_key(start_utc: dt.datetime, number: str | None, direction: str, duration: int) -> str:
    """(start time UTC to the second, number, direction, duration)."""
    if start_utc.tzinfo is not dt.UTC:
        start_utc = start_utc.astimezone(dt.UTC)
    # isoformat()[:19] of a UTC time is "YYYY-MM-DDTHH:MM:SS", fractions cut off.
    return f"{start_utc.isoformat()[:19]}Z|{number or 'hidden'}|{direction}|{duration}"


def key_of(r: CallRow) -> str:
    """`row_key` of a parsed call, from its UTC text when the parser made one."""
    t = r.utc_text
    if t is None:
        return row_key(r.start, r.number, r.direction, r.duration_s)
    return f"{t}Z|{r.number or 'hidden'}|{r.direction}|{r.duration_s}"


# An aware time as naive UTC by arithmetic, `t - _EPOCH + _NAIVE_EPOCH`: equal to
# `t.astimezone(UTC).replace(tzinfo=None)`, and ~0.1 µs where replace() (keyword
# arguments) costs ~0.75 µs, once per call of a million-row file.
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = dt.datetime(2000, 1, 1)


def keys_of(rows: Sequence[CallRow]) -> list[str]:
    """`key_of` of every row (inlined: a function call per row is a fifth of the work)."""
    return [
        f"{t}Z|{r.number or 'hidden'}|{r.direction}|{r.duration_s}"
        if (t := r.utc_text) is not None
        else row_key(r.start, r.number, r.direction, r.duration_s)
        for r in rows
    ]


class _Adapt:
    """Datetimes and dates in the form the backend stores them.

    SQLite keeps them as text in SQLAlchemy's format ("2024-10-27 00:30:00.000000",
    "2024-10-27"); other backends take naive UTC datetime and date objects.
    """

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def moment(self, v: dt.datetime) -> object:
        naive = (
            v.astimezone(dt.UTC).replace(tzinfo=None)
            if v.tzinfo is not dt.UTC
            else v.replace(tzinfo=None)
        )
        return naive.isoformat(" ", "microseconds") if self.sqlite else naive

    def day(self, v: dt.date) -> object:
        return v.isoformat() if self.sqlite else v


def parties_for_numbers(session: Session, numbers: Iterable[str]) -> dict[str, int]:
    """E.164 number -> party id, for the numbers that belong to a party."""
    out: dict[str, int] = {}
    for clause in in_values(session, col(PartyPhone.number), (n for n in numbers if n)):
        for number, party_id in session.execute(
            select(PartyPhone.number, PartyPhone.party_id).where(clause)  # type: ignore[call-overload]
        ):
            out[number] = party_id
    return out


def single_open_case(session: Session, party_ids: Iterable[int]) -> dict[int, tuple[int, dt.date]]:
    """Party id -> (its case id, the day the case opened), for parties with exactly one
    open case (`add_contact` links a call to it only from that day on)."""
    ids = sorted(set(party_ids))
    out: dict[int, tuple[int, dt.date]] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        rows = session.execute(
            select(
                Case.party_id,
                func.count(),
                func.min(Case.id),  # type: ignore[call-overload]
                func.min(Case.opened_on),
            )
            .where(col(Case.party_id).in_(chunk), col(Case.closed_on).is_(None))
            .group_by(Case.party_id)
        )
        for party_id, n, case_id, opened_on in rows:
            if n == 1:
                out[party_id] = (case_id, opened_on)
    return out


@dataclass
class BulkResult:
    contact_ids: list[int]
    with_party: int
    linked: int
    # The inserted contacts as `store.replies.bulk.apply_new_calls` reads them.
    calls: NewCalls | None = None


def _next_ids(session: Session, n: int) -> list[int]:
    """Ids for `n` new contacts.

    SQLite: max(id) + 1 ...; the caller holds the write lock (it has already inserted the
    imported_file row), so no other writer can take them. PostgreSQL: drawn from the
    column's own sequence, so later ordinary inserts never collide with them."""
    if session.get_bind().dialect.name == "sqlite":
        top = session.execute(select(func.max(column("id"))).select_from(table("contact"))).scalar()
        start = (top or 0) + 1
        return list(range(start, start + n))
    return list(
        session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('contact', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": n},
        ).scalars()
    )


def _insert_sql(session: Session, name: str, cols: Sequence[str]) -> str:
    style = session.get_bind().dialect.paramstyle
    mark = "?" if style == "qmark" else "%s"
    return f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"


LEAN_COLS = (
    "id",
    "direction",
    "occurred_at",
    "occurred_on",
    "counterpart",
    "source_ref",
    "call_status",
    "call_duration_s",
    "call_raw_number",
)


def _lean_insert_sql(session: Session, created: object, file_id: int) -> str:
    """INSERT for calls with no party, case or line: the shared values as literals (all
    generated here: an ISO time and an integer id, nothing from the file)."""
    style = session.get_bind().dialect.paramstyle
    mark = "?" if style == "qmark" else "%s"
    stamp = created if isinstance(created, str) else created.isoformat(" ", "microseconds")  # type: ignore[attr-defined]
    assert all(ch.isdigit() or ch in "-: ." for ch in stamp)
    cols = (*LEAN_COLS, "channel", "access_request", "dismissed", "created_at", "call_file_id")
    values = [mark] * len(LEAN_COLS) + [
        "'phone'",
        "false",
        "false",
        f"'{stamp}'",
        str(int(file_id)),
    ]
    return f"INSERT INTO contact ({', '.join(cols)}) VALUES ({', '.join(values)})"


@dataclass
class PreparedCalls:
    """A file's calls as rows for the contact table, ids assigned, not yet written."""

    ids: list[int]
    lean: list[tuple[object, ...]]  # LEAN_COLS, for `_lean_insert_sql`
    full: list[tuple[object, ...]]  # CALL_CONTACT_COLS
    created: object
    file_id: int
    calls: NewCalls
    with_party: int
    linked: int


def prepare_calls(
    session: Session,
    rows: Sequence[CallRow],
    keys: Sequence[str],
    *,
    file_id: int,
    now: dt.datetime,
) -> PreparedCalls:
    """Link each call to its party (and single open case) and build its contact row.
    Reads only; the caller holds the write lock (ids are taken from the table)."""
    dialect = session.get_bind().dialect.name
    adapt = _Adapt(dialect)
    # Columns by attrgetter: map() walks the rows in C, ~3x faster than a comprehension.
    numbers = list(map(attrgetter("number"), rows))
    parties = parties_for_numbers(session, set(numbers) - {None, ""})
    cases = single_open_case(session, parties.values())
    created = adapt.moment(now)
    sqlite = adapt.sqlite
    local_dates: dict[object, tuple[object, dt.date]] = {}
    starts: list[object] = []
    naive_starts: list[dt.datetime] = []
    days: list[dt.date] = []
    contacts: list[tuple[object, ...]] = []
    # Calls of no party and no line (nearly all): the values every row shares are written
    # into the statement, not bound per row; binding costs ~0.3 µs a value, a third of
    # the insert for a million rows.
    lean: list[tuple[object, ...]] = []
    with_party = linked = 0
    n = len(rows)
    ids = _next_ids(session, n) if rows else []
    # With no party among the file's numbers, no call has a party or a case.
    party_ids: list[int | None] = [] if parties else [None] * n
    case_ids: list[int | None] = [] if parties else [None] * n
    append_day, append_start, append_at = days.append, naive_starts.append, starts.append
    append_lean = lean.append
    at: object
    for i, r in enumerate(rows):
        t = r.utc_text
        if t is not None and sqlite and not parties and r.line is None:
            # The common row (dk-generic, no party, no line, SQLite): its stored time and
            # local day cut from the UTC text, no time-zone arithmetic.
            got = local_dates.get(t[:13])
            if got is None:
                start = r.start.astimezone(UTC)
                day = start.astimezone(CPH).date()
                got = local_dates[t[:13]] = (day.isoformat(), day)
            append_day(got[1])
            append_start(r.start - _EPOCH + _NAIVE_EPOCH)
            at = f"{t[:10]} {t[11:]}.000000"
            append_at(at)
            append_lean(
                (
                    ids[i],
                    r.direction,
                    at,
                    got[0],
                    r.number,
                    "call:" + keys[i],
                    r.status,
                    r.duration_s,
                    r.raw_number,
                )
            )
            continue
        start = r.start
        if start.tzinfo is not UTC:
            start = start.astimezone(UTC)
        # The Copenhagen date changes only on the hour: cache it per UTC date and hour
        # ("YYYY-MM-DDTHH" of the UTC text, when the parser made one).
        lk = t[:13] if t is not None else (start.date(), start.hour)
        got = local_dates.get(lk)
        if got is None:
            day = start.astimezone(CPH).date()
            got = local_dates[lk] = (adapt.day(day), day)
        on = got[0]
        append_day(got[1])
        append_start(start - _EPOCH + _NAIVE_EPOCH)
        # SQLAlchemy's SQLite DATETIME text: "YYYY-MM-DD HH:MM:SS.ffffff" (UTC, naive).
        if not sqlite:
            at = start.replace(tzinfo=None)
        elif t is not None:
            at = f"{t[:10]} {t[11:]}.000000"
        else:
            at = start.isoformat(" ", "microseconds")[:26]
        append_at(at)
        if parties and r.number in parties:
            party_id: int | None = parties[r.number]
            case = cases.get(party_id) if party_id is not None else None
            case_id = case[0] if case is not None and case[1] <= got[1] else None
            with_party += 1
            if case_id is not None:
                linked += 1
        else:
            party_id = case_id = None
        if parties:
            party_ids.append(party_id)
            case_ids.append(case_id)
        if party_id is None and r.line is None:
            append_lean(
                (
                    ids[i],
                    r.direction,
                    at,
                    on,
                    r.number,
                    "call:" + keys[i],
                    r.status,
                    r.duration_s,
                    r.raw_number,
                )
            )
        else:
            contacts.append(
                (
                    ids[i],
                    "phone",
                    r.direction,
                    at,
                    on,
                    None,
                    r.number,
                    False,
                    case_id,
                    party_id,
                    "call:" + keys[i],
                    False,
                    created,
                    r.status,
                    r.duration_s,
                    r.raw_number,
                    r.line,
                    file_id,
                )
            )
    calls = NewCalls(
        ids=ids,
        at=naive_starts,
        stored_at=starts,
        on=days,
        direction=list(map(attrgetter("direction"), rows)),
        counterpart=numbers,
        party_id=party_ids,
        case_id=case_ids,
        status=list(map(attrgetter("status"), rows)),
    )
    return PreparedCalls(ids, lean, contacts, created, file_id, calls, with_party, linked)


def write_calls(
    session: Session, prepared: PreparedCalls, while_indexing: Callable[[], None] = lambda: None
) -> None:
    """Insert the prepared contacts in the session's transaction. `while_indexing` runs
    while the contact indexes are built again after a bulk load (in parallel on SQLite;
    it must not use the session), or after the insert when none were dropped."""
    conn = session.connection()
    n = len(prepared.ids)
    # A big import touches every page of the contact indexes (the counterpart index in
    # random order), and a bulk load into a young database is faster with the secondary
    # indexes built once afterwards: store.bulkload does both, inside this transaction.
    with bulk_load(
        conn, tables=("contact",), new_rows=n, existing_rows=prepared.ids[0] - 1 if n else 0
    ) as load:
        if prepared.lean:
            conn.exec_driver_sql(
                _lean_insert_sql(session, prepared.created, prepared.file_id), prepared.lean
            )
        if prepared.full:
            conn.exec_driver_sql(_insert_sql(session, "contact", CALL_CONTACT_COLS), prepared.full)
        prepared.lean, prepared.full = [], []
        load.rebuild_while(while_indexing)


def insert_calls(
    session: Session,
    rows: Sequence[CallRow],
    keys: Sequence[str],
    *,
    file_id: int,
    now: dt.datetime,
) -> BulkResult:
    """Insert one contact per row (with the call's details), in the session's
    transaction: `prepare_calls` then `write_calls`."""
    if not rows:
        return BulkResult([], 0, 0)
    prepared = prepare_calls(session, rows, keys, file_id=file_id, now=now)
    write_calls(session, prepared)
    return BulkResult(prepared.ids, prepared.with_party, prepared.linked, prepared.calls)
