"""Indbakke's first page without SQLAlchemy: the desk's first frame.

Importing SQLAlchemy and building the ORM models costs more than all of Textual, so the
UI's first screen on a SQLite store reads its rows with the standard library's sqlite3
and loads `store.desk.Desk` after the first frame. The SQL text here is the SQLite form
of `store.desk.queries.triage_page` (tests/tui/test_first_page.py checks that both
return the same rows); the rows are built by the same functions (`pick_replies`,
`triage_row`), which `store.desk.queries` uses too. PostgreSQL keeps the ORM path.

Nothing here writes: the connection is read-only (`query_only`), and anything unusual
(not a plain SQLite file URL, an empty or missing file, another migration) gives None,
so the caller takes the full path, which says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from store.desk.rows import (
    CallFacts,
    DataVersion,
    OutboxState,
    Page,
    ReplyDue,
    TriageFilter,
    TriageRow,
)
from store.reply_status import OUTBOX_SHOWN, reason_of, status_of
from store.revision import HEAD_REVISION

# The data version of a page read here: equal to none the desk reads, so the live
# probe's first look (through the Desk) reloads the page once, reading it through the
# ORM at a known version.
FIRST_PAGE_VERSION = DataVersion(parts=("first page",))

_WAITING = "contact.case_id IS NULL AND contact.dismissed IS 0"
WHERE: dict[TriageFilter, str] = {
    TriageFilter.everything: _WAITING,
    TriageFilter.owes_reply: (
        f"{_WAITING} AND (EXISTS (SELECT * FROM reply_target "
        "WHERE reply_target.contact_id = contact.id AND reply_target.state = 'open'))"
    ),
    TriageFilter.hide_outbound_answered: (
        f"{_WAITING} AND NOT (contact.channel = 'email' AND contact.direction = 'out') "
        "AND (contact.call_status IS NULL OR contact.call_status != 'answered')"
    ),
}
COUNT_SQL = "SELECT count(*) FROM contact WHERE {where}"
ROWS_SQL = (
    "SELECT contact.id, contact.channel, contact.direction, contact.counterpart, "
    "contact.party_id, contact.summary, contact.occurred_at, party.name, "
    "email_message.subject, contact.call_status, contact.call_duration_s, "
    "contact.assigned_to "
    "FROM contact JOIN (SELECT contact.id AS id FROM contact WHERE {where} "
    "ORDER BY contact.occurred_at DESC, contact.id DESC LIMIT ? OFFSET ?) AS page "
    "ON page.id = contact.id "
    "LEFT OUTER JOIN party ON party.id = contact.party_id "
    "LEFT OUTER JOIN email_message ON email_message.contact_id = contact.id "
    "ORDER BY contact.occurred_at DESC, contact.id DESC"
)
# store.desk.replies.outbox_states: each contact's newest desk reply, if it has not gone.
OUTBOX_SQL = (
    "SELECT contact_id, id, state, last_error, attempts, next_attempt_at FROM reply_outbox "
    "WHERE id IN (SELECT max(id) FROM reply_outbox WHERE contact_id IN ({marks}) "
    "GROUP BY contact_id) AND state != 'sent'"
)
REPLIES_SQL = (
    "SELECT id, contact_id, rule, state, due_at, due_soon_at, met_at FROM reply_target "
    "WHERE contact_id IN ({marks})"
)


# ------------------------------------------------------------- shared with the ORM path


def first_line(text: str | None, limit: int = 200) -> str:
    if not text:
        return ""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""


def who(name: str | None, counterpart: str | None) -> str:
    """The party's name, else the address or number; "" when neither is known (a hidden
    number): the UI says that in its own language."""
    return name or counterpart or ""


def pick_replies(rows: Iterable[Sequence[Any]], now: dt.datetime) -> dict[int, ReplyDue]:
    """The most pressing reply target of each contact: the earliest open one, else the
    latest closed one. `rows`: (id, contact_id, rule, state, due_at, due_soon_at,
    met_at), times aware."""
    best: dict[int, tuple[tuple[int, float], ReplyDue]] = {}
    for tid, cid, rule, state, due, soon, met in rows:
        status = status_of(state=state, due_at=due, due_soon_at=soon, met_at=met, now=now)
        key = (0 if state == "open" else 1, due.timestamp() * (1 if state == "open" else -1))
        if cid not in best or key < best[cid][0]:
            best[cid] = (key, ReplyDue(target_id=tid, rule=rule, status=status, due_at=due))
    return {cid: v for cid, (_k, v) in best.items()}


def unique_contacts(rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    """One row per contact (the first), even if a join matched twice."""
    seen: set[int] = set()
    out = []
    for r in rows:
        if r[0] not in seen:
            seen.add(r[0])
            out.append(r)
    return out


def outbox_states(rows: Iterable[Sequence[Any]]) -> dict[int, OutboxState]:
    """OUTBOX_SQL's rows (times aware) as the desk shows them, by contact."""
    return {
        int(cid): OutboxState(
            outbox_id=int(oid),
            state=OUTBOX_SHOWN.get(state, "queued"),
            reason=reason_of(state, error),
            attempts=int(attempts),
            retry_at=retry,
        )
        for cid, oid, state, error, attempts, retry in rows
    }


def triage_row(
    r: Sequence[Any], replies: dict[int, ReplyDue], outbox: dict[int, OutboxState]
) -> TriageRow:
    """A row of ROWS_SQL's columns (times aware) as Indbakke shows it."""
    cid, ch, d, cp, pid, summ, at, pname, subj, cstatus, cdur, owner = r
    return TriageRow(
        contact_id=cid,
        channel=ch,
        direction=d,
        who=who(pname, cp),
        party_id=pid,
        subject=subj if subj is not None else first_line(summ),
        occurred_at=at,
        reply=replies.get(cid),
        call=CallFacts(cstatus, cdur or 0) if cstatus is not None else None,
        assigned_to=owner,
        outbox=outbox.get(cid),
    )


# ------------------------------------------------------------------ the light path


def sqlite_file(url: str) -> Path | None:
    """The file of a plain `sqlite:///path` URL; None for anything else (PostgreSQL, a
    query string, escapes): the full path handles those."""
    if not url.startswith("sqlite:///") or any(c in url for c in "?%#"):
        return None
    rest = url.removeprefix("sqlite:///")
    return Path(rest) if rest and rest != ":memory:" else None


def connect(url: str) -> sqlite3.Connection | None:
    """A read-only connection to a SQLite store at the current migration, or None (not a
    plain SQLite file, missing, empty, read-only to us, not a database, another
    migration, busy)."""
    path = sqlite_file(url)
    try:
        if path is None or not path.is_file() or path.stat().st_size == 0:
            return None
        # Read-only (made so, or not ours): the full path refuses it, saying why.
        if not path.stat().st_mode & stat.S_IWUSR or not os.access(path, os.R_OK | os.W_OK):
            return None
    except OSError:
        return None
    try:
        con = sqlite3.connect(
            f"file:{path.as_posix()}?mode=rw",
            uri=True,
            timeout=5.0,
            check_same_thread=False,
            isolation_level=None,
        )
    except sqlite3.Error:
        return None
    try:
        con.execute("PRAGMA query_only=ON")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        con.close()
        return None
    if row is None or row[0] != HEAD_REVISION:
        con.close()
        return None
    return con


def _aware(value: str | None) -> dt.datetime | None:
    # SQLAlchemy's SQLite DateTime stores naive UTC "YYYY-MM-DD HH:MM:SS.ffffff".
    return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def read(
    con: sqlite3.Connection,
    *,
    now: dt.datetime,
    offset: int = 0,
    limit: int = 100,
    filt: TriageFilter = TriageFilter.everything,
) -> Page[TriageRow]:
    """Indbakke's page under `filt`, as `Desk.triage` returns it, in one read
    transaction."""
    where = WHERE[filt]
    con.execute("BEGIN")
    try:
        total = con.execute(COUNT_SQL.format(where=where)).fetchone()[0]
        rows = [
            (*r[:6], _aware(r[6]), *r[7:])
            for r in con.execute(ROWS_SQL.format(where=where), (limit, offset))
        ]
        unique = unique_contacts(rows)
        ids = [r[0] for r in unique]
        targets = (
            [
                (tid, cid, rule, state, _aware(due), _aware(soon), _aware(met))
                for tid, cid, rule, state, due, soon, met in con.execute(
                    REPLIES_SQL.format(marks=",".join("?" * len(ids))), ids
                )
            ]
            if ids
            else []
        )
        outbox = (
            outbox_states(
                (cid, oid, state, error, attempts, _aware(retry))
                for cid, oid, state, error, attempts, retry in con.execute(
                    OUTBOX_SQL.format(marks=",".join("?" * len(ids))), ids
                )
            )
            if ids
            else {}
        )
    finally:
        con.execute("COMMIT")
    replies = pick_replies(targets, now)
    return Page(
        rows=tuple(triage_row(r, replies, outbox) for r in unique), offset=offset, total=int(total)
    )
