"""A large folder's message bodies fetched and parsed in a child process.

Why: a first sync is Python work in three places: reading FETCH responses (imapclient's
lexer runs character by character: ~0.05 ms a message for the headers, ~0.06 for the
bodies), parsing (~0.16 ms) and storing (~0.3 ms: SQL and the reply rules). One
interpreter runs Python on one core at a time, so in one process those add up however
the threads are arranged, and the writer, the slowest stage, waits for the GIL. Here the
fetching and the parsing run in child processes with their own IMAP connections; the
sync's process keeps the plan (which messages are already stored, too large, ...) and
the storing.

Only a folder with many messages to fetch (`sync.BULK_MESSAGES`) uses it: it costs a
second login and a small Python start-up (it imports the IMAP client and the parser,
not the store: ~0.15 s).

The child is a plain `python -m ingest.mail.fetch_process` speaking pickle over its
stdin/stdout:
- it inherits no descriptors (no database handle, no lock file: the daemon's single-
  instance lock is free the moment the daemon dies);
- it ends when the parent closes its stdin, and by itself when the parent dies, kill -9
  included (its stdin reaches EOF);
- it sends only EXAMINE and UID FETCH of RFC822.SIZE, INTERNALDATE, BODY.PEEK[HEADER]
  and BODY.PEEK[] (read-only, never sets \\Seen), after checking that the folder's
  UIDVALIDITY is the one the parent's UIDs belong to;
- it logs in with a secret that comes over the pipe, never in argv or the environment.

Protocol: the parent sends a `Job`, then requests `(ticket, "headers" | "bodies", UIDs)`;
the child answers each, in order, with `("ok", ticket, {uid: HeaderInfo})` or
`("ok", ticket, {uid: (raw, Parsed)})` (a UID missing was expunged meanwhile), or ends
with `("error", text, connection_lost)`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ingest.mail.connect import Endpoint
from store.errors import BorgerdeskError, OperationError


class FetchFailed(OperationError):
    """The child's fetch failed, with the child's one-line description."""


class FetchConnectionLost(FetchFailed, ConnectionError):
    """... because the IMAP connection was lost."""


class FetchDied(FetchConnectionLost):
    """The child ended without a word (crashed, or was killed)."""


@dataclass(frozen=True)
class Job:
    endpoint: Endpoint
    password: str | None
    token: str | None
    folder: str
    uidvalidity: int


class FetchProcess:
    """Parent side: `request` + `answer` is `fetch.fetch_bodies` plus the parse, done
    over there."""

    def __init__(self, job: Job | None = None) -> None:
        """Start the child; it imports what it needs, then waits for its `Job` (given
        here, or later with `start`: a first sync starts its children before it knows
        the folder, so their start-up overlaps the parent's connecting and searching)."""
        root = str(Path(__file__).resolve().parents[2])  # where `ingest` is importable
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.mail.fetch_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in: IO[bytes] = self.proc.stdin
        self._out: IO[bytes] = self.proc.stdout
        self._asked = 0
        self._answers: dict[int, Any] = {}
        if job is not None:
            self.start(job)

    def start(self, job: Job) -> None:
        """Give the child its folder and login (once)."""
        self._send(job)

    def _send(self, obj: Any) -> None:
        try:
            pickle.dump(obj, self._in, protocol=pickle.HIGHEST_PROTOCOL)
            self._in.flush()
        except (OSError, ValueError):
            pass  # it is gone; the answer says so

    def request(self, kind: str, uids: list[int]) -> int:
        """Ask for "headers" (`fetch.fetch_headers`) or "bodies" (`fetch.fetch_bodies`
        plus the parse) of some UIDs; returns the ticket for `answer`."""
        self._asked += 1
        self._send((self._asked, kind, uids))
        return self._asked

    def answer(self, ticket: int) -> Any:
        """The answer to a request; answers come in the order asked, and are kept until
        collected."""
        while ticket not in self._answers:
            try:
                msg = pickle.load(self._out)
            except (EOFError, OSError, pickle.UnpicklingError) as e:
                raise FetchDied(
                    f"the fetch process ended unexpectedly "
                    f"({type(e).__name__}, exit code {self.proc.poll()})"
                ) from None
            if msg[0] == "error":
                _kind, text, lost = msg
                raise (FetchConnectionLost if lost else FetchFailed)(text)
            self._answers[msg[1]] = msg[2]
        return self._answers.pop(ticket)

    def close(self) -> None:
        # Its stdin at EOF: the child logs out and ends; its stdout closed: a child in the
        # middle of sending an answer nobody will read gets EPIPE and ends at once.
        for pipe in (self._in, self._out):
            with contextlib.suppress(OSError, ValueError):
                pipe.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _serve(stdin: IO[bytes], send: Any) -> None:
    from ingest.mail import fetch as imap
    from ingest.mail.connect import connect
    from ingest.mail.parse import parse_batch

    try:
        job: Job = pickle.load(stdin)
    except EOFError:
        return  # started ahead and not needed after all, or the parent is gone
    client = connect(job.endpoint, password=job.password, token=job.token)
    try:
        sel = imap.examine(client, job.folder)
        if sel.uidvalidity != job.uidvalidity:
            raise RuntimeError(
                f"the UIDVALIDITY of {job.folder} changed during the sync; the next pass re-maps it"
            )
        while True:
            try:
                ticket, kind, uids = pickle.load(stdin)
            except EOFError:
                return  # done, or the parent is gone
            if kind == "headers":
                send(("ok", ticket, imap.fetch_headers(client, uids)))
                continue
            raws = imap.fetch_bodies(client, uids)
            got = [u for u in uids if u in raws]
            parsed = parse_batch([(raws[u], False) for u in got])
            send(("ok", ticket, {u: (raws[u], p) for u, p in zip(got, parsed, strict=True)}))
    finally:
        with contextlib.suppress(Exception):
            client.logout()


def main() -> None:
    import imaplib
    import signal

    # Ctrl-C in a terminal reaches the whole process group: the parent handles it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the answer channel

    def send(msg: Any) -> None:
        pickle.dump(msg, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()

    try:
        _serve(stdin, send)
    except BrokenPipeError:
        return  # the parent is gone
    except Exception as e:
        if isinstance(e, BorgerdeskError):
            text = str(e)
        else:
            text = f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"
        lost = isinstance(e, (OSError, EOFError, imaplib.IMAP4.abort))
        with contextlib.suppress(BrokenPipeError, OSError):
            send(("error", text, lost))


if __name__ == "__main__":
    main()
