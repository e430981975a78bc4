"""Command palette (ctrl+p): every binding active on the current screen, plus going to
each screen, so everything the keys do can also be found by name."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from tui.i18n import t
from tui.keymap import listed


class DeskCommands(Provider):
    def _entries(self) -> list[tuple[str, str, Any]]:
        app: Any = self.app
        screen = self.screen
        out: list[tuple[str, str, Any]] = []
        modes = ["triage", "cases", "followups", "stats"]
        if app.desk.config.ui.whistleblower_register:
            modes.append("whistleblower")
        for mode in modes:
            name = t("palette.go", screen=t(f"screen.{mode}"))
            out.append(
                (
                    name,
                    t("b.go_triage.tip") if mode == "triage" else "",
                    partial(app.action_go, mode),
                )
            )
        seen = {name for name, _h, _c in out}
        for _key, active, desc, tip in listed(screen.active_bindings):
            b = active.binding
            if desc in seen or b.action == "go" or b.action.startswith("go("):
                continue
            seen.add(desc)
            out.append((desc, tip, partial(app.run_action, b.action, active.node)))
        return out

    async def discover(self) -> Hits:
        for name, help_text, cb in self._entries():
            yield DiscoveryHit(name, cb, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, cb in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), cb, help=help_text)


class DeskCommandPalette(CommandPalette):
    """Textual's palette with its last English text, "No matches found", in the UI
    language. Textual writes that text inside this method, so the method is restated
    here with the same behaviour; a test types a search that finds nothing and reads the
    list, so a Textual that stops calling it shows up as English text there."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(t("palette.no_matches"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:  # browsing (empty search): nothing to report
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
