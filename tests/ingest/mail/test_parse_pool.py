"""The parse worker processes: same results as inline parsing, no message lost when a
worker dies, and no worker outlives its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ingest.mail.parse import parse_batch
from ingest.mail.parse_pool import ParsePool
from tests.ingest.mail.corpus import mail, malformed

ROOT = Path(__file__).resolve().parents[3]


def _work() -> list[tuple[bytes, bool]]:
    bad = malformed()
    bad.pop("huge_attachment")
    work = [(mail(i), False) for i in range(20)] + [(raw, False) for raw in bad.values()]
    work.append((mail(99).split(b"\r\n\r\n")[0] + b"\r\n\r\n", True))  # headers only
    return work


def test_workers_parse_exactly_what_inline_parsing_gives() -> None:
    work = _work()
    pool = ParsePool(workers=2)
    try:
        for _ in range(2):  # the same workers serve batch after batch
            pool.submit(work)
            assert pool.collect() == parse_batch(work)
    finally:
        pool.close()


def test_a_worker_that_dies_costs_no_message() -> None:
    work = _work()
    half = -(-len(work) // 2)  # the first worker's share
    pool = ParsePool(workers=2)
    try:
        pool.submit(work)
        second = pool._workers[1]
        assert second is not None
        second.proc.kill()  # as a crash in the Rust parser would
        got = pool.collect()
        # Every message parsed; the dead worker's share (the malformed corpus) by the
        # stdlib parser alone, which notes MIME defects the fast path does not.
        slow = parse_batch(work[half:], fast=False)
        assert slow != parse_batch(work[half:])
        assert got == parse_batch(work[:half]) + slow
        pool.submit(work)  # a fresh worker takes its place
        assert pool.collect() == parse_batch(work)
        assert pool._workers[1] is not None and pool._workers[1] is not second
    finally:
        pool.close()


def test_a_submitted_batch_left_uncollected_is_dropped_by_the_next() -> None:
    work = _work()
    pool = ParsePool(workers=1)
    try:
        pool.submit(work[:3])  # a folder failed before collecting this
        pool.submit(work)
        assert pool.collect() == parse_batch(work)
    finally:
        pool.close()


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9")
def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from ingest.mail.parse_pool import ParsePool
        pool = ParsePool(workers=2)
        pool.submit([(b"Subject: x\\r\\n\\r\\nbody", False)] * 4)
        pool.collect()
        open({str(pids)!r}, "w").write(" ".join(str(w.proc.pid) for w in pool._workers))
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [int(p) for p in pids.read_text().split()]
        assert len(workers) == 2
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in workers if _alive(p)]
    assert not alive, f"parse workers outlived their parent: {alive}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
