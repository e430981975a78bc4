"""Key bindings as data. Every binding has an id (remappable from the config's
`[ui] keymap`, e.g. `"triage.link" = "ctrl+l"`) and a tooltip; labels and tooltips are
i18n keys, translated when a screen is built (`localise`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from textual.binding import ActiveBinding, Binding, BindingsMap, BindingType

from tui.i18n import t, textual_text

# scope -> [(id, key, action, i18n label key, show in footer)]
SPECS: dict[str, list[tuple[str, str, str, str, bool]]] = {
    "app": [
        ("app.triage", "1", "go('triage')", "b.go_triage", True),
        ("app.cases", "2", "go('cases')", "b.go_cases", True),
        ("app.followups", "3", "go('followups')", "b.go_followups", True),
        ("app.stats", "4", "go('stats')", "b.go_stats", True),
        ("app.whistleblower", "5", "go('whistleblower')", "b.go_wb", False),
        ("app.search", "slash", "search", "b.search", True),
        ("app.help", "question_mark", "help", "b.help", True),
        ("app.quit", "ctrl+q", "quit", "b.quit", False),
    ],
    "list": [
        ("list.down", "j,down", "cursor_down", "b.down", False),
        ("list.up", "k,up", "cursor_up", "b.up", False),
        ("list.screen_down", "pagedown", "screen(1)", "b.screen_down", False),
        ("list.screen_up", "pageup", "screen(-1)", "b.screen_up", False),
        ("list.first", "home", "first", "b.first", False),
        ("list.last", "end", "last", "b.last", False),
        ("list.select", "enter", "select_cursor", "b.select_row", False),
        ("list.next_page", "ctrl+f", "page('next')", "b.next_page", False),
        ("list.prev_page", "ctrl+b", "page('prev')", "b.prev_page", False),
    ],
    # A team desk's lists of cases and triage contacts (hidden on SQLite: tui.team).
    "team": [
        ("team.scope", "m", "cycle_scope", "b.scope", True),
        ("team.assign", "t", "assign", "b.assign", True),
    ],
    "triage": [
        ("triage.link", "l", "link", "b.link", True),
        ("triage.new_case", "n", "new_case", "b.new_case", True),
        ("triage.dismiss", "x", "not_a_case", "b.dismiss", True),
        ("triage.ack", "a", "ack", "b.ack", True),
        ("triage.preview", "enter", "preview", "b.preview", True),
        ("triage.select", "space", "select", "b.select", True),
        ("triage.filter", "f", "cycle_filter", "b.triage_filter", True),
        ("triage.dismissed", "d", "dismissed", "b.dismissed", True),
        ("triage.reply", "r", "reply", "b.reply", True),
        ("triage.quick_ack", "h", "quick_ack", "b.quick_ack", True),
    ],
    "lists": [
        ("lists.new_contact", "N", "new_contact", "b.new_contact", True),
    ],
    "dismissed": [
        ("dismissed.undismiss", "u", "undismiss", "b.undismiss", True),
        ("dismissed.back", "escape", "back", "b.back", True),
    ],
    "preview": [
        ("preview.back", "escape", "cancel", "b.back", True),
        ("preview.link", "l", "act('link')", "b.link", True),
        ("preview.new_case", "n", "act('new_case')", "b.new_case", True),
        ("preview.dismiss", "x", "act('not_a_case')", "b.dismiss", True),
        ("preview.ack", "a", "act('ack')", "b.ack", True),
        ("preview.reply", "r", "act('reply')", "b.reply", True),
    ],
    "party": [
        ("party.merge", "ctrl+g", "merge", "b.merge", True),
    ],
    "cases": [
        ("cases.open", "enter", "open_case", "b.open", True),
        ("cases.filter", "f", "filter", "b.filter", True),
        ("cases.status", "o", "cycle_status", "b.status", True),
        ("cases.sort", "r", "cycle_sort", "b.sort", True),
    ],
    "case": [
        ("case.back", "escape", "back", "b.back", True),
        ("case.assign", "t", "assign", "b.assign", True),
        ("case.classify", "c", "classify", "b.classify", True),
        ("case.manual", "m", "manual", "b.manual", True),
        ("case.note", "n", "note", "b.note", True),
        ("case.close", "s", "toggle_closed", "b.close", True),
        ("case.complain", "w", "toggle_complain", "b.complain", True),
        ("case.exclude", "e", "toggle_excluded", "b.exclude", True),
        ("case.move", "v", "move", "b.move", True),
        ("case.unlink", "u", "unlink", "b.unlink", True),
        ("case.party", "p", "party", "b.party", True),
        ("case.reply", "r", "reply", "b.reply", True),
    ],
    "followups": [
        ("followups.explain", "e", "explain", "b.explain", True),
        ("followups.ack", "a", "ack", "b.ack", True),
        ("followups.waive", "w", "waive", "b.waive", True),
        ("followups.open", "enter", "open_case", "b.open", True),
        ("followups.reply", "r", "reply", "b.reply", True),
        ("followups.quick_ack", "h", "quick_ack", "b.quick_ack", True),
    ],
    "stats": [
        ("stats.prev_year", "left_square_bracket", "year(-1)", "b.prev_year", True),
        ("stats.next_year", "right_square_bracket", "year(1)", "b.next_year", True),
        ("stats.period", "p", "period", "b.period", True),
        ("stats.export", "x", "export", "b.export", True),
        ("stats.compare", "c", "compare", "b.compare", True),
        ("stats.annual", "r", "annual_report", "b.annual", True),
    ],
    "whistleblower": [
        ("whistleblower.open", "enter", "open_case", "b.open", True),
        ("whistleblower.facts", "o", "facts", "b.wb_facts", True),
    ],
    "dialog": [
        ("dialog.cancel", "escape", "cancel", "b.cancel", True),
        ("dialog.save", "ctrl+s", "save", "b.save", True),
    ],
    "manual": [
        ("manual.direction", "ctrl+o", "toggle_direction", "b.direction", True),
    ],
}

# Each binding id's place in SPECS: the key bar lists keys in this order.
ORDER = {spec[0]: i for i, spec in enumerate(s for specs in SPECS.values() for s in specs)}

KEY_DISPLAY = {
    "slash": "/",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "space": "␣",
}


def bindings(scope: str) -> list[BindingType]:
    """Class-level BINDINGS for a scope. Descriptions hold i18n keys until `localise`."""
    return [
        Binding(
            key,
            action,
            label,
            show=show,
            tooltip=f"{label}.tip",
            id=bid,
            key_display=KEY_DISPLAY.get(key),
        )
        for bid, key, action, label, show in SPECS[scope]
    ]


def all_ids() -> set[str]:
    return {spec[0] for specs in SPECS.values() for spec in specs}


def localise(node: Any) -> None:
    """Translate a node's bindings (labels and tooltips) into the current language."""
    node._bindings = BindingsMap(
        replace(b, description=t(b.description), tooltip=t(b.tooltip))
        if b.description.startswith("b.")
        else b
        for _key, b in node._bindings
    )


def listed(bindings_on: Mapping[str, ActiveBinding]) -> list[tuple[str, ActiveBinding, str, str]]:
    """The active bindings that `?` help and the command palette list: (key, binding,
    description, tooltip) in the UI language, each action once. Textual's own bindings
    (scrolling, focus, editing) come with English descriptions; they are translated here."""
    out: list[tuple[str, ActiveBinding, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in bindings_on.items():
        b = active.binding
        if b.system or not b.description or (b.action, b.description) in seen:
            continue
        seen.add((b.action, b.description))
        out.append((key, active, textual_text(b.description), textual_text(b.tooltip or "")))
    return out


def check_keymap(keymap: dict[str, str]) -> str | None:
    """A one-line problem with a configured keymap, or None."""
    unknown = sorted(set(keymap) - all_ids())
    if unknown:
        return (
            f"[ui] keymap: unknown binding id(s) {unknown}; "
            f"known ids: {', '.join(sorted(all_ids()))}"
        )
    return None
