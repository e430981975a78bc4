"""A large folder's message bodies fetched and parsed in a child process.

Why: a first sync is Python work in three places: reading FETCH responses (imapclient's
lexer runs character by character), parsing (~0.16 ms a message) and storing (~0.3 ms:
SQL and the reply rules). One interpreter runs Python on one core at a time, so in one
process those add up however the threads are arranged, and the writer, the slowest
stage, waits for the GIL. Here the bulk of the fetching (BODY.PEEK[], ~0.06 ms a
message) and all the parsing run in a child process with its own IMAP connection; the
sync's process keeps the header fetch, the plan (which messages are already stored, too
large, ...) and the storing. Two interpreters on two cores.

Only a folder with many messages to fetch (`sync.BULK_MESSAGES`) uses it: it costs a
second login and a small Python start-up (it imports the IMAP client and the parser,
not the store: ~0.15 s).

The child is a plain `python -m ingest.mail.fetch_process` speaking pickle over its
stdin/stdout:
- it inherits no descriptors (no database handle, no lock file: the daemon's single-
  instance lock is free the moment the daemon dies);
- it ends when the parent closes its stdin, and by itself when the parent dies, kill -9
  included (its stdin reaches EOF);
- it sends only EXAMINE and UID FETCH BODY.PEEK[] (read-only, never sets \\Seen), after
  checking that the folder's UIDVALIDITY is the one the parent's UIDs belong to;
- it logs in with a secret that comes over the pipe, never in argv or the environment.

Protocol: the parent sends a `Job`, then one list of UIDs per batch; the child answers
each with `("ok", {uid: (raw, Parsed)})` (a UID missing was expunged meanwhile) or
`("error", text, connection_lost)`.
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
from ingest.mail.parse import Parsed
from store.errors import UserError


class FetchFailed(UserError):
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

    def __init__(self, job: Job) -> None:
        root = str(Path(__file__).resolve().parents[2])  # where `ingest` is importable
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.mail.fetch_process"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in: IO[bytes] = self.proc.stdin
        self._out: IO[bytes] = self.proc.stdout
        self._send(job)

    def _send(self, obj: Any) -> None:
        try:
            pickle.dump(obj, self._in, protocol=pickle.HIGHEST_PROTOCOL)
            self._in.flush()
        except (OSError, ValueError):
            pass  # it is gone; the answer says so

    def request(self, uids: list[int]) -> None:
        """Ask for a batch; answers come in the order asked."""
        self._send(uids)

    def answer(self) -> dict[int, tuple[bytes, Parsed]]:
        try:
            msg = pickle.load(self._out)
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            raise FetchDied(f"the fetch process ended unexpectedly ({type(e).__name__}, "
                            f"exit code {self.proc.poll()})") from None
        if msg[0] == "ok":
            return msg[1]  # type: ignore[no-any-return]
        _kind, text, lost = msg
        raise (FetchConnectionLost if lost else FetchFailed)(text)

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._in.close()  # the child logs out and ends
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError, ValueError):
            self._out.close()


def _serve(stdin: IO[bytes], send: Any) -> None:
    from ingest.mail import fetch as imap
    from ingest.mail.connect import connect
    from ingest.mail.parse import parse_batch

    job: Job = pickle.load(stdin)
    client = connect(job.endpoint, password=job.password, token=job.token)
    try:
        sel = imap.examine(client, job.folder)
        if sel.uidvalidity != job.uidvalidity:
            raise RuntimeError(f"the UIDVALIDITY of {job.folder} changed during the sync; "
                               "the next pass re-maps it")
        while True:
            try:
                uids: list[int] = pickle.load(stdin)
            except EOFError:
                return  # done, or the parent is gone
            raws = imap.fetch_bodies(client, uids)
            got = [u for u in uids if u in raws]
            parsed = parse_batch([(raws[u], False) for u in got])
            send(("ok", {u: (raws[u], p) for u, p in zip(got, parsed, strict=True)}))
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
        if isinstance(e, UserError):
            text = str(e)
        else:
            text = f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"
        lost = isinstance(e, (OSError, EOFError, imaplib.IMAP4.abort))
        with contextlib.suppress(BrokenPipeError, OSError):
            send(("error", text, lost))


if __name__ == "__main__":
    main()
