"""The team desk in the UI: the lists' scope (Mine / Ikke tildelt / Alle), the
live refresh by LISTEN/NOTIFY on PostgreSQL, and presence in the case view.

A team desk is one on PostgreSQL, where every advisor connects as herself. On SQLite
(one advisor) the scope and assign keys are hidden and the lists show everything, as
before: "mine" and "all" are the same there, and there is nobody to hand work to.

The scope starts at Alle and is remembered (`ui_state`): a team triages its shared
mailbox together, and before anything is assigned "Mine" would show empty lists, which
reads as lost mail. Her own counts are in the header whatever the scope; an advisor who
works from her own pile chooses Mine once and keeps it. The list's info line names any
scope but Alle, so a filtered list is never taken for the whole.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from store.desk.rows import Scope

if TYPE_CHECKING:
    from store.desk import Desk
    from tui.ui_state import UiState

SCOPES = (Scope.everyone, Scope.mine, Scope.unassigned)
# After a lost listener connection, the wait before connecting again (the slow probe
# keeps the screens fresh meanwhile).
RETRY_SECONDS = 2.0
# The listener's wait per round: how long stopping it can take.
WAIT_SECONDS = 0.25


def scope_of(state: UiState) -> Scope:
    """The lists' scope chosen last time (Alle until one is chosen)."""
    value = state.get("scope", Scope.everyone.value)
    return Scope(value) if value in {s.value for s in SCOPES} else Scope.everyone


def next_scope(scope: Scope) -> Scope:
    return SCOPES[(SCOPES.index(scope) + 1) % len(SCOPES)]


def listen(
    desk: Desk,
    stop: threading.Event,
    changed: Callable[[frozenset[str]], None],
    failed: Callable[[BaseException], None] | None = None,
    unavailable: Callable[[], None] | None = None,
) -> None:
    """Wait for PostgreSQL's change notifications until `stop` is set, calling `changed`
    with each batch of table names. For a thread of its own; a lost connection is
    reopened after RETRY_SECONDS. Where nothing notifies (SQLite; PostgreSQL without
    `team init`'s triggers) it calls `unavailable`, so the caller polls, and returns."""
    while not stop.is_set():
        try:
            listener = desk.change_listener()
        except Exception as e:  # the database is away: the probe says so
            if failed is not None:
                failed(e)
            stop.wait(RETRY_SECONDS)
            continue
        if listener is None:
            if unavailable is not None:
                unavailable()
            return
        try:
            while not stop.is_set():
                tables = listener.wait(WAIT_SECONDS)
                if tables:
                    changed(frozenset(tables))
        except Exception as e:
            if failed is not None:
                failed(e)
            stop.wait(RETRY_SECONDS)
        finally:
            with contextlib.suppress(Exception):
                listener.close()
