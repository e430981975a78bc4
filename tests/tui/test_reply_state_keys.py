"""The reply keys can be found: at 120 columns Indbakke's key bar shows both ways to
acknowledge (`a` notes one made elsewhere, `h` mails the standard one) and `N`, and at
80 columns still `h` and `a`; Svarfrister likewise. The two are told apart in the bar
and in `?` help. (An overdue mail acknowledged in two keys, `h` then ctrl+s, is
test_reply_keys.py's round trip.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.conftest import make_config, screen_text, wait_for
from tests.tui.test_keys import _bar, _triage
from tui.i18n import set_language
from tui.screens.dialogs import HelpScreen
from tui.screens.followups import FollowupsScreen

WORDS = {
    "da": {"a": "a Notér kvittering", "h": "h Send kvittering", "N": "N Ny henvendelse",
           "r": "r Svar", "help": "? Hjælp"},
    "en": {"a": "a Log ack", "h": "h Send ack", "N": "N New contact", "r": "r Reply",
           "help": "? Help"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(("width", "shown"), [(120, "ahNr"), (80, "ah")])
async def test_the_reply_keys_show_in_the_key_bar(
    make_app: Any, language: str, width: int, shown: str
) -> None:
    words = WORDS[language]
    app = make_app(make_config(language=language))
    try:
        async with app.run_test(size=(width, 40 if width == 120 else 24)) as pilot:
            await _triage(pilot)
            bar = _bar(app)
            assert len(bar) <= width and bar.endswith(words["help"]), bar
            for key in shown:
                assert words[key] in bar, (key, bar)
            # In the usual order: the filing keys before the reply keys.
            assert bar.index(words["a"]) < bar.index(words["h"]), bar
            await pilot.press("3")
            await wait_for(
                pilot, lambda: isinstance(app.screen, FollowupsScreen) and bool(app.screen.rows)
            )
            await pilot.pause(0.05)
            bar = _bar(app)
            for key in "ahr":
                assert words[key] in bar, (key, bar)
    finally:
        set_language("da")


async def test_help_tells_noting_an_acknowledgement_from_sending_one(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 50)) as pilot:
        await _triage(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.1)
        text = " ".join(screen_text(app).split())
    assert "Notér kvittering – Notér at borgeren har fået svar uden for mailen" in text
    assert "der sendes intet" in text
    assert "Send kvittering – Send standardkvitteringen som mail" in text
