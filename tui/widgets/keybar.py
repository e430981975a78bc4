"""A one-line key bar in place of Textual's Footer.

The stock Footer rebuilds one widget per key on every screen or focus change (~0.3 s on
the target machine, per switch); this renders the same keys as one Text. Keys are
clickable (`@click` actions on the app or screen). Tooltips live in `?` help.

When the keys do not fit, the most important stay (PRIORITY), still in their usual order,
and "…" and the help key end the bar. Measured in Danish, whose labels are the longest:
at 120 columns Indbakke keeps every filing key and all of the reply keys (`a`, `h`, `r`,
`N`); at 80 it keeps the quick acknowledgement (`h`, two keys to meet an overdue target),
`a`, and linking and new case.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from tui.keymap import KEY_DISPLAY, ORDER

# Binding id -> rank when the bar is cut (lower stays longer). Unranked keys rank after
# these: a screen's own (SCREEN_RANK) before the app's (APP_RANK), each in their usual
# order, as before ranks existed.
PRIORITY = {
    "triage.quick_ack": 1, "followups.quick_ack": 1,
    "triage.ack": 2, "followups.ack": 2, "preview.ack": 2,
    "triage.link": 3, "triage.new_case": 4, "triage.dismiss": 5,
    "triage.reply": 6, "followups.reply": 6,
    "lists.new_contact": 7,
    "followups.explain": 8, "followups.waive": 9,
}  # fmt: skip
SCREEN_RANK, APP_RANK = 50, 70


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self.call_after_refresh(self.render_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, _screen: Any) -> None:
        if self.is_attached:
            self.render_keys()

    def on_resize(self) -> None:
        self.render_keys()

    def render_keys(self) -> None:
        """The screen's keys, each once. Too many for the width: as many as fit, then
        "…" and the help key, which lists them all; never a key cut or hidden silently."""
        keys: list[tuple[str, int, Text]] = []  # (action, rank, its " key  label " text)
        seen: set[str] = set()
        palette = getattr(self.app, "COMMAND_PALETTE_BINDING", "ctrl+p")
        # The screen's keys first, in the order they are specified (a remapped key keeps
        # its place), then the app's: when the bar is cut, the screen's own keys stay.
        ordered = sorted(
            self.screen.active_bindings.items(),
            key=lambda kv: (
                isinstance(kv[1].node, App),
                ORDER.get(kv[1].binding.id or "", len(ORDER)),
            ),
        )
        for key, active in ordered:
            b = active.binding
            if not b.show or b.action in seen or key == palette:
                continue
            seen.add(b.action)
            node = active.node
            if isinstance(node, App):
                action = f"app.{b.action}"
            elif isinstance(node, Screen):
                action = f"screen.{b.action}"
            else:
                action = ""
            meta = Style.from_meta({"@click": action}) if action else Style()
            display = b.key_display or KEY_DISPLAY.get(key) or self.app.get_key_display(b)
            part = Text(no_wrap=True)
            part.append(f" {display} ", style=Style(bold=True, reverse=True) + meta)
            part.append(f" {b.description} ", style=meta)
            default = APP_RANK if isinstance(node, App) else SCREEN_RANK
            keys.append((b.action, PRIORITY.get(b.id or "", default), part))
        width = self.size.width
        out = Text(no_wrap=True, overflow="crop")
        if width <= 0 or sum(p.cell_len for _a, _r, p in keys) <= width:
            for _a, _r, part in keys:
                out.append_text(part)
            self.update(out)
            return
        help_part = next((p for a, _r, p in keys if a == "help"), Text())
        tail = Text(" …", no_wrap=True)
        tail.append_text(help_part)
        room = width - tail.cell_len
        kept: set[int] = set()
        # The most important first; the first that does not fit ends the choice (a
        # shorter, less important key never takes the place of one that was left out).
        for i in sorted(range(len(keys)), key=lambda i: (keys[i][1], i)):
            action, _rank, part = keys[i]
            if action == "help":
                continue
            if part.cell_len > room:
                break
            kept.add(i)
            room -= part.cell_len
        for i, (_a, _r, part) in enumerate(keys):
            if i in kept:
                out.append_text(part)
        out.append_text(tail)
        self.update(out)
