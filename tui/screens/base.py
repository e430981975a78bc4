"""What every desk screen shares: the status bar and footer, thread workers that post
typed messages, and a `reload()` the app calls when the data version changes."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.types import NoActiveAppError

from store.desk.rows import DataVersion
from tui.i18n import t
from tui.keymap import localise
from tui.messages import Done, PeopleLoaded, ReplyLoaded, Result
from tui.safe import clean
from tui.screens.assign import show_assign
from tui.widgets.keybar import KeyBar
from tui.widgets.statusbar import StatusBar
from tui.workers import ReportsFailures

if TYPE_CHECKING:
    from store.desk import Desk
    from tui.app import DeskApp

_seq = itertools.count(1)
TEAM_ACTIONS = frozenset({"cycle_scope", "assign"})
T = TypeVar("T")


class DeskScreen(ReportsFailures, Screen[None]):
    TITLE_KEY = "screen.triage"

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        localise(self)
        # Textual re-parses every stylesheet (~20 ms) when a mode's screen whose CSS
        # generation differs from the app's becomes current, which every new screen's
        # does (-1). A screen built now is styled from the current stylesheet when it
        # mounts, so it starts at the app's generation; a later theme change still
        # refreshes it. Private (`_css_update_count`): Textual has no public way to say
        # so; tests/test_private_apis.py fails by name if Textual changes it.
        app = self._running_app()
        if app is not None:
            self._css_update_count = app._css_update_count
        self._want: dict[str, int] = {}
        # The data version the shown data was read at, and whether a load is under way:
        # the app's probe reloads the screen when the store has moved past it.
        self.data_version: DataVersion | None = None
        self.load_pending = False
        # A change was seen while a load was under way: load once more when it ends.
        self.stale = False

    def _running_app(self) -> Any:
        """The app this screen is being built in, or None (built outside a running app,
        as some tests do)."""
        try:
            return self.app
        except NoActiveAppError:
            return None

    @property
    def desk_app(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    @property
    def desk(self) -> Desk:
        return self.desk_app.desk

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A team desk's keys (scope, assign) exist on PostgreSQL only (`tui.team`)."""
        return not (action in TEAM_ACTIONS and not self.desk_app.team)

    def on_people_loaded(self, msg: PeopleLoaded) -> None:
        """The team, loaded for the assign dialog (`tui.screens.assign`)."""
        if self.accept(msg):
            show_assign(self, msg)

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
            bar.set_status(
                t(self.TITLE_KEY),
                self.desk_app.status,
                demo=self.desk_app.demo,
                mine=self.desk_app.mine,
            )

    def reload(self) -> None:
        """Fetch what the screen shows again (the data changed)."""

    # ------------------------------------------------------------------ workers

    def load(self, fn: Callable[[], Result], *, main: bool = True, versioned: bool = False) -> None:
        """Run `fn` in a worker and post the typed message it returns to this screen.
        A `main` load is the screen's own data: the data version is read first (unless
        `fn` sets the message's version itself: `versioned`) and the probe waits for it.
        A failure reaches the app's one handler for failed workers."""
        group = "load" if main else "side"
        seq = next(_seq)
        self._want[group] = seq
        if main:
            self.load_pending = True
        self.run_worker(
            partial(self._load_worker, seq, fn, main and not versioned),
            thread=True,
            exclusive=True,
            group=group,
            exit_on_error=False,
        )

    def _load_worker(self, seq: int, fn: Callable[[], Result], read_version: bool) -> None:
        # The version first: a change made while the query runs shows up as a newer
        # version at the next probe, never as a missed one.
        version = self.desk.version() if read_version else None
        msg = fn()
        msg.seq = seq
        if version is not None:
            msg.version = version
        self.post_message(msg)

    def accept(self, msg: Result) -> bool:
        """Whether a worker's result is still wanted (no newer query of the same kind was
        started since); a main result also records the data version it shows."""
        if not self.app.is_running:
            # The app is quitting: it closes its leftover widgets in no set order, so a
            # late result may find this screen's children gone (a NoMatches traceback
            # at exit), and showing a case would mark it open for the colleagues.
            return False
        group = "load" if msg.version is not None else "side"
        if self._want.get(group) != msg.seq:
            return False
        if msg.version is not None:
            self.data_version = msg.version
            self.load_pending = False
            if self.stale:
                self.stale = False
                self.call_later(self.reload)
        return True

    def take_ready(self, version: DataVersion) -> None:
        """Data already on hand (a finished prefetch) is shown at once: it supersedes any
        main load under way."""
        self._want["load"] = next(_seq)
        self.data_version = version
        self.load_pending = False

    def load_failed(self) -> None:
        """The app's failed-worker handler: this screen's load will not arrive."""
        self.load_pending = False

    @work(thread=True, group="write", exit_on_error=False)
    def command(
        self, fn: Callable[[], T], done: Callable[[T], str], then: Callable[[T], None] | None = None
    ) -> None:
        """Run a change in a thread; a notification says what happened, and `then` (on
        the UI thread) may offer what follows from it."""
        result = fn()
        self.post_message(Done(done(result), None if then is None else partial(then, result)))

    def on_done(self, message: Done) -> None:
        """One refresh per write: the app's probe reads the new data version and reloads
        whatever screen shows older data (this one, at once)."""
        self.notify(clean(message.text), timeout=4, markup=False)
        self.desk_app.changed_here()
        if message.then is not None:
            message.then()

    # ------------------------------------------------------------------ replies

    def reply_to(self, contact_id: int, *, quick: bool = False) -> None:
        """The reply composer for a contact (`quick`: the standard acknowledgement), its
        template filled in by a worker. A contact without e-mail gets the call-back."""
        replies = self.desk_app.replies
        fill = replies.quick_acknowledge if quick else replies.preview
        self.load(lambda: ReplyLoaded(fill(contact_id)), main=False)

    def on_reply_loaded(self, msg: ReplyLoaded) -> None:
        # Imported on first use: the composer loads the outbox (SQLAlchemy), which the
        # first frame does without.
        from tui.screens.compose import ComposeScreen

        if not self.accept(msg):
            return

        def done(result: object) -> None:
            if result is None:
                return  # cancelled
            self.notify(
                t("n.callback_logged" if isinstance(result, int) else "n.reply_sent"), timeout=4
            )
            self.desk_app.changed_here()

        self.app.push_screen(ComposeScreen(self.desk_app.replies, msg.preview), done)
