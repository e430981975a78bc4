"""Waiting until an export has finished being written."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from store.errors import UserError
from store.infile import printable


class StillWriting(UserError):
    """The file kept changing: an export (or a copy) is still writing it."""


def _sig(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def wait_stable(
    path: Path, *, stable_seconds: float, max_wait: float, stop: threading.Event | None = None
) -> None:
    """Return once `path`'s size and mtime have not changed for `stable_seconds`.

    A file last modified longer ago than that returns at once, so a finished export costs
    no wait. Raises `StillWriting` after `max_wait` seconds of changes (or when `stop` is
    set first).
    """
    deadline = time.monotonic() + max_wait
    sig = _sig(path)
    age = time.time() - sig[1] / 1e9
    if age >= stable_seconds:
        return
    quiet_since = time.monotonic() - max(age, 0.0)
    step = min(0.2, max(stable_seconds / 5, 0.01))
    while True:
        now = time.monotonic()
        if now - quiet_since >= stable_seconds:
            return
        if now >= deadline or (stop is not None and stop.is_set()):
            raise StillWriting(
                f"{printable(path.name)}: the file is still being written (its size keeps "
                "changing); wait for the export to finish and try again"
            )
        if stop is not None:
            stop.wait(step)
        else:
            time.sleep(step)
        new = _sig(path)
        if new != sig:
            sig = new
            quiet_since = time.monotonic()
