"""The few private attributes of libraries the product still relies on, each because the
library has no public way to do it. Each test names the use, so an upgrade that moves the
attribute fails here, by name, instead of somewhere deep in a sync or a screen."""

from __future__ import annotations

import inspect

from ingest.mail.connect import Endpoint, connect
from ingest.mail.embedded_server import EmbeddedServer, Seed
from ingest.mail.session import _close

RAW = b"From: a@example.org\r\nTo: b@example.dk\r\nSubject: x\r\n\r\nbody\r\n"


def test_imapclient_imap_debug_and_state() -> None:
    """ingest/mail/connect.py turns imaplib's debug formatting off (`_imap.debug`), and
    ingest/mail/session.py reads the selected state (`_imap.state`) to unselect a kept
    connection: imapclient exposes neither."""
    with EmbeddedServer({"INBOX": [RAW]}) as srv:
        ep = Endpoint(
            name="t",
            host=srv.host,
            port=srv.port,
            security="none",
            ca_file=None,
            username=srv.username,
            auth="password",
        )
        client = connect(ep, password=srv.password)
        try:
            assert client._imap.debug == 0
            assert client._imap.state == "AUTH"
            client.select_folder("INBOX", readonly=True)
            assert client._imap.state == "SELECTED"
        finally:
            _close(client)


def test_pymap_internals_the_embedded_server_drives() -> None:
    """ingest/mail/embedded_server.py seeds, rewrites and inspects pymap's in-memory
    mailboxes through private attributes (pyproject pins pymap's minor version for it).
    Every helper that touches them, once."""
    with EmbeddedServer({"INBOX": [RAW], "Sent": [Seed(RAW, flags=("\\Seen",))]}) as srv:
        (added,) = srv.append("INBOX", RAW)
        before = srv.state()
        assert before["INBOX"]["count"] == 2 and before["Sent"]["count"] == 1
        srv.expunge("INBOX", [added])
        srv.recreate_folder("INBOX")
        dumped = srv.dump()
        assert [s.raw for s in dumped["INBOX"]] == [RAW]
        assert srv.state()["INBOX"]["uidvalidity"] != before["INBOX"]["uidvalidity"]
        srv.restart()
        assert srv.state()["Sent"]["count"] == 1


def test_textual_no_matches_text_is_still_where_the_palette_restates_it() -> None:
    """tui/commands.py restates CommandPalette._start_no_matches_countdown to put its one
    English text, "No matches found", in the UI language. If Textual renames the method or
    stops writing the text there, the restatement is dead: re-read Textual's method."""
    from textual.command import CommandPalette

    source = inspect.getsource(CommandPalette._start_no_matches_countdown)
    assert '"No matches found"' in source
    for name in ("_stop_no_matches_countdown", "_NO_MATCHES", "_NO_MATCHES_COUNTDOWN"):
        assert hasattr(CommandPalette, name), name
    assert "self._list_visible" in source and "self._no_matches_timer" in source


def test_textual_bindings_map_that_keymap_localises() -> None:
    """tui/keymap.py `localise` rewrites a node's `_bindings` (Textual's per-node
    BindingsMap) to show labels in the UI language; Textual has no public setter."""
    from textual.binding import BindingsMap
    from textual.widget import Widget

    from tui.keymap import localise

    class W(Widget):
        BINDINGS = [("q", "quit", "b.quit")]

    w = W()
    assert isinstance(w._bindings, BindingsMap)
    localise(w)
    (binding,) = [b for _k, b in w._bindings]
    assert binding.description != "b.quit"


def test_typer_vendored_click_exceptions_the_cli_catches() -> None:
    """borgerdesk/cli.py runs the app not standalone and words click's usage errors itself;
    since typer ships its own click (0.26), those classes live in typer._click."""
    from typer._click import exceptions

    for name in ("ClickException", "NoArgsIsHelpError", "UsageError"):
        assert isinstance(getattr(exceptions, name), type), name
    assert issubclass(exceptions.NoArgsIsHelpError, exceptions.UsageError)


def test_textual_css_generation_a_new_desk_screen_starts_at() -> None:
    """tui/screens/base.py starts a new desk screen at the app's CSS generation
    (`_css_update_count`), so switching to a mode's screen does not re-parse every
    stylesheet (~20 ms): Textual starts each screen at -1, and re-parses when the screen
    that becomes current differs from the app. If Textual renames the counter or stops
    comparing it there, the assignment is dead: re-read App._init_mode and switch_mode."""
    from textual.app import App
    from textual.screen import Screen

    assert Screen()._css_update_count == -1
    assert isinstance(App()._css_update_count, int)
    for method in (App._init_mode, App.switch_mode):
        source = inspect.getsource(method)
        assert "_css_update_count != self._css_update_count" in source, method.__name__
    assert "screen._css_update_count = self._css_update_count" in inspect.getsource(App.refresh_css)


def test_a_desk_screen_built_in_a_running_app_is_at_its_css_generation() -> None:
    """The same, as behaviour: built while the app runs, a desk screen needs no re-parse
    (and one built outside any app, as tests do, keeps Textual's own start)."""
    import asyncio

    from textual.app import App

    from tui.screens.base import DeskScreen

    assert DeskScreen()._css_update_count == -1

    async def run() -> tuple[int, int]:
        app: App[None] = App()
        async with app.run_test():
            app._invalidate_css()  # a theme change: generation 1 or later
            return DeskScreen()._css_update_count, app._css_update_count

    built, current = asyncio.run(run())
    assert built == current > 0
