"""Mailbox ingestion: one pass over every configured folder of every account.

Per folder:
1. STATUS (UIDVALIDITY, UIDNEXT, MESSAGES, HIGHESTMODSEQ when offered). Same UIDVALIDITY
   and UIDNEXT as stored: nothing new, done — a no-change poll costs this one command.
   Exchange has no CONDSTORE, so UIDNEXT alone decides.
2. EXAMINE (read-only select) and UID SEARCH for UIDs above the last stored one (all
   UIDs after a UIDVALIDITY change).
3. In UID order, batches: headers + RFC822.SIZE first; every message is then read whole
   with BODY.PEEK[] (identity is the hash of its bytes: a message already stored, from
   another folder or re-numbered by a UIDVALIDITY change, only gets a new location);
   messages above max_message_bytes are read in pieces for that hash only and kept as
   headers with a "too large" flag.
4. Parse and store each batch in one transaction with the folder's new state.

Fetching runs in a producer thread, parsing in the caller's thread and storing in a
writer thread, so the network, the parser and the database overlap. A large folder
(`BULK_MESSAGES`) has its headers and bodies fetched, and its bodies parsed, by
`FETCH_PROCESSES` child process(es) (`ingest.mail.fetch_process`), each on its own
connection and a batch ahead, so that this process's interpreter is left the plan and
the storing; its WAL checkpoints
run beside the writer (`store.bulkload.WalCheckpointer`). Any failure ends the folder
with its error recorded; what was committed stays, and the next pass resumes after it.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import gc
import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine, delete, select, update
from sqlmodel import col

from ingest.mail import fetch as imap
from ingest.mail import session
from ingest.mail.connect import Endpoint, MailError
from ingest.mail.fetch_process import FetchDied, FetchProcess, Job
from ingest.mail.parse import Parsed, parse_batch, parse_message
from ingest.mail.persist import (
    FolderState,
    Item,
    load_state,
    persist_batch,
    placeholder_lookup,
    record_error,
    save_state,
)
from store.addresses import mask
from store.bulkload import WalCheckpointer
from store.config import Config
from store.config.mail import MailAccount
from store.db import bulk_write_scope, session_scope
from store.errors import one_line
from store.models import MailLocation, SyncState, utcnow
from store.secrets import get_secret, mail_key

log = logging.getLogger("borgerdesk.mail")

# A folder with at least this many messages to fetch is a bulk sync: fetched and parsed
# by a child process (ingest.mail.fetch_process), its WAL checkpointed beside the writer.
BULK_MESSAGES = 2_000
# Each is one more IMAP connection while a large folder syncs. A fetch process needs
# ~0.39 ms of CPU a message (headers, bodies, parse) and works one request at a time,
# the storing ~0.27 ms: measured on the 20,000-message benchmark, with one the storing
# waited for it (0.49 of 0.52 ms a message), with two the fetch kept ahead and the sync
# went at the storing's pace (0.48 ms a message; same CPU in all). At 6,000 messages the
# second one's start-up is still visible (~0.1 ms a message more CPU).
FETCH_PROCESSES = 2


@dataclass
class FolderReport:
    account: str
    folder: str
    new: int = 0  # messages stored for the first time
    located: int = 0  # messages already stored (another folder, renumbered): location only
    parse_errors: int = 0
    too_large: int = 0
    vanished: int = 0  # deleted between header and body fetch: kept as headers, flagged
    contacts: int = 0
    bytes: int = 0
    uidvalidity_changed: bool = False
    unchanged: bool = False
    error: str | None = None
    seconds: float = 0.0


class SyncProgress(Protocol):
    def folder_started(self, account: str, folder: str, total: int) -> None: ...
    def advanced(self, messages: int, nbytes: int) -> None: ...
    def folder_done(self, report: FolderReport) -> None: ...


class SyncStopped(Exception):
    pass


@dataclass
class _Batch:
    items: list[Item]
    to_parse: list[tuple[Item, bool]] = field(default_factory=list)  # (item, headers_only)


class _Parser:
    """Parses a batch's messages in place (in the storing process: a large folder's are
    parsed by its fetch process instead, see `ingest.mail.fetch_process`)."""

    @staticmethod
    def parse(batch: _Batch, *, fast: bool = True) -> None:
        work = [(it.raw or b"", ho) for it, ho in batch.to_parse]
        for (it, _ho), p in zip(batch.to_parse, parse_batch(work, fast=fast), strict=True):
            it.parsed = p
        batch.to_parse = []

    def close(self) -> None:
        pass


_Ticket = tuple["FetchProcess | None", int, list[int]]


class _Fetcher:
    """Headers and bodies of a folder's messages, asked for ahead (`submit_*`) and
    collected in order (`collect_*`): from the folder's fetch processes when it has them
    (bodies are parsed there too), else from this process's connection, when collected
    (bodies parsed later, here). Should a fetch process die (a crash in the Rust MIME
    parser on hostile input would take it down), the rest of the folder is fetched here
    and parsed by the stdlib parser alone: never a message lost, never a folder stuck on
    one message."""

    def __init__(self, client: Any, children: list[FetchProcess]) -> None:
        self.client = client
        self.children = children
        self.stdlib_only = False
        self._turn = 0

    @property
    def ahead(self) -> int:
        return len(self.children)

    def _submit(self, kind: str, uids: list[int]) -> _Ticket:
        if not self.children or not uids:
            return None, 0, uids
        child = self.children[self._turn % len(self.children)]
        self._turn += 1
        return child, child.request(kind, uids), uids

    def _collect(self, ticket: _Ticket) -> Any:
        child, number, _uids = ticket
        if child is None or child not in self.children:
            return None
        try:
            return child.answer(number)
        except FetchDied as e:
            log.warning(
                "a fetch process died; the rest of the folder is fetched here "
                "and parsed by the stdlib parser",
                extra={"error": str(e)},
            )
            self.close()
            self.stdlib_only = True
            return None

    def submit_headers(self, uids: list[int]) -> _Ticket:
        return self._submit("headers", uids)

    def collect_headers(self, ticket: _Ticket) -> dict[int, imap.HeaderInfo]:
        got = self._collect(ticket)
        if got is None:
            got = imap.fetch_headers(self.client, ticket[2])
        return got  # type: ignore[no-any-return]

    def submit_bodies(self, uids: list[int]) -> _Ticket:
        return self._submit("bodies", uids)

    def collect_bodies(self, ticket: _Ticket) -> dict[int, tuple[bytes, Parsed | None]]:
        got = self._collect(ticket)
        if got is not None:
            return got  # type: ignore[no-any-return]
        uids = ticket[2]
        raws = imap.fetch_bodies(self.client, uids) if uids else {}
        if self.stdlib_only:
            return {u: (r, parse_message(r, fast=False)) for u, r in raws.items()}
        return {u: (r, None) for u, r in raws.items()}

    def close(self) -> None:
        for c in self.children:
            c.close()
        self.children = []


_Plan = tuple[
    list[tuple[imap.HeaderInfo, str]], dict[int, tuple[str, int]], dict[tuple[str, int], int]
]


def _plans(
    fetcher: _Fetcher,
    engine: Engine,
    account: MailAccount,
    uids: list[int],
    stop: threading.Event | None,
) -> Iterator[_Plan]:
    """Headers and RFC822.SIZE in chunks, in UID order (the next chunk's asked for
    ahead), and for each batch what to do with each message: (info, "large" | "body"),
    with the header keys and the stored placeholders they might complete.

    Every message not yet at a known location is read whole: only its bytes tell it
    apart from another with the same header block and size (forms and alarms send such
    mail). The cost: a message filed in two folders is downloaded once per folder, and a
    UIDVALIDITY change downloads the folder again; neither stores anything twice."""
    from ingest.mail.parse import header_block, header_hash

    limit = account.max_message_bytes
    chunks = list(imap.chunks(uids, imap.HEADER_BATCH))
    ticket = fetcher.submit_headers(chunks[0]) if chunks else None
    for i, chunk in enumerate(chunks):
        if stop is not None and stop.is_set():
            raise SyncStopped()
        assert ticket is not None
        infos = fetcher.collect_headers(ticket)
        ticket = fetcher.submit_headers(chunks[i + 1]) if i + 1 < len(chunks) else None
        ordered = [infos[u] for u in chunk if u in infos]
        keys = {i.uid: (header_hash(header_block(i.header)), i.size) for i in ordered}
        placeholders = placeholder_lookup(engine, list(set(keys.values())))
        plan = [(info, "large" if info.size > limit else "body") for info in ordered]
        # Cut into batches by the bodies they fetch, keeping UID order.
        start = 0
        while start < len(plan):
            end, count, size = start, 0, 0
            while end < len(plan):
                info, how = plan[end]
                if how == "body":
                    if count and (
                        count >= imap.BODY_BATCH_COUNT or size + info.size > imap.BODY_BATCH_BYTES
                    ):
                        break
                    count += 1
                    size += info.size
                end += 1
            yield plan[start:end], keys, placeholders
            start = end


def _batches(
    client: Any,
    engine: Engine,
    account: MailAccount,
    uids: list[int],
    stop: threading.Event | None,
    report: FolderReport,
    fetcher: _Fetcher | None = None,
) -> Iterator[_Batch]:
    """Fetch in UID order; yields batches whose items are complete except for parsing
    (what `fetcher` did not parse already). With fetch processes, each is asked for a
    batch ahead, so they fetch and parse while this process plans and stores."""
    fetcher = fetcher or _Fetcher(client, [])
    window: collections.deque[tuple[_Plan, _Ticket]] = collections.deque()
    for plan in _plans(fetcher, engine, account, uids, stop):
        body_uids = [i.uid for i, how in plan[0] if how == "body"]
        window.append((plan, fetcher.submit_bodies(body_uids)))
        if len(window) > fetcher.ahead:
            yield _assemble(*window.popleft(), fetcher)
    while window:
        yield _assemble(*window.popleft(), fetcher)


def _assemble(plan: _Plan, ticket: _Ticket, fetcher: _Fetcher) -> _Batch:
    part, keys, placeholders = plan
    fetched = fetcher.collect_bodies(ticket)
    batch = _Batch(items=[])
    for info, how in part:
        item = Item(uid=info.uid, size=info.size, internaldate=info.internaldate)
        if how == "large":
            # Kept as headers only, but known by its whole content like any other.
            item.digest = imap.fetch_digest(fetcher.client, info.uid, info.size)
            item.too_large = item.digest is not None
            item.vanished = item.digest is None
        elif info.uid in fetched:
            item.raw, item.parsed = fetched[info.uid]
            item.size = len(item.raw)
            item.upgrade_email_id = placeholders.get(keys[info.uid])
            if item.parsed is None:
                batch.to_parse.append((item, False))
        else:
            item.vanished = True
        if item.raw is None:
            item.raw = info.header
            batch.to_parse.append((item, True))
        batch.items.append(item)
    return batch


def _threaded(gen: Iterator[_Batch], depth: int = 2) -> Iterator[_Batch]:
    """Run a generator in a producer thread, `depth` batches ahead."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = object()
    cancel = threading.Event()

    def put(item: Any) -> bool:
        # Never block for good: the consumer may have stopped reading.
        while not cancel.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for b in gen:
                if not put(b):
                    return
            put(done)
        except BaseException as e:
            put(e)

    t = threading.Thread(target=run, name="imap-fetch", daemon=True)
    t.start()
    try:
        while True:
            b = q.get()
            if b is done:
                return
            if isinstance(b, BaseException):
                raise b
            yield b
    finally:
        cancel.set()
        t.join(timeout=30)


@contextlib.contextmanager
def _bulk_gc() -> Iterator[None]:
    """Python's cycle collector, tuned for a bulk sync and put back after it.

    Every batch allocates hundreds of thousands of short-lived objects (rows, parameter
    tuples, parsed fields), so the default first-generation threshold (700 allocations)
    ran a collection every few rows, and the older generations' collections walked the
    whole long-lived heap (the ORM's metadata, the config, the modules) each time; all
    of it holding the GIL: ~0.1 ms a message, 10-15 % of a first sync. During the sync the
    heap that exists before it is frozen (never walked; `gc.freeze`) and the threshold is
    20,000 allocations. Both are process-wide, so bulk syncs running at once (two
    accounts' jobs in the daemon) share one setting: the first sets it, the last puts
    the old one back."""
    global _bulk_gc_depth, _bulk_gc_saved
    with _bulk_gc_lock:
        if _bulk_gc_depth == 0:
            _bulk_gc_saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(_bulk_gc_saved[0], 20_000), *_bulk_gc_saved[1:])
        _bulk_gc_depth += 1
    try:
        yield
    finally:
        with _bulk_gc_lock:
            _bulk_gc_depth -= 1
            if _bulk_gc_depth == 0:
                gc.set_threshold(*_bulk_gc_saved)
                gc.unfreeze()


_bulk_gc_lock = threading.Lock()
_bulk_gc_depth = 0
_bulk_gc_saved: tuple[int, ...] = gc.get_threshold()


def _start_fetch_processes(
    account: MailAccount,
    folder: str,
    uidvalidity: int,
    password: str | None,
    spare: list[FetchProcess] | None = None,
) -> list[FetchProcess]:
    """The folder's fetch processes, logged in with the secret this process used; none
    (fetch here instead) if they cannot be started. Children already started for the
    account (`spare`, see `_spare_children`) are used first."""
    started: list[FetchProcess] = []
    spare = spare if spare is not None else []
    try:
        token = None
        if account.auth == "xoauth2":
            from ingest.mail.oauth import acquire_token

            token = acquire_token(account)
        elif password is None:
            password = get_secret(
                mail_key(account.name), env=account.password_env, file=account.password_file
            )
        job = Job(
            endpoint=Endpoint.of(account),
            password=password,
            token=token,
            folder=folder,
            uidvalidity=uidvalidity,
        )
        for _ in range(FETCH_PROCESSES):
            child = spare.pop() if spare else FetchProcess()
            started.append(child)
            child.start(job)
    except Exception as e:
        log.warning(
            "fetch processes did not start; fetching in-process",
            extra={"account": account.name, "folder": folder, "error": one_line(e)},
        )
        for c in started:
            c.close()
        return []
    return started


def sync_folder(
    client: Any,
    *,
    engine: Engine,
    config: Config,
    account: MailAccount,
    folder: str,
    is_sent_folder: bool,
    parser: _Parser,
    progress: SyncProgress | None,
    stop: threading.Event | None,
    password: str | None = None,
    spare: list[FetchProcess] | None = None,
) -> FolderReport:
    t0 = time.perf_counter()
    report = FolderReport(account=account.name, folder=folder)
    state = load_state(engine, account.name, folder)
    st = imap.status(client, folder)
    if (
        state is not None
        and state.uidvalidity == st.uidvalidity
        and state.uidnext is not None
        and state.uidnext == st.uidnext
    ):
        report.unchanged = True
        _touch(engine, state.id)
        report.seconds = time.perf_counter() - t0
        return report
    sel = imap.examine(client, folder)
    remap = (
        state is not None and state.uidvalidity is not None and state.uidvalidity != sel.uidvalidity
    )
    report.uidvalidity_changed = remap
    last = None if (state is None or remap) else state.last_uid
    uids = imap.uids_from(client, (last or 0) + 1)
    if remap:
        log.warning(
            "UIDVALIDITY changed; re-mapping known messages",
            extra={"account": account.name, "folder": folder},
        )
    if progress:
        progress.folder_started(account.name, folder, len(uids))
    fstate = FolderState(account.name, folder, sel.uidvalidity, None, sel.highestmodseq, last)
    if not uids:
        fstate.uidnext = sel.uidnext
        save_state(engine, fstate, success=True)
        if remap:
            _drop_stale_locations(engine, account.name, folder, sel.uidvalidity)
        report.seconds = time.perf_counter() - t0
        return report

    wal: WalCheckpointer | None = None

    def write(batch: _Batch, final: bool) -> None:
        max_uid = max(it.uid for it in batch.items)
        fstate.last_uid = max(max_uid, fstate.last_uid or 0)
        # Only the last batch may record UIDNEXT: it is what tells a later poll that
        # nothing is new, so it must not run ahead of what is stored.
        fstate.uidnext = sel.uidnext if final else fstate.last_uid + 1
        res = persist_batch(
            engine=engine,
            config=config,
            account=account,
            folder=folder,
            is_sent_folder=is_sent_folder,
            uidvalidity=sel.uidvalidity,
            items=batch.items,
            state=fstate,
            final=final,
            wal=wal,
        )
        report.new += res.stored
        report.located += res.located
        report.parse_errors += res.parse_errors
        report.too_large += res.too_large
        report.contacts += len(res.contact_ids)
        report.vanished += sum(it.vanished for it in batch.items)
        nbytes = sum(it.size for it in batch.items)
        report.bytes += nbytes
        if progress:
            progress.advanced(len(batch.items), nbytes)

    # Three stages overlap: batch N+2 is fetched, N+1 parsed, N stored. A large folder is
    # fetched and parsed by child processes (`_Fetcher`, ingest.mail.fetch_process), so
    # this process is left the plan and the storing; otherwise the fetch thread reads
    # from the server and this thread parses. The writer thread stores the batches one at
    # a time, in UID order.
    pending: _Batch | None = None
    inflight: cf.Future[None] | None = None
    stopped = False
    bulk = len(uids) >= BULK_MESSAGES
    with (
        contextlib.ExitStack() as cleanup,
        cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-store") as writer,
    ):
        fetcher = None
        if bulk:
            cleanup.enter_context(_bulk_gc())
            # Its WAL checkpoints run beside the writer (store.bulkload); the last one when
            # the writer is done, before this returns.
            wal = WalCheckpointer(engine)
            cleanup.callback(wal.close)
            fetcher = _Fetcher(
                client, _start_fetch_processes(account, folder, sel.uidvalidity, password, spare)
            )
            cleanup.callback(fetcher.close)
        try:
            for batch in _threaded(_batches(client, engine, account, uids, stop, report, fetcher)):
                if pending is not None:
                    if inflight is not None:
                        inflight.result()
                    inflight = writer.submit(write, pending, False)
                if batch.to_parse:
                    parser.parse(batch)
                pending = batch
                if stop is not None and stop.is_set():
                    stopped = True
                    break
        except SyncStopped:
            stopped = True
        except BaseException:
            # The fetch failed: what was fully fetched is still stored, then the error
            # stands.
            if inflight is not None:
                inflight.result()
            if (
                pending is not None
                and pending.items
                and all(it.parsed is not None for it in pending.items)
            ):
                write(pending, False)
            raise
        if inflight is not None:
            inflight.result()
        if pending is not None:
            write(pending, not stopped)
    if remap and not stopped:
        _drop_stale_locations(engine, account.name, folder, sel.uidvalidity)
    report.seconds = time.perf_counter() - t0
    return report


def _touch(engine: Engine, state_id: int | None) -> None:
    with bulk_write_scope(engine) as session:
        session.execute(
            update(SyncState)
            .where(SyncState.id == state_id)  # type: ignore[arg-type]
            .values(last_success=utcnow(), last_error=None)
        )


def _drop_stale_locations(engine: Engine, account: str, folder: str, uidvalidity: int) -> None:
    """After a UIDVALIDITY change is fully re-mapped, the old UIDs mean nothing."""
    with bulk_write_scope(engine) as session:
        session.execute(
            delete(MailLocation).where(
                MailLocation.account == account,  # type: ignore[arg-type]
                MailLocation.folder == folder,  # type: ignore[arg-type]
                MailLocation.uidvalidity != uidvalidity,  # type: ignore[arg-type]
            )
        )


SENT_NAMES = frozenset({"sent", "sent items", "sent messages", "sendt post", "sendte elementer"})


# Which folder is the Sent folder changes rarely; asking costs a LIST on every poll.
_FOLDERS_TTL = 3600.0
_FolderKey = tuple[str, str, int, str, tuple[str, ...]]
_folders_cache: dict[_FolderKey, tuple[float, list[tuple[str, bool]]]] = {}


def resolve_folders(client: Any, account: MailAccount) -> list[tuple[str, bool]]:
    """(folder, is_sent) for the account, remembered for an hour per process."""
    key = (
        account.name,
        account.host,
        account.effective_port,
        account.username,
        tuple(account.folders or ()),
    )
    hit = _folders_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < _FOLDERS_TTL:
        return hit[1]
    folders = _resolve_folders(client, account)
    _folders_cache[key] = (time.monotonic(), folders)
    return folders


def _resolve_folders(client: Any, account: MailAccount) -> list[tuple[str, bool]]:
    """Configured folders, or INBOX plus the SPECIAL-USE \\Sent folder (else "Sent")."""
    sent = imap.sent_folder(client)
    if account.folders:
        # A server without SPECIAL-USE (pymap, some hosted IMAP) still has a sent folder;
        # recognise it by its usual names, or its replies would count as inbound mail.
        if sent is None:
            return [(f, f.casefold() in SENT_NAMES) for f in account.folders]
        return [(f, f == sent) for f in account.folders]
    folders = [("INBOX", False)]
    if sent:
        folders.append((sent, True))
    else:
        names = {name for name, _flags in imap.list_folders(client)}
        if "Sent" in names:
            folders.append(("Sent", True))
    return folders


def _spare_children(engine: Engine, account: MailAccount) -> list[FetchProcess]:
    """Fetch processes started ahead for an account's first sync (no folder of it synced
    yet: its folders are likely large), so that their start-up (a Python process
    importing the IMAP client and the parser) runs while this process connects, logs in
    and searches. They wait for their folder; unused ones are closed after the pass."""
    with session_scope(engine) as s:
        seen = s.execute(
            select(col(SyncState.id))
            .where(col(SyncState.kind) == "imap", col(SyncState.name) == account.name)
            .limit(1)
        ).first()
    if seen is not None:
        return []
    spare: list[FetchProcess] = []
    try:
        for _ in range(FETCH_PROCESSES):
            spare.append(FetchProcess())
    except Exception as e:
        log.warning(
            "fetch processes did not start ahead",
            extra={"account": account.name, "error": one_line(e)},
        )
    return spare


def sync_account(
    *,
    engine: Engine,
    config: Config,
    account: MailAccount,
    parser: _Parser,
    progress: SyncProgress | None = None,
    stop: threading.Event | None = None,
    password: str | None = None,
) -> list[FolderReport]:
    spare = _spare_children(engine, account)
    try:
        return _sync_account(
            engine=engine,
            config=config,
            account=account,
            parser=parser,
            progress=progress,
            stop=stop,
            password=password,
            spare=spare,
        )
    finally:
        for child in spare:
            child.close()


def _sync_account(
    *,
    engine: Engine,
    config: Config,
    account: MailAccount,
    parser: _Parser,
    progress: SyncProgress | None,
    stop: threading.Event | None,
    password: str | None,
    spare: list[FetchProcess],
) -> list[FolderReport]:
    who = mask(account.username.lower()) if "@" in account.username else "****"
    fresh = False
    for _attempt in range(2):
        try:
            client, reused = session.acquire(account, password=password, fresh=fresh)
        except Exception as e:
            error = one_line(e)
            log.warning(
                "mail account unreachable",
                extra={"account": account.name, "user": who, "error": error},
            )
            record_error(engine, account=account.name, folder="", error=error)
            return [FolderReport(account=account.name, folder="", error=error)]
        reports: list[FolderReport] = []
        healthy = False
        try:
            reports = _account_pass(
                client,
                engine=engine,
                config=config,
                account=account,
                parser=parser,
                progress=progress,
                stop=stop,
                quiet=reused,
                password=password,
                spare=spare,
            )
            healthy = not any(r.error for r in reports) and not (stop is not None and stop.is_set())
        finally:
            # Only a connection that just did a clean pass is kept for the next poll.
            if healthy:
                session.release(account, client)
            else:
                session.discard(client)
        if healthy or not reused:
            return reports
        # A kept connection went stale in a way NOOP did not show (e.g. the server
        # restarted its mail process): one more pass on a fresh connection.
        fresh = True
    return reports


def _account_pass(
    client: Any,
    *,
    engine: Engine,
    config: Config,
    account: MailAccount,
    parser: _Parser,
    progress: SyncProgress | None,
    stop: threading.Event | None,
    quiet: bool,
    password: str | None = None,
    spare: list[FetchProcess] | None = None,
) -> list[FolderReport]:
    reports: list[FolderReport] = []
    folders = resolve_folders(client, account)
    for i, (folder, is_sent) in enumerate(folders):
        if stop is not None and stop.is_set():
            break
        try:
            rep = sync_folder(
                client,
                engine=engine,
                config=config,
                account=account,
                folder=folder,
                is_sent_folder=is_sent,
                parser=parser,
                progress=progress,
                stop=stop,
                password=password,
                spare=spare,
            )
        except Exception as e:
            error = one_line(e)
            rep = FolderReport(account=account.name, folder=folder, error=error)
            if quiet:
                # On a reused connection the caller retries on a fresh one first.
                reports.append(rep)
                break
            record_error(engine, account=account.name, folder=folder, error=error)
            log.warning(
                "folder sync failed",
                extra={"account": account.name, "folder": folder, "error": error},
            )
            if _connection_lost(e):
                reports.append(rep)
                for other, _s in folders[i + 1 :]:
                    reports.append(
                        FolderReport(
                            account=account.name, folder=other, error="not synced: connection lost"
                        )
                    )
                break
        if progress:
            progress.folder_done(rep)
        log.info(
            "folder synced",
            extra={
                "account": account.name,
                "folder": folder,
                "new": rep.new,
                "located": rep.located,
                "parse_errors": rep.parse_errors,
                "too_large": rep.too_large,
                "unchanged": rep.unchanged,
            },
        )
        reports.append(rep)
    return reports


def _connection_lost(e: BaseException) -> bool:
    import imaplib

    return isinstance(e, (OSError, EOFError, imaplib.IMAP4.abort))


def sync_all(
    *,
    engine: Engine,
    config: Config,
    account: str | None = None,
    progress: SyncProgress | None = None,
    stop: threading.Event | None = None,
) -> list[FolderReport]:
    """One pass over all accounts (or one). Never raises for a mailbox problem: each
    folder's report carries its error, which is also recorded in sync_state."""
    accounts = config.mail.accounts
    if account is not None:
        accounts = [a for a in accounts if a.name == account]
        if not accounts:
            known = ", ".join(a.name for a in config.mail.accounts) or "none configured"
            raise MailError(f"no mail account named {account!r} in the config ({known})")
    parser = _Parser()
    reports: list[FolderReport] = []
    try:
        for acct in accounts:
            if stop is not None and stop.is_set():
                break
            reports.extend(
                sync_account(
                    engine=engine,
                    config=config,
                    account=acct,
                    parser=parser,
                    progress=progress,
                    stop=stop,
                )
            )
    finally:
        parser.close()
    return reports
