"""Untrusted text is shown as plain text: never markup, never a terminal escape, never an
invisible reordering character."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.conftest import screen_text, wait_for
from tui.safe import clean, plain
from tui.screens.dialogs import PreviewScreen
from tui.screens.triage import TriageScreen


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("[bold red]x[/]", "[bold red]x[/]"),
        ("[@click=app.quit]y[/]", "[@click=app.quit]y[/]"),
        ("\x1b]52;c;aGk=\x07", "␛]52;c;aGk=␇"),
        ("\x1b[2J", "␛[2J"),
        ("a\x9bb", "a⟨U+009B⟩b"),
        ("faktura\u202etxt.exe", "faktura⟨U+202E⟩txt.exe"),
        ("skjult\u200bord", "skjult⟨U+200B⟩ord"),
        ("\u2067x\u2069", "⟨U+2067⟩x⟨U+2069⟩"),
        ("مرحبا", "مرحبا"),  # right-to-left letters are ordinary text
        ("to\nlinjer", "to␊linjer"),
    ],
)
def test_clean(raw: str, shown: str) -> None:
    assert clean(raw) == shown
    text = plain(raw)
    assert text.plain == shown and not text.spans  # no markup was interpreted


def test_multiline_keeps_line_breaks_only() -> None:
    assert clean("a\nb\x1b[2J", one_line=False) == "a\nb␛[2J"


def _no_controls(app: Any) -> None:
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            bad = [
                c
                for c in seg.text
                if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u200b\u2067\u2069"
            ]
            assert not bad, (seg.text, bad)


async def test_hostile_subjects_render_as_plain_text(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        text = screen_text(app)
        for shown in (
            "[bold red]x[/]",
            "[@click=app.quit]y[/]",
            "␛]52;c;aGk=␇clip",
            "␛[2Jclear",
            "faktura⟨U+202E⟩txt.exe",
            "skjult⟨U+200B⟩ord",
        ):
            assert shown in text, shown
        _no_controls(app)
        # Clicking the "[@click=app.quit]" subject runs nothing: the app stays up.
        screen = app.screen
        row = next(i for i, r in enumerate(screen.rows) if r.subject.startswith("[@click"))
        await pilot.click("#list", offset=(40, row + 1))
        await pilot.pause(0.2)
        assert app.is_running
        # The preview shows the body with its escapes made visible, line by line.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "[@click=app.quit]y[/]" in text and "linje 2 ␛[31mrød␛[0m" in text
        _no_controls(app)
