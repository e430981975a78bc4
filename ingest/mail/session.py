"""Keeping one logged-in IMAP connection per account between polls.

A no-change poll is one STATUS per folder, well under a millisecond on a 100,000-message
Dovecot folder; opening a connection and logging in costs 20–40 ms (the server forks a
login and a mail process). The daemon polls every few minutes, so the connection is
kept for `MAX_IDLE` seconds and checked with NOOP before reuse; anything unexpected
(a failed NOOP, a failed sync, a changed account) means a fresh connection. Servers must
allow 30 minutes of inactivity (RFC 9051); MAX_IDLE stays well inside that.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
from typing import Any

from ingest.mail.connect import connect
from store.config.mail import MailAccount

MAX_IDLE = 10 * 60.0

_lock = threading.Lock()
_kept: dict[str, tuple[str, float, Any]] = {}  # account name -> (fingerprint, last use, client)


def _fingerprint(account: MailAccount) -> str:
    return account.model_dump_json()


def acquire(
    account: MailAccount, *, password: str | None = None, fresh: bool = False
) -> tuple[Any, bool]:
    """(client, reused): the kept client if still alive, else a new one. The caller owns
    it until `release` (or `discard`)."""
    with _lock:
        kept = _kept.pop(account.name, None)
    if kept is not None:
        fp, used, client = kept
        if not fresh and fp == _fingerprint(account) and time.monotonic() - used < MAX_IDLE:
            try:
                client.noop()
                return client, True
            except Exception:
                pass
        _close(client)
    return connect(account, password=password), False


def release(account: MailAccount, client: Any) -> None:
    """Keep a healthy client for the next poll, with no folder selected (STATUS on the
    selected folder may be stale). UNSELECT never expunges; a server without it gets a
    fresh connection next time rather than a CLOSE."""
    try:
        if getattr(client._imap, "state", "") == "SELECTED":
            if b"UNSELECT" not in client.capabilities():
                _close(client)
                return
            client.unselect_folder()
    except Exception:
        _close(client)
        return
    with _lock:
        old = _kept.pop(account.name, None)
        _kept[account.name] = (_fingerprint(account), time.monotonic(), client)
    if old is not None and old[2] is not client:
        _close(old[2])


def discard(client: Any) -> None:
    _close(client)


def close_all() -> None:
    with _lock:
        kept = list(_kept.values())
        _kept.clear()
    for _fp, _used, client in kept:
        _close(client)


def _close(client: Any) -> None:
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


atexit.register(close_all)
