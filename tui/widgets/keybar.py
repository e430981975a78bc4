"""A one-line key bar in place of Textual's Footer.

The stock Footer rebuilds one widget per key on every screen or focus change (~0.3 s on
the target machine, per switch); this renders the same keys as one Text. Keys are
clickable (`@click` actions on the app or screen). Tooltips live in `?` help.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from tui.keymap import KEY_DISPLAY, ORDER


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
        keys: list[tuple[str, Text]] = []  # (action, its " key  label " text)
        seen: set[str] = set()
        palette = getattr(self.app, "COMMAND_PALETTE_BINDING", "ctrl+p")
        # The screen's keys first, in the order they are specified (a remapped key keeps
        # its place), then the app's: when the bar is cut, the screen's own keys stay.
        ordered = sorted(self.screen.active_bindings.items(), key=lambda kv: (
            isinstance(kv[1].node, App), ORDER.get(kv[1].binding.id or "", len(ORDER))))
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
            keys.append((b.action, part))
        width = self.size.width
        out = Text(no_wrap=True, overflow="crop")
        if width <= 0 or sum(p.cell_len for _a, p in keys) <= width:
            for _a, part in keys:
                out.append_text(part)
            self.update(out)
            return
        help_part = next((p for a, p in keys if a == "help"), Text())
        tail = Text(" …", no_wrap=True)
        tail.append_text(help_part)
        room = width - tail.cell_len
        for action, part in keys:
            if action == "help":
                continue
            if part.cell_len > room:
                break
            out.append_text(part)
            room -= part.cell_len
        out.append_text(tail)
        self.update(out)
