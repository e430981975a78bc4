"""The IMAP commands borgerdesk sends to a folder, all read-only.

Only these are ever sent: CAPABILITY, LOGIN/AUTHENTICATE, LIST, STATUS, EXAMINE (select
with readonly=True), UID SEARCH, UID FETCH with BODY.PEEK, LOGOUT. No STORE, EXPUNGE,
MOVE, COPY or APPEND exists in this package; `tests/ingest/mail` proves the server state
is unchanged by a sync.

UIDs are always passed to imapclient as lists of integers: imapclient 4.1 raises on range
strings in fetch (upstream issue #666), and a batch is kept short so a command line stays
far below Dovecot's ~64 KB limit (1,000 UIDs of 10 digits is ~11 KB).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import imapclient
from imapclient.datetime_util import parse_to_datetime
from imapclient.imapclient import join_message_ids, seq_to_parenstr_upper
from imapclient.response_parser import parse_fetch_response

HEADER_BATCH = 1000
BODY_BATCH_COUNT = 500
BODY_BATCH_BYTES = 16 * 1024 * 1024
# A message too large to store is still read once, in pieces of this size, to learn its
# identity (the hash of its bytes); memory stays at one piece.
DIGEST_PIECE = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FolderStatus:
    uidvalidity: int
    uidnext: int | None
    messages: int | None
    highestmodseq: int | None


@dataclass(slots=True)
class HeaderInfo:
    uid: int
    size: int
    header: bytes
    internaldate: dt.datetime | None


def has_condstore(client: Any) -> bool:
    return b"CONDSTORE" in client.capabilities()


def status(client: Any, folder: str) -> FolderStatus:
    """STATUS: the one command a no-change poll costs."""
    items = [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"]
    if has_condstore(client):
        items.append(b"HIGHESTMODSEQ")
    st = client.folder_status(folder, items)
    return FolderStatus(
        uidvalidity=int(st[b"UIDVALIDITY"]),
        uidnext=int(st[b"UIDNEXT"]) if b"UIDNEXT" in st else None,
        messages=int(st[b"MESSAGES"]) if b"MESSAGES" in st else None,
        highestmodseq=int(st[b"HIGHESTMODSEQ"]) if b"HIGHESTMODSEQ" in st else None,
    )


def examine(client: Any, folder: str) -> FolderStatus:
    """Select read-only (EXAMINE): nothing about the folder can change, not even \\Recent."""
    r = client.select_folder(folder, readonly=True)
    hms = r.get(b"HIGHESTMODSEQ")
    return FolderStatus(
        uidvalidity=int(r[b"UIDVALIDITY"]),
        uidnext=int(r[b"UIDNEXT"]) if b"UIDNEXT" in r else None,
        messages=int(r[b"EXISTS"]) if b"EXISTS" in r else None,
        highestmodseq=int(hms) if hms is not None else None,
    )


def uids_from(client: Any, first: int) -> list[int]:
    """All UIDs >= first, ascending. `n:*` always matches the highest UID even when it is
    below n, so the result is filtered."""
    found = client.search(["UID", f"{max(first, 1)}:*"])
    return sorted(u for u in found if u >= first)


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _uid_fetch(client: Any, uids: list[int], items: list[bytes]) -> list[Any]:
    """imaplib's untagged FETCH data for UID FETCH `items` (what imapclient's `fetch`
    sends, read-only with BODY.PEEK), before imapclient parses it."""
    imap = client._imap
    tag = imap._command("UID", "FETCH", join_message_ids(uids), seq_to_parenstr_upper(items))
    typ, data = imap._command_complete("FETCH", tag)
    client._checkok("fetch", typ, data)
    _typ, data = imap._untagged_response(typ, data, "FETCH")
    return data  # type: ignore[no-any-return]


def _parsed(client: Any, uids: list[int], data: list[Any]) -> dict[int, Any]:
    """imapclient's own reading of FETCH data (what `client.fetch` returns)."""
    resp = parse_fetch_response(data, client.normalise_times, True)
    return {u: resp[u] for u in uids if u in resp}


# The answers a FETCH of a batch gets from Dovecot (and most servers), one literal each;
# read directly, because imapclient's lexer reads them a character at a time (~0.05 ms a
# message, as much again as the rest of a fetch process's reading). Any other shape
# (another order of the items, an unsolicited FLAGS, ...) goes to imapclient whole.
_BODY_ANSWER = re.compile(rb"\d+ \(UID (\d+) BODY\[\] \{(\d+)\}")
_HEADER_ANSWER = re.compile(
    rb'\d+ \(UID (\d+) RFC822\.SIZE (\d+) INTERNALDATE "([^"\\]*)" BODY\[HEADER\] \{(\d+)\}'
)


def _direct(
    data: list[Any], pattern: re.Pattern[bytes], wanted: set[int]
) -> list[tuple[re.Match[bytes], bytes]] | None:
    """(the answer's match, its literal) for each answer, when every one has the usual
    shape; else None."""
    out: list[tuple[re.Match[bytes], bytes]] = []
    if len(data) % 2:
        return None
    for i in range(0, len(data), 2):
        item, close = data[i], data[i + 1]
        if not isinstance(item, tuple) or close != b")" or len(item) != 2:
            return None
        m = pattern.fullmatch(item[0])
        if (
            m is None
            or int(m.group(m.lastindex or 0)) != len(item[1])
            or int(m.group(1)) not in wanted
        ):
            return None
        out.append((m, item[1]))
    return out


def fetch_headers(client: Any, uids: list[int]) -> dict[int, HeaderInfo]:
    """RFC822.SIZE, the header section and INTERNALDATE for a batch of UIDs. A UID
    missing from the answer was expunged meanwhile."""
    out: dict[int, HeaderInfo] = {}
    if not uids:
        return out
    data = _uid_fetch(client, uids, [b"RFC822.SIZE", b"BODY.PEEK[HEADER]", b"INTERNALDATE"])
    direct = _direct(data, _HEADER_ANSWER, set(uids))
    if direct is not None:
        for m, header in direct:
            try:  # as imapclient reads it
                moment: dt.datetime | None = parse_to_datetime(
                    m.group(3), normalise=client.normalise_times
                )
            except ValueError:
                moment = None
            uid = int(m.group(1))
            out[uid] = HeaderInfo(uid, int(m.group(2)), header, _utc(moment))
        return out
    for uid, fields in _parsed(client, uids, data).items():
        header = fields.get(b"BODY[HEADER]")
        if header is None or b"RFC822.SIZE" not in fields:
            continue  # an unsolicited FETCH (e.g. a flag change by another client)
        out[int(uid)] = HeaderInfo(
            int(uid), int(fields[b"RFC822.SIZE"]), bytes(header), _utc(fields.get(b"INTERNALDATE"))
        )
    return out


def _utc(when: Any) -> dt.datetime | None:
    """INTERNALDATE in UTC: imapclient's own FixedOffset zone does not survive pickling
    (a large folder's batches cross from its fetch process)."""
    if not isinstance(when, dt.datetime):
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def fetch_bodies(client: Any, uids: list[int]) -> dict[int, bytes]:
    """BODY.PEEK[] (never sets \\Seen). A UID missing from the answer was expunged."""
    if not uids:
        return {}
    data = _uid_fetch(client, uids, [b"BODY.PEEK[]"])
    direct = _direct(data, _BODY_ANSWER, set(uids))
    if direct is not None:
        return {int(m.group(1)): raw for m, raw in direct}
    resp = _parsed(client, uids, data)
    return {int(uid): bytes(d[b"BODY[]"]) for uid, d in resp.items() if b"BODY[]" in d}


def fetch_digest(client: Any, uid: int, size: int) -> str | None:
    """The SHA-256 of a message's whole bytes (what `parse.content_hash` gives for a
    fetched one), read with BODY.PEEK[]<offset.length> a piece at a time. None when the
    message was expunged meanwhile. Costs the message's size in transfer, never in
    memory."""
    digest = hashlib.sha256()
    offset = 0
    while True:
        resp = client.fetch([uid], [f"BODY.PEEK[]<{offset}.{DIGEST_PIECE}>".encode()])
        piece = next(
            (d.get(f"BODY[]<{offset}>".encode()) for u, d in resp.items() if int(u) == uid), None
        )
        if piece is None:
            return None
        digest.update(piece)
        offset += len(piece)
        if len(piece) < DIGEST_PIECE or offset >= size:
            return digest.hexdigest()


def sent_folder(client: Any) -> str | None:
    """The SPECIAL-USE \\Sent folder, else a folder with a common sent name."""
    try:
        return client.find_special_folder(imapclient.SENT)  # type: ignore[no-any-return]
    except Exception:
        return None


def list_folders(client: Any) -> list[tuple[str, list[str]]]:
    return [
        (name, [f.decode() if isinstance(f, bytes) else str(f) for f in flags])
        for flags, _delim, name in client.list_folders()
    ]
