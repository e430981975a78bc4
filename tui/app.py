"""The borgerdesk Textual app: five modes (Indbakke, Sager, Svarfrister, Statistik,
Whistleblower), a live data probe, alert notifications, `/` search, `?` help and a command
palette. The app never touches the database on its own thread: `store.desk.Desk` is
called from thread workers, which post typed messages back."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from store.desk.first_page import FIRST_PAGE_VERSION
from store.desk.late import LateDesk
from store.desk.rows import CaseDetail, DataVersion, MineCounts, SearchHit, Status
from tui.commands import DeskCommandPalette, DeskCommands
from tui.i18n import error_text, set_language, t, t_or, textual_text
from tui.keymap import KEY_DISPLAY, bindings, listed, localise
from tui.messages import (
    CaseLoaded,
    CasePrefetched,
    LiveChanged,
    LiveUnavailable,
    Presence,
    PreviewLoaded,
    Probed,
)
from tui.safe import clean
from tui.screens.base import DeskScreen
from tui.screens.case_detail import CaseDetailScreen
from tui.screens.cases import CasesScreen
from tui.screens.dialogs import HelpScreen, PreviewScreen, SearchDialog
from tui.screens.followups import FollowupsScreen
from tui.screens.paged_list import PAGE as TRIAGE_PAGE
from tui.screens.triage import TriageScreen, triage_filter
from tui.team import listen
from tui.ui_state import UiState, default_path

if TYPE_CHECKING:
    from store.desk import Desk
    from store.desk.replies import ReplyDesk

# How often the live probe looks for changes. Its few index look-ups cost milliseconds;
# 0.5 s leaves most of the 2 s budget for re-running the changed screen's query.
POLL_SECONDS = 0.5
# A team desk's slow tick (header times, presence): store.team.presence.HEARTBEAT.
HEARTBEAT = dt.timedelta(seconds=10)


def _late_screen(mode: str) -> Screen[Any]:
    """Statistik and Whistleblower, built on first use: their modules load the counts and
    the ORM, which the first frame does without."""
    if mode == "stats":
        from tui.screens.stats import StatsScreen

        return StatsScreen()
    from tui.screens.whistleblower import WhistleblowerScreen

    return WhistleblowerScreen()


class DeskApp(App[None]):
    CSS_PATH = [Path(__file__).parent / "app.tcss"]
    TITLE = "borgerdesk"
    BINDINGS = bindings("app")
    COMMANDS = App.COMMANDS | {DeskCommands}
    MODES = {
        "triage": TriageScreen,
        "cases": CasesScreen,
        "followups": FollowupsScreen,
        "stats": lambda: _late_screen("stats"),
        "whistleblower": lambda: _late_screen("whistleblower"),
    }
    DEFAULT_MODE = "triage"
    ENABLE_COMMAND_PALETTE = True
    # A team desk (PostgreSQL) and its header's own counts: `_init_team`.
    team = False
    mine: MineCounts | None = None

    def __init__(
        self,
        desk: Desk | LateDesk,
        *,
        replies: ReplyDesk | Callable[[], ReplyDesk] | None = None,
        demo: bool = False,
        poll_seconds: float = POLL_SECONDS,
        ui_state: Path | None = None,
        **kw: Any,
    ) -> None:
        # (A LateDesk knows these before its config has been validated.)
        language, keymap = (
            (desk.language, desk.keymap)
            if isinstance(desk, LateDesk)
            else (desk.config.language, desk.config.ui.keymap)
        )
        set_language(language)
        super().__init__(**kw)
        localise(self)
        # A LateDesk (the quick start) answers for the Desk while it loads.
        self.late = desk if isinstance(desk, LateDesk) else None
        self.desk = cast("Desk", desk)
        # Sending needs the network, which tui may not reach: the caller binds the sender.
        # Without one the composer still opens, and says in its dialog that it cannot send.
        self._replies: ReplyDesk | None = None
        self._make_replies = replies
        self.demo = demo
        self.poll_seconds = poll_seconds
        self.ui_state = UiState(ui_state)
        self.status: Status | None = None
        # Why the last probe failed (the database is unreachable), shown in the header.
        self.problem: str | None = None
        self._version: DataVersion | None = None
        self._last_alert: int | None = None
        self._case_screen = CaseDetailScreen()
        self._case_cache: dict[int, CaseDetail] = {}
        # The inbox's first page is fetched while Textual starts, so the query and the
        # UI's boot overlap instead of running one after the other.
        self.first_page: Future[Any] = Future()
        threading.Thread(target=self._prefetch, name="prefetch-triage", daemon=True).start()
        if keymap:
            self.set_keymap(keymap)
        if demo:
            self.sub_title = "DEMO"
        self._init_team()

    def _prefetch(self) -> None:
        try:
            filt = triage_filter(self.ui_state)
            if self.late is not None:
                page = self.late.first_page(filt, TRIAGE_PAGE)
                self.first_page.set_result((FIRST_PAGE_VERSION, page))
                return
            version = self.desk.version()
            self.first_page.set_result(
                (version, self.desk.triage(offset=0, limit=TRIAGE_PAGE, filt=filt))
            )
        except BaseException as e:
            self.first_page.set_exception(e)

    @property
    def replies(self) -> ReplyDesk:
        """The reply desk, built on first use (it loads the outbox)."""
        if self._replies is None:
            make = self._make_replies
            if make is None:
                from store.desk.replies import ReplyDesk

                self._replies = ReplyDesk(self.desk.engine, self.desk.config)
            else:
                self._replies = make() if callable(make) else make
        return self._replies

    def _load_late_desk(self) -> None:
        """After the first frame: load the Desk in its own thread. If it cannot be
        loaded (the full path's checks found the database unusable), the UI ends and
        `borgerdesk` says why (`LateDesk.error`)."""
        late = self.late
        if late is None:
            return

        def loaded(_f: object) -> None:
            if late.error() is None or not self.is_running:
                return
            try:  # in the loading thread
                self.call_from_thread(self.exit, return_code=2)
            except RuntimeError:  # on this one: a key that needed the Desk loaded it
                self.exit(return_code=2)

        late.add_done_callback(loaded)
        late.start()

    def on_mount(self) -> None:
        self.call_after_refresh(self._load_late_desk)
        # The header's probe waits a moment: the first screen's data comes first.
        self.set_timer(0.3, self.probe)
        if self.start_team():
            return  # live by LISTEN/NOTIFY instead of polling (LiveUnavailable: it polls)
        self._poll()

    def _poll(self) -> None:
        if self.poll_seconds > 0:
            self.set_interval(self.poll_seconds, self.probe)

    def on_live_unavailable(self, _msg: LiveUnavailable) -> None:
        self._poll()

    # ------------------------------------------------------------------ live probe

    @work(thread=True, exclusive=True, group="probe", exit_on_error=False)
    def probe(self) -> None:
        """Poll the cheap data version; the screens reload only when it changes. A
        failure (the database went away) reaches `on_worker_state_changed`."""
        first = self._last_alert is None
        after = self.desk.max_alert_id() if first else self._last_alert
        alerts = () if first else self.desk.alerts_after(after or 0)
        if first:
            self._last_alert = after
        mine = self.desk.mine_counts() if self.team else None
        probed = Probed(self.desk.version(), self.desk.status(), alerts, mine)
        # A newer probe (after a write here: `changed_here`) cancelled this one when it
        # started, but a thread runs on: its older figures, posted after the newer ones,
        # would stay in the header until the next probe.
        if not get_current_worker().is_cancelled:
            self.post_message(probed)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[Any]) -> None:
        """The one handler for failed workers, the app's and every screen's and dialog's
        (`tui.workers.ReportsFailures`): the advisor is told, a screen waiting for the
        data stops waiting, and a failed probe (the database went away) shows in the
        header until a probe succeeds again."""
        if worker.error is None:
            return
        text = error_text(worker.error)
        node = worker.node
        if isinstance(node, DeskScreen):
            node.load_failed()
            self.reload_if_stale(node, worker.error)
        if worker.group == "probe":
            first = self.problem is None
            self.problem = text
            self._refresh_header()
            if not first:
                return  # said once per outage, not at every poll
            text = t("n.db_down", msg=text)
        self.notify(clean(t("n.error", msg=text)), severity="error", timeout=8, markup=False)

    def _refresh_header(self) -> None:
        screen = self.screen
        if isinstance(screen, DeskScreen):
            screen.refresh_status()

    def on_probed(self, msg: Probed) -> None:
        self.status = msg.status
        self.mine = msg.mine
        if self.problem is not None:
            self.problem = None
            self.notify(t("n.db_back"), timeout=4)
        # The screen on top, or the desk screen under a dialog (a question asked after a
        # write: the list behind it shows the write at once).
        screen = next((s for s in reversed(self.screen_stack) if isinstance(s, DeskScreen)), None)
        if screen is not None:
            screen.refresh_status()
        for a in msg.alerts:
            self._last_alert = max(self._last_alert or 0, a.alert_id)
            kind = t_or(f"alert.{a.kind}", a.kind)
            self.notify(
                clean(t("n.alert", kind=kind, summary=a.summary), limit=200),
                severity="warning",
                timeout=10,
                markup=False,
            )
        if self._version is not None and msg.version != self._version:
            self._case_cache.clear()
        self._version = msg.version
        if (
            screen is not None
            and screen.is_mounted
            and screen.data_version is not None
            and screen.data_version != msg.version
        ):
            if screen.load_pending:
                # The load under way may have read the version before this change.
                screen.stale = True
            else:
                screen.reload()

    def changed_here(self) -> None:
        """This window changed something: probe now instead of waiting for the timer."""
        self._case_cache.clear()
        self.probe()

    # ------------------------------------------------------------------ team (tui.team)

    def _init_team(self) -> None:
        # A team desk is one on PostgreSQL: scope and assign keys, the header's own
        # counts, live refresh by LISTEN/NOTIFY and presence. (The quick start's LateDesk
        # is SQLite only: asking it for its engine would wait for the Desk to load.)
        self.team = self.late is None and self.desk.engine.dialect.name == "postgresql"
        self.heartbeat_seconds = HEARTBEAT.total_seconds()
        self._live_stop = threading.Event()
        self._live: threading.Thread | None = None
        self._present: int | None = None  # the case this desk shows (presence)

    def start_team(self) -> bool:
        """On a team desk: listen for changes in a thread of its own, and every
        presence heartbeat probe (the header's times) and refresh presence."""
        if not self.team:
            return False
        self._live = threading.Thread(
            target=listen,
            name="live",
            daemon=True,
            args=(
                self.desk,
                self._live_stop,
                lambda tables: self.post_message(LiveChanged(tables)),
                None,
                lambda: self.post_message(LiveUnavailable()),
            ),
        )
        self._live.start()
        self.set_interval(self.heartbeat_seconds, self.team_tick)
        return True

    def on_live_changed(self, msg: LiveChanged) -> None:
        if msg.tables - {"presence"}:
            self.probe()
        if "presence" in msg.tables and self._present is not None:
            self._presence_worker(None, None, self._present)

    def team_tick(self) -> None:
        self.probe()
        if self._present is not None:
            self._presence_worker(None, None, self._present, beat=True)

    def presence_open(self, case_id: int) -> None:
        """The case view shows `case_id`: say so (the previous case is left)."""
        if not self.team or self._present == case_id:
            return
        old, self._present = self._present, case_id
        self._presence_worker(old, case_id, None)

    def presence_close(self) -> None:
        if self.team and self._present is not None:
            old, self._present = self._present, None
            self._presence_worker(old, None, None)

    @work(thread=True, group="presence", exit_on_error=False)
    def _presence_worker(
        self, close: int | None, open_: int | None, ask: int | None, beat: bool = False
    ) -> None:
        """Leave `close`, open `open_`, and tell who else has the case open (`open_` or
        `ask`). The heartbeat (`beat`) only on the tick: it notifies every desk, and
        answering a notification with one would make the desks ping-pong."""
        if close is not None:
            self.desk.close_case_presence(close)
        if open_ is not None:
            others = self.desk.open_case_presence(open_)
        elif ask is not None:
            if beat:
                self.desk.presence_heartbeat()
            others = self.desk.others_on_case(ask)
        else:
            return
        self.post_message(Presence(open_ or ask or 0, tuple(others)))

    def on_presence(self, msg: Presence) -> None:
        for stack in self._screen_stacks.values():
            for screen in stack:
                if isinstance(screen, CaseDetailScreen) and screen.case_id == msg.case_id:
                    screen.show_presence(msg.others if msg.case_id == self._present else ())

    def reload_if_stale(self, screen: DeskScreen, error: BaseException) -> None:
        """An edit refused because another desk changed the data first: the screen
        shows the fresh data, for the advisor to redo her change on."""
        if getattr(error, "code", None) in ("stale_case", "stale_party", "contact_taken"):
            self._case_cache.clear()
            screen.reload()

    def on_unmount(self) -> None:
        """Stop listening and leave the open case (else it shows as open elsewhere
        until the heartbeat goes stale)."""
        self._live_stop.set()
        if self._live is not None:
            self._live.join(timeout=2)
        if self.team and self._present is not None:
            # The database may be away: the row then goes stale by itself.
            with contextlib.suppress(Exception):
                self.desk.close_case_presence(self._present)

    # ------------------------------------------------------------------ actions

    def action_go(self, mode: str) -> None:
        if mode == "whistleblower" and not self.desk.config.ui.whistleblower_register:
            self.notify(t("n.wb_off"), severity="warning")
            return
        if self.current_mode != mode:
            self.switch_mode(mode)

    def open_case(self, case_id: int, *, whistleblower: bool = False) -> None:
        """Show a case on the one reusable detail screen: at once if the list prefetched
        it (the live probe drops prefetched cases when anything changes), else after
        loading it in a worker."""
        cached = None if whistleblower else self._case_cache.get(case_id)
        if cached is not None:
            self.on_case_loaded(CaseLoaded(cached, False, self._version))
            return
        self._open_worker(case_id, whistleblower)

    def prefetch_case(self, case_id: int) -> None:
        """The list's cursor rests on a case: load it before it is opened. Never for
        whistleblower cases (reading one is audited)."""
        if case_id not in self._case_cache:
            self._prefetch_worker(case_id)

    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False)
    def _prefetch_worker(self, case_id: int) -> None:
        version = self._version
        try:
            detail = self.desk.case(case_id, allow_whistleblower=False)
        except Exception:
            return  # only a prefetch: opening the case will report any error
        if detail is not None:
            self.post_message(CasePrefetched(detail, version))

    def on_case_prefetched(self, msg: CasePrefetched) -> None:
        if msg.version == self._version:  # nothing changed while it loaded
            if len(self._case_cache) > 50:
                self._case_cache.clear()
            self._case_cache[msg.detail.case_id] = msg.detail

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_worker(self, case_id: int, whistleblower: bool) -> None:
        version = self.desk.version()
        detail = self.desk.case(case_id, allow_whistleblower=whistleblower)
        if detail is not None:
            self.post_message(CaseLoaded(detail, whistleblower, version))

    def on_case_loaded(self, msg: CaseLoaded) -> None:
        screen = self._case_screen
        if screen is not self.screen and any(
            screen in stack for stack in self._screen_stacks.values()
        ):
            # Already open under another mode: a fresh screen for this one.
            screen = CaseDetailScreen(msg.detail.case_id, whistleblower=msg.whistleblower)
        screen.prepare(msg.detail, whistleblower=msg.whistleblower)
        screen.data_version = msg.version
        if screen is self._case_screen and not self.is_screen_installed("case"):
            # Installed (and composed) on first use, not at start: it would add ~0.3 s
            # to the first screen; installed, it survives being popped and is reused.
            self.install_screen(screen, "case")
        if screen is not self.screen:
            self.push_screen(screen)

    def action_search(self) -> None:
        def chosen(hit: SearchHit | None) -> None:
            if hit is None:
                return
            if hit.case_id is not None:
                self.open_case(hit.case_id)
            elif hit.kind == "party":
                self.switch_mode("cases")
                # Sager may be under an open case: its list is the bottom of the stack.
                while not isinstance(self.screen, CasesScreen) and len(self.screen_stack) > 1:
                    self.pop_screen()
                screen = self.screen
                if isinstance(screen, CasesScreen):
                    screen.set_party_filter(hit.label)
            elif hit.kind == "contact":
                self._preview(hit.id)

        self.push_screen(SearchDialog(self.desk), chosen)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _preview(self, contact_id: int) -> None:
        self.post_message(PreviewLoaded(self.desk.preview(contact_id)))

    def on_preview_loaded(self, msg: PreviewLoaded) -> None:
        if msg.preview is not None:
            self.push_screen(PreviewScreen(msg.preview))

    def action_command_palette(self) -> None:
        """Textual's palette, with its prompt and its "no matches" line in the UI
        language."""
        # (Textual types is_open's argument as App[object]; App is invariant.)
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                DeskCommandPalette(placeholder=t("palette.placeholder"), id="--command-palette")
            )

    def search_themes(self) -> None:
        """The palette's "Theme" command: Textual's theme list, prompt in the UI language."""
        from textual.theme import ThemeProvider

        self.push_screen(
            DeskCommandPalette(providers=[ThemeProvider], placeholder=t("palette.themes"))
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's palette commands in the UI language; "Keys" opens the desk's own
        `?` help (the desk's keys with their tooltips) rather than Textual's panel.
        Textual's "Quit" is left out: the desk's own quit key (ctrl+q) is listed with
        the screen's keys, and the palette showed "Afslut" twice."""
        for cmd in super().get_system_commands(screen):
            if cmd.title == "Quit":
                continue
            if cmd.title == "Keys":
                yield SystemCommand(t("palette.keys"), t("palette.keys.tip"), self.action_help)
            else:
                yield cmd._replace(title=textual_text(cmd.title), help=textual_text(cmd.help))

    def action_help(self) -> None:
        """`?`: the screen's own keys first (and its list's), then the app's; screens
        switched off are left out; then what the marks in the lists mean."""
        own: list[tuple[str, str, str]] = []
        shared: list[tuple[str, str, str]] = []
        wb_on = self.desk.config.ui.whistleblower_register
        for key, active, desc, tip in listed(self.screen.active_bindings):
            b = active.binding
            if b.action == "go('whistleblower')" and not wb_on:
                continue
            display = b.key_display or KEY_DISPLAY.get(key) or self.get_key_display(b)
            (shared if isinstance(active.node, App) else own).append((display, desc, tip))
        title = t(getattr(self.screen, "TITLE_KEY", "screen.triage"))
        self.push_screen(HelpScreen(t("dlg.help.title", screen=title), own + shared))


def make_app(
    desk: Desk,
    *,
    replies: ReplyDesk | None = None,
    demo: bool = False,
    poll_seconds: float = POLL_SECONDS,
    clock: Callable[[], dt.datetime] | None = None,
) -> DeskApp:
    if clock is not None:
        desk.clock = clock
    return DeskApp(
        desk,
        replies=replies,
        demo=demo,
        poll_seconds=poll_seconds,
        ui_state=None if demo else default_path(),
    )


__all__ = ["DeskApp", "make_app"]
