"""`LateDesk`: stands in for `store.desk.Desk` while it loads, after the UI's first frame.

Loading the Desk (SQLAlchemy, the ORM models, the engine and its migration check) takes
longer than Textual's own start. The UI's first frame needs none of it: Indbakke's first
page comes from `store.desk.first_page`, the config and the clock from here. Everything
else waits until the Desk is there: on a worker thread (the usual place), or briefly on
the UI's thread, so a key pressed meanwhile is answered a moment late, never lost.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from store.desk import first_page
from store.desk.rows import Page, TriageFilter, TriageRow

if TYPE_CHECKING:
    from store.config import Config
    from store.desk.service import Desk


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LateDesk:
    """The clock, the language and keymap now (the config too, if given); the first page
    from `con` (read once, then closed);
    any other attribute of the Desk that `load` builds (in a thread of its own, started
    by `start()` or by the first use)."""

    def __init__(
        self,
        config: Config | None,
        con: sqlite3.Connection,
        load: Callable[[Callable[[], dt.datetime]], Desk],
        *,
        language: str,
        keymap: dict[str, str],
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        # The config, when already validated (else the Desk's, once loaded); what the
        # first frame needs of it either way.
        self._config = config
        self.language = language
        self.keymap = keymap
        self.clock = clock
        self._con: sqlite3.Connection | None = con
        self._load = load
        self._future: Future[Desk] = Future()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def now(self) -> dt.datetime:
        return self.clock()

    @property
    def config(self) -> Config:
        if self._config is not None:
            return self._config
        try:
            return self.result().config
        except BaseException:
            # The Desk could not be loaded, and the UI is ending with that error (exit 2,
            # `error()`). A key on the UI thread that waited for the config gets the
            # defaults for the moment that is left, instead of a traceback.
            from store.config import Config

            return Config()

    def first_page(self, filt: TriageFilter, limit: int) -> Page[TriageRow]:
        """Indbakke's first page, as `Desk.triage` reads it (tests/tui/test_first_page.py)."""
        con, self._con = self._con, None
        if con is None:  # read once: later pages come through the Desk
            return self.result().triage(offset=0, limit=limit, filt=filt)
        try:
            return first_page.read(con, now=self.now(), limit=limit, filt=filt)
        finally:
            con.close()

    def start(self) -> None:
        """Load the Desk in a thread of its own (once)."""
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="load-desk", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            self._future.set_result(self._load(self.now))
        except BaseException as e:  # reaches whoever waits, and `error()`
            self._future.set_exception(e)

    @property
    def ready(self) -> bool:
        return self._future.done()

    def add_done_callback(self, fn: Callable[[Future[Desk]], object]) -> None:
        self._future.add_done_callback(fn)

    def error(self) -> BaseException | None:
        """Why the Desk could not be loaded (the full path's own message), if it failed."""
        return self._future.exception() if self._future.done() else None

    def result(self) -> Desk:
        """The Desk, once loaded (starting the load if nothing has yet)."""
        self.start()
        return self._future.result()

    def __getattr__(self, name: str) -> Any:
        # Only for what is not set above: every other attribute is the Desk's.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.result(), name)
