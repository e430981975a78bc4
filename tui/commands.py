"""Command palette (ctrl+p): every binding active on the current screen, plus going to
each screen, so everything the keys do can also be found by name."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

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
            out.append((name, t("b.go_triage.tip") if mode == "triage" else "",
                        partial(app.action_go, mode)))
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
