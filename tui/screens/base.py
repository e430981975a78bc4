"""What every desk screen shares: the status bar and footer, thread workers that post
typed messages, and a `reload()` the app calls when the data version changes."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen

from store.desk.rows import DataVersion
from tui.i18n import error_text, t
from tui.keymap import localise
from tui.messages import Done, Failed, Loaded
from tui.safe import clean
from tui.widgets.keybar import KeyBar
from tui.widgets.statusbar import StatusBar

if TYPE_CHECKING:
    from store.desk import Desk
    from tui.app import DeskApp

_seq = itertools.count(1)


class DeskScreen(Screen[None]):
    TITLE_KEY = "screen.triage"

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        localise(self)
        # Textual re-parses every stylesheet (~20 ms) when a screen whose CSS generation
        # differs from the app's becomes current, which every new screen's does (-1). A
        # screen built now is styled from the current stylesheet when it mounts, so it
        # starts at the app's generation; a later theme change still refreshes it.
        app = self._running_app()
        if app is not None:
            self._css_update_count = app._css_update_count
        self._want: dict[str, int] = {}
        # The data version the shown data was read at, and whether a load is under way:
        # the app's probe reloads the screen when the store has moved past it.
        self.data_version: DataVersion | None = None
        self.load_pending = False

    @staticmethod
    def _running_app() -> Any:
        from textual._context import active_app

        return active_app.get(None)

    @property
    def desk_app(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    @property
    def desk(self) -> Desk:
        return self.desk_app.desk

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield from self.compose_body()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.refresh_status()

    def on_screen_resume(self) -> None:
        self.refresh_status()
        self.reload()

    def refresh_status(self) -> None:
        for bar in self.query(StatusBar):  # none yet while the screen is being composed
            bar.set_status(t(self.TITLE_KEY), self.desk_app.status, demo=self.desk_app.demo)

    def reload(self) -> None:
        """Fetch what the screen shows again (the data changed)."""

    # ------------------------------------------------------------------ workers

    def load(self, what: str, fn: Callable[[], Any], *, versioned: bool = False) -> None:
        """Run `fn` in a worker; `show_<what>` gets its result. With `versioned`, `fn`
        returns (data version, data) itself (e.g. a prefetch)."""
        seq = next(_seq)
        self._want[what] = seq
        self.load_pending = True
        self._load_worker(what, seq, fn, versioned)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_worker(self, what: str, seq: int, fn: Callable[[], Any], versioned: bool) -> None:
        try:
            # The version first: a change made while the query runs shows up as a newer
            # version at the next probe, never as a missed one.
            if versioned:
                version, data = fn()
            else:
                version = self.desk.version()
                data = fn()
        except Exception as e:  # keep the desk alive; say what went wrong
            self.post_message(Failed(error_text(e)))
            return
        self.post_message(Loaded(what, seq, data, version))

    def show_ready(self, what: str, version: DataVersion, data: Any) -> None:
        """Show data already on hand (a finished prefetch) at once: no worker, no message
        round trip, so it is in the screen's first frame."""
        self._want[what] = next(_seq)  # supersedes any load of the same thing under way
        self.data_version = version
        self.load_pending = False
        getattr(self, f"show_{what}")(data)

    def load_side(self, what: str, fn: Callable[[], Any]) -> None:
        seq = next(_seq)
        self._want[what] = seq
        self._side_worker(what, seq, fn)

    @work(thread=True, exclusive=True, group="side", exit_on_error=False)
    def _side_worker(self, what: str, seq: int, fn: Callable[[], Any]) -> None:
        try:
            data = fn()
        except Exception as e:
            self.post_message(Failed(error_text(e)))
            return
        self.post_message(Loaded(what, seq, data))

    @work(thread=True, group="write", exit_on_error=False)
    def command(self, fn: Callable[[], Any], done: Callable[[Any], str]) -> None:
        """Run a change in a thread; a notification says what happened."""
        try:
            result = fn()
        except Exception as e:
            self.post_message(Failed(error_text(e)))
            return
        self.post_message(Done(done(result)))

    def on_loaded(self, message: Loaded) -> None:
        if self._want.get(message.what) != message.seq:
            return  # a newer load of the same thing is on its way
        if message.version is not None:
            self.data_version = message.version
            self.load_pending = False
        handler = getattr(self, f"show_{message.what}", None)
        if handler is not None:
            handler(message.data)

    def on_done(self, message: Done) -> None:
        self.notify(clean(message.text), timeout=4, markup=False)
        self.desk_app.changed_here()
        if message.reload:
            self.reload()

    def on_failed(self, message: Failed) -> None:
        self.load_pending = False
        self.notify(clean(t("n.error", msg=message.text)), severity="error", timeout=8,
                    markup=False)
