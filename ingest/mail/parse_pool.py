"""Parsing a large sync's messages in a separate process, beside fetching and storing.

Why: a first sync is Python work in three places (reading FETCH responses, parsing,
storing), and one interpreter runs Python on one core at a time. Parsing is the part
that needs nothing from the other two (raw bytes in, plain `Parsed` data out), so it runs
in a worker process: the sync's own interpreter fetches and stores while the worker
parses the next batch on the other core. Measured on the issue's benchmark mailbox, the
parse is ~0.16 ms a message and shipping the bytes there and the result back ~0.02 ms.

Only a folder with many messages to fetch starts a worker (`MIN_MESSAGES`); a poll with
a few new messages parses inline and pays no start-up (~0.2 s).

The worker is a plain child process (`python -m ingest.mail.parse_pool`) speaking pickle
over its stdin/stdout, so:
- it inherits no descriptors (no database handle, no lock file: the daemon's single-
  instance lock is released the moment the daemon dies);
- it ends by itself when the parent dies, kill -9 included: its stdin reaches EOF;
- a worker that dies (a crash in the Rust parser on hostile input) costs nothing: that
  batch is parsed inline by the stdlib parser alone, later batches get a new worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

from ingest.mail.parse import Parsed, parse_batch

log = logging.getLogger("borgerdesk.mail")

MIN_MESSAGES = 2_000  # a folder with fewer messages to fetch parses inline
MAX_WORKERS = 4  # one per core, up to this
MAX_RESTARTS = 3


class WorkerFailed(Exception):
    pass


class ParseWorker:
    """One child process parsing batches, one request at a time."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])  # where `ingest` is importable
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (root, env.get("PYTHONPATH", "")) if p
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.mail.parse_pool"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in: IO[bytes] = self.proc.stdin
        self._out: IO[bytes] = self.proc.stdout

    def send(self, work: list[tuple[bytes, bool]]) -> None:
        try:
            pickle.dump(work, self._in, protocol=pickle.HIGHEST_PROTOCOL)
            self._in.flush()
        except (OSError, ValueError) as e:
            raise WorkerFailed(f"sending: {e}") from e

    def receive(self, expected: int) -> list[Parsed]:
        try:
            out = pickle.load(self._out)
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            raise WorkerFailed(f"receiving: {type(e).__name__}") from e
        if not isinstance(out, list) or len(out) != expected:
            raise WorkerFailed("a malformed answer")
        return out

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._in.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError, ValueError):
            self._out.close()


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


class ParsePool:
    """Parses batches in worker processes, one batch ahead of the caller: `submit` hands
    a batch over (split between the workers) and returns at once, `collect` waits for
    its result. Falls back to inline parsing on any failure; never loses a message."""

    def __init__(self, workers: int | None = None) -> None:
        self._size = workers or default_workers()
        self._workers: list[ParseWorker | None] = [None] * self._size
        self._restarts = 0
        # What is out with whom: (worker slot or None for inline, the slice of work).
        self._sent: list[tuple[int | None, list[tuple[bytes, bool]]]] = []

    def _worker(self, slot: int) -> ParseWorker | None:
        w = self._workers[slot]
        if w is None and self._restarts <= MAX_RESTARTS:
            try:
                w = self._workers[slot] = ParseWorker()
            except OSError as e:
                log.warning("parse worker did not start; parsing inline",
                            extra={"error": str(e)})
                self._restarts = MAX_RESTARTS + 1
        return w

    def submit(self, work: list[tuple[bytes, bool]]) -> None:
        if self._sent:
            self.collect()  # a batch abandoned by a failed folder: drop its answers
        step = -(-len(work) // self._size) if work else 0
        for slot in range(self._size):
            part = work[slot * step : (slot + 1) * step]
            if not part:
                continue
            w = self._worker(slot)
            if w is not None:
                try:
                    w.send(part)
                except WorkerFailed as e:
                    self._failed(slot, e)
                else:
                    self._sent.append((slot, part))
                    continue
            self._sent.append((None, part))

    def collect(self) -> list[Parsed]:
        """The parsed messages of the last `submit`, in its order."""
        out: list[Parsed] = []
        sent, self._sent = self._sent, []
        for slot, part in sent:
            w = self._workers[slot] if slot is not None else None
            if w is None:
                out.extend(parse_batch(part))
                continue
            try:
                out.extend(w.receive(len(part)))
            except WorkerFailed as e:
                self._failed(slot, e)  # type: ignore[arg-type]
                # The worker may have died on one of these messages: parse them without
                # the fast parser, the only part that could take a process down.
                out.extend(parse_batch(part, fast=False))
        return out

    def _failed(self, slot: int, e: WorkerFailed) -> None:
        log.warning("parse worker failed; parsing inline", extra={"error": str(e)})
        w = self._workers[slot]
        if w is not None:
            w.close()
        self._workers[slot] = None
        self._restarts += 1

    def close(self) -> None:
        self._sent = []
        for slot, w in enumerate(self._workers):
            if w is not None:
                w.close()
            self._workers[slot] = None


def main() -> None:
    """The worker: a pickled list of (raw, headers_only) in, a list of Parsed out."""
    import signal

    # Ctrl-C in a terminal reaches the whole process group: the parent handles it and
    # closes the pipe, which ends this loop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Nothing else may write to the answer channel.
    sys.stdout = sys.stderr
    while True:
        try:
            work: Any = pickle.load(stdin)
        except EOFError:
            return  # the parent closed the pipe, or died
        pickle.dump(parse_batch(work), stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


if __name__ == "__main__":
    main()
